"""Rendering the views: dates at their precision, month headings, machine formats that
carry nothing but data, and colour only on a terminal without NO_COLOR."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from timeline import output
from timeline.output import events, labels, views, writers


def record(slug: str, start: str, end: str, precision: str, **more: Any) -> dict[str, Any]:
    values = {
        "slug": slug,
        "title": f"Title of {slug}",
        "type": "statement",
        "modality": "occurred",
        "start": start,
        "end": end,
        "precision": precision,
        "date_text": None,
        "anchor_event": None,
        "anchor_source": None,
        "place": None,
        "countries": [],
        "aliases": [],
        "summary": None,
        "actors": [],
        "sources": [],
        "relations": [],
    }
    return {**values, **more}


RECORDS = [
    record("y", "2022-01-01", "2022-12-31", "year"),
    record("m", "2022-02-01", "2022-02-28", "month", modality="planned"),
    record(
        "w",
        "2025-09-08",
        "2025-09-14",
        "week",
        actors=[
            {"slug": "b", "name": "Bé | B", "kind": "state", "role": "host"},
            {"slug": "l", "name": "Łukašenka", "kind": "person", "role": "host"},
            {"slug": "l", "name": "Łukašenka", "kind": "person", "role": "participant"},
        ],
        sources=[
            {"slug": "s", "name": "S", "quote": None, "quote_start": None, "quote_end": None},
            {"slug": "s", "name": "S", "quote": "q", "quote_start": 3, "quote_end": 4},
            {"slug": "t", "name": "T", "quote": "r", "quote_start": 0, "quote_end": 1},
        ],
        relations=[
            {"kind": "part_of", "slug": "d", "direction": "incoming"},
            {"kind": "follows", "slug": "m", "direction": "outgoing"},
        ],
        countries=["BLR", "USA"],
        aliases=["W-1", "Вест"],
        summary='Said "hi", then left',
    ),
    record("d", "2025-09-12", "2025-09-12", "day"),
]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("start", "end", "precision", "label"),
    [
        ("2025-09-12", "2025-09-12", "day", "12 Sep 2025"),
        ("2025-09-01", "2025-09-01", "day", "1 Sep 2025"),
        ("2025-09-08", "2025-09-14", "week", "week of 8 Sep 2025"),
        ("2024-12-30", "2025-01-05", "week", "week of 30 Dec 2024"),
        ("2022-02-01", "2022-02-28", "month", "Feb 2022"),
        ("2024-02-01", "2024-02-29", "month", "Feb 2024"),
        ("2022-01-01", "2022-12-31", "year", "2022"),
        ("2025-09-08", "2025-09-15", "range", "8–15 Sep 2025"),
        ("2025-08-28", "2025-09-03", "range", "28 Aug–3 Sep 2025"),
        ("2024-12-28", "2025-01-03", "range", "28 Dec 2024–3 Jan 2025"),
        ("2025-09-15", "2025-09-15", "range", "15 Sep 2025"),
    ],
)
def test_dates_at_their_precision(start: str, end: str, precision: str, label: str) -> None:
    assert labels.date_label(start, end, precision) == label
    assert labels.date_label(date.fromisoformat(start), date.fromisoformat(end), precision) == (
        label
    )


@pytest.mark.parametrize(
    ("start", "precision", "heading"),
    [
        ("2022-01-01", "year", "2022"),
        ("2022-02-01", "month", "February 2022"),
        ("2024-12-30", "week", "December 2024"),
        ("2025-09-12", "day", "September 2025"),
        ("2025-08-28", "range", "August 2025"),
    ],
)
def test_period_headings(start: str, precision: str, heading: str) -> None:
    assert labels.period_heading(start, precision) == heading


def write(fmt: str, records: list[dict[str, Any]], **options: Any) -> str:
    out = io.StringIO()
    output.write_events(records, fmt, out, **options)
    return out.getvalue()


def test_json_and_ndjson_are_the_records() -> None:
    assert json.loads(write("json", RECORDS)) == RECORDS
    lines = write("ndjson", RECORDS).splitlines()
    assert [json.loads(line) for line in lines] == RECORDS
    assert write("json", RECORDS).startswith("[\n{")
    assert write("json", RECORDS[:1]) == "[\n" + writers.dumps(RECORDS[0]) + "\n]\n"


@pytest.mark.parametrize(
    ("fmt", "empty"),
    [("json", "[]\n"), ("ndjson", ""), ("table", "")],
)
def test_empty_results(fmt: str, empty: str) -> None:
    assert write(fmt, []) == empty


@pytest.mark.parametrize("count", [0, 1, 3])
def test_an_object_with_streamed_items_is_plain_json(count: int) -> None:
    out = io.StringIO()
    profile = {"slug": "l", "events": "replaced", "aliases": ["a|b", "Ł"]}
    writers.write_object_with_items(profile, "events", iter(RECORDS[:count]), out)
    expected = {"slug": "l", "aliases": ["a|b", "Ł"], "events": RECORDS[:count]}
    assert out.getvalue() == writers.dumps(expected) + "\n"
    assert list(json.loads(out.getvalue())) == ["slug", "aliases", "events"]


def test_empty_csv_and_markdown_are_a_header() -> None:
    assert write("csv", []) == ",".join(events.EVENT_CSV_COLUMNS) + "\n"
    assert write("markdown", []) == (
        "| date | event | slug | type | actors | sources |\n|---|---|---|---|---|---|\n"
    )


def test_csv_has_one_flat_row_per_event() -> None:
    rows = list(csv.DictReader(io.StringIO(write("csv", RECORDS))))
    assert [r["slug"] for r in rows] == ["y", "m", "w", "d"]
    week = rows[2]
    assert week["actors"] == "b:host; l:host; l:participant"
    assert week["sources"] == "s; t"
    assert week["relations"] == "incoming:part_of:d; outgoing:follows:m"
    assert week["countries"] == "BLR; USA"
    assert week["aliases"] == "W-1; Вест"
    assert week["summary"] == 'Said "hi", then left'
    assert (week["start"], week["end"], week["precision"]) == ("2025-09-08", "2025-09-14", "week")
    assert rows[0]["date_text"] == rows[0]["place"] == ""


def test_csv_for_an_actor_adds_its_roles() -> None:
    with_roles = [{**r, "roles": ["host", "participant"]} for r in RECORDS[2:3]]
    rows = list(csv.DictReader(io.StringIO(write("csv", with_roles, actor="l"))))
    assert rows[0]["roles"] == "host; participant"


def test_markdown_escapes_pipes() -> None:
    lines = write("markdown", RECORDS).splitlines()
    assert lines[0] == "| date | event | slug | type | actors | sources |"
    assert lines[4] == (
        "| week of 8 Sep 2025 | Title of w | w | statement | Bé \\| B, Łukašenka | 3 |"
    )
    assert len(lines) == 2 + len(RECORDS)


def test_table_groups_events_under_month_headings() -> None:
    lines = write("table", RECORDS).splitlines()
    assert lines[0].split() == ["date", "event", "actors", "sources"]
    assert set(lines[1]) == {"─"}
    assert [lines[i] for i in (2, 6, 10)] == ["2022", "February 2022", "September 2025"]
    assert lines[3].split() == ["2022", "Title", "of", "y", "0"]
    assert lines[4].strip() == "y"
    assert lines[5] == ""
    assert lines[7].split() == ["Feb", "2022", "Title", "of", "m", "(planned)", "0"]
    assert lines[11].split("   ")[0] == "week of 8 Sep 2025"
    assert "Bé | B, Łukašenka" in lines[11]
    assert lines[11].endswith(" 3")
    assert lines[13].startswith("12 Sep 2025 ")
    assert len(lines) == 15
    assert all(len(line) <= 100 and line == line.rstrip() for line in lines)


def test_the_table_streams_with_the_widths_of_its_first_rows() -> None:
    """Rows are written while later ones are still to come (memory stays flat); the
    first thousand set the widths, and a longer slug later folds within them."""
    out = io.StringIO()
    lines_before_the_last_rows = []
    long_slug = "long-" * 9 + "slug"  # 49 characters: wider than the first rows need

    def records() -> Iterator[dict[str, Any]]:
        for n in range(3000):
            if n == 2500:
                lines_before_the_last_rows.append(out.getvalue().count("\n"))
            slug = long_slug if n == 2500 else f"event-{n:04d}"
            yield record(slug, "2025-09-12", "2025-09-12", "day", title="T")

    assert output.write_events(records(), "table", out) == 3000
    assert lines_before_the_last_rows[0] > 2000 * 2  # a row is two lines: title, slug
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert all(long_slug not in line for line in lines)
    folded = "".join(line.strip() for line in lines if len(line.split()) == 1)  # the slugs
    assert long_slug in folded
    # The same rows all at once (as a short listing is): the column fits the slug.
    assert any(
        long_slug in line
        for line in write("table", [record(long_slug, *("2025-09-12",) * 2, "day")]).splitlines()
    )


def test_machine_formats_and_piped_tables_carry_no_escape_codes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for fmt in output.LISTING:
        assert "\x1b" not in write(fmt, RECORDS)


def test_colour_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    terminal = Terminal()
    output.write_events(RECORDS, "table", terminal)
    assert "\x1b[1;36m" in terminal.getvalue()  # the headings' bold cyan
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = Terminal()
    output.write_events(RECORDS, "table", terminal)
    assert "36m" not in terminal.getvalue()
    assert "2022" in terminal.getvalue()


def test_an_actor_chronology_shows_its_role_over_the_others() -> None:
    with_roles = [{**RECORDS[2], "roles": ["host", "participant"]}]
    lines = write("table", with_roles, actor="l").splitlines()
    assert lines[0].split() == ["date", "event", "role", "sources"]
    assert "host, participant" in lines[3]
    assert lines[4].endswith("with Bé | B")
    assert "Łukašenka" not in "\n".join(lines)


def test_relation_phrases() -> None:
    assert views.relation_phrase("in_response_to", "outgoing") == "in response to"
    assert views.relation_phrase("in_response_to", "incoming") == "answered by"
    assert views.relation_phrase("part_of", "incoming") == "includes"
    assert views.relation_phrase("caused", "incoming") == "caused (incoming)"


def test_event_detail() -> None:
    out = io.StringIO()
    anchors = [
        {"kind": "event", "slug": "m", "start_date": "2022-02-01", "end_date": "2022-02-28",
         "precision": "month"},
        {"kind": "source", "slug": "s", "name": "S", "published_on": date(2025, 9, 15)},
    ]  # fmt: skip
    related = {
        "d": {"slug": "d", "title": "Title of d", "start_date": date(2025, 9, 12),
              "end_date": date(2025, 9, 12), "precision": "day"},
    }  # fmt: skip
    views.write_event_detail({**RECORDS[2], "date_text": "last week"}, anchors, related, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Title of w"
    assert lines[2] == "slug       w"
    assert lines[3] == "date       week of 8 Sep 2025 (precision week: 2025-09-08…2025-09-14)"
    assert lines[4] == "wording    “last week”"
    assert lines[5] == (
        "resolved   against event m (Feb 2022) and the publication of s (15 Sep 2025)"
    )
    text = out.getvalue()
    assert "  host          Łukašenka (l)   person" in text
    assert "    (no quote)\n    “q” (characters 3–4)\n  t  T\n    “r”" in text
    assert "  includes   Title of d   12 Sep 2025\n             d\n  follows    m\n" in text
    assert all(line == line.rstrip() for line in lines)


def test_event_detail_of_an_absolute_date_without_links() -> None:
    out = io.StringIO()
    views.write_event_detail(RECORDS[0], [], {}, out)
    text = out.getvalue()
    assert "resolved  absolute date, no anchor" in text
    assert "Actors" not in text and "Sources" not in text and "Related" not in text
