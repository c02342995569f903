"""TimelineJS in and out: `timeline export --format timelinejs` (partial dates used
honestly, the table's labels, groups, the evidence in the text, a title slide) and
`timeline import --format timelinejs` of its JSON and of the Google-Sheets template
CSV (partial dates as precision, the file as the dataset source, plain text from the
HTML, unique slugs), every bad input refused with its place on both backends, and the
round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Templates, run
from sqlalchemy.engine import URL
from test_seeds import rows, snapshot

HEADER = (
    "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,"
    "Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,Background\n"
)


def export_json(url: URL, *args: str) -> dict[str, Any]:
    result = run(url, "export", "--format", "timelinejs", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def events(url: URL) -> dict[str, dict[str, Any]]:
    result = run(url, "events", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {e["slug"]: e for e in json.loads(result.stdout)}


# ---------------------------------------------------------------- export


@pytest.mark.read_only
def test_export_uses_partial_dates_honestly(seeded_url: URL) -> None:
    data = export_json(seeded_url)
    slides = {s["unique_id"]: s for s in data["events"]}
    assert len(slides) == 17
    month = slides["belarus-lets-russia-send-troops-into-ukraine"]
    assert month["start_date"] == {"year": 2022, "month": 2} and "end_date" not in month
    assert month["display_date"] == "Feb 2022"
    week = slides["coale-visits-minsk"]
    assert (week["start_date"], week["end_date"]) == (
        {"year": 2025, "month": 9, "day": 8},
        {"year": 2025, "month": 9, "day": 14},
    )
    assert week["display_date"] == "week of 8 Sep 2025"
    ranged = slides["coale-says-trump-wants-normal-relations"]
    assert ranged["end_date"] == {"year": 2025, "month": 9, "day": 15}
    assert ranged["display_date"] == "8–15 Sep 2025"
    day = slides["west-2025-exercises-begin"]
    assert day["start_date"] == {"year": 2025, "month": 9, "day": 12} and "end_date" not in day
    assert day["group"] == "military_exercise"
    assert data["title"]["text"]["headline"] == "Timeline: 17 events, Feb 2022 to Sep 2025"


@pytest.mark.read_only
def test_export_text_is_the_summary_and_the_quotes_with_their_sources(seeded_url: URL) -> None:
    data = export_json(seeded_url, "--search", "friendly letter")
    (slide,) = data["events"]
    assert slide["text"] == {
        "headline": "Trump sends Lukashenka a friendly letter through Coale",
        "text": "<p>Trump sent Lukashenka a friendly letter with a personal signature, delivered"
        " through Coale.</p><blockquote>Last week, Trump sent Lukashenka a friendly letter with"
        " a personal signature through Cole.</blockquote><p>Source: UNN: American military"
        " observed the West-2025 exercises, UNN (Ukrainian National News), 2025-09-15</p>",
    }


@pytest.mark.read_only
def test_export_groups_by_actor_and_takes_a_title(seeded_url: URL) -> None:
    data = export_json(seeded_url, "--actor", "khrenin", "--group-by", "actor", "--title", "<b>")
    assert {s["group"] for s in data["events"]} == {"United States Armed Forces"}
    assert data["title"]["text"]["headline"] == "&lt;b&gt;"


@pytest.mark.read_only
def test_group_by_and_title_are_refused_for_other_formats(seeded_url: URL) -> None:
    result = run(seeded_url, "export", "--group-by", "actor")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: --group-by is for --format html or timelinejs\n",
    )


# ---------------------------------------------------------------- import

SHEET = HEADER + (
    ",,,,,,,,,The war years,<p>A <b>sheet</b></p>,,,,,title,,\n"
    "1943,7,,,1946,,,,1943–46,Occupation &amp; after,"
    '"<p>Text with <a href=""https://example.org/a"">a link</a> &amp; more</p>",'
    "https://example.org/m.jpg,AP,A caption,,,attack,\n"
    "1944,,,,,,,,,The year,,,,,,,,\n"
    "1944,6,,,,,,,,The month,,,,,,,statement,\n"
    "1944,6,6,9:30 AM,,,,,D-Day,The day,,,,,,,,\n"
    "1940,,,,1945,,,,,An era,,,,,,era,,\n"
    "1944,6,6,,,,,,,The day,,,,,,,,\n"
)


def test_import_of_the_sheet_csv(backend: str, db_url: URL, tmp_path: Path) -> None:
    path = tmp_path / "war.csv"
    path.write_text(SHEET, encoding="utf-8")
    result = run(db_url, "import", "--format", "timelinejs", str(path))
    assert result.exit_code == 0, result.stderr
    found = events(db_url)
    assert {s: (e["start"], e["end"], e["precision"]) for s, e in found.items()} == {
        "occupation-after": ("1943-07-01", "1946-12-31", "range"),
        "the-year": ("1944-01-01", "1944-12-31", "year"),
        "the-month": ("1944-06-01", "1944-06-30", "month"),
        "the-day": ("1944-06-06", "1944-06-06", "day"),
        "the-day-2": ("1944-06-06", "1944-06-06", "day"),
    }
    first = found["occupation-after"]
    assert (first["title"], first["date_text"], first["type"]) == (
        "Occupation & after",
        "1943–46",
        "attack",
    )
    assert first["summary"] == (
        "Text with a link (https://example.org/a) & more\n\n"
        "Media: https://example.org/m.jpg (A caption; AP)"
    )
    assert found["the-day"]["date_text"] == "D-Day"
    assert found["the-month"]["type"] == "statement" and found["the-year"]["type"] == "other"
    assert {e["sources"][0]["slug"] for e in found.values()} == {"war-csv"}
    assert rows(db_url, "SELECT slug, name, kind, title FROM sources") == [
        ("war-csv", "The war years", "dataset", "The war years")
    ]


TIMELINE = {
    "title": {"text": {"headline": "West &amp; East", "text": "<p>About</p>"}},
    "events": [
        {
            "start_date": {"year": "2025", "month": "9", "day": "12"},
            "display_date": "on Friday",
            "group": "military_exercise",
            "text": {"headline": "Exercises begin", "text": "<p>Begin&nbsp;here</p>"},
        },
        {
            "start_date": {"year": 2025, "month": 9},
            "text": {"headline": "&lt;img src=x onerror=alert(1)&gt;"},
        },
    ],
    "eras": [{"start_date": {"year": 2020}, "end_date": {"year": 2025}, "text": {}}],
}


def test_import_of_timelinejs_json(backend: str, db_url: URL, tmp_path: Path) -> None:
    path = tmp_path / "west.json"
    path.write_text(json.dumps(TIMELINE), encoding="utf-8")
    result = run(db_url, "import", "--format", "timelinejs", str(path))
    assert result.exit_code == 0, result.stderr
    found = events(db_url)
    assert set(found) == {"exercises-begin", "img-src-x-onerror-alert-1"}
    begin = found["exercises-begin"]
    assert (begin["precision"], begin["start"], begin["date_text"], begin["summary"]) == (
        "day",
        "2025-09-12",
        "on Friday",
        "Begin here",  # &nbsp; decoded, then spaces collapsed
    )
    assert found["img-src-x-onerror-alert-1"]["title"] == "<img src=x onerror=alert(1)>"
    assert rows(db_url, "SELECT slug, name, kind FROM sources") == [
        ("west-json", "West & East", "dataset")
    ]
    again = run(db_url, "import", "--format", "timelinejs", str(path))
    assert "Nothing changed" in again.stdout


def _json(edit: Any) -> str:
    data = json.loads(json.dumps(TIMELINE))
    edit(data)
    return json.dumps(data)


def _csv_row(row: str) -> str:
    return HEADER + "2025,9,1,,,,,,,Fine,,,,,,,,\n" + row


BAD = [
    (
        "west.json",
        _json(lambda d: d["events"][1]["text"].pop("headline")),
        "west.json: events[1].text.headline: a slide needs a headline",
    ),
    (
        "west.json",
        _json(lambda d: d["events"][1]["start_date"].update(month=13)),
        "west.json: events[1].start_date.month: month 13 does not exist",
    ),
    (
        "west.json",
        _json(lambda d: d["events"][0].update(end_date={"year": 2024})),
        "west.json: events[0].end_date: the slide ends (2024-12-31) before it starts (2025-09-12)",
    ),
    ("west.json", '{"title": {}}', "west.json: events: missing: a TimelineJS file has `events`"),
    ("west.json", '{"events": [', "west.json:1: invalid JSON: Expecting value"),
    (
        "war.csv",
        _csv_row("2025,,,,,,,,,,,,,,,,,\n"),
        "war.csv:3: Headline: a slide needs a headline",
    ),
    (
        "war.csv",
        _csv_row("2025,13,,,,,,,,X,,,,,,,,\n"),
        "war.csv:3: Month: month 13 does not exist",
    ),
    (
        "war.csv",
        _csv_row("2025,9,,,2025,8,,,,X,,,,,,,,\n"),
        "war.csv:3: End Year: the slide ends (2025-08-31) before it starts (2025-09-01)",
    ),
    (
        "war.csv",
        "Year,Headline,Notes\n2025,X,Y\n",
        "war.csv:1: not the TimelineJS sheet's columns (unknown 'Notes'; missing 'Month', 'Day',"
        " 'Time', 'End Year', 'End Month', 'End Day', 'End Time', 'Display Date', 'Text', 'Media',"
        " 'Media Credit', 'Media Caption', 'Media Thumbnail', 'Type', 'Group', 'Background')",
    ),
    (
        "war.csv",
        _csv_row("twenty,,,,,,,,,X,,,,,,,,\n"),
        "war.csv:3: Year: 'twenty' is not a whole number",
    ),
]


@pytest.mark.parametrize("stage", ["empty", "seeded"])
@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[m for *_, m in BAD])
def test_bad_input_is_refused_with_its_place_and_nothing_is_written(
    backend: str,
    stage: str,
    templates: Templates,
    tmp_path: Path,
    name: str,
    content: str,
    message: str,
) -> None:
    # A refused import writes nothing: on PostgreSQL the database is shared, and checked.
    with templates.shared(backend, stage, tmp_path) as url:
        before = None if backend == "sqlite" and stage == "empty" else snapshot(url)
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        result = run(url, "import", "--format", "timelinejs", str(path))
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == f"error: {tmp_path}/{message}\n"
        if before is None:
            assert not Path(str(url.database)).exists()
        else:
            assert snapshot(url) == before


# ---------------------------------------------------------------- round trip


def test_round_trip_keeps_titles_dates_and_precision(
    backend: str, seeded_url: URL, templates: Templates, tmp_path: Path
) -> None:
    path = tmp_path / "article.json"
    result = run(seeded_url, "export", "--format", "timelinejs", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    (tmp_path / "target").mkdir()
    target = templates.copy(backend, "migrated", tmp_path / "target")
    result = run(target, "import", "--format", "timelinejs", str(path))
    assert result.exit_code == 0, result.stderr

    def dated(url: URL) -> list[tuple[str, str, str, str]]:
        found = [(e["title"], e["start"], e["end"], e["precision"]) for e in events(url).values()]
        return sorted(found)

    def as_timelinejs(precision: str, start: str, end: str) -> str:
        """TimelineJS has no week (a start and an end: a range), and a range of one
        day is that day."""
        if precision == "week":
            return "range"
        return "day" if precision == "range" and start == end else precision

    expected = [(t, s, e, as_timelinejs(p, s, e)) for t, s, e, p in dated(seeded_url)]
    assert dated(target) == expected
    assert any(p == "week" for *_, p in dated(seeded_url))
