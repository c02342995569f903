"""`timeline load`: the article's seeds, honest dates, verified quotes, all-or-nothing
idempotent loading, and a located one-line error for every kind of bad input."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from timeline import seeds
from timeline.errors import FileInputError
from timeline.resources import bundled_dir
from timeline.vocab import TABLES

ARTICLE = "unn-2025-09-15-west-2025"

# The article's chronology as a reader of it would date each claim.
EXPECTED_DATES = {
    "belarus-lets-russia-send-troops-into-ukraine": ("2022-02-01", "2022-02-28", "month"),
    "coale-visits-minsk": ("2025-09-08", "2025-09-14", "week"),
    "lukashenka-agrees-to-release-52-prisoners": ("2025-09-08", "2025-09-14", "week"),
    "trump-sends-letter-to-lukashenka": ("2025-09-08", "2025-09-14", "week"),
    "coale-says-trump-wants-normal-relations": ("2025-09-08", "2025-09-15", "range"),
    "us-lifts-belavia-sanctions": ("2025-09-08", "2025-09-15", "range"),
    "us-plans-to-reopen-embassy-in-belarus": ("2025-09-08", "2025-09-15", "range"),
    "poland-shoots-down-russian-drones": ("2025-09-10", "2025-09-10", "day"),
    "russian-drones-enter-polish-airspace": ("2025-09-10", "2025-09-10", "day"),
    "west-2025-exercises-begin": ("2025-09-12", "2025-09-12", "day"),
    "us-military-observes-west-2025": ("2025-09-15", "2025-09-15", "day"),
    "khrenin-invites-us-officers-to-see-everything": ("2025-09-15", "2025-09-15", "day"),
    "us-officers-decline-to-speak-to-journalists": ("2025-09-15", "2025-09-15", "day"),
    "us-officers-thank-khrenin": ("2025-09-15", "2025-09-15", "day"),
    "belarus-mod-presents-us-visit-as-surprise": ("2025-09-15", "2025-09-15", "day"),
    "foreign-observers-attend-west-2025": ("2025-09-15", "2025-09-15", "day"),
    "belarus-mod-publishes-video-of-us-officers": ("2025-09-15", "2025-09-15", "range"),
}


def snapshot(url: URL) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: equal snapshots mean nothing was written.
    (The tables are listed rather than reflected: reflection costs 0.1 s on PostgreSQL.)"""
    from sqlalchemy import inspect, text

    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        quote = connection.dialect.identifier_preparer.quote
        state = {
            name: sorted(
                map(tuple, connection.execute(text(f"SELECT * FROM {quote(name)}"))), key=repr
            )
            for name in inspect(connection).get_table_names()
        }
    engine.dispose()
    return state


def rows(url: URL, sql: str) -> list[tuple[Any, ...]]:
    from sqlalchemy import text

    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        result = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return result


# --- the bundled article ---------------------------------------------------------------


@pytest.mark.read_only
def test_every_claim_of_the_article_is_dated_as_the_article_says(seeded_url: URL) -> None:
    found = {
        slug: (str(start), str(end), precision)
        for slug, start, end, precision in rows(
            seeded_url, "SELECT slug, start_date, end_date, precision FROM events"
        )
    }
    assert found == EXPECTED_DATES


@pytest.mark.read_only
def test_dates_keep_the_wording_and_what_they_were_resolved_against(seeded_url: URL) -> None:
    found = {
        row[0]: row[1:]
        for row in rows(
            seeded_url,
            "SELECT e.slug, e.date_text, a.slug, s.slug FROM events e"
            " LEFT JOIN events a ON a.id = e.anchor_event_id"
            " LEFT JOIN sources s ON s.id = e.anchor_source_id",
        )
    }
    assert found["west-2025-exercises-begin"] == ("on Friday", None, ARTICLE)
    assert found["us-military-observes-west-2025"] == ("On Monday", None, ARTICLE)
    assert found["coale-visits-minsk"] == ("last week", None, ARTICLE)
    assert found["poland-shoots-down-russian-drones"] == (
        "two days after Poland shot down Russian drones",
        "west-2025-exercises-begin",
        None,
    )
    assert found["us-lifts-belavia-sanctions"] == (
        "In response",
        "lukashenka-agrees-to-release-52-prisoners",
        ARTICLE,
    )
    assert found["belarus-lets-russia-send-troops-into-ukraine"] == ("in February 2022", None, None)


@pytest.mark.read_only
def test_every_event_has_evidence_and_every_quote_is_at_its_offsets(seeded_url: URL) -> None:
    (text,) = rows(seeded_url, f"SELECT text FROM sources WHERE slug = '{ARTICLE}'")[0]
    stored = (bundled_dir("seeds") / f"{ARTICLE}.txt").read_bytes().decode("utf-8")
    assert text == stored  # kept exactly as given
    evidence = rows(seeded_url, "SELECT quote, quote_start, quote_end FROM evidence")
    quoted = [row for row in evidence if row[0] is not None]
    assert len(quoted) >= 17
    for quote, start, end in quoted:
        assert text[start:end] == quote
    unsupported = rows(
        seeded_url,
        "SELECT slug FROM events WHERE NOT EXISTS"
        " (SELECT 1 FROM evidence WHERE evidence.event_id = events.id)",
    )
    assert unsupported == []


@pytest.mark.read_only
def test_sources_cite_sources_and_actors_carry_their_other_spellings(seeded_url: URL) -> None:
    cites = rows(
        seeded_url,
        "SELECT a.slug, b.slug FROM source_citations c JOIN sources a ON a.id = c.citing_source_id"
        " JOIN sources b ON b.id = c.cited_source_id",
    )
    assert (ARTICLE, "reuters-2025-09-west-2025") in cites
    aliases = rows(
        seeded_url,
        "SELECT a.slug, x.alias, x.alias_key FROM actor_aliases x JOIN actors a ON a.id = x.actor_id",
    )
    assert ("alexander-lukashenka", "Alexander Lukashenko", "alexander lukashenko") in aliases
    assert ("john-coale", "John Cole", "john cole") in aliases
    event_aliases = rows(seeded_url, "SELECT alias FROM event_aliases ORDER BY alias")
    assert event_aliases == [("West-2025",), ("Zapad-2025",)]
    countries = rows(
        seeded_url,
        "SELECT c.country_code FROM event_countries c JOIN events e ON e.id = c.event_id"
        " WHERE e.slug = 'west-2025-exercises-begin' ORDER BY c.country_code",
    )
    assert countries == [("BLR",), ("RUS",)]


@pytest.mark.read_only
def test_relations_the_article_states(seeded_url: URL) -> None:
    relations = set(
        rows(
            seeded_url,
            "SELECT s.slug, r.kind, o.slug FROM event_relations r"
            " JOIN events s ON s.id = r.subject_event_id JOIN events o ON o.id = r.object_event_id",
        )
    )
    assert {
        (
            "us-lifts-belavia-sanctions",
            "in_response_to",
            "lukashenka-agrees-to-release-52-prisoners",
        ),
        ("west-2025-exercises-begin", "follows", "poland-shoots-down-russian-drones"),
    } <= relations


# --- loading: atomic, idempotent, owned by file ----------------------------------------


INFO_COUNTS = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in TABLES)


def test_load_creates_and_migrates_a_missing_database_then_is_idempotent(tmp_path: Path) -> None:
    database = tmp_path / "new.db"
    first = run(str(database), "load")
    assert first.exit_code == 0, first.stderr
    assert "(a new database)" in first.stdout
    assert "events                   17        0        0          0" in first.stdout
    url = URL.create("sqlite", database=str(database))
    before = snapshot(url)

    # The same summary as `timeline import`: every table, each created row counted once.
    tables = {table: count for table, count in rows(url, INFO_COUNTS)}
    summary = first.stdout.splitlines()[2 : 2 + len(TABLES)]
    assert [line.split()[0] for line in summary] == list(TABLES)
    assert {line.split()[0]: int(line.split()[1]) for line in summary} == tables

    again = run(str(database), "load")
    assert again.exit_code == 0, again.stderr
    assert "events                    0        0        0         17" in again.stdout
    assert "actor_aliases             0        0        0         30" in again.stdout
    assert "Nothing changed" in again.stdout
    assert snapshot(url) == before


def test_dry_run_shows_the_summary_and_writes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "dry.db"
    result = run(str(database), "load", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Would load seeds/")
    assert "events                   17        0        0          0" in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    assert not database.exists()


def test_dry_run_on_an_existing_database_leaves_it_unchanged(seeded_url: URL) -> None:
    before = snapshot(seeded_url)
    result = run(seeded_url, "load", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "events                    0        0        0         17" in result.stdout
    assert snapshot(seeded_url) == before


def test_an_out_of_date_database_is_refused_with_the_upgrade_hint(db_url: URL) -> None:
    from sqlalchemy import text

    engine = create_engine(db_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000_older'"))
    engine.dispose()
    before = snapshot(db_url)
    result = run(db_url, "load")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "is at schema revision 0000_older, this timeline needs 0004_imported_event_data; run `timeline db upgrade`"
    )
    assert snapshot(db_url) == before


def copy_seeds(directory: Path) -> Path:
    target = directory / "myseeds"
    shutil.copytree(bundled_dir("seeds"), target)
    return target / f"{ARTICLE}.yaml"


def edit_yaml(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_reloading_a_changed_file_updates_and_removes_only_its_own_rows(
    db_url: URL, tmp_path: Path
) -> None:
    path = copy_seeds(tmp_path)
    other = tmp_path / "other.yaml"
    other.write_text(
        yaml.safe_dump(
            {
                "actors": [{"slug": "someone-else", "name": "Someone Else", "kind": "person"}],
                "events": [
                    {
                        "slug": "other-event",
                        "title": "Another file's event",
                        "type": "statement",
                        "date": {"day": "2025-09-01"},
                        "actors": [{"actor": "belarus", "role": "speaker"}],
                        "evidence": [{"source": ARTICLE}],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert run(db_url, "load", str(path)).exit_code == 0
    assert run(db_url, "load", str(other)).exit_code == 0

    def change(data: dict[str, Any]) -> None:
        events = data["events"]
        events[0]["title"] = "A new title"
        data["events"] = [
            e for e in events if e["slug"] != "us-officers-decline-to-speak-to-journalists"
        ]
        data["actors"][0]["aliases"].append("Rossiya")

    edit_yaml(path, change)
    result = run(db_url, "load", str(path))
    assert result.exit_code == 0, result.stderr
    assert "events                    0        1        1         15" in result.stdout
    assert "actors                    0        1        0         15" in result.stdout
    assert "actor_aliases             1        0        0         30" in result.stdout
    slugs = {slug for (slug,) in rows(db_url, "SELECT slug FROM events")}
    assert "us-officers-decline-to-speak-to-journalists" not in slugs
    assert "other-event" in slugs  # another file's row is untouched
    assert ("someone-else",) in rows(db_url, "SELECT slug FROM actors")
    assert rows(
        db_url,
        "SELECT title FROM events WHERE slug = 'belarus-lets-russia-send-troops-into-ukraine'",
    ) == [("A new title",)]


def test_a_slug_that_another_file_owns_is_refused(seeded_url: URL, tmp_path: Path) -> None:
    path = tmp_path / "thief.yaml"
    path.write_text(
        yaml.safe_dump({"actors": [{"slug": "belarus", "name": "Belarus!", "kind": "state"}]}),
        encoding="utf-8",
    )
    before = snapshot(seeded_url)
    result = run(seeded_url, "load", "thief.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: thief.yaml:4: actors[0].slug: 'belarus' belongs to the seed file with id {ARTICLE!r}: "
        f"choose another slug, or add `replaces: [{ARTICLE}]` to take that file's rows over\n"
    )
    assert snapshot(seeded_url) == before


def test_a_failing_write_rolls_back_everything(
    db_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after some rows were written (here: in the relations) leaves nothing."""
    from timeline.seeds import write as module

    real = module._sync_links

    def failing(*args: Any, **kwargs: Any) -> None:
        if args[1].__table__.name == "event_relations":
            raise RuntimeError("disk on fire")
        real(*args, **kwargs)

    monkeypatch.setattr(module, "_sync_links", failing)
    before = snapshot(db_url)
    with pytest.raises(RuntimeError, match="disk on fire"):
        seeds.load_paths(db_url, None)
    assert snapshot(db_url) == before


# --- bad input: one located line, exit 2, nothing written -------------------------------

TEXT = "Alice met Bob on Friday. Bob said hello. Bob said hello.\n"
BASE: dict[str, Any] = {
    "sources": [
        {
            "slug": "paper",
            "name": "The Paper",
            "kind": "article",
            "published": "2025-09-15",
            "text_file": "paper.txt",
        }
    ],
    "actors": [{"slug": "alice", "name": "Alice", "kind": "person", "aliases": ["Alicja"]}],
    "events": [
        {
            "slug": "meeting",
            "title": "Alice meets Bob",
            "type": "meeting",
            "date": {"weekday": "friday", "text": "on Friday"},
            "actors": [{"actor": "alice", "role": "host"}],
            "evidence": [{"source": "paper", "quote": "Alice met Bob on Friday."}],
        },
        {
            "slug": "greeting",
            "title": "Bob says hello",
            "type": "statement",
            "date": {"same_as": "meeting"},
            "evidence": [{"source": "paper", "quote": "Bob said hello.", "occurrence": 1}],
        },
    ],
}


def mutated(change: Callable[[dict[str, Any]], Any]) -> str:
    data = copy.deepcopy(BASE)
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def set_in(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


DELETE = object()

BAD_INPUTS: list[tuple[str, str | bytes | None, str]] = [
    (
        "yaml syntax",
        "events:\n  - slug: a\n    title: [unclosed\n",
        "bad.yaml:4: column 1: invalid YAML: did not find expected ',' or ']': a list in brackets must end with ]",
    ),
    ("empty file", "", "bad.yaml: empty file: expected sources, actors and events"),
    (
        "only comments",
        "# nothing here\n",
        "bad.yaml: empty file: expected sources, actors and events",
    ),
    (
        "binary garbage",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "bad.yaml: not UTF-8 text (byte 0x89 at offset 0)",
    ),
    (
        "not a mapping",
        "- just\n- a list\n",
        "bad.yaml: expected a mapping with sources, actors and events, not a list",
    ),
    ("missing file", None, "missing.yaml: no such file"),
    (
        "missing field",
        mutated(set_in("events.0.title", DELETE)),
        "bad.yaml:14: events[0].title: missing required field",
    ),
    (
        "unknown field",
        mutated(set_in("events.0.colour", "red")),
        "bad.yaml:26: events[0].colour: unknown field",
    ),
    (  # found by the fuzzer: a key is quoted where it is not a plain name
        "unknown field with a newline",
        mutated(set_in("events.0.date", {"day": "2025-09-12", "a\nb": 1})),
        'bad.yaml:19: events[0].date["a\\nb"]: unknown field',
    ),
    (
        "a null key",
        "sources: []\nactors: []\nevents: []\nnull: 1\n",
        "bad.yaml:4: None: unknown field; expected id, replaces, sources, actors, events, corroborates",
    ),
    (  # a name in another script is a plain name: not quoted, not escaped
        "unknown field in Cyrillic",
        mutated(set_in("events.0.дата", "2025-09-12")),
        "bad.yaml:26: events[0].дата: unknown field",
    ),
    (
        "invalid day",
        mutated(set_in("events.0.date", {"day": "2025-02-30"})),
        "bad.yaml:18: events[0].date.day: input should be a valid date or datetime, day value is outside expected range",
    ),
    (
        "month 13",
        mutated(set_in("events.0.date", {"month": "2025-13"})),
        "bad.yaml:18: events[0].date.month: month 13 does not exist",
    ),
    (
        "unknown precision",
        mutated(
            set_in(
                "events.0.date",
                {"from": "2025-09-01", "to": "2025-09-07", "precision": "fortnight"},
            )
        ),
        "bad.yaml:20: events[0].date.precision: unknown value 'fortnight'; expected one of: day, week, month, year, range",
    ),
    (
        "precision not fitting",
        mutated(
            set_in("events.0.date", {"from": "2025-09-02", "to": "2025-09-08", "precision": "week"})
        ),
        "bad.yaml:17: events[0].date: 2025-09-02..2025-09-08 is not one week",
    ),
    (
        "two date rules",
        mutated(set_in("events.0.date.day", "2025-09-01")),
        "bad.yaml:17: events[0].date: give exactly one date rule (day, week, month, year, weekday, days_before, days_after, same_as, after, from/to); got day, weekday",
    ),
    (
        "unknown type",
        mutated(set_in("events.0.type", "party")),
        "bad.yaml:16: events[0].type: unknown value 'party'; expected one of: military_exercise, airspace_incident, troop_deployment, diplomatic_visit, diplomatic_relations, meeting, statement, letter, media_release, observation, prisoner_release, sanctions_change, agreement, attack, protest, other, appeal, cooperation, aid, concession, investigation, demand, criticism, rejection, threat, force_posture, reduced_relations, coercion, fight, mass_violence",
    ),
    (
        "unknown role",
        mutated(set_in("events.0.actors.0.role", "villain")),
        "bad.yaml:22: events[0].actors[0].role: unknown value 'villain'; expected one of: initiator, target, participant, host, observer, speaker, recipient, mediator, subject",
    ),
    (
        "unknown actor",
        mutated(set_in("events.0.actors.0.actor", "bob")),
        "bad.yaml:21: events[0].actors[0].actor: unknown actor 'bob'",
    ),
    (
        "unknown source",
        mutated(set_in("events.0.evidence.0.source", "gazette")),
        "bad.yaml:24: events[0].evidence[0].source: unknown source 'gazette'",
    ),
    (
        "unknown event",
        mutated(set_in("events.0.relations", [{"kind": "follows", "event": "nothing"}])),
        "bad.yaml:28: events[0].relations[0].event: unknown event 'nothing'",
    ),
    (
        "duplicate slug",
        mutated(set_in("events.1.slug", "meeting")),
        "bad.yaml:26: events[1].slug: duplicate event slug 'meeting' (first in bad.yaml events[0])",
    ),
    (
        "quote not in text",
        mutated(set_in("events.0.evidence.0.quote", "Alice met Carol")),
        "bad.yaml:25: events[0].evidence[0].quote: not found in the text of source 'paper'; the nearest passage, at line 1, column 1, reads 'Alice met Bob o'",
    ),
    (
        "quote twice",
        mutated(set_in("events.1.evidence.0.occurrence", DELETE)),
        "bad.yaml:33: events[1].evidence[0].quote: occurs 2 times in source 'paper' (line 1, column 26; line 1, column 42); say which with `occurrence: 1` to `2`",
    ),
    (
        "anchor missing",
        mutated(set_in("events.1.date", {"same_as": "nowhere"})),
        "bad.yaml:30: events[1].date.same_as: unknown anchor event 'nowhere'",
    ),
    (
        "anchor circular",
        mutated(set_in("events.0.date", {"days_after": 1, "anchor": "greeting"})),
        "bad.yaml:30: events[1].date.same_as: circular date anchors: meeting → greeting → meeting",
    ),
]


def write_input(directory: Path, content: str | bytes | None) -> str:
    (directory / "paper.txt").write_text(TEXT, encoding="utf-8")
    if content is None:
        return "missing.yaml"
    path = directory / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return "bad.yaml"


def test_the_base_of_the_bad_inputs_is_good(tmp_path: Path, db_url: URL) -> None:
    """So that each bad input below fails for its own reason only."""
    name = write_input(tmp_path, mutated(lambda data: None))
    result = run(db_url, "load", name)
    assert result.exit_code == 0, result.stderr
    found = rows(db_url, "SELECT slug, CAST(start_date AS VARCHAR(10)) FROM events ORDER BY slug")
    assert found == [("greeting", "2025-09-12"), ("meeting", "2025-09-12")]


@pytest.mark.parametrize(("case", "content", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_into_a_new_database_creates_nothing(
    case: str, content: str | bytes | None, message: str, tmp_path: Path
) -> None:
    name = write_input(tmp_path, content)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("new.db", "load", name)
    assert (result.exit_code, result.stderr, result.stdout) == (2, f"error: {message}\n", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# `timeline load` reads and validates every file before it opens the database; the
# checks against other records, anchors and quotes run once it is open. Bad input of
# the first kind never reaches a database, so into a populated one it is tried on
# SQLite only (and into a new one above); the second kind on both backends.
CHECKED_WITH_THE_DATABASE = {
    "precision not fitting", "unknown actor", "unknown source", "unknown event",
    "duplicate slug", "quote not in text", "quote twice", "anchor missing", "anchor circular",
}  # fmt: skip
assert {case for case, _, _ in BAD_INPUTS} >= CHECKED_WITH_THE_DATABASE
POPULATED_CASES = [
    pytest.param(
        backend,
        case,
        content,
        message,
        id=f"{backend}-{case}",
        marks=[pytest.mark.postgres] if backend == "postgresql" else [],
    )
    for case, content, message in BAD_INPUTS
    for backend in (["sqlite", "postgresql"] if case in CHECKED_WITH_THE_DATABASE else ["sqlite"])
]


@pytest.mark.parametrize(("case", "content", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_which_bad_inputs_are_refused_before_the_database_is_opened(
    case: str, content: str | bytes | None, message: str, tmp_path: Path
) -> None:
    """What lets the populated-database test below try the first kind on SQLite only."""
    name = write_input(tmp_path, content)
    try:
        inputs = seeds.read_inputs([Path(name)])
        problems = [str(problem) for item in inputs for problem in item.parsed.problems]
    except FileInputError as exc:
        problems = [str(exc)]
    assert problems == ([] if case in CHECKED_WITH_THE_DATABASE else [message])


@pytest.mark.read_only  # a refused load writes nothing: the shared database is checked
@pytest.mark.parametrize(("backend", "case", "content", "message"), POPULATED_CASES)
def test_bad_input_into_a_populated_database_changes_nothing(
    case: str, content: str | bytes | None, message: str, tmp_path: Path, seeded_url: URL
) -> None:
    name = write_input(tmp_path, content)
    before = snapshot(seeded_url)
    result = run(seeded_url, "load", name)
    assert (result.exit_code, result.stderr, result.stdout) == (2, f"error: {message}\n", "")
    assert snapshot(seeded_url) == before


def test_a_duplicate_slug_across_files_is_refused(tmp_path: Path, seeded_url: URL) -> None:
    write_input(tmp_path, mutated(lambda data: None))
    second = copy.deepcopy(BASE)
    second["sources"] = []
    second["actors"] = []
    second["events"] = second["events"][:1]
    (tmp_path / "second.yaml").write_text(yaml.safe_dump(second), encoding="utf-8")
    before = snapshot(seeded_url)
    result = run(seeded_url, "load", "bad.yaml", "second.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: second.yaml:12: events[0].slug: duplicate event slug 'meeting' "
        "(first in bad.yaml events[0])\n"
    )
    assert snapshot(seeded_url) == before


def test_a_directory_is_not_a_seed_file(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    result = run("new.db", "load", "adir")
    assert (result.exit_code, result.stderr) == (2, "error: adir: is a directory, not a file\n")
    assert not (tmp_path / "new.db").exists()


def test_a_missing_source_text_file_is_located(tmp_path: Path) -> None:
    write_input(tmp_path, mutated(set_in("sources.0.text_file", "gone.txt")))
    result = run("new.db", "load", "bad.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: bad.yaml:6: sources[0].text_file: gone.txt: no such file\n",
    )
