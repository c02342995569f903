"""The chronological views: filters, the ordered event query, full event records,
actors, sources and database facts. Returns rows and dicts, never text.

Speed: the tables are described here as light Core `table()` clauses instead of
importing `timeline.models`, whose ORM import costs more than the query itself on a
small command (a test keeps both in step). Records are built in batches of event ids
with plain Core queries while the ordered event query streams, so memory stays flat
however many events match; `timeline export` reuses `iter_event_records`.

Order, identical on SQLite and PostgreSQL:
- events: start, end, slug, the slug byte-wise (COLLATE "C" on PostgreSQL; SQLite's
  default collation already is); `desc` reverses all three.
- inside a record (sorted in Python, whose string order is the UTF-8 byte order):
  countries and aliases; actors by slug, then role; sources by slug, then quote
  offset (evidence without a quote first), then quote; relations by direction
  (`incoming` before `outgoing`), kind, slug.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Date,
    Integer,
    String,
    Text,
    and_,
    any_,
    bindparam,
    case,
    column,
    exists,
    func,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from timeline.errors import InputError
from timeline.vocab import EVENT_TYPES, SPAN_CLASSES, TABLES, normalize_name

# The tables as the views read them (a test compares them with timeline.models).
events = table(
    "events",
    column("id", Integer),
    column("slug", String),
    column("title", String),
    column("type", String),
    column("modality", String),
    column("summary", Text),
    column("place", String),
    column("start_date", Date),
    column("end_date", Date),
    column("precision", String),
    column("span_class", Integer),
    column("date_text", String),
    column("anchor_event_id", Integer),
    column("anchor_source_id", Integer),
)
event_countries = table("event_countries", column("event_id", Integer), column("country_code"))
event_aliases = table(
    "event_aliases", column("event_id", Integer), column("alias"), column("alias_key")
)
event_actors = table(
    "event_actors", column("event_id", Integer), column("actor_id", Integer), column("role")
)
evidence = table(
    "evidence",
    column("id", Integer),
    column("event_id", Integer),
    column("source_id", Integer),
    column("quote", Text),
    column("quote_start", Integer),
    column("quote_end", Integer),
)
event_relations = table(
    "event_relations",
    column("subject_event_id", Integer),
    column("kind", String),
    column("object_event_id", Integer),
)
actors = table(
    "actors",
    column("id", Integer),
    column("slug", String),
    column("name", String),
    column("name_key", String),
    column("kind", String),
    column("country_code", String),
    column("description", Text),
    column("affiliation_id", Integer),
)
actor_aliases = table(
    "actor_aliases", column("actor_id", Integer), column("alias"), column("alias_key")
)
sources = table(
    "sources",
    column("id", Integer),
    column("slug", String),
    column("name", String),
    column("kind", String),
    column("publisher", String),
    column("url", String),
    column("title", String),
    column("published_on", Date),
    column("language", String),
)
source_citations = table(
    "source_citations", column("citing_source_id", Integer), column("cited_source_id", Integer)
)
DEFAULT_BATCH = 500


class bytewise(FunctionElement[str]):
    """A text column compared byte by byte, so both backends sort alike."""

    inherit_cache = True
    type = String()


@compiles(bytewise)
def _bytewise(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(bytewise, "postgresql")
def _bytewise_postgresql(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "C"'


class ascii_lower(FunctionElement[str]):
    """Lower case for A–Z only: SQLite's `lower()` folds nothing else, so PostgreSQL
    is made to fold exactly as much, whatever its locale."""

    inherit_cache = True
    type = String()


@compiles(ascii_lower)
def _ascii_lower(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(ascii_lower, "postgresql")
def _ascii_lower_postgresql(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"translate({compiler.process(element.clauses, **kw)}, '{upper}', '{upper.lower()}')"


def _ascii_fold(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


# ---------------------------------------------------------------- filters


_PERIOD = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def parse_period(text: str, option: str = "date") -> tuple[date, date]:
    """The first and last day of `YYYY-MM-DD`, `YYYY-MM` or `YYYY`."""
    match = _PERIOD.fullmatch(text.strip())
    if match:
        year, month, day = (None if g is None else int(g) for g in match.groups())
        assert year is not None
        try:
            if day is not None and month is not None:
                return date(year, month, day), date(year, month, day)
            if month is not None:
                first = date(year, month, 1)
                return first, first.replace(day=calendar.monthrange(year, month)[1])
            return date(year, 1, 1), date(year, 12, 31)
        except ValueError:
            pass
    raise InputError(f"invalid date {text!r} for {option}: use YYYY-MM-DD, YYYY-MM or YYYY")


@dataclass(frozen=True)
class EventFilters:
    """Which events a view selects, and in which order. An event is in the window
    [date_from, date_to] when its interval overlaps it. Every actor must be involved
    (each is a slug, name or alias). `search` matches titles, summaries and quotes
    (case-insensitive for A–Z, identically on both backends) and event aliases (by
    their stored normalized form: case- and accent-insensitive)."""

    date_from: date | None = None
    date_to: date | None = None
    actors: tuple[str, ...] = ()
    type: str | None = None
    source: str | None = None
    search: str | None = None
    slug: str | None = None
    limit: int | None = None
    desc: bool = False


def event_filters(
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    actors: Sequence[str] = (),
    type: str | None = None,
    source: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    desc: bool = False,
) -> EventFilters:
    """Validated filters from command-line text; bad input is an `InputError`."""
    start = parse_period(date_from, "--from")[0] if date_from is not None else None
    end = parse_period(date_to, "--to")[1] if date_to is not None else None
    if start and end and start > end:
        raise InputError(f"--from {date_from} is after --to {date_to}")
    if type is not None and type not in EVENT_TYPES:
        raise InputError(f"unknown event type {type!r}; known types: {', '.join(EVENT_TYPES)}")
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be a positive number, not {limit}")
    if search is not None and not search.strip():
        raise InputError("--search needs some text")
    return EventFilters(
        date_from=start,
        date_to=end,
        actors=tuple(actors),
        type=type,
        source=source,
        search=search,
        limit=limit,
        desc=desc,
    )


# ---------------------------------------------------------------- resolution


@dataclass(frozen=True)
class ActorRef:
    id: int
    slug: str
    name: str


def resolve_actor(connection: Connection, text: str) -> ActorRef:
    """The one actor whose slug, name or alias is `text` (compared in normalized form)."""
    raw, key = text.strip(), normalize_name(text)
    if not key:
        raise InputError("an actor name cannot be empty")
    by_alias = select(actor_aliases.c.actor_id).where(actor_aliases.c.alias_key == key)
    rows = connection.execute(
        select(actors.c.id, actors.c.slug, actors.c.name)
        .where(
            or_(
                actors.c.slug.in_([raw, key]),
                actors.c.name_key == key,
                actors.c.id.in_(by_alias),
            )
        )
        .order_by(bytewise(actors.c.slug))
    ).all()
    exact = [row for row in rows if row.slug == raw]
    if exact or len(rows) == 1:
        found = (exact or rows)[0]
        return ActorRef(found.id, found.slug, found.name)
    if rows:
        names = ", ".join(f"{row.slug} ({row.name})" for row in rows)
        raise InputError(f"{text!r} matches several actors: {names}; use a slug")
    suggestion = _did_you_mean(key, _actor_names(connection), "actors")
    raise InputError(f"no actor matches {text!r}{suggestion}")


def _actor_names(connection: Connection) -> dict[str, str]:
    """Each actor's name by the normalized forms of its name, slug and aliases: what a
    suggestion can offer, one name per actor."""
    names: dict[str, str] = {}
    for actor in connection.execute(select(actors.c.name_key, actors.c.name, actors.c.slug)):
        names.setdefault(actor.name_key, actor.name)
        names.setdefault(actor.slug, actor.name)
    aliases = select(actor_aliases.c.alias_key, actors.c.name).join_from(
        actor_aliases, actors, actors.c.id == actor_aliases.c.actor_id
    )
    for alias in connection.execute(aliases):
        names.setdefault(alias.alias_key, alias.name)
    return names


def resolve_source(connection: Connection, text: str) -> int:
    """The id of the source whose slug or name is `text` (names compared normalized)."""
    raw = text.strip()
    row = connection.execute(
        select(sources.c.id).where(sources.c.slug == raw).limit(1)
    ).scalar_one_or_none()
    if row is not None:
        return int(row)
    key = normalize_name(raw)
    candidates: dict[str, str] = {}
    found: list[int] = []
    for source in connection.execute(select(sources.c.id, sources.c.slug, sources.c.name)):
        if normalize_name(source.name) == key:
            found.append(source.id)
        candidates.setdefault(source.slug, source.slug)
        candidates.setdefault(normalize_name(source.name), source.slug)
    if len(found) == 1:
        return found[0]
    if found:
        raise InputError(f"{text!r} names several sources; use a slug")
    raise InputError(f"no source matches {text!r}" + _did_you_mean(key, candidates, "sources"))


def _did_you_mean(key: str, candidates: dict[str, str], listing: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(candidates), n=3, cutoff=0.75)
    shown = list(dict.fromkeys(candidates[k] for k in close))
    if shown:
        return f"; did you mean: {', '.join(shown)}"
    return f" (see `timeline {listing}`)"


# ---------------------------------------------------------------- events


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
    conditions = _conditions(connection, filters)
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
        )
        .where(*conditions)
        .order_by(*order)
        .limit(filters.limit)
    )


def _conditions(connection: Connection, filters: EventFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.date_from is not None:
        conditions.append(events.c.end_date >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(events.c.start_date <= filters.date_to)
    if filters.date_from is not None and filters.date_to is not None:
        conditions.append(_starts_near(filters.date_from, filters.date_to))
    if filters.type is not None:
        conditions.append(events.c.type == filters.type)
    if filters.slug is not None:
        conditions.append(events.c.slug == filters.slug)
    if filters.actors:
        ids = sorted({resolve_actor(connection, name).id for name in filters.actors})
        conditions.append(events.c.id.in_(_events_of_all(ids)))
    if filters.source is not None:
        source_id = resolve_source(connection, filters.source)
        conditions.append(
            events.c.id.in_(select(evidence.c.event_id).where(evidence.c.source_id == source_id))
        )
    if filters.search is not None:
        conditions.append(_search(filters.search))
    return conditions


def _starts_near(date_from: date, date_to: date) -> ColumnElement[bool]:
    """Redundant with the overlap test, but bounded on both ends for an index: an
    event of span class k that ends on or after `date_from` starts on or after
    `date_from` - (4**k - 1) days, so each class is one range on (span_class, start_date)."""
    ranges = []
    for k in range(SPAN_CLASSES):
        earliest = date.fromordinal(max(1, date_from.toordinal() - (4**k - 1)))
        ranges.append(
            and_(events.c.span_class == k, events.c.start_date.between(earliest, date_to))
        )
    return or_(*ranges)


def _events_of_all(actor_ids: list[int]) -> Select[Any]:
    """Ids of the events that involve every one of the actors (through the
    (actor_id, event_id) index; an actor may hold several roles in one event)."""
    query = select(event_actors.c.event_id).where(event_actors.c.actor_id.in_(actor_ids))
    if len(actor_ids) == 1:
        return query
    return query.group_by(event_actors.c.event_id).having(
        func.count(event_actors.c.actor_id.distinct()) == len(actor_ids)
    )


def _search(text: str) -> ColumnElement[bool]:
    needle, key = _ascii_fold(text.strip()), normalize_name(text)
    return or_(
        ascii_lower(events.c.title).contains(needle, autoescape=True),
        ascii_lower(events.c.summary).contains(needle, autoescape=True),
        exists().where(
            event_aliases.c.event_id == events.c.id,
            event_aliases.c.alias_key.contains(key, autoescape=True),
        ),
        exists().where(
            evidence.c.event_id == events.c.id,
            ascii_lower(evidence.c.quote).contains(needle, autoescape=True),
        ),
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
        return event_records(connection, rows)[0]
    raise InputError(f"no event with slug {slug!r}" + _did_you_mean_event(connection, slug))


def _did_you_mean_event(connection: Connection, slug: str) -> str:
    near = connection.execute(
        select(events.c.slug).where(_starts_with(events.c.slug, slug.strip()[:3])).limit(5000)
    ).scalars()
    return _did_you_mean(slug.strip(), {s: s for s in near}, "events")


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
    nested array for the whole batch. (Plain tuples and their natural order where it
    is the documented one: this loop runs once per exported event.)"""
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
    actor_rows, evidence_rows = grouped(nested["actors"]), grouped(nested["evidence"])
    outgoing, incoming = grouped(nested["outgoing"]), grouped(nested["incoming"])
    records = []
    for row in rows:
        (id_, slug, title, type_, modality, start, end, precision, date_text,
         anchor_event, anchor_source, place, summary) = row  # fmt: skip
        records.append(
            {
                "slug": slug,
                "title": title,
                "type": type_,
                "modality": modality,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "precision": precision,
                "date_text": date_text,
                "anchor_event": anchor_event,
                "anchor_source": anchor_source,
                "place": place,
                "countries": sorted(code for (code,) in countries[id_]),
                "aliases": sorted(alias for (alias,) in aliases[id_]),
                "summary": summary,
                # (slug, name, kind, role): a slug names one actor, so by slug, then role.
                "actors": [
                    {"slug": a, "name": n, "kind": k, "role": r}
                    for a, n, k, r in sorted(actor_rows[id_])
                ],
                "sources": [
                    {"slug": s, "name": n, "quote": q, "quote_start": qs, "quote_end": qe}
                    for s, n, q, qs, qe in sorted(evidence_rows[id_], key=_evidence_order)
                ],
                # "incoming" sorts before "outgoing"; each by kind, then slug.
                "relations": [
                    {"kind": k, "slug": o, "direction": "incoming"}
                    for k, o in sorted(incoming[id_])
                ]
                + [
                    {"kind": k, "slug": o, "direction": "outgoing"}
                    for k, o in sorted(outgoing[id_])
                ],
            }
        )
    return records


def _evidence_order(row: tuple[Any, ...]) -> tuple[str, bool, int, str]:
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


# ---------------------------------------------------------------- counts


PERIODS = ("day", "week", "month", "year")


class period_key(FunctionElement[str]):
    """The period a date falls in, as text that sorts by time: `2020-06-01` (a day, or
    the Monday that starts a week), `2020-06` (a month), `2020` (a year)."""

    inherit_cache = False  # `per` is not part of a cache key: compile each time
    type = String()

    def __init__(self, value: ColumnElement[date], per: str) -> None:
        super().__init__(value)
        self.per = per


# The period key per backend, of the date `{}`.
_PERIOD_SQL = {
    "sqlite": {
        "day": "date({})",
        "week": "date({}, 'weekday 0', '-6 days')",
        "month": "strftime('%Y-%m', {})",
        "year": "strftime('%Y', {})",
    },
    "postgresql": {
        "day": "to_char({}, 'YYYY-MM-DD')",
        "week": "to_char(date_trunc('week', {}), 'YYYY-MM-DD')",
        "month": "to_char({}, 'YYYY-MM')",
        "year": "to_char({}, 'YYYY')",
    },
}


@compiles(period_key)
def _period_key(element: period_key, compiler: SQLCompiler, **kw: Any) -> str:
    template = _PERIOD_SQL[compiler.dialect.name][element.per]
    return template.format(compiler.process(element.clauses, **kw))


def event_counts(
    connection: Connection, filters: EventFilters, per: str
) -> list[tuple[str | None, str, int]]:
    """(period, type, events) of the filtered events, by period, then type byte-wise.

    An event counts in a period only when its whole interval lies inside it; one whose
    dates span more (a month-precision event counted per week, a range) counts in the
    row whose period is None, last: no count is more precise than the dates behind it."""
    start, end = period_key(events.c.start_date, per), period_key(events.c.end_date, per)
    period = case((start == end, start), else_=None).label("period")
    statement = (
        select(period, events.c.type, func.count())
        .where(*_conditions(connection, filters))
        .group_by(period, events.c.type)
        .order_by(period.asc().nulls_last(), bytewise(events.c.type))
    )
    return [(p, t, int(n)) for p, t, n in connection.execute(statement)]


# ---------------------------------------------------------------- actors


def actor_rows(connection: Connection) -> list[dict[str, Any]]:
    """Every actor with its event count and the span of its events (earliest start,
    latest end), by slug."""
    span = (
        select(
            event_actors.c.actor_id,
            func.count(event_actors.c.event_id.distinct()).label("events"),
            func.min(events.c.start_date).label("first"),
            func.max(events.c.end_date).label("last"),
        )
        .join_from(event_actors, events, events.c.id == event_actors.c.event_id)
        .group_by(event_actors.c.actor_id)
        .subquery()
    )
    rows = connection.execute(
        select(
            actors.c.slug,
            actors.c.name,
            actors.c.kind,
            actors.c.country_code.label("country"),
            func.coalesce(span.c.events, 0).label("events"),
            span.c.first,
            span.c.last,
        )
        .outerjoin_from(actors, span, span.c.actor_id == actors.c.id)
        .order_by(bytewise(actors.c.slug))
    )
    return [row._asdict() for row in rows]


def actor_profile(connection: Connection, text: str) -> dict[str, Any]:
    """An actor's profile: kind, country, description, aliases, the actor it belongs
    to and the actors that belong to it."""
    ref = resolve_actor(connection, text)
    parent = actors.alias("parent")
    row = connection.execute(
        select(
            actors.c.slug,
            actors.c.name,
            actors.c.kind,
            actors.c.country_code,
            actors.c.description,
            parent.c.slug.label("parent_slug"),
            parent.c.name.label("parent_name"),
        )
        .outerjoin_from(actors, parent, parent.c.id == actors.c.affiliation_id)
        .where(actors.c.id == ref.id)
    ).one()
    aliases = connection.execute(
        select(actor_aliases.c.alias).where(actor_aliases.c.actor_id == ref.id)
    ).scalars()
    members = connection.execute(
        select(actors.c.slug, actors.c.name, actors.c.kind).where(actors.c.affiliation_id == ref.id)
    )
    return {
        "slug": row.slug,
        "name": row.name,
        "kind": row.kind,
        "country": row.country_code,
        "description": row.description,
        "aliases": sorted(aliases),
        "affiliation": (
            {"slug": row.parent_slug, "name": row.parent_name} if row.parent_slug else None
        ),
        "members": sorted((m._asdict() for m in members), key=lambda m: m["slug"]),
    }


def iter_actor_events(
    connection: Connection, slug: str, *, batch_size: int = DEFAULT_BATCH
) -> Iterator[dict[str, Any]]:
    """The actor's chronology: full records, each with the actor's `roles` in it."""
    for record in iter_event_records(
        connection, EventFilters(actors=(slug,)), batch_size=batch_size
    ):
        record["roles"] = [a["role"] for a in record["actors"] if a["slug"] == slug]
        yield record


# ---------------------------------------------------------------- sources and facts


def source_rows(connection: Connection) -> list[dict[str, Any]]:
    """Every source, what it cites, and how many events and quotes it supports."""
    support = (
        select(
            evidence.c.source_id,
            func.count(evidence.c.event_id.distinct()).label("events"),
            func.count(evidence.c.quote).label("quotes"),
        )
        .group_by(evidence.c.source_id)
        .subquery()
    )
    cited = sources.alias("cited")
    cites: dict[str, list[str]] = defaultdict(list)
    for row in connection.execute(
        select(sources.c.slug, cited.c.slug.label("cited"))
        .join_from(source_citations, sources, sources.c.id == source_citations.c.citing_source_id)
        .join(cited, cited.c.id == source_citations.c.cited_source_id)
    ):
        cites[row.slug].append(row.cited)
    rows = connection.execute(
        select(
            sources.c.slug,
            sources.c.name,
            sources.c.kind,
            sources.c.publisher,
            sources.c.published_on.label("published"),
            func.coalesce(support.c.events, 0).label("events"),
            func.coalesce(support.c.quotes, 0).label("quotes"),
        )
        .outerjoin_from(sources, support, support.c.source_id == sources.c.id)
        .order_by(bytewise(sources.c.slug))
    )
    return [
        {
            **{k: v for k, v in row._asdict().items() if k not in ("events", "quotes")},
            "cites": sorted(cites[row.slug]),
            "events": row.events,
            "quotes": row.quotes,
        }
        for row in rows
    ]


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table, in a fixed order."""
    return {
        name: int(connection.execute(select(func.count()).select_from(table(name))).scalar_one())
        for name in TABLES
    }


# ---------------------------------------------------------------- completion


def complete_event_slugs(connection: Connection, prefix: str, limit: int = 100) -> list[str]:
    """Event slugs that start with `prefix` (a range on the unique slug index)."""
    query = select(events.c.slug).where(_starts_with(events.c.slug, prefix))
    return list(connection.execute(query.order_by(bytewise(events.c.slug)).limit(limit)).scalars())


def complete_actors(connection: Connection, prefix: str, limit: int = 100) -> list[tuple[str, str]]:
    """(value, actor name) for what can follow `--actor`: slugs that start with
    `prefix`, and one-word names and aliases whose normalized form does (a shell
    splits a value with a space in it), as written or else in their normalized form,
    since Typer keeps only values that start with `prefix` as typed."""
    key = normalize_name(prefix)
    by_slug = select(actors.c.slug, actors.c.slug, actors.c.name).where(
        _starts_with(actors.c.slug, prefix)
    )
    by_name = select(actors.c.name, actors.c.name_key, actors.c.name).where(
        _starts_with(actors.c.name_key, key)
    )
    by_alias = (
        select(actor_aliases.c.alias, actor_aliases.c.alias_key, actors.c.name)
        .join_from(actor_aliases, actors, actors.c.id == actor_aliases.c.actor_id)
        .where(_starts_with(actor_aliases.c.alias_key, key))
    )
    found: dict[str, str] = {}
    for statement in (by_slug, by_name, by_alias):
        for text, text_key, name in connection.execute(statement.limit(limit)):
            value = text if text.startswith(prefix) else text_key
            if value.startswith(prefix) and len(value.split()) == 1:
                found.setdefault(value, name)
    return sorted(found.items())[:limit]


def _starts_with(column_: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """A byte-wise range rather than LIKE, which SQLite cannot serve from an index
    (its LIKE folds case); U+10FFFF sorts after every character a slug or key holds."""
    if not prefix:
        return true()
    return and_(bytewise(column_) >= prefix, bytewise(column_) < prefix + "\U0010ffff")
