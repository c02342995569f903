"""A deterministic synthetic timeline in the NDJSON interchange format of `timeline
export` (see the README): N events over ten years, ~N/200 actors, ~2.5 actor links per
event, ~N/100 sources with texts the quotes are taken from, relations and date anchors
(some pointing at records later in the file), every precision and modality, and a
sprinkling of what breaks naive code: accents, CJK, RTL, emoji, combining marks, U+2028,
quotes, backslashes, tabs, newlines and strings at their maximum length.

    python benchmarks/generate.py --events 100000 -o events.ndjson

The same arguments always give the same bytes. Memory holds the sources and actors
(N/100 and N/200 of them), never the events.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from workload import WEEK

from timeline.vocab import ACTOR_KINDS, EVENT_TYPES, RELATION_KINDS, ROLES, SOURCE_KINDS

EPOCH = date(2016, 1, 1)
DAYS = (date(2025, 12, 31) - EPOCH).days + 1
PRECISIONS = (("day", 75), ("week", 8), ("month", 6), ("year", 1), ("range", 10))
MODALITIES = (("occurred", 80), ("announced", 8), ("planned", 6), ("claimed", 6))
COUNTRIES = ("BLR", "RUS", "UKR", "POL", "USA", "LTU", "LVA", "EST", "DEU", "FRA", "TUR", "HUN")
WORDS = [
    "army",
    "border",
    "talks",
    "envoy",
    "drill",
    "summit",
    "convoy",
    "airspace",
    "drone",
    "treaty",
    "sanctions",
    "release",
    "prisoner",
    "minister",
    "ministry",
    "statement",
    "letter",
    "visit",
    "exercise",
    "garrison",
    "brigade",
    "corridor",
    "pipeline",
    "embassy",
    "delegation",
    "observer",
    "mission",
    "ceasefire",
    "protest",
    "verdict",
    "airline",
    "fleet",
    "harbour",
    "river",
    "northern",
    "eastern",
    "western",
    "southern",
    "joint",
    "rapid",
    "quiet",
    "formal",
    "urgent",
]
# What breaks naive code: accents that decompose and ones that do not, CJK, RTL,
# emoji (outside the BMP), a combining mark, U+2028, quotes and backslashes.
ODD_WORDS = (
    "Łukašenka",
    "Zürich",
    "Kyiv/Київ",
    "東京",
    "قطر",
    "naïve café",
    "e\u0301tude",
    "🚀launch",
    '"quoted"',
    "back\\slash",
    "line\u2028separator",
    "Ærø",
    "İstanbul",
)
PLACES = ("Minsk", "Brest", "Hrodna", "Warsaw", "Vilnius", "Kyiv", "Moscow", "Borisov", None)


def weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def words(rng: random.Random, count: int, odd: float = 0.02) -> str:
    return " ".join(
        rng.choice(ODD_WORDS) if rng.random() < odd else rng.choice(WORDS) for _ in range(count)
    )


def event_slug(index: int) -> str:
    """A slug that any event can compute for any other: words first, so that slug
    order is not file order (as with real slugs). One is as long as a slug may be."""
    if index == 2:
        return "s" * 112 + f"-{index:07d}"
    first = WORDS[(index * 7919) % len(WORDS)]
    second = WORDS[(index * 104729 // 7) % len(WORDS)]
    return f"{first}-{second}-{index:07d}"


ANCHOR_REACH = 200  # an anchor names one of the events this far back


def interval(rng: random.Random, precision: str) -> tuple[date, date]:
    start = EPOCH + timedelta(days=rng.randrange(DAYS))
    if precision == "day":
        return start, start
    if precision == "week":
        start -= timedelta(days=start.weekday())
        return start, start + timedelta(days=6)
    if precision == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return start.replace(day=1), start.replace(day=last)
    if precision == "year":
        return date(start.year, 1, 1), date(start.year, 12, 31)
    return start, start + timedelta(days=rng.randint(1, 40))


class Source:
    def __init__(self, rng: random.Random, index: int, count: int) -> None:
        self.slug = f"{rng.choice(WORDS)}-report-{index:06d}"
        self.name = f"Report {index}: {words(rng, 4).capitalize()}"
        self.sentences: list[tuple[int, str]] = []
        text = None
        if rng.random() < 0.85:
            parts, offset = [], 0
            for _ in range(rng.randint(8, 24)):
                sentence = words(rng, rng.randint(6, 16), odd=0.05).capitalize() + "."
                self.sentences.append((offset, sentence))
                parts.append(sentence)
                offset += len(sentence) + 1
            text = " ".join(parts)
            if rng.random() < 0.2:  # a sentence that occurs twice: offsets tell them apart
                text += " " + self.sentences[0][1]
                self.sentences.append((offset, self.sentences[0][1]))
        others = [rng.randrange(count) for _ in range(rng.choice((0, 0, 1, 2)))]
        self.cites = sorted({i for i in others if i != index})
        published = EPOCH + timedelta(days=rng.randrange(DAYS))
        self.published = None if rng.random() < 0.1 else published
        self.record: dict[str, Any] = {
            "record": "source",
            "slug": self.slug,
            "name": self.name,
            "kind": rng.choice(SOURCE_KINDS),
            "publisher": rng.choice((None, "Agency " + words(rng, 1).title())),
            "url": None if rng.random() < 0.5 else f"https://example.org/{self.slug}?q=1&r=\u00e9",
            "title": None if rng.random() < 0.5 else words(rng, 6).capitalize(),
            "published": self.published and self.published.isoformat(),
            "language": rng.choice((None, "en", "be", "ru", "uk")),
            "cites": [],
            "text": text,
        }


class Actor:
    def __init__(self, rng: random.Random, index: int) -> None:
        name = f"{words(rng, 2, odd=0.1).title()} {index}"
        self.slug = f"{rng.choice(WORDS)}-actor-{index:05d}"
        self.name = name
        self.kind = rng.choice(ACTOR_KINDS)
        aliases = {f"{words(rng, 2, odd=0.1)} {index}" for _ in range(rng.choice((0, 0, 1, 2, 3)))}
        self.record: dict[str, Any] = {
            "record": "actor",
            "slug": self.slug,
            "name": self.name,
            "kind": self.kind,
            "country": rng.choice((None, *COUNTRIES)),
            "description": None if rng.random() < 0.5 else words(rng, 8).capitalize(),
            "affiliation": None,
            "aliases": sorted(a for a in aliases if a != name),
        }


def edge_cases(sources: list[Source], actors: list[Actor]) -> None:
    """Strings at their maximum length, so that both backends are seen to take them."""
    actors[0].name = actors[0].record["name"] = "N" * 299 + "Ł"
    sources[0].record["url"] = "https://example.org/" + "u" * 1980
    sources[0].record["title"] = "T" * 999 + "é"
    sources[0].record["publisher"] = "P" * 300


def generate(events: int, seed: int = 2025) -> Iterator[str]:
    """The lines of the file: header, sources, actors, events, summary."""
    rng = random.Random(seed)
    source_count, actor_count = max(4, events // 100), max(8, events // 200)
    sources = [Source(rng, i, source_count) for i in range(source_count)]
    actors = [Actor(rng, i) for i in range(actor_count)]
    edge_cases(sources, actors)
    for source in sources:
        source.record["cites"] = sorted(sources[i].slug for i in source.cites)
    for index, actor in enumerate(actors):
        if index and rng.random() < 0.4:  # a chain: minister -> ministry -> state
            actor.record["affiliation"] = actors[rng.randrange(index)].slug
    quotable = [s for s in sources if s.sentences]

    yield dumps({"record": "header", "format": "timeline", "version": 1})
    for source in sorted(sources, key=lambda s: s.slug):
        yield dumps(source.record)
    for actor in sorted(actors, key=lambda a: a.slug):
        yield dumps(actor.record)
    recent: dict[int, tuple[date, date, str]] = {}  # the intervals that anchors may name
    for index in range(events):
        record = event(rng, index, events, recent, quotable, actors)
        recent[index] = (
            date.fromisoformat(record["start"]),
            date.fromisoformat(record["end"]),
            record["precision"],
        )
        recent.pop(index - ANCHOR_REACH, None)
        yield dumps(record)
    yield dumps(
        {"record": "summary", "sources": source_count, "actors": actor_count, "events": events}
    )


def event(
    rng: random.Random,
    index: int,
    count: int,
    recent: dict[int, tuple[date, date, str]],
    quotable: list[Source],
    actors: list[Actor],
) -> dict[str, Any]:
    precision = PRECISIONS[index % len(PRECISIONS)][0] if index < 5 else weighted(rng, PRECISIONS)
    start, end = interval(rng, precision)
    if index == 1:  # the benchmark's one-week window is never empty, even in small runs
        start, end = WEEK
    evidence, published = [], {}
    for _ in range(1 if rng.random() < 0.7 else 2):
        source = rng.choice(quotable)
        published[source.slug] = source.published
        if rng.random() < 0.05:
            evidence.append((source.slug, source.name, None, None))
        else:
            offset, sentence = rng.choice(source.sentences)
            evidence.append((source.slug, source.name, sentence, offset))
    evidence = sorted(set(evidence), key=lambda e: (e[0], e[3] is not None, e[3] or 0, e[2] or ""))
    links = set()
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
        actor = actors[int(len(actors) * rng.random() ** 2)]  # a few actors are in most events
        links.add((actor.slug, actor.name, actor.kind, rng.choice(ROLES)))
    relations = set()
    if index and rng.random() < 0.3:
        relations.add(
            (rng.choice(RELATION_KINDS), event_slug(rng.randrange(max(0, index - 500), index)))
        )
    if index + 1 < count and rng.random() < 0.05:  # a reference to an event later in the file
        relations.add(
            ("context_for", event_slug(rng.randint(index + 1, min(count - 1, index + 500))))
        )
    # Anchors agree with the dates, as the import checks: "N days after" an earlier
    # event is that event's interval moved (a day stays a day, anything else is a
    # range); a wording resolved against a publication ends on or before it.
    anchor_event = anchor_source = date_text = None
    roll = rng.random()
    if index and roll < 0.1:
        anchor = rng.randrange(max(0, index - ANCHOR_REACH + 1), index)
        anchor_event = event_slug(anchor)
        days = rng.randint(1, 9)
        anchor_start, anchor_end, anchor_precision = recent[anchor]
        start, end = anchor_start + timedelta(days=days), anchor_end + timedelta(days=days)
        precision = "day" if anchor_precision == "day" else "range"
        date_text = f"{days} days after the {words(rng, 2)}"
    elif roll < 0.6 and (published[evidence[0][0]] or date.min) >= end:
        anchor_source = evidence[0][0]
        date_text = rng.choice(
            ("on Monday", "last week", "on Friday", "this month", "earlier this year")
        )
    elif roll < 0.8:
        date_text = f"in {start:%B %Y}"
    title = words(rng, rng.randint(4, 10), odd=0.03).capitalize()
    if index == 1:
        title = "T" * 999 + "\u00e9"
    return {
        "record": "event",
        "slug": event_slug(index),
        "title": title,
        "type": EVENT_TYPES[rng.randrange(len(EVENT_TYPES))],
        "modality": weighted(rng, MODALITIES),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "precision": precision,
        "date_text": date_text,
        "anchor_event": anchor_event,
        "anchor_source": anchor_source,
        "place": rng.choice(PLACES),
        "countries": sorted(set(rng.sample(COUNTRIES, rng.choice((0, 1, 2, 2, 3))))),
        "aliases": [] if rng.random() < 0.9 else [f"{words(rng, 1).title()}-{start.year}-{index}"],
        "summary": None if rng.random() < 0.2 else summary(rng),
        "actors": [
            {"slug": s, "name": n, "kind": k, "role": r}
            for s, n, k, r in sorted(links, key=lambda a: (a[0], a[3]))
        ],
        "sources": [
            {
                "slug": slug,
                "name": name,
                "quote": quote,
                "quote_start": offset,
                "quote_end": None if quote is None or offset is None else offset + len(quote),
            }
            for slug, name, quote, offset in evidence
        ],
        "relations": [
            {"kind": kind, "slug": slug, "direction": "outgoing"}
            for kind, slug in sorted(relations)
        ],
    }


def summary(rng: random.Random) -> str:
    text = words(rng, rng.randint(12, 30), odd=0.03).capitalize() + "."
    if rng.random() < 0.05:
        text += '\n\tSecond paragraph, with "quotes", a \\ backslash and \r\n a CRLF.'
    return text


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def write(events: int, seed: int, out: TextIO) -> None:
    for line in generate(events, seed):
        out.write(line + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True, help="how many events")
    parser.add_argument("--seed", type=int, default=2025, help="the same seed gives the same file")
    parser.add_argument("-o", "--output", type=Path, help="the file to write (default: stdout)")
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    if args.output is None:
        write(args.events, args.seed, sys.stdout)
    else:
        with args.output.open("w", encoding="utf-8", newline="\n") as out:
            write(args.events, args.seed, out)


if __name__ == "__main__":
    main()
