"""Writing a checked plan: upsert by slug, diff the links, remove what a file no longer
lists, and count every change. Runs inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, selectinload

from timeline import tables
from timeline.changes import Counts
from timeline.models import (
    Actor,
    Event,
    EventActor,
    EventRelation,
    Evidence,
    Source,
    SourceCitation,
)
from timeline.seeds.plan import Plan, SeedInput
from timeline.vocab import TABLES, normalize_name


@dataclass
class Tracker:
    """Which slugs or link keys a load created, updated, removed, or left alone."""

    created: set[Any] = field(default_factory=set)
    updated: set[Any] = field(default_factory=set)
    removed: int = 0
    seen: set[Any] = field(default_factory=set)

    def changed(self, key: Any) -> None:
        if key not in self.created:
            self.updated.add(key)

    def counts(self) -> Counts:
        return Counts(
            created=len(self.created),
            updated=len(self.updated),
            removed=self.removed,
            unchanged=len(self.seen - self.created - self.updated),
        )


Row = Source | Actor | Event


def apply(session: Session, plan: Plan, inputs: list[SeedInput]) -> dict[str, Counts]:
    """Make the database hold what the plan says for the loaded files; count the changes.

    A file owns the rows of its origin and of the origins it takes over (its old path,
    an id it `replaces`); they are stamped with its origin as they are written."""
    origins = {origin for item in inputs for origin in (item.origin, *item.previous)}
    track = {table: Tracker() for table in TABLES}

    # New rows stay pending until the one flush; their aliases and countries are then
    # written in Core, a few statements per table.
    with session.no_autoflush:
        _upsert(session, Source, plan.sources, origins, track["sources"])
        actors = _upsert(session, Actor, plan.actors, origins, track["actors"])
        events = _upsert(session, Event, plan.events, origins, track["events"])
    session.flush()
    children: list[tuple[Any, str, str, dict[str, Any], dict[str, Any], str]] = [
        (tables.actor_aliases, "actor_id", "alias", actors, plan.actors, "aliases"),
        (tables.event_aliases, "event_id", "alias", events, plan.events, "aliases"),
        (tables.event_countries, "event_id", "country_code", events, plan.events, "countries"),
    ]
    for table, parent, value, rows, of_rows, attribute in children:
        wanted = {
            (rows[slug].id, v): slug for slug, p in of_rows.items() for v in getattr(p, attribute)
        }
        _sync_children(session, table, parent, value, rows, wanted, track)

    source_ids = _ids(session, Source)
    actor_ids = _ids(session, Actor)
    event_ids = _ids(session, Event)
    for slug, actor_plan in plan.actors.items():
        affiliation = actor_ids[actor_plan.affiliation] if actor_plan.affiliation else None
        _assign(actors[slug], {"affiliation_id": affiliation}, track["actors"], slug)
    for slug, event_plan in plan.events.items():
        anchor_event, anchor_source = event_plan.anchor_event, event_plan.anchor_source
        anchors = {
            "anchor_event_id": event_ids[anchor_event] if anchor_event else None,
            "anchor_source_id": source_ids[anchor_source] if anchor_source else None,
        }
        _assign(events[slug], anchors, track["events"], slug)

    said = [(slug, p.links, p.origin) for slug, p in plan.events.items()]
    said += [(extra.event, extra.links, extra.origin) for extra in plan.extras]
    links: list[tuple[Any, tuple[str, ...], set[tuple[Any, ...]]]] = [
        (
            SourceCitation,
            ("citing_source_id", "cited_source_id"),
            {
                (source_ids[slug], source_ids[cited], p.origin)
                for slug, p in plan.sources.items()
                for cited in p.cites
            },
        ),
        (
            EventActor,
            ("event_id", "actor_id", "role"),
            {
                (event_ids[slug], actor_ids[actor], role, origin)
                for slug, said_links, origin in said
                for actor, role in said_links.actors
            },
        ),
        (
            Evidence,
            ("event_id", "source_id", "quote", "quote_start", "quote_end"),
            {
                (event_ids[slug], source_ids[source], quote, start, _end(quote, start), origin)
                for slug, said_links, origin in said
                for source, quote, start in said_links.evidence
            },
        ),
        (
            EventRelation,
            ("subject_event_id", "kind", "object_event_id"),
            {
                (event_ids[slug], kind, event_ids[other], origin)
                for slug, said_links, origin in said
                for kind, other in said_links.relations
            },
        ),
    ]
    for model, columns, desired in links:
        _sync_links(session, model, columns, origins, desired, track[model.__table__.name])

    planned: dict[str, dict[str, Any]] = {
        "events": plan.events,
        "actors": plan.actors,
        "sources": plan.sources,
    }
    for model, table in ((Event, "events"), (Actor, "actors"), (Source, "sources")):
        stale = select(model).where(model.origin.in_(origins), model.slug.not_in(planned[table]))
        for row in session.scalars(stale):
            session.delete(row)
            track[table].removed += 1
        session.flush()
    return {table: tracker.counts() for table, tracker in track.items()}


def owner(origin: str) -> str:
    """Who owns a row, in words: a seed file by its id, an import by its file."""
    if origin.startswith("seed:"):
        return f"the seed file with id {origin[5:]!r}"
    if origin.startswith("import:"):
        return f"the import of {origin[7:]}"
    return f"the seed file {origin}"


def _end(quote: str | None, start: int | None) -> int | None:
    return None if quote is None or start is None else start + len(quote)


def _ids(session: Session, model: type[Row]) -> dict[str, int]:
    return {slug: id_ for slug, id_ in session.execute(select(model.slug, model.id))}


def _assign(row: Any, values: dict[str, Any], tracker: Tracker, key: Any) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            tracker.changed(key)


def _upsert(
    session: Session,
    model: Any,
    planned: dict[str, Any],
    origins: set[str],
    tracker: Tracker,
    *collections: str,
) -> dict[str, Any]:
    """Insert or update each planned row by slug; a slug owned elsewhere is refused."""
    loading = [selectinload(getattr(model, name)) for name in collections]
    existing = {
        row.slug: row
        for row in session.scalars(select(model).where(model.slug.in_(planned)).options(*loading))
    }
    rows = {}
    for slug, row_plan in planned.items():
        tracker.seen.add(slug)
        row = existing.get(slug)
        if row is None:
            row = model(slug=slug, origin=row_plan.origin, **row_plan.values)
            session.add(row)
            tracker.created.add(slug)
        elif row.origin not in origins:
            item, path = row_plan.where
            message = f"{slug!r} belongs to {owner(row.origin)}: choose another slug"
            if row.origin.startswith("seed:"):
                message += f", or add `replaces: [{row.origin[5:]}]` to take that file's rows over"
            raise item.error((*path, "slug"), message)
        else:
            _assign(row, {**row_plan.values, "origin": row_plan.origin}, tracker, slug)
        rows[slug] = row
    return rows


def _sync_children(
    session: Session,
    table: Any,
    parent: str,
    value: str,
    rows: dict[str, Any],
    wanted: dict[tuple[int, str], str],
    track: dict[str, Tracker],
) -> None:
    """Aliases and countries belong to their row: add the new ones, drop the old ones
    (`wanted`: (row id, value) -> the row's slug)."""
    slugs = {row.id: slug for slug, row in rows.items()}
    have = _existing(session, [table.c[parent], table.c[value]], set(slugs))
    tracker = track[table.name]
    parents = track["actors" if parent == "actor_id" else "events"]
    for key in have - wanted.keys():
        session.execute(delete(table).where(*_matching([table.c[parent], table.c[value]], key)))
        tracker.removed += 1
        parents.changed(slugs[key[0]])
    new = [key for key in wanted if key not in have]
    if new:
        keyed = "alias_key" in table.c
        session.execute(
            insert(table),
            [
                {parent: id_, value: v, **({"alias_key": normalize_name(v)} if keyed else {})}
                for id_, v in new
            ],
        )
    for key, slug in wanted.items():
        tracker.seen.add((slug, key[1]))
        if key not in have:
            tracker.created.add((slug, key[1]))
            if slug not in parents.created:
                parents.changed(slug)


def _sync_links(
    session: Session,
    model: Any,
    columns: tuple[str, ...],
    origins: set[str],
    desired: set[tuple[Any, ...]],
    tracker: Tracker,
) -> None:
    """Links (citations, roles, evidence, relations) are owned by the file that lists them:
    in Core, a few statements for the whole set rather than a query per link."""
    table = model.__table__
    cols = [table.c[name] for name in columns]
    wanted = {row[:-1]: row[-1] for row in desired}
    owned = {
        tuple(row[:-1]): row[-1]
        for row in session.execute(select(*cols, table.c.origin).where(table.c.origin.in_(origins)))
    }
    for key in owned.keys() - wanted.keys():
        session.execute(delete(table).where(*_matching(cols, key)))
        tracker.removed += 1
    new = [key for key in wanted if key not in owned]
    elsewhere = _existing(session, cols, {key[0] for key in new})  # another file or import
    rows = []
    for key, origin in wanted.items():
        tracker.seen.add(key)
        if key in owned:
            if owned[key] != origin:
                session.execute(update(table).where(*_matching(cols, key)).values(origin=origin))
                tracker.changed(key)
        elif key not in elsewhere:
            rows.append({**dict(zip(columns, key, strict=True)), "origin": origin})
            tracker.created.add(key)
    if rows:
        session.execute(insert(table), rows)


def _matching(cols: list[Any], key: tuple[Any, ...]) -> list[Any]:
    return [
        col.is_(None) if value is None else col == value
        for col, value in zip(cols, key, strict=True)
    ]


def _existing(session: Session, cols: list[Any], firsts: set[Any]) -> set[tuple[Any, ...]]:
    """The keys already stored for these first columns (event or citing source ids)."""
    found: set[tuple[Any, ...]] = set()
    ordered = sorted(firsts)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        found.update(tuple(row) for row in session.execute(select(*cols).where(cols[0].in_(chunk))))
    return found
