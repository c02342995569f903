"""Writing a checked plan: upsert by slug, diff the links, remove what a file no longer
lists, and count every change. Runs inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

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
from timeline.seeds.rows import Links, Plan, SeedInput
from timeline.vocab import TABLES, normalize_name


@dataclass
class Tracker:
    """How many rows or links a load created, updated, removed, or left alone; the slugs
    of the rows it created and of what it updated (links are only counted)."""

    created: set[Any] = field(default_factory=set)
    updated: set[Any] = field(default_factory=set)
    removed: int = 0
    seen: int = 0
    added: int = 0

    def create(self, slug: str | None = None) -> None:
        self.added += 1
        if slug is not None:
            self.created.add(slug)

    def changed(self, key: Any) -> None:
        if key not in self.created:
            self.updated.add(key)

    def counts(self) -> Counts:
        return Counts(
            created=self.added,
            updated=len(self.updated),
            removed=self.removed,
            unchanged=self.seen - self.added - len(self.updated),
        )


Row = Source | Actor | Event
BATCH = 2000  # rows a statement: the rows of a table are never all built at once
Wanted = Callable[[], Iterator[tuple[Any, Any]]]  # what a plan still gives: (key, extra)


def apply(session: Session, plan: Plan, inputs: list[SeedInput]) -> dict[str, Counts]:
    """Make the database hold what the plan says for the loaded files; count the changes.

    A file owns the rows of its origin and of the origins it takes over (its old path,
    an id it `replaces`); they are stamped with its origin as they are written."""
    origins = {origin for item in inputs for origin in (item.origin, *item.previous)}
    track = {table: Tracker() for table in TABLES}

    # In Core, a few statements per table: the ORM's unit of work costs more than the
    # rest of a load together.
    sources_ = tables.sources
    source_ids, _ = _upsert(session, sources_, plan.sources, origins, track["sources"])
    actor_ids, actors = _upsert(session, tables.actors, plan.actors, origins, track["actors"])
    event_ids, events = _upsert(session, tables.events, plan.events, origins, track["events"])
    children: list[tuple[Any, str, str, dict[str, int], dict[str, Any], str]] = [
        (tables.actor_aliases, "actor_id", "alias", actor_ids, plan.actors, "aliases"),
        (tables.event_aliases, "event_id", "alias", event_ids, plan.events, "aliases"),
        (tables.event_countries, "event_id", "country_code", event_ids, plan.events, "countries"),
    ]
    for table, parent, value, ids, of_rows, attribute in children:

        def wanted(ids: dict[str, int] = ids, rows: Any = of_rows, name: str = attribute) -> Any:
            return (((ids[s], v), s) for s, p in rows.items() for v in getattr(p, name))

        _sync_children(session, table, parent, value, ids, wanted, track)

    source_ids, actor_ids, event_ids = (_ids(session, m) for m in (Source, Actor, Event))

    # Each row's slug and values, made as they are compared (the slugs were checked).
    def id_of(ids: dict[str, int], slug: str | None) -> int | None:
        return ids[slug] if slug else None

    affiliations = ((s, (id_of(actor_ids, p.affiliation),)) for s, p in plan.actors.items())
    anchors = (
        (s, (id_of(event_ids, p.anchor_event), id_of(source_ids, p.anchor_source)))
        for s, p in plan.events.items()
    )
    for table, names, values, before, ids in (
        (tables.actors, ("affiliation_id",), affiliations, actors, actor_ids),
        (tables.events, ("anchor_event_id", "anchor_source_id"), anchors, events, event_ids),
    ):
        _set(session, table, names, values, before, ids, track[table.name])

    said = _said(plan)
    links: list[tuple[Any, tuple[str, ...], Callable[[], Iterator[tuple[Any, ...]]]]] = [
        (
            SourceCitation,
            ("citing_source_id", "cited_source_id"),
            lambda: (
                ((source_ids[slug], source_ids[cited]), p.origin)
                for slug, p in plan.sources.items()
                for cited in p.cites
            ),
        ),
        (
            EventActor,
            ("event_id", "actor_id", "role"),
            lambda: (
                ((event_ids[slug], actor_ids[actor], role), origin)
                for slug, said_links, origin in said()
                for actor, role in said_links.actors
            ),
        ),
        (
            Evidence,
            ("event_id", "source_id", "quote", "quote_start", "quote_end"),
            lambda: (
                ((event_ids[slug], source_ids[source], quote, start, _end(quote, start)), origin)
                for slug, said_links, origin in said()
                for source, quote, start in said_links.evidence
            ),
        ),
        (
            EventRelation,
            ("subject_event_id", "kind", "object_event_id"),
            lambda: (
                ((event_ids[slug], kind, event_ids[other]), origin)
                for slug, said_links, origin in said()
                for kind, other in said_links.relations
            ),
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
        # The owned slugs compared here, not a NOT IN of every planned slug: SQLite keeps
        # a prepared statement's parameters, megabytes for 20,000 of them.
        owned = session.scalars(select(model.slug).where(model.origin.in_(origins)))
        for chunk in _chunks([slug for slug in owned if slug not in planned[table]]):
            for row in session.scalars(select(model).where(model.slug.in_(chunk))):
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


def _said(plan: Plan) -> Callable[[], Iterator[tuple[str, Links, str]]]:
    """What the files say about each event, each link once: the events' own links, then
    those files add to others' events (the event's own file first)."""
    extras: list[tuple[str, Links, str]] = []
    known: dict[str, tuple[set[Any], set[Any], set[Any]]] = {}
    for extra in plan.extras:
        own = plan.events.get(extra.event)
        if extra.event not in known:
            links = own.links if own else Links((), (), ())
            known[extra.event] = (set(links.actors), set(links.evidence), set(links.relations))
        actors, evidence, relations = known[extra.event]
        fresh = Links(
            tuple(x for x in extra.links.actors if x not in actors),
            tuple(x for x in extra.links.evidence if x not in evidence),
            tuple(x for x in extra.links.relations if x not in relations),
        )
        actors.update(fresh.actors)
        evidence.update(fresh.evidence)
        relations.update(fresh.relations)
        extras.append((extra.event, fresh, extra.origin))

    def each() -> Iterator[tuple[str, Links, str]]:
        for slug, p in plan.events.items():
            yield slug, p.links, p.origin
        yield from extras

    return each


def _end(quote: str | None, start: int | None) -> int | None:
    return None if quote is None or start is None else start + len(quote)


def _ids(session: Session, model: type[Row]) -> dict[str, int]:
    return {slug: id_ for slug, id_ in session.execute(select(model.slug, model.id))}


def _upsert(
    session: Session,
    table: Any,
    planned: dict[str, Any],
    origins: set[str],
    tracker: Tracker,
) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    """Insert or update each planned row by slug; a slug owned elsewhere is refused.
    Returns the planned rows' ids and what the existing ones held before."""
    existing: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(planned)):
        for found in session.execute(select(table).where(table.c.slug.in_(chunk))).mappings():
            existing[found["slug"]] = dict(found)
    new: list[dict[str, Any]] = []
    for slug, row_plan in planned.items():
        tracker.seen += 1
        values = dict(zip(row_plan.COLUMNS, row_plan.values, strict=True))
        values["origin"] = row_plan.origin
        row = existing.get(slug)
        if row is None:
            values["slug"] = slug
            new.append(values)
            tracker.create(slug)
            if len(new) == BATCH:
                session.execute(insert(table), new)
                new = []
        elif row["origin"] not in origins:
            item, path = row_plan.where
            message = f"{slug!r} belongs to {owner(row['origin'])}: choose another slug"
            if row["origin"].startswith("seed:"):
                message += (
                    f", or add `replaces: [{row['origin'][5:]}]` to take that file's rows over"
                )
            raise item.error((*path, "slug"), message)
        else:
            changed = {name: value for name, value in values.items() if row[name] != value}
            if changed:
                session.execute(update(table).where(table.c.id == row["id"]).values(**changed))
                tracker.changed(slug)
    if new:
        session.execute(insert(table), new)
    ids: dict[str, int] = {}
    for chunk in _chunks(list(planned)):
        query = select(table.c.slug, table.c.id).where(table.c.slug.in_(chunk))
        ids.update((slug, id_) for slug, id_ in session.execute(query))
    return ids, existing


def _set(
    session: Session,
    table: Any,
    names: tuple[str, ...],
    values: Iterator[tuple[str, tuple[Any, ...]]],
    before: dict[str, dict[str, Any]],
    ids: dict[str, int],
    tracker: Tracker,
) -> None:
    """Columns that point at other rows (`names`), set once every row exists: only where
    changed (`values` gives each row's slug and values, once)."""
    changes, news = [], [f"new_{name}" for name in names]
    for slug, wanted in values:
        old = before.get(slug)
        if any((old[name] if old else None) != v for name, v in zip(names, wanted, strict=True)):
            changes.append({"row_id": ids[slug], **dict(zip(news, wanted, strict=True))})
            tracker.changed(slug)
    if changes:
        columns: dict[str, Any] = {name: bindparam(f"new_{name}") for name in names}
        statement = update(table).where(table.c.id == bindparam("row_id")).values(columns)
        session.execute(statement, changes)


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """IN lists of a few hundred: SQLite keeps each cached statement's parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sync_children(
    session: Session,
    table: Any,
    parent: str,
    value: str,
    rows: dict[str, int],
    wanted: Callable[[], Iterator[tuple[tuple[int, str], str]]],
    track: dict[str, Tracker],
) -> None:
    """Aliases and countries belong to their row: add the new ones, drop the old ones
    (`wanted` gives each (row id, value) and the row's slug, once)."""
    slugs = {id_: slug for slug, id_ in rows.items()}
    cols = [table.c[parent], table.c[value]]
    have = _existing(session, cols, set(slugs))
    tracker = track[table.name]
    parents = track["actors" if parent == "actor_id" else "events"]
    for key in _delete_stale(session, table, cols, set(have), wanted, tracker):
        parents.changed(slugs[key[0]])
    keyed = "alias_key" in table.c
    new: list[dict[str, Any]] = []
    for (id_, v), slug in wanted():
        tracker.seen += 1
        if (id_, v) in have:
            continue
        new.append({parent: id_, value: v, **({"alias_key": normalize_name(v)} if keyed else {})})
        tracker.create()
        if slug not in parents.created:
            parents.changed(slug)
        if len(new) == BATCH:
            session.execute(insert(table), new)
            new = []
    if new:
        session.execute(insert(table), new)


def _delete_stale(
    session: Session, table: Any, cols: list[Any], stale: set[Any], wanted: Wanted, tracker: Tracker
) -> set[Any]:
    """Delete the stored keys (`stale`, emptied of what `wanted` still gives); return them."""
    if stale:
        for key, _ in wanted():
            stale.discard(key)
    for key in stale:
        session.execute(delete(table).where(*_matching(cols, key)))
        tracker.removed += 1
    return stale


def _sync_links(
    session: Session,
    model: Any,
    columns: tuple[str, ...],
    origins: set[str],
    desired: Callable[[], Iterator[tuple[tuple[Any, ...], str]]],
    tracker: Tracker,
) -> None:
    """Links (citations, roles, evidence, relations) are owned by the file that lists them:
    in Core, a few statements a batch rather than a query per link. `desired` gives each
    link's key and origin, once; it is read again rather than held."""
    table = model.__table__
    cols = [table.c[name] for name in columns]
    owned = {
        tuple(row[:-1]): row[-1]
        for row in session.execute(select(*cols, table.c.origin).where(table.c.origin.in_(origins)))
    }
    _delete_stale(session, table, cols, set(owned), desired, tracker)
    batch: list[tuple[tuple[Any, ...], str]] = []
    for key, origin in desired():
        tracker.seen += 1
        if key in owned:
            if owned[key] != origin:
                session.execute(update(table).where(*_matching(cols, key)).values(origin=origin))
                tracker.changed(key)
        else:
            batch.append((key, origin))
            if len(batch) == BATCH:
                _insert_links(session, table, columns, cols, batch, tracker)
                batch = []
    _insert_links(session, table, columns, cols, batch, tracker)


def _insert_links(
    session: Session,
    table: Any,
    columns: tuple[str, ...],
    cols: list[Any],
    batch: list[tuple[tuple[Any, ...], str]],
    tracker: Tracker,
) -> None:
    """New links, but for those another file or an import already stored."""
    elsewhere = _existing(session, cols, {key[0] for key, _ in batch})
    rows = []
    for key, origin in batch:
        if key not in elsewhere:
            rows.append({**dict(zip(columns, key, strict=True)), "origin": origin})
            tracker.create()
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
    for chunk in _chunks(sorted(firsts)):
        found.update(tuple(row) for row in session.execute(select(*cols).where(cols[0].in_(chunk))))
    return found
