"""Checking seed files against each other and the database: slugs, references,
quotes against the stored text, dates. The result is a plan of every row to hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from timeline import dates
from timeline.errors import FileInputError
from timeline.models import Actor, Event, Source
from timeline.seeds.format import (
    ActorSeed,
    DateSeed,
    EventSeed,
    SeedFile,
    SourceSeed,
    read_text,
)
from timeline.vocab import normalize_name


@dataclass
class SeedInput:
    """One parsed file: how errors name it, what rows record as origin, its content."""

    name: str
    origin: str
    directory: Path
    seed: SeedFile


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
