"""Checking seed files against each other and the database: slugs, references,
quotes against the stored text, dates. The result is a plan of every row to hold."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from timeline import dates, validation
from timeline.errors import FileInputError, InputErrors
from timeline.models import Actor, Event, Source
from timeline.seeds import quotes
from timeline.seeds.files import source_text
from timeline.seeds.format import DateSeed, EvidenceSeed
from timeline.seeds.quotes import QuoteFix
from timeline.seeds.rows import (
    PUBLISHED,
    TEXT,
    ActorPlan,
    EventPlan,
    ExtraPlan,
    Links,
    Plan,
    SeedInput,
    SourcePlan,
)
from timeline.vocab import normalize_name


class SeedErrors(InputErrors):
    """Every problem of the files, and the quotes that `--fix-quotes` can still fix."""

    def __init__(self, errors: list[FileInputError], fixes: list[QuoteFix]) -> None:
        super().__init__(list(errors))
        self.fixes = fixes


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


def build_plan(inputs: list[SeedInput], stored: Stored, *, fix_quotes: bool = False) -> Plan:
    """Check everything the files say, against each other and the database; every
    problem found is reported at once (`InputErrors`), in file and line order."""
    plan = Plan()
    problems: list[FileInputError] = [p for item in inputs for p in item.parsed.problems]
    broken = {key for item in inputs for key in item.parsed.broken}
    owners: dict[tuple[str, str], str] = {}
    for item in inputs:
        for kind in ("source", "actor", "event"):
            for i, row in enumerate(getattr(item.seed, f"{kind}s")):
                if row is None:
                    continue
                defined = owners.setdefault((kind, row.slug), f"{item.name} {kind}s[{i}]")
                if defined != f"{item.name} {kind}s[{i}]":
                    message = f"duplicate {kind} slug {row.slug!r} (first in {defined})"
                    problems.append(item.error((f"{kind}s", i, "slug"), message))
    known = {
        kind: {slug for k, slug in owners if k == kind} for kind in ("source", "actor", "event")
    }
    models: dict[str, type[Source | Actor | Event]] = {
        "source": Source,
        "actor": Actor,
        "event": Event,
    }

    def source_known(slug: str) -> bool:
        return slug in known["source"] or stored.has(Source, slug)

    def require(kind: str, slug: str, item: SeedInput, path: tuple[int | str, ...]) -> bool:
        if slug in known[kind] or stored.has(models[kind], slug):
            return True
        if (kind, slug) not in broken:  # else its own error is reported
            problems.append(item.error(path, f"unknown {kind} {slug!r}"))
        return False

    def first(item: SeedInput, kind: str, i: int, slug: str) -> bool:
        """Whether this row is where its slug is defined (a duplicate is not planned)."""
        return owners[(kind, slug)] == f"{item.name} {kind}s[{i}]"

    for item in inputs:
        for i, source in enumerate(item.seed.sources):
            if source is None or not first(item, "source", i, source.slug):
                continue
            for j, cited in enumerate(source.cites):
                if cited == source.slug:
                    message = "a source cannot cite itself"
                    problems.append(item.error(("sources", i, "cites", j), message))
                else:
                    require("source", cited, item, ("sources", i, "cites", j))
            try:
                path = ("sources", i, "text_file")
                text = source_text(item.directory, source.text_file, partial(item.error, path))
            except FileInputError as exc:
                problems.append(exc)
                text = None
                broken.add(("text", source.slug))
            plan.sources[source.slug] = SourcePlan(
                item,
                i,
                (
                    source.name,
                    source.kind,
                    source.publisher,
                    source.url,
                    source.title,
                    source.published,
                    source.language,
                    text,
                ),
                tuple(c for c in source.cites if c != source.slug),
            )
        for i, actor in enumerate(item.seed.actors):
            if actor is None or not first(item, "actor", i, actor.slug):
                continue
            if actor.affiliation:
                require("actor", actor.affiliation, item, ("actors", i, "affiliation"))
            plan.actors[actor.slug] = ActorPlan(
                item,
                i,
                (
                    actor.name,
                    normalize_name(actor.name),
                    actor.kind,
                    actor.country,
                    actor.description,
                ),
                tuple(dict.fromkeys(actor.aliases)),
                actor.affiliation,
            )

    def source_info(slug: str) -> tuple[str | None, date | None]:
        planned = plan.sources.get(slug)
        if planned is not None:
            return planned.values[TEXT], planned.values[PUBLISHED]
        return stored.source(slug) or (None, None)

    def links(item: SeedInput, path: tuple[int | str, ...], slug: str, event: Any) -> Links:
        actors: dict[tuple[str, str], None] = {}
        relations: dict[tuple[str, str], None] = {}
        evidence: dict[tuple[str, str | None, int | None], None] = {}
        for j, role in enumerate(event.actors):
            if require("actor", role.actor, item, (*path, "actors", j, "actor")):
                actors[role.actor, role.role] = None
        for j, relation in enumerate(event.relations):
            if relation.event == slug:
                message = "an event cannot relate to itself"
                problems.append(item.error((*path, "relations", j, "event"), message))
            elif require("event", relation.event, item, (*path, "relations", j, "event")):
                relations[relation.kind, relation.event] = None
        for j, proof in enumerate(event.evidence):
            if not require("source", proof.source, item, (*path, "evidence", j, "source")):
                continue
            quote, start = proof.quote, None
            if quote is not None and ("text", proof.source) not in broken:
                where = (*path, "evidence", j)
                found = _locate_quote(item, where, proof, source_info(proof.source)[0], fix_quotes)
                if isinstance(found, FileInputError):
                    problems.append(found)
                    continue
                if isinstance(found, QuoteFix):
                    plan.fixes.append(found)
                    quote, start = found.fixed, _find(source_info(proof.source)[0], found.fixed)
                else:
                    start = found
            evidence[proof.source, quote, start] = None
        return Links(tuple(actors), tuple(evidence), tuple(relations))

    rules: dict[str, dates.DateRule] = {}
    places: dict[str, tuple[SeedInput, int, str | None]] = {}
    failed: set[str] = {slug for kind, slug in broken if kind == "event"}
    for item in inputs:
        for i, event in enumerate(item.seed.events):
            if event is None or not first(item, "event", i, event.slug):
                continue
            event_links = links(item, ("events", i), event.slug, event)
            sources = [p.source for p in event.evidence]
            if event.date.source is not None:
                sources.append(event.date.source)
                require("source", event.date.source, item, ("events", i, "date", "source"))
            if any(not source_known(slug) for slug in sources):
                failed.add(event.slug)  # its publication date is not known: no date errors
            publication_source = event.date.source or next(
                (p.source for p in event.evidence if source_info(p.source)[1]), None
            )
            publication = source_info(publication_source)[1] if publication_source else None
            rules[event.slug] = event.date.rule(publication)
            places[event.slug] = (item, i, _anchor_key(event.date))
            plan.events[event.slug] = EventPlan(
                item,
                i,
                (event.title, event.type, event.modality, event.summary, event.place),
                event.date.anchor or event.date.same_as or event.date.after,
                publication_source,
                tuple(dict.fromkeys(event.countries)),
                tuple(dict.fromkeys(event.aliases)),
                event_links,
            )
            item.seed.events[i] = None  # planned: the item is no longer needed
        for i, extra in enumerate(item.seed.corroborates):
            if extra is None:
                continue
            if extra.event in plan.events and plan.events[extra.event].origin == item.origin:
                message = f"{extra.event!r} is this file's own event: list its evidence there"
                problems.append(item.error(("corroborates", i, "event"), message))
            elif require("event", extra.event, item, ("corroborates", i, "event")):
                extra_links = links(item, ("corroborates", i), extra.event, extra)
                plan.extras.append(ExtraPlan(extra.event, extra_links, item.origin))
            item.seed.corroborates[i] = None

    def date_error(exc: dates.DateResolutionError) -> None:
        item, i, key = places[exc.slug]
        path: tuple[int | str, ...] = ("events", i, "date")
        if exc.field == "anchor" and key:
            path = (*path, key)
        problems.append(item.error(path, str(exc)))

    resolved = dates.resolve_all(rules, stored.event_interval, on_error=date_error, failed=failed)
    if problems:
        order = {item.name: n for n, item in enumerate(inputs)}
        problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
        raise SeedErrors(list(problems), plan.fixes)
    for slug, resolution in resolved.items():
        event_plan = plan.events[slug]
        interval = resolution.interval
        event_plan.values += (interval.start, interval.end, interval.precision, resolution.text)
        if not resolution.uses_publication:
            event_plan.anchor_source = None
    return plan


def _anchor_key(seed: DateSeed) -> str | None:
    """The rule's field that names another event, where an anchor error is placed."""
    return next((k for k in ("anchor", "same_as", "after") if getattr(seed, k)), None)


def _find(text: str | None, quote: str) -> int | None:
    return None if text is None else text.find(quote)


def _locate_quote(
    item: SeedInput,
    path: tuple[int | str, ...],
    proof: EvidenceSeed,
    text: str | None,
    fix: bool,
) -> int | QuoteFix | FileInputError:
    """The quote's offset in code points; it must occur, and once unless `occurrence`
    says; a typographic difference is fixed when asked."""
    quote, source, occurrence = proof.quote or "", proof.source, proof.occurrence
    where = (*path, "quote")
    if text is None:
        return item.error(where, f"source {source!r} has no text to check the quote against")
    starts = quotes.occurrences(text, quote)
    if not starts:
        miss = quotes.explain(quote, text, source)
        span = item.parsed.tree.spans.get(id(_raw(item, path)))
        if fix and miss.fixed is not None and span is not None:
            place = validation.location(where)
            line = item.parsed.tree.line(where)
            return QuoteFix(item.name, item.path, place, line, span, quote, miss.fixed)
        hint = "; `--fix-quotes` takes the text's characters" if miss.fixed else ""
        return item.error(where, miss.message + hint)
    if occurrence is None:
        if len(starts) > 1:
            at = "; ".join(quotes.place(text, start) for start in starts)
            return item.error(
                where,
                f"occurs {len(starts)} times in source {source!r} ({at}); "
                f"say which with `occurrence: 1` to `{len(starts)}`",
            )
        return starts[0]
    if occurrence > len(starts):
        return item.error(
            (*path, "occurrence"),
            f"occurrence {occurrence} asked, but it occurs {len(starts)} times in {source!r}",
        )
    return starts[occurrence - 1]


def _raw(item: SeedInput, path: tuple[int | str, ...]) -> Any:
    """The parsed mapping at `path` (where the reader kept the quote's span)."""
    node: Any = item.parsed.tree.data
    for part in path:
        node = node[part]
    return node
