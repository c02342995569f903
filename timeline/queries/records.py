"""Event records in the JSON shape of DESIGN.md, and the one function that builds them.

`build_record` turns an event's row and its nested rows into a record; the views
(`events`, `event`, `actor`) and `timeline export` all call it, each fetching rows its
own way: here in batches of event ids while the ordered event query streams, in
`timeline.exporter` from one ordered stream per nested array.

Order inside a record (sorted in Python, whose string order is the UTF-8 byte order,
the same as the databases' byte-wise order): countries and aliases; actors by slug,
then role; sources by slug, then quote offset (evidence without a quote first), then
quote; relations by direction (`incoming` before `outgoing`), kind, slug.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any

from sqlalchemy import ARRAY, JSON, Integer, any_, bindparam, column, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select

from timeline.errors import InputError
from timeline.queries.filters import EventFilters, conditions
from timeline.queries.resolve import did_you_mean
from timeline.queries.sqlfuncs import bytewise, starts_with
from timeline.tables import (
    actors,
    event_actors,
    event_aliases,
    event_countries,
    event_flags,
    event_relations,
    events,
    evidence,
    sources,
)
from timeline.vocab import ATTRIBUTES

DEFAULT_BATCH = 500

# The anchors' slugs, looked up by primary key for each event: a join could turn into
# a hash join over all events when the planner misjudges how many rows the filters keep.
_anchor = events.alias("anchor")
_ANCHOR_EVENT_SLUG = (
    select(_anchor.c.slug).where(_anchor.c.id == events.c.anchor_event_id).scalar_subquery()
)
_anchor_source = sources.alias("anchor_source")
_ANCHOR_SOURCE_SLUG = (
    select(_anchor_source.c.slug)
    .where(_anchor_source.c.id == events.c.anchor_source_id)
    .scalar_subquery()
)


def events_statement(connection: Connection, filters: EventFilters) -> Select[Any]:
    """The ordered, filtered events with their own columns; actors and the source in
    the filters are resolved here (an unknown one is an `InputError`)."""
    where = conditions(connection, filters)
    columns = (events.c.start_date, events.c.end_date, bytewise(events.c.slug))
    order = [c.desc() for c in columns] if filters.desc else list(columns)
    return (
        select(
            events.c.id,
            events.c.slug,
            events.c.title,
            events.c.type,
            events.c.modality,
            events.c.start_date,
            events.c.end_date,
            events.c.precision,
            events.c.date_text,
            _ANCHOR_EVENT_SLUG,
            _ANCHOR_SOURCE_SLUG,
            events.c.place,
            events.c.summary,
            events.c.latitude,
            events.c.longitude,
            *(events.c[name] for name in ATTRIBUTES),
        )
        .where(*where)
        .order_by(*order)
        .limit(filters.limit)
    )


def iter_event_records(
    connection: Connection, filters: EventFilters | None = None, *, batch_size: int = DEFAULT_BATCH
) -> Iterator[dict[str, Any]]:
    """Full event records (DESIGN.md's JSON shape plus `anchor_event`, `anchor_source`,
    `aliases` and quote offsets), in order, built `batch_size` events at a time while
    the ordered query streams. Bad filters fail here, before any record is produced."""
    filters = filters or EventFilters()
    statement = events_statement(connection, filters)
    return _stream(connection, statement, batch_size, filters.limit)


def _stream(
    connection: Connection, statement: Select[Any], batch_size: int, limit: int | None
) -> Iterator[dict[str, Any]]:
    if limit is not None and limit <= batch_size:  # one batch: no server-side cursor
        yield from event_records(connection, connection.execute(statement).all())
        return
    if connection.dialect.name == "postgresql":
        # A server-side cursor is planned for its first 10 % of rows; every row will be
        # read, so plan for all (else a date window may walk the date index in order,
        # filtering half the table, to avoid sorting a few hundred rows).
        connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1")
    with connection.execute(statement.execution_options(yield_per=batch_size)) as result:
        for rows in result.partitions():
            yield from event_records(connection, rows)


def event_record(connection: Connection, slug: str) -> dict[str, Any]:
    """One event's full record; an unknown slug is an `InputError`."""
    rows = connection.execute(events_statement(connection, EventFilters(slug=slug))).all()
    if rows:
        record = event_records(connection, rows)[0]
        _add_source_details(connection, record)
        return record
    raise InputError(f"no event with slug {slug!r}" + _did_you_mean_event(connection, slug))


def _add_source_details(connection: Connection, record: dict[str, Any]) -> None:
    """Each source's URL and publication date, what a reader checking the claim needs
    (the one-event view only: the listing and export records keep their shape)."""
    slugs = sorted({source["slug"] for source in record["sources"]})
    details = {
        row.slug: row
        for row in connection.execute(
            select(sources.c.slug, sources.c.url, sources.c.published_on).where(
                sources.c.slug.in_(slugs)
            )
        )
    }
    for source in record["sources"]:
        row = details[source["slug"]]
        source["url"], source["published"] = row.url, iso(row.published_on)


def _did_you_mean_event(connection: Connection, slug: str) -> str:
    near = connection.execute(
        select(events.c.slug).where(starts_with(events.c.slug, slug.strip()[:3])).limit(5000)
    ).scalars()
    return did_you_mean(slug.strip(), {s: s for s in near}, "events")


@cache
def _nested(dialect: str) -> dict[str, Select[Any]]:
    """One statement per nested array, for a batch of event ids passed as one
    parameter (rendering an `IN (?, ?, …)` of 500 ids costs more than the query):
    `= ANY(array)` on PostgreSQL, `IN (SELECT value FROM json_each(?))` on SQLite."""

    def of_batch(column_: ColumnElement[int]) -> ColumnElement[bool]:
        if dialect == "postgresql":
            return column_ == any_(bindparam("ids", type_=ARRAY(Integer)))
        batch = func.json_each(bindparam("ids", type_=JSON))
        return column_.in_(select(column("value", Integer)).select_from(batch))

    other = events.alias("other")
    return {
        "countries": select(event_countries.c.event_id, event_countries.c.country_code).where(
            of_batch(event_countries.c.event_id)
        ),
        "aliases": select(event_aliases.c.event_id, event_aliases.c.alias).where(
            of_batch(event_aliases.c.event_id)
        ),
        "flags": select(event_flags.c.event_id, event_flags.c.flag).where(
            of_batch(event_flags.c.event_id)
        ),
        "actors": select(
            event_actors.c.event_id,
            actors.c.slug,
            actors.c.name,
            actors.c.kind,
            event_actors.c.role,
        )
        .join_from(event_actors, actors, actors.c.id == event_actors.c.actor_id)
        .where(of_batch(event_actors.c.event_id)),
        "evidence": select(
            evidence.c.event_id,
            sources.c.slug,
            sources.c.name,
            evidence.c.quote,
            evidence.c.quote_start,
            evidence.c.quote_end,
        )
        .join_from(evidence, sources, sources.c.id == evidence.c.source_id)
        .where(of_batch(evidence.c.event_id)),
        "outgoing": select(event_relations.c.subject_event_id, event_relations.c.kind, other.c.slug)
        .join_from(event_relations, other, other.c.id == event_relations.c.object_event_id)
        .where(of_batch(event_relations.c.subject_event_id)),
        "incoming": select(event_relations.c.object_event_id, event_relations.c.kind, other.c.slug)
        .join_from(event_relations, other, other.c.id == event_relations.c.subject_event_id)
        .where(of_batch(event_relations.c.object_event_id)),
    }


def event_records(connection: Connection, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Records for rows of `events_statement`, in the rows' order: one query per
    nested array for the whole batch."""
    if not rows:
        return []
    ids = {"ids": [row[0] for row in rows]}

    def grouped(statement: Select[Any]) -> dict[int, list[tuple[Any, ...]]]:
        groups: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in connection.execute(statement, ids).fetchall():
            groups[row[0]].append(tuple(row[1:]))
        return groups

    nested = _nested(connection.dialect.name)
    countries, aliases = grouped(nested["countries"]), grouped(nested["aliases"])
    flags = grouped(nested["flags"])
    actor_rows, evidence_rows = grouped(nested["actors"]), grouped(nested["evidence"])
    outgoing, incoming = grouped(nested["outgoing"]), grouped(nested["incoming"])
    return [
        build_record(
            row[1:],
            countries=countries[row[0]],
            aliases=aliases[row[0]],
            flags=flags[row[0]],
            actors=actor_rows[row[0]],
            evidence=evidence_rows[row[0]],
            incoming=incoming[row[0]],
            outgoing=outgoing[row[0]],
        )
        for row in rows
    ]


Rows = Sequence[tuple[Any, ...]]


def build_record(
    event: Sequence[Any],
    *,
    countries: Rows,
    aliases: Rows,
    flags: Rows,
    actors: Rows,
    evidence: Rows,
    incoming: Rows,
    outgoing: Rows,
) -> dict[str, Any]:
    """One event record from its row (the columns of `events_statement` after the id)
    and its nested rows, in any order: (code), (alias), (flag), (slug, name, kind, role),
    (slug, name, quote, quote_start, quote_end), (kind, other slug) each way."""
    (slug, title, type_, modality, start, end, precision, date_text,
     anchor_event, anchor_source, place, summary, latitude, longitude) = event[:14]  # fmt: skip
    return {
        "slug": slug,
        "title": title,
        "type": type_,
        "modality": modality,
        "start": iso(start),
        "end": iso(end),
        "precision": precision,
        "date_text": date_text,
        "anchor_event": anchor_event,
        "anchor_source": anchor_source,
        "place": place,
        "latitude": _number(latitude),
        "longitude": _number(longitude),
        "countries": sorted(code for (code,) in countries),
        "aliases": sorted(alias for (alias,) in aliases),
        "summary": summary,
        "flags": sorted(flag for (flag,) in flags),
        "attributes": attributes(event[14:]),
        # A slug names one actor, so (slug, name, kind, role) sorts by slug, then role.
        "actors": [{"slug": a, "name": n, "kind": k, "role": r} for a, n, k, r in sorted(actors)],
        "sources": [
            {"slug": s, "name": n, "quote": q, "quote_start": qs, "quote_end": qe}
            for s, n, q, qs, qe in sorted(evidence, key=_evidence_order)
        ],
        # "incoming" sorts before "outgoing"; each by kind, then slug.
        "relations": [{"kind": k, "slug": o, "direction": "incoming"} for k, o in sorted(incoming)]
        + [{"kind": k, "slug": o, "direction": "outgoing"} for k, o in sorted(outgoing)],
    }


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def attributes(values: Sequence[Any]) -> dict[str, Any]:
    """The source-specific attributes that are set, in `vocab.ATTRIBUTES` order, as
    their own types (SQLite's bare driver gives a boolean as 0 or 1)."""
    return {
        name: kind(value)
        for (name, kind), value in zip(ATTRIBUTES.items(), values, strict=True)
        if value is not None
    }


def iso(value: Any) -> Any:
    """A date as ISO text (None stays None); SQLite's bare driver already gives text."""
    return value if value is None or isinstance(value, str) else str(value.isoformat())


def _evidence_order(row: Sequence[Any]) -> tuple[str, bool, int, str]:
    """By source slug, then quote offset (evidence without a quote first), then quote."""
    slug, _name, quote, start, _end = row
    return (slug, start is not None, start or 0, quote or "")


def event_summaries(connection: Connection, slugs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Title and dates of events by slug: what a record's relations point at."""
    wanted = sorted(set(slugs))
    if not wanted:
        return {}
    rows = connection.execute(
        select(
            events.c.slug,
            events.c.title,
            events.c.start_date,
            events.c.end_date,
            events.c.precision,
        ).where(events.c.slug.in_(wanted))
    )
    return {row.slug: row._asdict() for row in rows}


def anchors(connection: Connection, record: dict[str, Any]) -> list[dict[str, Any]]:
    """What an event's date was resolved against: the anchor event (with its dates)
    and the source (with its publication date); none for an absolute date."""
    found: list[dict[str, Any]] = []
    if record["anchor_event"]:
        event = event_summaries(connection, [record["anchor_event"]])[record["anchor_event"]]
        found.append({"kind": "event", **event})
    if record["anchor_source"]:
        row = connection.execute(
            select(sources.c.slug, sources.c.name, sources.c.published_on).where(
                sources.c.slug == record["anchor_source"]
            )
        ).one()
        found.append({"kind": "source", **row._asdict()})
    return found
