"""The chronological views end to end on the seeded article, on SQLite and PostgreSQL:
every command and option with its exit code and parsed output, the same JSON on both
backends, bad input as one `error:` line, and shell completion from the database.

Expected results are computed here from the full `events --format json` output (or the
seed's dates), not from the filters under test."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import PostgresServer, Templates, need_postgres, run, url_string
from sqlalchemy.engine import URL
from test_seeds import EXPECTED_DATES
from typer.testing import CliRunner, Result

from timeline.resources import bundled_dir

pytestmark = pytest.mark.read_only  # every test here only reads (see conftest.py)

ARTICLE = (bundled_dir("seeds") / "unn-2025-09-15-west-2025.txt").read_text(encoding="utf-8")
ORDER = sorted(EXPECTED_DATES, key=lambda s: (*EXPECTED_DATES[s][:2], s.encode()))
DESIGN_KEYS = ["slug", "title", "type", "modality", "start", "end", "precision", "date_text",
               "place", "countries", "summary", "actors", "sources", "relations"]  # fmt: skip


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    return result.stdout


def as_json(result: Result) -> Any:
    output = ok(result)
    assert result.stderr == ""
    return json.loads(output)


def slugs(result: Result) -> list[str]:
    return [e["slug"] for e in as_json(result)]


def fails(result: Result, code: int, message: str) -> None:
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\n"


@pytest.fixture
def everything(seeded_url: URL) -> list[dict[str, Any]]:
    return list(as_json(run(seeded_url, "events", "--format", "json")))


def where(events: list[dict[str, Any]], keep: Callable[[dict[str, Any]], bool]) -> list[str]:
    return [e["slug"] for e in events if keep(e)]


def involves(event: dict[str, Any], actor: str) -> bool:
    return any(a["slug"] == actor for a in event["actors"])


# --- timeline events ----------------------------------------------------------------------


def test_events_json_is_the_whole_chronology_in_order(everything: list[dict[str, Any]]) -> None:
    assert [e["slug"] for e in everything] == ORDER
    assert {e["slug"]: (e["start"], e["end"], e["precision"]) for e in everything} == (
        EXPECTED_DATES
    )
    for event in everything:
        assert [k for k in event if k in DESIGN_KEYS] == DESIGN_KEYS
        assert event["actors"] == sorted(event["actors"], key=lambda a: (a["slug"], a["role"]))
        assert [r["direction"] for r in event["relations"]] == sorted(
            r["direction"] for r in event["relations"]
        )
        for source in event["sources"]:
            assert list(source)[:3] == ["slug", "name", "quote"]
            if source["slug"] == "unn-2025-09-15-west-2025":
                assert ARTICLE[source["quote_start"] : source["quote_end"]] == source["quote"]


def test_an_event_in_json(everything: list[dict[str, Any]]) -> None:
    west = everything[ORDER.index("west-2025-exercises-begin")]
    assert {k: west[k] for k in DESIGN_KEYS if k not in ("sources", "summary")} == {
        "slug": "west-2025-exercises-begin",
        "title": "Russia and Belarus begin the West-2025 joint military exercises",
        "type": "military_exercise",
        "modality": "occurred",
        "start": "2025-09-12",
        "end": "2025-09-12",
        "precision": "day",
        "date_text": "on Friday",
        "place": "Training grounds in Russia and Belarus",
        "countries": ["BLR", "RUS"],
        "actors": [
            {"slug": "belarus", "name": "Belarus", "kind": "state", "role": "initiator"},
            {"slug": "russia", "name": "Russia", "kind": "state", "role": "initiator"},
        ],
        "relations": [
            {"kind": "context_for", "slug": "foreign-observers-attend-west-2025",
             "direction": "outgoing"},
            {"kind": "context_for", "slug": "us-military-observes-west-2025",
             "direction": "outgoing"},
            {"kind": "follows", "slug": "poland-shoots-down-russian-drones",
             "direction": "outgoing"},
        ],
    }  # fmt: skip
    assert west["aliases"] == ["West-2025", "Zapad-2025"]
    assert (west["anchor_event"], west["anchor_source"]) == (None, "unn-2025-09-15-west-2025")
    assert [s["slug"] for s in west["sources"]] == ["unn-2025-09-15-west-2025"]
    # A relation is listed from both ends.
    drones = everything[ORDER.index("russian-drones-enter-polish-airspace")]
    assert drones["relations"] == [
        {"kind": "in_response_to", "slug": "poland-shoots-down-russian-drones",
         "direction": "incoming"}
    ]  # fmt: skip


def test_events_table(seeded_url: URL) -> None:
    result = run(seeded_url, "events")
    lines = ok(result).splitlines()
    assert result.stderr == ""
    assert lines[0].split() == ["date", "event", "actors", "sources"]
    assert lines[2] == "February 2022"
    assert lines[3].startswith(
        "Feb 2022             Belarus lets Russia send tens of thousands of "
    )
    headings = [line for line in lines if line in ("February 2022", "September 2025")]
    assert headings == ["February 2022", "September 2025"]
    assert "week of 8 Sep 2025   US envoy John Coale visits Minsk" in ok(result)
    assert "8–15 Sep 2025" in ok(result)
    assert "(planned)" in ok(result)  # an intention is not shown as a fact
    # Every slug whole (not folded), in order.
    places = [re.search(rf"(?m)^ {{21}}{re.escape(slug)}( |$)", ok(result)) for slug in ORDER]
    assert all(places)
    assert [p.start() for p in places if p] == sorted(p.start() for p in places if p)
    assert all(len(line) <= 100 and line == line.rstrip() for line in lines)


def test_machine_formats_agree(seeded_url: URL, everything: list[dict[str, Any]]) -> None:
    ndjson = ok(run(seeded_url, "events", "--format", "ndjson")).splitlines()
    assert [json.loads(line) for line in ndjson] == everything
    rows = list(csv.DictReader(io.StringIO(ok(run(seeded_url, "events", "--format", "csv")))))
    assert [r["slug"] for r in rows] == ORDER
    coale = rows[ORDER.index("coale-visits-minsk")]
    assert coale["actors"] == "alexander-lukashenka:host; john-coale:initiator"
    assert coale["sources"] == "unn-2025-09-15-west-2025"
    assert (coale["start"], coale["end"], coale["precision"]) == (
        "2025-09-08",
        "2025-09-14",
        "week",
    )
    markdown = ok(run(seeded_url, "events", "--format", "markdown")).splitlines()
    assert markdown[:2] == [
        "| date | event | slug | type | actors | sources |",
        "|---|---|---|---|---|---|",
    ]
    assert [line.split(" | ")[2] for line in markdown[2:]] == ORDER
    assert markdown[3].startswith("| week of 8 Sep 2025 | US envoy John Coale visits Minsk")


def test_desc_is_the_exact_reverse(seeded_url: URL, everything: list[dict[str, Any]]) -> None:
    assert as_json(run(seeded_url, "events", "--desc", "--format", "json")) == everything[::-1]
    assert (
        slugs(run(seeded_url, "events", "--desc", "--limit", "2", "--format", "json"))
        == (ORDER[::-1][:2])
    )


def test_limit(seeded_url: URL) -> None:
    assert slugs(run(seeded_url, "events", "--limit", "3", "--format", "json")) == ORDER[:3]
    assert slugs(run(seeded_url, "events", "--limit", "999", "--format", "json")) == ORDER


@pytest.mark.parametrize(
    ("window", "first", "last"),
    [
        (["--from", "2025-09-15"], "2025-09-15", "9999-12-31"),
        (["--to", "2022"], "0001-01-01", "2022-12-31"),
        (["--from", "2025-09-10", "--to", "2025-09-10"], "2025-09-10", "2025-09-10"),
        (["--from", "2025-09-13", "--to", "2025-09-14"], "2025-09-13", "2025-09-14"),
        (["--from", "2022-02-28", "--to", "2025-09-07"], "2022-02-28", "2025-09-07"),
        (["--from", "2025-09", "--to", "2025-09"], "2025-09-01", "2025-09-30"),
        (["--from", "2023", "--to", "2024"], "2023-01-01", "2024-12-31"),
    ],
)
def test_a_window_keeps_the_events_that_overlap_it(
    seeded_url: URL, everything: list[dict[str, Any]], window: list[str], first: str, last: str
) -> None:
    expected = where(everything, lambda e: e["start"] <= last and e["end"] >= first)
    assert slugs(run(seeded_url, "events", *window, "--format", "json")) == expected


@pytest.mark.parametrize(
    ("names", "actors"),
    [
        (["alexander-lukashenka"], ["alexander-lukashenka"]),
        (["LUKASHENKO"], ["alexander-lukashenka"]),
        (["Aliaksandr Lukashenka"], ["alexander-lukashenka"]),
        (["John Cole"], ["john-coale"]),  # the article's spelling
        (["TURKIYE"], ["turkey"]),  # Türkiye, without its accent
        (["American military"], ["us-military"]),
        (["john-coale", "Lukashenka"], ["john-coale", "alexander-lukashenka"]),
        (["Trump", "lukashenka", "coale"], ["donald-trump", "alexander-lukashenka", "john-coale"]),
        (["poland", "belarus"], ["poland", "belarus"]),
    ],
)
def test_actors_by_any_spelling_and_repeated_to_narrow(
    seeded_url: URL, everything: list[dict[str, Any]], names: list[str], actors: list[str]
) -> None:
    expected = where(everything, lambda e: all(involves(e, a) for a in actors))
    options = [word for name in names for word in ("--actor", name)]
    assert slugs(run(seeded_url, "events", *options, "--format", "json")) == expected


def test_narrowing_examples(seeded_url: URL) -> None:
    both = run(seeded_url, "events", "--actor", "trump", "--actor", "lukashenko", "-f", "json")
    assert slugs(both) == ["trump-sends-letter-to-lukashenka"]
    assert (
        slugs(run(seeded_url, "events", "--actor", "poland", "--actor", "belarus", "-f", "json"))
        == []
    )


@pytest.mark.parametrize(
    ("options", "keep"),
    [
        (["--type", "statement"], lambda e: e["type"] == "statement"),
        (["--type", "letter"], lambda e: e["type"] == "letter"),
        (
            ["--source", "belarus-mod-video-west-2025"],
            lambda e: any(s["slug"] == "belarus-mod-video-west-2025" for s in e["sources"]),
        ),
        (
            ["--source", "John Coale's remarks on US–Belarus relations"],
            lambda e: any(s["slug"] == "coale-remarks-2025-09" for s in e["sources"]),
        ),
        (
            ["--type", "statement", "--actor", "us-military"],
            lambda e: e["type"] == "statement" and involves(e, "us-military"),
        ),
        (["--search", "zapad"], lambda e: e["slug"] == "west-2025-exercises-begin"),
        (
            ["--search", "BELAVIA"],
            lambda e: "belavia" in (e["title"] + (e["summary"] or "")).lower(),
        ),
        (
            ["--search", "from prisons"],
            lambda e: any("from prisons" in (s["quote"] or "") for s in e["sources"]),
        ),
        (
            ["--search", "everything you"],
            lambda e: (
                any("everything you" in (s["quote"] or "") for s in e["sources"])
                or "everything you" in e["title"] + (e["summary"] or "")
            ),
        ),
    ],
)
def test_type_source_and_search(
    seeded_url: URL, everything: list[dict[str, Any]], options: list[str], keep: Any
) -> None:
    expected = where(everything, keep)
    assert expected
    assert slugs(run(seeded_url, "events", *options, "--format", "json")) == expected


def test_search_finds_a_quote_only_in_quotes(seeded_url: URL) -> None:
    found = slugs(run(seeded_url, "events", "--search", "from prisons", "--format", "json"))
    assert found == ["lukashenka-agrees-to-release-52-prisoners"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--from", "2025-02-30"],
            "invalid date '2025-02-30' for --from: use YYYY-MM-DD, YYYY-MM or YYYY",
        ),
        (["--to", "2025-13"], "invalid date '2025-13' for --to: use YYYY-MM-DD, YYYY-MM or YYYY"),
        (
            ["--from", "last week"],
            "invalid date 'last week' for --from: use YYYY-MM-DD, YYYY-MM or YYYY",
        ),
        (
            ["--from", "2025-09-16", "--to", "2025-09-15"],
            "--from 2025-09-16 is after --to 2025-09-15",
        ),
        (
            ["--type", "battle"],
            "invalid value for '--type': 'battle' is not one of 'military_exercise', 'airspace_incident', 'troop_deployment', 'diplomatic_visit', 'diplomatic_relations', 'meeting', 'statement', 'letter', 'media_release', 'observation', 'prisoner_release', 'sanctions_change', 'agreement', 'attack', 'protest', 'other', 'appeal', 'cooperation', 'aid', 'concession', 'investigation', 'demand', 'criticism', 'rejection', 'threat', 'force_posture', 'reduced_relations', 'coercion', 'fight', 'mass_violence' "
            "(see `timeline events --help`)",
        ),
        (
            ["--format", "xml"],
            "invalid value for '--format' / '-f': 'xml' is not one of 'table', 'json', 'ndjson', 'csv', 'markdown' "
            "(see `timeline events --help`)",
        ),
        (["--limit", "0"], "--limit must be a number from 1 to 9223372036854775807, not 0"),
        (["--limit", "-2"], "--limit must be a number from 1 to 9223372036854775807, not -2"),
        (
            ["--actor", "Lukashenk"],
            "no actor matches 'Lukashenk'; did you mean: Alexander Lukashenka",
        ),
        (["--actor", "nobody at all"], "no actor matches 'nobody at all' (see `timeline actors`)"),
        (
            ["--actor", "russia", "--actor", "Pollend"],
            "no actor matches 'Pollend'; did you mean: Poland",
        ),
        (["--source", "reuters"], "no source matches 'reuters' (see `timeline sources`)"),
        (["--search", " "], "--search needs some text"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(
    seeded_url: URL, options: list[str], message: str
) -> None:
    for fmt in ("table", "csv"):  # nothing is written before the input is checked
        fails(run(seeded_url, "events", *options, "--format", fmt) if "--format" not in options
              else run(seeded_url, "events", *options), 2, message)  # fmt: skip


def test_counts_table_names_the_events_longer_than_a_period(seeded_url: URL) -> None:
    text = ok(run(seeded_url, "counts", "--per", "week", "--from", "2025-09"))
    lines = text.splitlines()
    assert lines[0].split() == ["week", "type", "events"]
    assert lines[2].split() == ["2025-09-08", "airspace_incident", "2"]
    assert lines[-1].split() == ["longer", "than", "a", "week", "statement", "1"]
    rows = as_json(run(seeded_url, "counts", "--per", "week", "--format", "json"))
    assert sum(r["events"] for r in rows) == 17
    assert rows[-1] == {"week": None, "type": "troop_deployment", "events": 1}  # February 2022


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--per", "decade"],
            "invalid value for '--per': 'decade' is not one of 'day', 'week', 'month', 'year' "
            "(see `timeline counts --help`)",
        ),
        (
            ["--from", "2025-13"],
            "invalid date '2025-13' for --from: use YYYY-MM-DD, YYYY-MM or YYYY",
        ),
        (["--actor", "nobody at all"], "no actor matches 'nobody at all' (see `timeline actors`)"),
    ],
)
def test_counts_bad_input_is_one_error_line_and_exit_2(
    seeded_url: URL, options: list[str], message: str
) -> None:
    fails(run(seeded_url, "counts", *options), 2, message)


def test_a_malformed_limit_is_a_usage_error(seeded_url: URL) -> None:
    result = run(seeded_url, "events", "--limit", "many")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: invalid value for '--limit': 'many' is not a valid int "
        "(see `timeline events --help`)\n"
    )


@pytest.mark.parametrize(
    ("fmt", "empty"),
    [("json", "[]\n"), ("ndjson", ""), ("csv", "slug,title,type,modality,start,end,precision,"
     "date_text,anchor_event,anchor_source,place,countries,aliases,actors,sources,relations,"
     "summary\n"), ("markdown", "| date | event | slug | type | actors | sources |\n"
     "|---|---|---|---|---|---|\n"), ("table", "")],
)  # fmt: skip
def test_an_empty_result(seeded_url: URL, fmt: str, empty: str) -> None:
    result = run(seeded_url, "events", "--from", "2024", "--to", "2024", "--format", fmt)
    assert result.exit_code == 0
    assert result.stdout == empty
    assert result.stderr == ("No events match.\n" if fmt == "table" else "")


def test_an_empty_database(db_url: URL) -> None:
    assert as_json(run(db_url, "events", "--format", "json")) == []
    assert as_json(run(db_url, "actors", "--format", "json")) == []
    assert as_json(run(db_url, "sources", "--format", "json")) == []
    fails(run(db_url, "event", "x"), 2, "no event with slug 'x' (see `timeline events`)")
    fails(run(db_url, "actor", "x"), 2, "no actor matches 'x' (see `timeline actors`)")


# --- timeline event SLUG --------------------------------------------------------------


def with_source_details(record: dict[str, Any], url: URL) -> dict[str, Any]:
    """The listing's record as `event` shows it: each source with its URL and date."""
    published = {r["slug"]: r for r in as_json(run(url, "sources", "--format", "json"))}
    return {
        **record,
        "sources": [
            {
                **s,
                "url": published[s["slug"]]["url"],
                "published": published[s["slug"]]["published"],
            }
            for s in record["sources"]
        ],
    }


def test_event_json_is_the_record(seeded_url: URL, everything: list[dict[str, Any]]) -> None:
    for slug in ("coale-says-trump-wants-normal-relations", "us-officers-thank-khrenin"):
        record = with_source_details(everything[ORDER.index(slug)], seeded_url)
        assert as_json(run(seeded_url, "event", slug, "--format", "json")) == record
        assert as_json(run(seeded_url, "event", slug, "--format", "ndjson")) == record
        rows = list(csv.DictReader(io.StringIO(ok(run(seeded_url, "event", slug, "-f", "csv")))))
        assert [r["slug"] for r in rows] == [slug]
        markdown = ok(run(seeded_url, "event", slug, "--format", "markdown")).splitlines()
        assert len(markdown) == 3 and f"| {slug} |" in markdown[2]


def test_event_table_tells_the_whole_story(seeded_url: URL) -> None:
    result = run(seeded_url, "event", "coale-says-trump-wants-normal-relations")
    text = ok(result)
    lines = text.splitlines()
    assert lines[0] == (
        "Coale says Trump wants to reopen the US embassy and normalize relations with Belarus"
    )
    assert lines[2] == "slug       coale-says-trump-wants-normal-relations"
    assert lines[3] == "date       8–15 Sep 2025 (precision range: 2025-09-08…2025-09-15)"
    assert lines[4].startswith(
        "resolved   against event coale-visits-minsk (week of 8 Sep 2025) and the publication"
    )
    assert "Actors\n  role      actor                         kind\n" in text
    assert "  speaker   John Coale (john-coale)       person" in text
    assert (
        "  coale-remarks-2025-09  John Coale's remarks on US–Belarus relations\n    (no quote)"
    ) in text
    assert "    “Trump wants to reopen the US embassy in Belarus in the near future" in text
    assert "  includes   Trump plans to reopen the US embassy" in text
    assert "  follows    US envoy John Coale visits Minsk for talks with Lukashenka" in text
    assert all(len(line) <= 100 and line == line.rstrip() for line in lines)


def test_event_table_shows_the_wording(seeded_url: URL) -> None:
    lines = ok(run(seeded_url, "event", "west-2025-exercises-begin")).splitlines()
    assert lines[3:6] == [
        "date       12 Sep 2025 (precision day: 2025-09-12)",
        "wording    “on Friday”",
        "resolved   against the publication of unn-2025-09-15-west-2025 (15 Sep 2025)",
    ]
    assert "aliases    West-2025, Zapad-2025" in lines


def test_an_unknown_event(seeded_url: URL) -> None:
    fails(
        run(seeded_url, "event", "coale-visit-minsk"),
        2,
        "no event with slug 'coale-visit-minsk'; did you mean: coale-visits-minsk",
    )
    fails(run(seeded_url, "event", "x", "--format", "yaml"), 2,
          "invalid value for '--format' / '-f': 'yaml' is not one of 'table', 'json', 'ndjson', 'csv', 'markdown' (see `timeline event --help`)")  # fmt: skip


# --- timeline actors / actor NAME --------------------------------------------------------


def test_actors_json(seeded_url: URL, everything: list[dict[str, Any]]) -> None:
    rows = as_json(run(seeded_url, "actors", "--format", "json"))
    assert [r["slug"] for r in rows] == sorted(r["slug"] for r in rows)
    assert len(rows) == 16
    for row in rows:
        assert list(row) == ["slug", "name", "kind", "country", "events", "first", "last"]
        mine = [e for e in everything if involves(e, row["slug"])]
        assert row["events"] == len(mine)
        assert row["first"] == (min(e["start"] for e in mine) if mine else None)
        assert row["last"] == (max(e["end"] for e in mine) if mine else None)
    lukashenka = next(r for r in rows if r["slug"] == "alexander-lukashenka")
    assert lukashenka == {
        "slug": "alexander-lukashenka", "name": "Alexander Lukashenka", "kind": "person",
        "country": "BLR", "events": 3, "first": "2025-09-08", "last": "2025-09-14",
    }  # fmt: skip


def test_actors_table_and_csv(seeded_url: URL) -> None:
    lines = ok(run(seeded_url, "actors")).splitlines()
    assert lines[0].split() == ["actor", "kind", "country", "events", "first", "last"]
    assert lines[2].split() == [
        "Alexander",
        "Lukashenka",
        "person",
        "BLR",
        "3",
        "2025-09-08",
        "2025-09-14",
    ]
    assert lines[3].strip() == "alexander-lukashenka"
    assert all(len(line) <= 100 and line == line.rstrip() for line in lines)
    rows = list(csv.DictReader(io.StringIO(ok(run(seeded_url, "actors", "--format", "csv")))))
    nato = next(r for r in rows if r["slug"] == "nato")
    assert nato == {"slug": "nato", "name": "NATO", "kind": "organization", "country": "",
                    "events": "0", "first": "", "last": ""}  # fmt: skip
    ndjson = ok(run(seeded_url, "actors", "--format", "ndjson")).splitlines()
    assert len(ndjson) == 16
    markdown = ok(run(seeded_url, "actors", "--format", "markdown")).splitlines()
    assert markdown[0] == "| slug | name | kind | country | events | first | last |"


def test_actor_json(seeded_url: URL, everything: list[dict[str, Any]]) -> None:
    actor = as_json(run(seeded_url, "actor", "LUKASHENKO", "--format", "json"))
    assert {k: v for k, v in actor.items() if k != "events"} == {
        "slug": "alexander-lukashenka",
        "name": "Alexander Lukashenka",
        "kind": "person",
        "country": "BLR",
        "description": "President of Belarus",
        "aliases": ["Alexander Lukashenko", "Aliaksandr Lukashenka", "Alyaksandr Lukashenka",
                    "Lukashenka", "Lukashenko", "Łukaszenka", "Łukašenka"],
        "affiliation": {"slug": "belarus", "name": "Belarus"},
        "members": [],
    }  # fmt: skip
    mine = [e for e in everything if involves(e, "alexander-lukashenka")]
    assert [{k: v for k, v in e.items() if k != "roles"} for e in actor["events"]] == mine
    assert [(e["slug"], e["roles"]) for e in actor["events"]] == [
        ("coale-visits-minsk", ["host"]),
        ("lukashenka-agrees-to-release-52-prisoners", ["initiator"]),
        ("trump-sends-letter-to-lukashenka", ["recipient"]),
    ]
    assert as_json(run(seeded_url, "actor", "alexander-lukashenka", "-f", "ndjson")) == actor
    belarus = as_json(run(seeded_url, "actor", "Minsk", "--format", "json"))
    assert belarus["slug"] == "belarus"
    assert [m["slug"] for m in belarus["members"]] == [
        "alexander-lukashenka", "belarus-ministry-of-defence", "belavia"
    ]  # fmt: skip


def test_actor_table_and_csv(seeded_url: URL) -> None:
    text = ok(run(seeded_url, "actor", "john cole"))
    lines = text.splitlines()
    assert lines[:3] == ["actor    John Coale", "slug     john-coale", "kind     person"]
    assert "aliases  Coale, John Cole" in lines
    assert "part of  United States (united-states)" in lines
    assert "events   4" in lines
    header = next(line for line in lines if line.startswith("date"))
    assert header.split() == ["date", "event", "role", "sources"]
    assert "with Alexander Lukashenka" in text
    assert "initiator" in text and "mediator" in text
    assert all(len(line) <= 100 and line == line.rstrip() for line in lines)
    rows = list(csv.DictReader(io.StringIO(ok(run(seeded_url, "actor", "coale", "-f", "csv")))))
    assert [(r["slug"], r["roles"]) for r in rows][:2] == [
        ("coale-visits-minsk", "initiator"),
        ("lukashenka-agrees-to-release-52-prisoners", "participant"),
    ]
    markdown = ok(run(seeded_url, "actor", "coale", "-f", "markdown")).splitlines()
    assert markdown[0] == "| date | event | slug | type | role | actors | sources |"
    assert len(markdown) == 2 + 4


def test_an_unknown_actor(seeded_url: URL) -> None:
    fails(
        run(seeded_url, "actor", "Khrenine"),
        2,
        "no actor matches 'Khrenine'; did you mean: Viktor Khrenin",
    )


# --- timeline sources, info -----------------------------------------------------------------


def test_sources(seeded_url: URL, everything: list[dict[str, Any]]) -> None:
    rows = as_json(run(seeded_url, "sources", "--format", "json"))
    assert [r["slug"] for r in rows] == sorted(r["slug"] for r in rows)
    for row in rows:
        assert list(row) == ["slug", "name", "kind", "publisher", "url", "published", "cites",
                             "events", "quotes"]  # fmt: skip
        assert row["events"] == len(
            [e for e in everything if any(s["slug"] == row["slug"] for s in e["sources"])]
        )
        quotes = [s for e in everything for s in e["sources"] if s["slug"] == row["slug"]]
        assert row["quotes"] == len([s for s in quotes if s["quote"] is not None])
    unn = next(r for r in rows if r["slug"] == "unn-2025-09-15-west-2025")
    assert (unn["published"], unn["cites"]) == ("2025-09-15", ["reuters-2025-09-west-2025"])
    reuters = next(r for r in rows if r["slug"] == "reuters-2025-09-west-2025")
    assert reuters["cites"] == [
        "belarus-mod-statement-west-2025", "belarus-mod-video-west-2025", "coale-remarks-2025-09"
    ]  # fmt: skip
    table = ok(run(seeded_url, "sources"))
    assert "cites: reuters-2025-09-west-2025" in table
    assert table.splitlines()[0].split() == ["source", "kind", "published", "events", "quotes"]
    csv_rows = list(csv.DictReader(io.StringIO(ok(run(seeded_url, "sources", "-f", "csv")))))
    assert next(r for r in csv_rows if r["slug"] == reuters["slug"])["cites"] == (
        "belarus-mod-statement-west-2025; belarus-mod-video-west-2025; coale-remarks-2025-09"
    )


def test_info(seeded_url: URL, backend: str) -> None:
    info = as_json(run(seeded_url, "info", "--format", "json"))
    assert list(info) == ["database", "backend", "role", "lag", "revision", "tables"]
    assert (info["backend"], info["revision"]) == (backend, "0004_imported_event_data")
    assert (info["role"], info["lag"]) == (None if backend == "sqlite" else "primary", None)
    assert info["tables"]["events"] == 17
    assert info["tables"]["actors"] == 16
    assert len(info["tables"]) == 11
    text = ok(run(seeded_url, "info"))
    assert "revision  0004_imported_event_data" in text
    assert "events               17" in text
    rows = list(csv.reader(io.StringIO(ok(run(seeded_url, "info", "--format", "csv")))))
    assert rows[0] == ["table", "rows"] and ["events", "17"] in rows


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_info_hides_the_password(seeded_url: URL) -> None:
    with_password = url_string(seeded_url.set(password="s3cret"))  # trust auth ignores it
    result = run(with_password, "info", "--format", "json")
    assert "s3cret" not in result.stdout + result.stderr
    assert as_json(result)["database"].startswith("postgresql+psycopg://postgres:***@")


# --- completion ---------------------------------------------------------------------------


def complete(url: URL | str, words: str) -> list[str]:
    from timeline.cli import app

    line = f"timeline --db {url if isinstance(url, str) else url_string(url)} {words}"
    result = CliRunner().invoke(
        app,
        [],
        prog_name="timeline",
        env={
            "_TIMELINE_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(line.split()) - (0 if line.endswith(" ") else 1)),
        },
    )
    assert result.exit_code == 0
    return [line for line in result.stdout.splitlines() if line]


def test_completion_of_actors_and_events(seeded_url: URL) -> None:
    assert complete(seeded_url, "events --actor luk") == [
        "lukasenka", "lukashenka", "lukashenko", "lukaszenka"
    ]  # fmt: skip
    assert complete(seeded_url, "events --actor Luk") == ["Lukashenka", "Lukashenko"]
    assert complete(seeded_url, "events --actor alex") == ["alexander-lukashenka"]
    assert complete(seeded_url, "actor joh") == ["john-coale"]
    assert complete(seeded_url, "event us-o") == [
        "us-officers-decline-to-speak-to-journalists", "us-officers-thank-khrenin"
    ]  # fmt: skip
    assert len(complete(seeded_url, "event ")) == 17


def test_completion_without_a_database_completes_nothing_and_creates_nothing() -> None:
    assert complete("missing.db", "event us") == []
    assert complete("missing.db", "events --actor luk") == []
    assert list(Path.cwd().iterdir()) == []


# --- both backends agree ------------------------------------------------------------------

VIEWS = [
    ["events", "--format", "json"],
    ["events", "--desc", "--actor", "belarus", "--format", "ndjson"],
    ["events", "--from", "2025-09-10", "--to", "2025-09", "--format", "csv"],
    ["events", "--search", "the", "--format", "markdown"],
    ["events"],
    ["event", "us-military-observes-west-2025", "--format", "json"],
    ["event", "us-military-observes-west-2025"],
    ["actors", "--format", "json"],
    ["actors"],
    ["actor", "Khrenin", "--format", "json"],
    ["actor", "Khrenin"],
    ["sources", "--format", "json"],
    ["sources"],
]


def test_sqlite_and_postgresql_print_the_same(
    templates: Templates, postgres: PostgresServer | None, tmp_path: Path
) -> None:
    need_postgres(postgres)
    with (
        templates.shared("sqlite", "seeded", tmp_path) as one,
        templates.shared("postgresql", "seeded", tmp_path) as other,
    ):
        for view in VIEWS:
            sqlite, postgresql = run(one, *view), run(other, *view)
            assert sqlite.exit_code == postgresql.exit_code == 0
            assert sqlite.stdout == postgresql.stdout, view
            assert len(sqlite.stdout) > 100


# --- a database that cannot be read --------------------------------------------------------

MY_COMMANDS = [
    ["events", "--actor", "lukashenko", "--format", "json"],
    ["event", "west-2025-exercises-begin", "--format", "json"],
    ["actors", "--format", "csv"],
    ["actor", "khrenin"],
    ["sources", "--format", "ndjson"],
    ["info", "--format", "json"],
]


@pytest.mark.parametrize("command", MY_COMMANDS, ids=[c[0] for c in MY_COMMANDS])
def test_a_missing_database_is_a_hint_and_nothing_is_created(command: list[str]) -> None:
    result = run("missing.db", *command)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: no timeline database at sqlite:///missing.db; "
        "run `timeline load` or `timeline db upgrade` to create it\n"
    )
    assert list(Path.cwd().iterdir()) == []


@pytest.mark.parametrize("command", MY_COMMANDS, ids=[c[0] for c in MY_COMMANDS])
def test_a_database_without_the_schema_is_refused(
    empty_url: URL, backend: str, command: list[str]
) -> None:
    if backend == "sqlite":  # a file that holds something else
        import sqlite3

        with sqlite3.connect(str(empty_url.database)) as connection:
            connection.execute("CREATE TABLE notes (x)")
    result = run(empty_url, *command)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.endswith("has no timeline schema; run `timeline db upgrade`\n")
