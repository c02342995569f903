"""The database itself refuses bad rows, on both backends: unique slugs, date order, the
precision vocabulary and its calendar, the fixed vocabularies, foreign keys and quote
offsets. Autogenerate compares none of the CHECK constraints nor the view, so they are
tested here with Core inserts that bypass every check in Python.

Each refusal first inserts a valid row of the same shape, so a table that refused
everything would fail the test. The constraint's name in the database's message shows
that the intended constraint fired, not some other one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import Templates
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError

from timeline.db import make_engine
from timeline.models import Base

TABLES = Base.metadata.tables


@pytest.fixture
def engine(backend: str, templates: Templates, tmp_path: Path) -> Iterator[Engine]:
    """The application's engine on a migrated database (on SQLite it is what turns
    foreign keys on). On PostgreSQL the tests share one database, emptied after each
    (rows and sequences); the shared database's check then proves nothing else changed."""
    with templates.shared(backend, "migrated", tmp_path) as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            if backend == "postgresql":
                with engine.begin() as connection:
                    names = ", ".join(TABLES)
                    connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
            engine.dispose()


def add(engine: Engine, table: str, **values: Any) -> int | None:
    """Insert one row in its own transaction; the new id where the table has one."""
    with engine.begin() as connection:
        result = connection.execute(insert(TABLES[table]).values(**values))
        key = result.inserted_primary_key
        return key[0] if key is not None and len(key) == 1 else None


def refused(engine: Engine, table: str, good: dict[str, Any], bad: dict[str, Any], by: str) -> None:
    """`good` is accepted, then `bad` is refused by the database, naming `by` (a regex)."""
    add(engine, table, **good)
    with pytest.raises(IntegrityError, match=by):
        add(engine, table, **bad)


def event(slug: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "slug": slug,
        "title": f"Event {slug}",
        "type": "meeting",
        "start_date": date(2025, 9, 12),
        "end_date": date(2025, 9, 12),
        "precision": "day",
        "origin": "test",
    }
    return row | values


def actor(slug: str, **values: Any) -> dict[str, Any]:
    row = {"slug": slug, "name": slug, "name_key": slug, "kind": "person", "origin": "test"}
    return row | values


def source(slug: str, **values: Any) -> dict[str, Any]:
    return {"slug": slug, "name": slug, "kind": "article", "origin": "test"} | values


ROWS = {"events": event, "actors": actor, "sources": source}


@pytest.mark.parametrize("table", sorted(ROWS))
def test_a_slug_is_unique(engine: Engine, table: str) -> None:
    make = ROWS[table]
    add(engine, table, **make("first"))
    refused(engine, table, make("second"), make("first"), rf"uq_{table}_slug|{table}\.slug")


def test_end_before_start_is_refused(engine: Engine) -> None:
    good = event("good", precision="range", end_date=date(2025, 9, 13))
    bad = event("bad", precision="range", start_date=date(2025, 9, 13), end_date=date(2025, 9, 12))
    refused(engine, "events", good, bad, "ck_events_start_before_end")


@pytest.mark.parametrize("precision", ["hour", "Day", "days", "decade", ""])
def test_an_unknown_precision_is_refused(engine: Engine, precision: str) -> None:
    refused(
        engine, "events", event("good"), event("bad", precision=precision), "ck_events_precision"
    )


def test_a_day_is_one_day(engine: Engine) -> None:
    bad = event("bad", end_date=date(2025, 9, 13))
    refused(engine, "events", event("good"), bad, "ck_events_day_is_one_day")


# (precision, start, end): each interval matches its precision's calendar unit.
CALENDAR_OK = [
    ("week", "2025-09-08", "2025-09-14"),
    ("week", "2024-12-30", "2025-01-05"),
    ("month", "2025-09-01", "2025-09-30"),
    ("month", "2025-12-01", "2025-12-31"),
    ("month", "2025-02-01", "2025-02-28"),
    ("month", "2024-02-01", "2024-02-29"),
    ("year", "2025-01-01", "2025-12-31"),
    ("year", "2024-01-01", "2024-12-31"),
    ("range", "2025-09-09", "2025-09-17"),
    ("day", "2024-02-29", "2024-02-29"),
]
# (precision, start, end, why): none of these is the calendar unit it claims.
CALENDAR_BAD = [
    ("week", "2025-09-09", "2025-09-15", "starts on a Tuesday"),
    ("week", "2025-09-07", "2025-09-13", "starts on a Sunday"),
    ("week", "2025-09-08", "2025-09-13", "six days"),
    ("week", "2025-09-08", "2025-09-15", "eight days"),
    ("week", "2025-09-08", "2025-09-21", "two weeks"),
    ("month", "2025-09-01", "2025-09-29", "ends a day early"),
    ("month", "2025-09-02", "2025-10-01", "does not start on the 1st"),
    ("month", "2025-09-01", "2025-10-31", "two months"),
    ("month", "2024-02-01", "2024-02-28", "February of a leap year has 29 days"),
    ("month", "2025-01-31", "2025-02-27", "a month's length from the 31st"),
    ("year", "2025-01-01", "2025-12-30", "ends a day early"),
    ("year", "2025-01-02", "2026-01-01", "does not start on 1 January"),
    ("year", "2024-07-01", "2025-06-30", "a year's length, not a calendar year"),
    ("year", "2025-01-01", "2026-12-31", "two years"),
]


def dates(start: str, end: str) -> dict[str, date]:
    return {"start_date": date.fromisoformat(start), "end_date": date.fromisoformat(end)}


@pytest.mark.parametrize(("precision", "start", "end"), CALENDAR_OK)
def test_a_precision_accepts_its_calendar_unit(
    engine: Engine, precision: str, start: str, end: str
) -> None:
    add(engine, "events", **event("ok", precision=precision, **dates(start, end)))
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT precision, start_date, end_date FROM events"))
        assert [(p, str(s), str(e)) for p, s, e in stored] == [(precision, start, end)]


@pytest.mark.parametrize(
    ("precision", "start", "end"),
    [case[:3] for case in CALENDAR_BAD],
    ids=[c[3] for c in CALENDAR_BAD],
)
def test_a_precision_refuses_what_is_not_its_calendar_unit(
    engine: Engine, precision: str, start: str, end: str
) -> None:
    good = next(
        event("good", precision=p, **dates(s, e)) for p, s, e in CALENDAR_OK if p == precision
    )
    bad = event("bad", precision=precision, **dates(start, end))
    refused(engine, "events", good, bad, "ck_events_precision_calendar")


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    """Two events, an actor and a source to link rows to."""
    ids = {
        "event": add(engine, "events", **event("one")),
        "other": add(engine, "events", **event("two")),
        "actor": add(engine, "actors", **actor("someone")),
        "source": add(engine, "sources", **source("paper")),
    }
    return {name: value for name, value in ids.items() if value is not None}


VOCABULARIES = [
    ("events", "type", "military_exercise", "exercise"),
    ("events", "type", "mass_violence", "massacre"),  # a CAMEO type of migration 0003
    ("event_flags", "flag", "date_year_before_report", "date_wrong"),
    ("events", "modality", "claimed", "rumoured"),
    ("actors", "kind", "state", "country"),
    ("sources", "kind", "agency_report", "tweet"),
    ("event_actors", "role", "mediator", "villain"),
    ("event_relations", "kind", "in_response_to", "caused_by"),
]


def vocabulary_row(table: str, ids: dict[str, int], n: int) -> dict[str, Any]:
    """A valid row of `table`, distinct for each `n`."""
    if table == "event_actors":
        return {"event_id": ids["event"], "actor_id": ids["actor"], "origin": "test"}
    if table == "event_flags":
        return {"event_id": ids["event"] if n == 0 else ids["other"]}
    if table == "event_relations":
        pairs = [(ids["event"], ids["other"]), (ids["other"], ids["event"])]
        subject, obj = pairs[n]
        return {"subject_event_id": subject, "object_event_id": obj, "origin": "test"}
    return ROWS[table](f"row-{n}")


@pytest.mark.parametrize(("table", "column", "known", "unknown"), VOCABULARIES)
def test_an_unknown_vocabulary_word_is_refused(
    engine: Engine, world: dict[str, int], table: str, column: str, known: str, unknown: str
) -> None:
    good = vocabulary_row(table, world, 0) | {column: known}
    bad = vocabulary_row(table, world, 1) | {column: unknown}
    refused(engine, table, good, bad, f"ck_{table}_{column}")


def test_a_relation_from_an_event_to_itself_is_refused(
    engine: Engine, world: dict[str, int]
) -> None:
    link = {"kind": "follows", "origin": "test"}
    good = link | {"subject_event_id": world["event"], "object_event_id": world["other"]}
    bad = link | {"subject_event_id": world["event"], "object_event_id": world["event"]}
    refused(engine, "event_relations", good, bad, "ck_event_relations_not_self")


def test_a_source_citing_itself_is_refused(engine: Engine, world: dict[str, int]) -> None:
    cited = add(engine, "sources", **source("agency"))
    good = {"citing_source_id": world["source"], "cited_source_id": cited, "origin": "test"}
    bad = good | {"cited_source_id": world["source"]}
    refused(engine, "source_citations", good, bad, "ck_source_citations_not_self")


MISSING = 987654


@pytest.mark.parametrize(
    ("table", "column", "constraint"),
    [
        ("evidence", "source_id", "fk_evidence_source_id_sources"),
        ("evidence", "event_id", "fk_evidence_event_id_events"),
        ("event_actors", "actor_id", "fk_event_actors_actor_id_actors"),
        ("event_relations", "object_event_id", "fk_event_relations_object_event_id_events"),
    ],
)
def test_a_link_to_a_missing_row_is_refused(
    engine: Engine, world: dict[str, int], table: str, column: str, constraint: str
) -> None:
    rows: dict[str, dict[str, Any]] = {
        "evidence": {"event_id": world["event"], "source_id": world["source"]},
        "event_actors": {"event_id": world["event"], "actor_id": world["actor"], "role": "host"},
        "event_relations": {
            "subject_event_id": world["event"],
            "object_event_id": world["other"],
            "kind": "follows",
        },
    }
    good = rows[table] | {"origin": "test"}
    bad = good | {column: MISSING}
    refused(engine, table, good, bad, f"{constraint}|FOREIGN KEY constraint failed")


SOURCE_TEXT = "On Friday Łukašenka met the envoy 😀 in Minsk."
QUOTE = "Łukašenka met the envoy 😀"  # 25 code points, 32 bytes in UTF-8
QUOTE_START = SOURCE_TEXT.index(QUOTE)


def test_quote_offsets_count_code_points(engine: Engine, world: dict[str, int]) -> None:
    assert len(QUOTE.encode()) != len(QUOTE)
    base = {"event_id": world["event"], "source_id": world["source"], "origin": "test"}
    quoted = {"quote": QUOTE, "quote_start": QUOTE_START, "quote_end": QUOTE_START + len(QUOTE)}
    add(engine, "evidence", **base | quoted)
    add(engine, "evidence", **base)  # evidence without a quote
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM evidence")).scalar_one()
    assert count == 2


@pytest.mark.parametrize(
    "offsets",
    [
        {"quote": QUOTE, "quote_start": QUOTE_START, "quote_end": QUOTE_START + len(QUOTE) + 1},
        {"quote": QUOTE, "quote_start": QUOTE_START, "quote_end": QUOTE_START + len(QUOTE) - 1},
        {
            "quote": QUOTE,
            "quote_start": QUOTE_START,
            "quote_end": QUOTE_START + len(QUOTE.encode()),
        },
        {"quote": QUOTE, "quote_start": -1, "quote_end": len(QUOTE) - 1},
        {"quote": QUOTE, "quote_start": None, "quote_end": None},
        {"quote": QUOTE, "quote_start": QUOTE_START, "quote_end": None},
        {"quote": QUOTE, "quote_start": None, "quote_end": len(QUOTE)},
        {"quote": None, "quote_start": 0, "quote_end": 5},
        {"quote": None, "quote_start": None, "quote_end": 5},
    ],
    ids=[
        "end one too far",
        "end one short",
        "end in UTF-8 bytes",
        "negative start",
        "quote without offsets",
        "quote without end",
        "quote without start",
        "offsets without quote",
        "end without quote",
    ],
)
def test_quote_offsets_must_match_the_quote(
    engine: Engine, world: dict[str, int], offsets: dict[str, Any]
) -> None:
    base = {"event_id": world["event"], "source_id": world["source"], "origin": "test"}
    good = base | {
        "quote": QUOTE,
        "quote_start": QUOTE_START,
        "quote_end": QUOTE_START + len(QUOTE),
    }
    refused(engine, "evidence", good, base | offsets, "ck_evidence_quote_offsets")


VIEW_COLUMNS = [
    "slug",
    "title",
    "type",
    "modality",
    "start_date",
    "end_date",
    "precision",
    "date_text",
    "place",
    "countries",
    "aliases",
    "actors",
    "sources",
    "evidence_count",
    "summary",
    "latitude",
    "longitude",
    "flags",
]


def test_events_flat_flattens_each_event_sorted_byte_wise(engine: Engine) -> None:
    """One row per event; lists are sorted byte-wise (upper case before lower case,
    `-` before `:`, accented letters last) and identical on both backends."""
    full = add(
        engine,
        "events",
        **event(
            "west-2025",
            title="West-2025 begins",
            type="military_exercise",
            modality="announced",
            start_date=date(2025, 9, 8),
            end_date=date(2025, 9, 14),
            precision="week",
            date_text="last week",
            place="Barysaw",
            summary="Joint exercises.",
            latitude=54.2279,
            longitude=28.505,
        ),
    )
    bare = add(
        engine, "events", **event("bare", precision="month", **dates("2025-02-01", "2025-02-28"))
    )
    actors = {slug: add(engine, "actors", **actor(slug)) for slug in ("a", "a-b", "b", "Z")}
    sources = {slug: add(engine, "sources", **source(slug)) for slug in ("src-b", "src-a", "Src-c")}
    for code in ("UKR", "BLR", "USA", "LTU"):
        add(engine, "event_countries", event_id=full, country_code=code)
    for alias in ("zeta", "Zapad-2025", "Äpfel", "alpha", "Zap"):
        add(engine, "event_aliases", event_id=full, alias=alias, alias_key=alias.casefold())
    for slug, role in [
        ("b", "target"),
        ("a", "initiator"),
        ("a-b", "host"),
        ("a", "host"),
        ("Z", "observer"),
    ]:
        add(engine, "event_actors", event_id=full, actor_id=actors[slug], role=role, origin="test")
    for slug in ("src-b", "src-a", "src-b", "Src-c"):
        add(engine, "evidence", event_id=full, source_id=sources[slug], origin="test")
    for flag in ("date_year_before_report", "date_month_before_report"):
        add(engine, "event_flags", event_id=full, flag=flag)
    assert bare is not None

    with engine.connect() as connection:
        result = connection.execute(text("SELECT * FROM events_flat ORDER BY slug"))
        columns = list(result.keys())
        rows = [
            {
                name: str(value) if name.endswith("_date") else value
                for name, value in row._mapping.items()
            }
            for row in result
        ]

    assert columns == VIEW_COLUMNS
    assert rows == [
        {
            "slug": "bare",
            "title": "Event bare",
            "type": "meeting",
            "modality": "occurred",
            "start_date": "2025-02-01",
            "end_date": "2025-02-28",
            "precision": "month",
            "date_text": None,
            "place": None,
            "countries": None,
            "aliases": None,
            "actors": None,
            "sources": None,
            "evidence_count": 0,
            "summary": None,
            "latitude": None,
            "longitude": None,
            "flags": None,
        },
        {
            "slug": "west-2025",
            "title": "West-2025 begins",
            "type": "military_exercise",
            "modality": "announced",
            "start_date": "2025-09-08",
            "end_date": "2025-09-14",
            "precision": "week",
            "date_text": "last week",
            "place": "Barysaw",
            "countries": "BLR; LTU; UKR; USA",
            "aliases": "Zap; Zapad-2025; alpha; zeta; Äpfel",
            "actors": "Z:observer; a-b:host; a:host; a:initiator; b:target",
            "sources": "Src-c; src-a; src-b",
            "evidence_count": 4,
            "summary": "Joint exercises.",
            "latitude": 54.2279,
            "longitude": 28.505,
            "flags": "date_month_before_report; date_year_before_report",
        },
    ]
