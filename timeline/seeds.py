"""Seed files into the database: parse and check everything first (slugs, references,
quotes against the stored text, dates), then write in one transaction.

Every row remembers the file it came from (`origin`). Reloading a file updates its
rows by slug and removes what it created but no longer lists; rows of other files and
imports are left alone, and a slug another file owns is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from timeline import dates, db, migrate
from timeline.errors import DatabaseError, FileInputError
from timeline.models import (
    Actor,
    ActorAlias,
    Event,
    EventActor,
    EventAlias,
    EventCountry,
    EventRelation,
    Evidence,
    Source,
    SourceCitation,
    normalize_name,
)
from timeline.resources import bundled_dir
from timeline.seedfile import ActorSeed, DateSeed, EventSeed, SeedFile, SourceSeed, parse, read_text

TABLES = (
    "sources",
    "source_citations",
    "actors",
    "events",
    "event_actors",
    "evidence",
    "event_relations",
)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@dataclass
class LoadResult:
    files: list[str]
    counts: dict[str, Counts]
    created_database: bool
    dry_run: bool

    @property
    def changed(self) -> bool:
        return self.created_database or any(c.changed for c in self.counts.values())


@dataclass
class SeedInput:
    """One parsed file: how errors name it, what rows record as origin, its content."""

    name: str
    origin: str
    directory: Path
    seed: SeedFile


# --- the plan: every row the files describe, resolved and checked --------------------


@dataclass
class SourcePlan:
    where: tuple[str, str]
    values: dict[str, Any]
    cites: list[str]
    origin: str


@dataclass
class ActorPlan:
    where: tuple[str, str]
    values: dict[str, Any]
    aliases: set[str]
    affiliation: str | None
    origin: str


@dataclass
class EventPlan:
    where: tuple[str, str]
    values: dict[str, Any]
    anchor_event: str | None
    anchor_source: str | None
    countries: set[str]
    aliases: set[str]
    actors: set[tuple[str, str]]
    evidence: set[tuple[str, str | None, int | None]]
    relations: set[tuple[str, str]]
    origin: str


@dataclass
class Plan:
    sources: dict[str, SourcePlan] = field(default_factory=dict)
    actors: dict[str, ActorPlan] = field(default_factory=dict)
    events: dict[str, EventPlan] = field(default_factory=dict)


class Stored:
    """What the database already holds that the files may refer to."""

    def __init__(self, session: Session | None) -> None:
        self.session = session

    def _scalar(self, statement: Any) -> Any:
        return None if self.session is None else self.session.execute(statement).first()

    def has(self, model: type[Source | Actor | Event], slug: str) -> bool:
        return self._scalar(select(model.id).where(model.slug == slug)) is not None

    def source(self, slug: str) -> tuple[str | None, date | None] | None:
        row = self._scalar(select(Source.text, Source.published_on).where(Source.slug == slug))
        return None if row is None else (row[0], row[1])

    def event_interval(self, slug: str) -> dates.Interval | None:
        row = self._scalar(
            select(Event.start_date, Event.end_date, Event.precision).where(Event.slug == slug)
        )
        return None if row is None else dates.Interval(row[0], row[1], row[2])


def bundled_paths() -> list[Path]:
    return sorted(bundled_dir("seeds").glob("*.yaml"))


def read_inputs(paths: Sequence[Path] | None) -> list[SeedInput]:
    """Parse every file (the bundled seeds when `paths` is None or empty)."""
    if not paths:
        return [
            SeedInput(f"seeds/{p.name}", f"seeds/{p.name}", p.parent, parse(p, f"seeds/{p.name}"))
            for p in bundled_paths()
        ]
    inputs = []
    for path in paths:
        name = str(path)
        seed = parse(path, name)
        inputs.append(SeedInput(name, str(path.resolve()), path.resolve().parent, seed))
    return inputs


def build_plan(inputs: list[SeedInput], stored: Stored) -> Plan:
    """Check everything the files say, against each other and the database."""
    plan = Plan()
    owners: dict[tuple[str, str], str] = {}
    for item in inputs:
        rows_of: tuple[tuple[str, Sequence[SourceSeed | ActorSeed | EventSeed]], ...] = (
            ("source", item.seed.sources),
            ("actor", item.seed.actors),
            ("event", item.seed.events),
        )
        for kind, rows in rows_of:
            for i, row in enumerate(rows):
                place = f"{kind}s[{i}]"
                first = owners.setdefault((kind, row.slug), f"{item.name} {place}")
                if first != f"{item.name} {place}":
                    raise FileInputError(
                        item.name,
                        f"{place}.slug",
                        f"duplicate {kind} slug {row.slug!r} (first in {first})",
                    )
    known = {
        kind: {slug for k, slug in owners if k == kind} for kind in ("source", "actor", "event")
    }
    models: dict[str, type[Source | Actor | Event]] = {
        "source": Source,
        "actor": Actor,
        "event": Event,
    }

    def require(kind: str, slug: str, item: SeedInput, place: str) -> None:
        if slug not in known[kind] and not stored.has(models[kind], slug):
            raise FileInputError(item.name, place, f"unknown {kind} {slug!r}")

    for item in inputs:
        for i, source in enumerate(item.seed.sources):
            for j, cited in enumerate(source.cites):
                require("source", cited, item, f"sources[{i}].cites[{j}]")
            plan.sources[source.slug] = SourcePlan(
                (item.name, f"sources[{i}]"),
                {
                    "name": source.name,
                    "kind": source.kind,
                    "publisher": source.publisher,
                    "url": source.url,
                    "title": source.title,
                    "published_on": source.published,
                    "language": source.language,
                    "text": _source_text(item, i, source.text_file),
                },
                source.cites,
                item.origin,
            )
        for i, actor in enumerate(item.seed.actors):
            if actor.affiliation:
                require("actor", actor.affiliation, item, f"actors[{i}].affiliation")
            plan.actors[actor.slug] = ActorPlan(
                (item.name, f"actors[{i}]"),
                {
                    "name": actor.name,
                    "name_key": normalize_name(actor.name),
                    "kind": actor.kind,
                    "country_code": actor.country,
                    "description": actor.description,
                },
                set(actor.aliases),
                actor.affiliation,
                item.origin,
            )

    def source_info(slug: str) -> tuple[str | None, date | None] | None:
        planned = plan.sources.get(slug)
        if planned is not None:
            return planned.values["text"], planned.values["published_on"]
        return stored.source(slug)

    rules: dict[str, dates.DateRule] = {}
    places: dict[str, tuple[SeedInput, str, DateSeed]] = {}
    for item in inputs:
        for i, event in enumerate(item.seed.events):
            place = f"events[{i}]"
            for j, role in enumerate(event.actors):
                require("actor", role.actor, item, f"{place}.actors[{j}].actor")
            for j, relation in enumerate(event.relations):
                if relation.event == event.slug:
                    message = "an event cannot relate to itself"
                    raise FileInputError(item.name, f"{place}.relations[{j}].event", message)
                require("event", relation.event, item, f"{place}.relations[{j}].event")
            evidence = set()
            for j, proof in enumerate(event.evidence):
                require("source", proof.source, item, f"{place}.evidence[{j}].source")
                start = None
                if proof.quote is not None:
                    text = (source_info(proof.source) or (None, None))[0]
                    start = _locate_quote(
                        proof.quote,
                        proof.occurrence,
                        proof.source,
                        text,
                        (item.name, f"{place}.evidence[{j}].quote"),
                    )
                evidence.add((proof.source, proof.quote, start))
            if event.date.source is not None:
                require("source", event.date.source, item, f"{place}.date.source")
            publication_source = event.date.source or next(
                (p.source for p in event.evidence if (source_info(p.source) or (None, None))[1]),
                None,
            )
            publication = (
                (source_info(publication_source) or (None, None))[1]
                if (publication_source)
                else None
            )
            rules[event.slug] = event.date.rule(publication)
            places[event.slug] = (item, place, event.date)
            plan.events[event.slug] = EventPlan(
                (item.name, place),
                {
                    "title": event.title,
                    "type": event.type,
                    "modality": event.modality,
                    "summary": event.summary,
                    "place": event.place,
                },
                event.date.anchor or event.date.same_as or event.date.after,
                publication_source,
                set(event.countries),
                set(event.aliases),
                {(role.actor, role.role) for role in event.actors},
                evidence,
                {(relation.kind, relation.event) for relation in event.relations},
                item.origin,
            )

    try:
        resolved = dates.resolve_all(rules, stored.event_interval)
    except dates.DateResolutionError as exc:
        item, place, seed = places[exc.slug]
        key = next((k for k in ("anchor", "same_as", "after") if getattr(seed, k)), "")
        where = f"{place}.date.{key}" if exc.field == "anchor" and key else f"{place}.date"
        raise FileInputError(item.name, where, str(exc)) from None
    for slug, resolution in resolved.items():
        event_plan = plan.events[slug]
        event_plan.values.update(
            start_date=resolution.interval.start,
            end_date=resolution.interval.end,
            precision=resolution.interval.precision,
            date_text=resolution.text,
        )
        if not resolution.uses_publication:
            event_plan.anchor_source = None
    return plan


def _source_text(item: SeedInput, index: int, text_file: str | None) -> str | None:
    """The source's text exactly as stored beside the seed file."""
    if text_file is None:
        return None
    try:
        return read_text(item.directory / text_file, text_file)
    except FileInputError as exc:
        raise FileInputError(
            item.name, f"sources[{index}].text_file", f"{text_file}: {exc.message}"
        ) from None


def _locate_quote(
    quote: str, occurrence: int | None, source: str, text: str | None, where: tuple[str, str]
) -> int:
    """The quote's offset in code points; it must occur, and once unless `occurrence` says."""
    if text is None:
        raise FileInputError(*where, f"source {source!r} has no text to check the quote against")
    starts = []
    position = text.find(quote)
    while position != -1:
        starts.append(position)
        position = text.find(quote, position + 1)
    if not starts:
        raise FileInputError(*where, f"not found in the text of source {source!r}")
    if occurrence is None:
        if len(starts) > 1:
            raise FileInputError(
                *where,
                f"occurs {len(starts)} times in source {source!r}; "
                f"say which with `occurrence: 1` to `{len(starts)}`",
            )
        return starts[0]
    if occurrence > len(starts):
        raise FileInputError(
            *where,
            f"occurrence {occurrence} asked, but it occurs {len(starts)} times in {source!r}",
        )
    return starts[occurrence - 1]


# --- writing: upsert by slug, diff the links, remove what a file no longer lists -------


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
    """Make the database hold what the plan says for the loaded files; count the changes."""
    origins = {item.origin for item in inputs}
    track = {table: Tracker() for table in TABLES}

    _upsert(session, Source, plan.sources, origins, track["sources"])
    actors = _upsert(session, Actor, plan.actors, origins, track["actors"])
    events = _upsert(session, Event, plan.events, origins, track["events"])
    for slug, actor_plan in plan.actors.items():
        _sync_children(actors[slug], "aliases", actor_plan.aliases, track["actors"], slug)
    for slug, event_plan in plan.events.items():
        _sync_children(events[slug], "aliases", event_plan.aliases, track["events"], slug)
        _sync_children(events[slug], "countries", event_plan.countries, track["events"], slug)
    session.flush()

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
                (event_ids[slug], actor_ids[actor], role, p.origin)
                for slug, p in plan.events.items()
                for actor, role in p.actors
            },
        ),
        (
            Evidence,
            ("event_id", "source_id", "quote", "quote_start", "quote_end"),
            {
                (event_ids[slug], source_ids[source], quote, start, _end(quote, start), p.origin)
                for slug, p in plan.events.items()
                for source, quote, start in p.evidence
            },
        ),
        (
            EventRelation,
            ("subject_event_id", "kind", "object_event_id"),
            {
                (event_ids[slug], kind, event_ids[other], p.origin)
                for slug, p in plan.events.items()
                for kind, other in p.relations
            },
        ),
    ]
    for model, columns, desired in links:
        _sync_links(session, model, columns, origins, desired, track[model.__tablename__])

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
) -> dict[str, Any]:
    """Insert or update each planned row by slug; a slug owned elsewhere is refused."""
    existing = {
        row.slug: row for row in session.scalars(select(model).where(model.slug.in_(planned)))
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
            name, place = row_plan.where
            raise FileInputError(
                name, f"{place}.slug", f"{slug!r} already exists, loaded from {row.origin}"
            )
        else:
            _assign(row, {**row_plan.values, "origin": row_plan.origin}, tracker, slug)
        rows[slug] = row
    return rows


def _sync_children(row: Any, attribute: str, wanted: set[str], tracker: Tracker, key: str) -> None:
    """Aliases and countries belong to their row: add the new ones, drop the old ones."""
    collection = getattr(row, attribute)
    if attribute == "countries":
        have = {child.country_code: child for child in collection}
    else:
        have = {child.alias: child for child in collection}
    for value in have.keys() - wanted:
        collection.remove(have[value])
    for value in sorted(wanted - have.keys()):
        if attribute == "countries":
            collection.append(EventCountry(country_code=value))
        elif isinstance(row, Actor):
            collection.append(ActorAlias(alias=value, alias_key=normalize_name(value)))
        else:
            collection.append(EventAlias(alias=value, alias_key=normalize_name(value)))
    if have.keys() != wanted and key not in tracker.created:
        tracker.changed(key)


def _sync_links(
    session: Session,
    model: Any,
    columns: tuple[str, ...],
    origins: set[str],
    desired: set[tuple[Any, ...]],
    tracker: Tracker,
) -> None:
    """Links (citations, roles, evidence, relations) are owned by the file that lists them."""
    wanted = {row[:-1]: row[-1] for row in desired}
    owned = {
        tuple(getattr(row, c) for c in columns): row
        for row in session.scalars(select(model).where(model.origin.in_(origins)))
    }
    for key, row in owned.items():
        if key not in wanted:
            session.delete(row)
            tracker.removed += 1
    for key, origin in wanted.items():
        tracker.seen.add(key)
        row = owned.get(key)
        if row is not None:
            _assign(row, {"origin": origin}, tracker, key)
            continue
        match = select(model).where(
            *(getattr(model, c) == v for c, v in zip(columns, key, strict=True))
        )
        if session.execute(match).first() is None:  # else another file or import has it
            session.add(model(**dict(zip(columns, key, strict=True)), origin=origin))
            tracker.created.add(key)
    session.flush()


# --- the whole load ------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run's writes."""


def load_paths(url: URL, paths: Sequence[Path] | None, *, dry_run: bool = False) -> LoadResult:
    """Parse and check every file, then write all of it in one transaction, or nothing.

    A database that does not exist yet (an SQLite file that is missing or empty, a
    PostgreSQL database without the schema) is created and migrated first, but only
    once the files have passed every check that needs no database; a dry run migrates
    a throwaway copy instead. An out-of-date schema is refused with the upgrade hint.
    """
    inputs = read_inputs(paths)
    with ExitStack() as stack:
        creating = _needs_creating(url)
        if creating:
            build_plan(inputs, Stored(None))  # every check that needs no database
            if dry_run:
                scratch = Path(stack.enter_context(TemporaryDirectory()))
                url = URL.create("sqlite", database=str(scratch / "dry-run.db"))
            migrate.upgrade(url)
        engine = db.make_engine(url)
        stack.callback(engine.dispose)
        db.check_revision(engine)
        counts: dict[str, Counts] = {}
        try:
            with Session(engine) as session, session.begin():
                counts = apply(session, build_plan(inputs, Stored(session)), inputs)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except DBAPIError as exc:
            raise DatabaseError(f"database {db.display_url(url)}: {db.first_line(exc)}") from exc
    return LoadResult([item.name for item in inputs], counts, creating, dry_run)


def _needs_creating(url: URL) -> bool:
    if db.is_sqlite(url):
        return db.sqlite_state(url) in ("missing", "empty")
    engine = db.make_engine(url)
    try:
        return db.stored_revision(engine) is None
    finally:
        engine.dispose()
