"""The NDJSON interchange: export → import → export gives the same bytes on SQLite, on
PostgreSQL and across them; a filtered export imports cleanly; records are validated
one line at a time; imports upsert by slug, keep the seeds' ownership, and write in
one transaction."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Templates, run
from sqlalchemy.engine import URL
from test_seeds import rows, snapshot

from timeline import exporter, seeds
from timeline.errors import FileInputError
from timeline.importer import pipeline as importer
from timeline.interchange import parse_record
from timeline.queries import EventFilters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import generate

TOP = ("sources", "actors", "events")


def export(url: URL, filters: EventFilters | None = None, fmt: str = "ndjson") -> bytes:
    out = io.BytesIO()
    exporter.export(url, out, fmt=fmt, filters=filters)
    return out.getvalue()


def write(path: Path, data: bytes | str | list[dict[str, Any]]) -> Path:
    if isinstance(data, list):
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def records(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines()]


def generated(tmp_path: Path, events: int = 300) -> Path:
    """The benchmark's generator: every precision, unicode, quotes, forward references."""
    return write(
        tmp_path / "generated.ndjson", "".join(f"{line}\n" for line in generate.generate(events))
    )


@pytest.fixture
def second_url(backend: str, templates: Templates, tmp_path: Path) -> URL:
    """Another database that does not exist yet (SQLite) or has no schema (PostgreSQL)."""
    directory = tmp_path / "second"
    directory.mkdir()
    return templates.fresh_empty(backend, directory)


# --- round trips -----------------------------------------------------------------------


@pytest.mark.read_only
def test_the_seeds_round_trip_byte_for_byte(
    seeded_url: URL, second_url: URL, tmp_path: Path
) -> None:
    first = export(seeded_url)
    result = importer.import_file(second_url, str(write(tmp_path / "a.ndjson", first)))
    assert result.created_database
    assert export(second_url) == first
    lines = records(first)
    assert lines[0] == {"record": "header", "format": "timeline", "version": 1}
    counts = {t: rows(seeded_url, f"SELECT count(*) FROM {t}")[0][0] for t in TOP}
    assert lines[-1] == {"record": "summary", **counts}
    assert b'"id"' not in first and b"origin" not in first


def test_generated_data_round_trips_byte_for_byte(
    empty_url: URL, second_url: URL, tmp_path: Path
) -> None:
    importer.import_file(empty_url, str(generated(tmp_path)))
    first = export(empty_url)
    importer.import_file(second_url, str(write(tmp_path / "first.ndjson", first)))
    assert export(second_url) == first
    text = first.decode()
    for odd in ("\u2028", "🚀", "東京", "e\u0301", '\\"quoted\\"', "back\\\\slash", "\\r\\n"):
        assert odd in text
    found = records(first)
    assert {r["precision"] for r in found if r["record"] == "event"} == {
        "day",
        "week",
        "month",
        "year",
        "range",
    }
    assert any(r.get("relations") and r["relations"][0]["direction"] == "incoming" for r in found)


@pytest.mark.postgres
def test_sqlite_to_postgresql_to_sqlite_gives_the_same_bytes(
    templates: Templates, tmp_path: Path
) -> None:
    sqlite_one = templates.fresh_empty("sqlite", tmp_path)
    importer.import_file(sqlite_one, str(generated(tmp_path)))
    seeds = templates.copy("sqlite", "seeded", tmp_path)
    importer.import_file(seeds, str(write(tmp_path / "gen.ndjson", export(sqlite_one))))
    first = export(seeds)  # the article and the generated data together
    postgres = templates.fresh_empty("postgresql")
    importer.import_file(postgres, str(write(tmp_path / "1.ndjson", first)))
    second = export(postgres)
    assert second == first
    back = tmp_path / "back"
    back.mkdir()
    sqlite_two = templates.fresh_empty("sqlite", back)
    importer.import_file(sqlite_two, str(write(tmp_path / "2.ndjson", second)))
    assert export(sqlite_two) == first


@pytest.mark.read_only
def test_a_filtered_export_imports_cleanly_and_keeps_what_it_needs(
    seeded_url: URL, second_url: URL, tmp_path: Path
) -> None:
    data = export(seeded_url, EventFilters(actors=("john-coale",)))
    found = records(data)
    events = [r for r in found if r["record"] == "event"]
    slugs = {r["slug"] for r in events}
    assert slugs and all(any(a["slug"] == "john-coale" for a in r["actors"]) for r in events)
    for event in events:
        assert all(r["slug"] in slugs for r in event["relations"])
        assert event["anchor_event"] in slugs | {None}
    actors = {r["slug"] for r in found if r["record"] == "actor"}
    assert {"john-coale", "united-states"} <= actors  # Coale belongs to the United States
    assert "russia" not in actors
    assert found[-1] == {
        "record": "summary",
        "sources": sum(r["record"] == "source" for r in found),
        "actors": len(actors),
        "events": len(events),
    }
    importer.import_file(second_url, str(write(tmp_path / "f.ndjson", data)))
    assert export(second_url) == data  # nothing points outside the file


@pytest.mark.read_only
def test_json_and_csv_hold_the_events_as_timeline_events_prints_them(seeded_url: URL) -> None:
    shown = run(seeded_url, "events", "--type", "meeting", "--format", "json")
    assert export(seeded_url, EventFilters(types=("meeting",)), "json").decode() == shown.stdout
    shown = run(seeded_url, "events", "--format", "csv")
    assert export(seeded_url, fmt="csv").decode() == shown.stdout


# --- upserts by slug ---------------------------------------------------------------------


def test_importing_twice_changes_nothing(seeded_url: URL, tmp_path: Path) -> None:
    path = write(tmp_path / "a.ndjson", export(seeded_url))
    before = snapshot(seeded_url)
    result = importer.import_file(seeded_url, str(path))
    assert not result.changed
    assert (
        result.counts["events"].unchanged == rows(seeded_url, "SELECT count(*) FROM events")[0][0]
    )
    assert snapshot(seeded_url) == before


def test_an_import_updates_by_slug_and_the_seeds_keep_their_rows(
    seeded_url: URL, tmp_path: Path
) -> None:
    found = records(export(seeded_url))
    event = next(r for r in found if r.get("slug") == "coale-visits-minsk")
    title, origin = rows(
        seeded_url, "SELECT title, origin FROM events WHERE slug = 'coale-visits-minsk'"
    )[0]
    event["title"] = "Coale in Minsk"
    event["aliases"] = ["Minsk talks"]
    event["actors"] = event["actors"][:1]
    new = {**event, "slug": "an-imported-event", "relations": [], "aliases": []}
    found.insert(-1, new)
    found[-1]["events"] += 1
    result = importer.import_file(seeded_url, str(write(tmp_path / "b.ndjson", found)))
    assert (result.counts["events"].created, result.counts["events"].updated) == (1, 1)
    assert result.counts["event_aliases"].created == 1
    assert result.counts["event_actors"].removed == 1
    assert rows(seeded_url, "SELECT title FROM events WHERE slug = 'coale-visits-minsk'") == [
        ("Coale in Minsk",)
    ]
    origins = dict(rows(seeded_url, "SELECT slug, origin FROM events"))
    assert origins["coale-visits-minsk"] == origin  # still the seed file's
    assert origins["an-imported-event"] == f"import:{(tmp_path / 'b.ndjson').resolve()}"
    # Reloading the seeds puts their rows back and leaves the imported one alone.
    assert run(seeded_url, "load").exit_code == 0
    assert rows(seeded_url, "SELECT title FROM events WHERE slug = 'coale-visits-minsk'") == [
        (title,)
    ]
    assert rows(seeded_url, "SELECT count(*) FROM events WHERE slug = 'an-imported-event'") == [
        (1,)
    ]


def test_new_rows_after_an_import_get_fresh_ids(
    empty_url: URL, tmp_path: Path, backend: str
) -> None:
    importer.import_file(empty_url, str(generated(tmp_path, 40)))
    assert run(empty_url, "load").exit_code == 0  # ids from the sequence, no collision
    seeded = len(seeds.read_inputs(None)[0].seed.events)
    assert rows(empty_url, "SELECT count(*) FROM events") == [(40 + seeded,)]


# --- bad input is refused with its line, and nothing is written --------------------------


def test_parse_record_refuses_what_a_backend_would_not_store() -> None:
    base = {
        "record": "source",
        "slug": "s",
        "name": "A source",
        "kind": "article",
    }

    def refused(**changes: Any) -> str:
        with pytest.raises(ValueError) as caught:
            parse_record(json.dumps({**base, **changes}).encode())
        return str(caught.value)

    assert refused(name="a\x00b") == "NUL characters (\\u0000) are not allowed"
    assert refused(name="x" * 301).startswith("name: string should have at most 300")
    assert refused(slug="Not A Slug").startswith("slug: 'Not A Slug' is not a slug")
    assert refused(published="2025-02-30").startswith("published: input should be a valid date")
    assert refused(published=20250101).startswith("published: input should be a valid date")
    assert refused(kind="blog").startswith("kind: unknown value 'blog'")
    assert refused(colour="red") == "colour: unknown field"
    assert refused(cites=["s"]) == "a source cannot cite itself"
    assert parse_record(json.dumps({**base, "name": "a\\u0000b"}).encode())  # a backslash


def test_a_lone_surrogate_is_not_json() -> None:
    with pytest.raises(ValueError, match="invalid JSON"):
        parse_record(b'{"record":"source","slug":"s","name":"\\ud800","kind":"article"}')


def event_record(**changes: Any) -> dict[str, Any]:
    return {
        "record": "event",
        "slug": "e",
        "title": "An event",
        "type": "meeting",
        "start": "2025-09-08",
        "end": "2025-09-14",
        "precision": "week",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": "2025-09-15"}, "dates: 2025-09-08..2025-09-15 is not one week"),
        ({"precision": "fortnight"}, "precision: unknown value 'fortnight'"),
        ({"title": "t" * 1001}, "title: string should have at most 1000 characters"),
        ({"date_text": ""}, "date_text: string should have at least 1 character"),
        ({"countries": ["BLR", "BLR"]}, "country 'BLR' is listed twice"),
        ({"anchor_event": "e"}, "an event cannot be dated against itself"),
        (
            {"relations": [{"kind": "follows", "slug": "e", "direction": "outgoing"}]},
            "an event cannot relate to itself",
        ),
        ({"actors": [{"slug": "a", "role": "boss"}]}, "actors[0].role: unknown value 'boss'"),
        (
            {"sources": [{"slug": "s", "quote": "abc", "quote_start": 1, "quote_end": 3}]},
            "sources[0]: quote_end must be quote_start + the quote's length",
        ),
        (
            {"sources": [{"slug": "s", "quote": "abc", "quote_start": 2**31, "quote_end": 3}]},
            "sources[0].quote_start: input should be less than or equal to 2147483647",
        ),
        ({"sources": [{"slug": "s", "quote_start": 1}]}, "sources[0]: quote_start and quote_end"),
    ],
)
def test_event_records_are_checked(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_record(json.dumps(event_record(**changes)).encode())
    assert str(caught.value).startswith(message)


def test_the_staging_checks_name_the_line(db_url: URL, tmp_path: Path) -> None:
    """Checks that need the whole file run in the database; a forward reference is fine."""
    header = {"record": "header", "format": "timeline", "version": 1}
    source = {"record": "source", "slug": "s", "name": "S", "kind": "article", "text": "abcdef"}
    proof = {"slug": "s", "quote": "cd", "quote_start": 2, "quote_end": 4}
    later = event_record(slug="later", start="2025-09-15", end="2025-09-15", precision="day")
    first = event_record(
        anchor_event="later",
        sources=[proof],
        relations=[{"kind": "follows", "slug": "later", "direction": "outgoing"}],
    )
    summary = {"record": "summary", "sources": 1, "actors": 0, "events": 2}
    good = [header, first, later, source, summary]
    result = importer.import_file(db_url, str(write(tmp_path / "ok.ndjson", good)))
    assert result.counts["event_relations"].created == 1
    assert rows(
        db_url, "SELECT a.slug FROM events e JOIN events a ON a.id = e.anchor_event_id"
    ) == [("later",)]

    def refused(data: list[dict[str, Any]]) -> str:
        with pytest.raises(FileInputError) as caught:
            importer.import_file(db_url, str(write(tmp_path / "bad.ndjson", data)))
        return str(caught.value)

    bad = tmp_path / "bad.ndjson"
    misquoted = {**first, "sources": [{**proof, "quote_start": 1, "quote_end": 3}]}
    assert refused([header, misquoted, later, source, summary]) == (
        f"{bad}:2: sources[0].quote: the quote is not at quote_start in the text of source 's'"
    )
    incoming = {**later, "relations": [{"kind": "part_of", "slug": "e", "direction": "incoming"}]}
    assert refused([header, first, incoming, source, summary]) == (
        f"{bad}:3: relations[0]: event 'e' has no outgoing part_of relation to this one"
    )
    assert refused([header, {**first, "anchor_event": "nowhere"}, later, source, summary]) == (
        f"{bad}:2: anchor_event: unknown event 'nowhere'"
    )
    assert refused([header, first, later, source, source, {**summary, "sources": 2}]) == (
        f"{bad}:5: duplicate source slug 's' (also on line 4)"
    )
    assert rows(db_url, "SELECT count(*) FROM events") == [(2,)]  # the good import only


def test_date_anchors_are_checked_as_the_seed_loader_checks_them(
    db_url: URL, tmp_path: Path
) -> None:
    """No circular anchors, no date more precise than its anchor event, none after the
    publication it was resolved against: in the file, or between the file and what
    is stored. Each refusal names the line and writes nothing."""
    header = {"record": "header", "format": "timeline", "version": 1}
    source = {"record": "source", "slug": "s", "name": "S", "kind": "article"}
    published = {**source, "published": "2025-09-15"}
    day = {"start": "2025-09-15", "end": "2025-09-15", "precision": "day"}
    week = {"start": "2025-09-08", "end": "2025-09-14", "precision": "week"}

    def records(*items: dict[str, Any]) -> list[dict[str, Any]]:
        counts = {table: sum(r["record"] == table[:-1] for r in items) for table in TOP}
        return [header, *items, {"record": "summary", **counts}]

    def event(slug: str, **changes: Any) -> dict[str, Any]:
        return event_record(slug=slug, **{**week, **changes})

    stored = records(published, event("b", **day), event("c", anchor_event="b", **day))
    bad = tmp_path / "bad.ndjson"

    def refused(*items: dict[str, Any]) -> str:
        before = snapshot(db_url)
        with pytest.raises(FileInputError) as caught:
            importer.import_file(db_url, str(write(bad, records(*items))))
        assert snapshot(db_url) == before
        return str(caught.value)

    # The file on its own: a cycle, a day against a week, a date after its publication.
    assert (
        refused(
            event("x", anchor_event="y"), event("y", anchor_event="z"), event("z", anchor_event="x")
        )
        == f"{bad}:2: anchor_event: circular date anchors: x → y → z → x"
    )
    assert refused(event("x"), event("y", anchor_event="x", **day)) == (
        f"{bad}:3: anchor_event: the date is a day, more precise than its anchor 'x', "
        "which is a week"
    )
    assert refused(
        published, event("x", anchor_source="s", start="2025-09-15", end="2025-09-21")
    ) == (
        f"{bad}:3: anchor_source: the date ends 2025-09-21, after source 's' was published "
        "(2025-09-15)"
    )
    assert refused(source, event("x", anchor_source="s")) == (
        f"{bad}:3: anchor_source: source 's' has no publication date"
    )
    # Against what is stored: b a day, c a day anchored to it.
    importer.import_file(db_url, str(write(tmp_path / "ok.ndjson", stored)))
    assert refused(event("b", anchor_event="c", **day)) == (
        f"{bad}:2: anchor_event: circular date anchors: b → c → b"
    )
    assert refused(event("b", start="2025-09-01", end="2025-09-30", precision="month")) == (
        f"{bad}:2: precision: a month, less precise than event 'c' (a day), "
        "whose date was resolved against this one"
    )
    importer.import_file(
        db_url,
        str(
            write(
                tmp_path / "ok.ndjson",
                records(published, event("b"), event("c", anchor_source="s")),
            )
        ),
    )
    assert refused({**published, "published": "2025-09-10"}) == (
        f"{bad}:2: published: event 'c', dated against this source, ends 2025-09-14, "
        "after 2025-09-10"
    )
    assert refused({**published, "published": None}) == (
        f"{bad}:2: published: event 'c', dated against this source, ends 2025-09-14; "
        "a date is needed"
    )


def test_exported_events_are_the_records_of_timeline_events(empty_url: URL, tmp_path: Path) -> None:
    """The export streams its own records; they must stay those of `timeline.queries`."""
    from timeline import db, queries

    importer.import_file(empty_url, str(generated(tmp_path)))
    found = [r for r in records(export(empty_url)) if r.pop("record") == "event"]
    engine = db.open_database(empty_url)
    with engine.connect() as connection:
        assert found == list(queries.iter_event_records(connection))
    engine.dispose()


def test_a_bulk_import_into_empty_tables_rebuilds_their_indexes(
    db_url: URL, second_url: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large inserts into empty tables drop the secondary indexes (and on PostgreSQL the
    foreign keys) and build them again: the data and the schema come out as from the
    row-by-row path."""
    from sqlalchemy import inspect

    from timeline.db import make_engine
    from timeline.importer import merge

    data = generated(tmp_path, 300)
    importer.import_file(db_url, str(data))  # below BULK_ROWS: indexes kept throughout
    monkeypatch.setattr(merge, "BULK_ROWS", 1)
    importer.import_file(second_url, str(data))  # every table empty: the bulk path

    def indexes(url: URL) -> dict[str, list[tuple[Any, ...]]]:
        engine = make_engine(url)
        try:
            found = inspect(engine)
            return {
                t: sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in found.get_indexes(t)
                )
                + sorted(
                    (
                        str(k["name"]),
                        tuple(k["constrained_columns"]),
                        k["referred_table"],
                        tuple(k["referred_columns"]),
                        str(k["options"].get("ondelete")),
                    )
                    for k in found.get_foreign_keys(t)
                )
                for t in found.get_table_names()
            }
        finally:
            engine.dispose()

    assert export(second_url) == export(db_url)
    assert indexes(second_url) == indexes(db_url)
    # the comparison compares something: indexes, and foreign keys that cascade
    assert ("fk_evidence_event_id_events", ("event_id",), "events", ("id",), "CASCADE") in (
        indexes(db_url)["evidence"]
    )
