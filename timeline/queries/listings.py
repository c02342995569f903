"""Listings beside the chronology: counts per period, actors, sources, rows per table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from timeline.queries.filters import EventFilters, conditions
from timeline.queries.records import DEFAULT_BATCH, iso, iter_event_records
from timeline.queries.resolve import resolve_actor
from timeline.queries.sqlfuncs import bytewise, period_key
from timeline.tables import (
    actor_aliases,
    actors,
    event_actors,
    events,
    evidence,
    metadata,
    source_citations,
    sources,
)
from timeline.vocab import TABLES


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
        .where(*conditions(connection, filters))
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
        name: int(
            connection.execute(select(func.count()).select_from(metadata.tables[name])).scalar_one()
        )
        for name in TABLES
    }


def source_details(connection: Connection, slugs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Sources by slug with what a reader of their evidence needs: name, kind,
    publisher, publication date, URL and the full text (for each quote's context)."""
    wanted = sorted(set(slugs))
    found: dict[str, dict[str, Any]] = {}
    for at in range(0, len(wanted), DEFAULT_BATCH):
        rows = connection.execute(
            select(
                sources.c.slug,
                sources.c.name,
                sources.c.kind,
                sources.c.publisher,
                sources.c.published_on,
                sources.c.url,
                sources.c.text,
            ).where(sources.c.slug.in_(wanted[at : at + DEFAULT_BATCH]))
        )
        for row in rows:
            found[row.slug] = {**row._asdict(), "published_on": iso(row.published_on)}
    return found
