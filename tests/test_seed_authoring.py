"""Writing a seed file (issue 12): every error in one run with its line, YAML as people
write it, the bad seeds that used to end in a traceback, quotes that differ only in
typography, the scaffold, identity by the primary source, and corroboration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run
from sqlalchemy.engine import URL
from test_seeds import ARTICLE, rows, snapshot

from timeline.resources import bundled_dir
from timeline.vocab import EVENT_TYPES

TEXT = "Alice’s talk with Bob — on Friday — went well. Bob said hello. Bob said hello.\n"

GOOD = """\
sources:
  - slug: paper
    name: The Paper
    kind: article
    published: 2025-09-15
    text_file: paper.txt
actors:
  - slug: alice
    name: Alice
    kind: person
events:
  - slug: talk
    title: Alice talks with Bob
    type: meeting
    date: {weekday: friday, text: on Friday}
    actors: [{actor: alice, role: host}]
    evidence:
      - source: paper
        quote: "Alice’s talk with Bob — on Friday — went well."
"""


def write(directory: Path, content: str, name: str = "mine.yaml") -> str:
    (directory / "paper.txt").write_text(TEXT, encoding="utf-8")
    (directory / name).write_text(content, encoding="utf-8")
    return name


def errors(*lines: str) -> str:
    return "".join(f"error: {line}\n" for line in lines)


# --- every error in one run, with its line -----------------------------------------------

MANY_MISTAKES = """\
sources:
  - slug: paper
    name: The Paper
    kind: article
    published: 2025-09-15
    text_file: paper.txt
actors:
  - slug: Alice
    name: Alice
    kind: person
    country: NO
events:
  - slug: talk
    title: Alice talks with Bob
    type: meeting
    date: {weekday: friday, text: on Friday}
    actors: [{actor: bob, role: host}]
    evidence:
      - source: paper
        quote: "Alice's talk with Bob"
  - slug: hello
    title: Bob says hello
    type: greeting
    date: {same_as: talk}
    evidence: [{source: paper}]
"""
MANY_ERRORS = errors(
    "mine.yaml:8: actors[0].slug: 'Alice' is not a slug: a slug is lowercase letters a-z and "
    "digits, in words joined by single hyphens (like west-2025-begins), at most 120 characters",
    "mine.yaml:11: actors[0].country: 'NO' is not a country code: a country is an ISO 3166-1 "
    "alpha-3 code in capitals, like BLR or POL",
    "mine.yaml:17: events[0].actors[0].actor: unknown actor 'bob'",
    "mine.yaml:20: events[0].evidence[0].quote: not found in the text of source 'paper', but at "
    "line 1, column 1 it is there with different apostrophes or single quotes (’ in the text, ' "
    "in the quote): 'Alice’s talk with Bob'; `--fix-quotes` takes the text's characters",
    "mine.yaml:23: events[1].type: unknown value 'greeting'; expected one of: "
    + ", ".join(EVENT_TYPES),
)


@pytest.mark.parametrize("command", [["seed", "check"], ["load", "--dry-run"], ["load"]])
def test_every_error_is_reported_in_one_run_in_file_order(
    command: list[str], tmp_path: Path, seeded_url: URL
) -> None:
    name = write(tmp_path, MANY_MISTAKES)
    before = snapshot(seeded_url)
    result = run(seeded_url, *command, name)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", MANY_ERRORS)
    assert snapshot(seeded_url) == before


def test_seed_check_without_a_database_creates_none(tmp_path: Path) -> None:
    name = write(tmp_path, MANY_MISTAKES)
    result = run("new.db", "seed", "check", name)
    assert (result.exit_code, result.stderr) == (2, MANY_ERRORS)
    good = write(tmp_path, GOOD, "good.yaml")
    result = run("new.db", "seed", "check", good)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "good.yaml: no errors\n", "")
    assert not (tmp_path / "new.db").exists()


def test_errors_of_several_files_come_in_the_order_of_the_files(tmp_path: Path) -> None:
    write(tmp_path, "events:\n  - slug: x\n", "b.yaml")
    write(tmp_path, "actors:\n  - {slug: y, name: Y, kind: robot}\n", "a.yaml")
    result = run("new.db", "seed", "check", "b.yaml", "a.yaml")
    assert result.stderr == errors(
        "b.yaml:2: events[0].title: missing required field",
        "b.yaml:2: events[0].type: missing required field",
        "b.yaml:2: events[0].date: missing required field",
        "b.yaml:2: events[0].evidence: missing required field",
        "a.yaml:2: actors[0].kind: unknown value 'robot'; expected one of: person, state, "
        "organization, military, group",
    )


# --- YAML as people write it -------------------------------------------------------------


def test_yaml_1_2_no_yes_on_and_leading_zeros_are_text(tmp_path: Path) -> None:
    seed = GOOD.replace(
        "    name: Alice\n", "    name: yes\n    description: on\n    aliases: [NO, 0123]\n"
    )
    name = write(tmp_path, seed)
    result = run("t.db", "load", name)
    assert result.exit_code == 0, result.stderr
    found = rows(URL.create("sqlite", database="t.db"), "SELECT name, description FROM actors")
    assert found == [("yes", "on")]
    aliases = rows(URL.create("sqlite", database="t.db"), "SELECT alias FROM actor_aliases")
    assert sorted(aliases) == [("0123",), ("NO",)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "events:\n  - title: Tusk: x\n",
            "mine.yaml:2: column 16: invalid YAML: mapping values are not allowed in this context: "
            "a value that contains ': ' must be quoted, as in title: \"Tusk: x\"",
        ),
        (
            "events:\n\t- slug: a\n",
            "mine.yaml:2: column 1: invalid YAML: found character that cannot start any token: "
            "indent with spaces, not tabs; quote a value that starts with @ or `",
        ),
        (
            "actors:\n  - slug: a\n    slug: b\n    name: A\n    kind: person\n",
            "mine.yaml:3: actors[0].slug: duplicate key 'slug' (first on line 2)",
        ),
        (
            "actors: *nothing\n",
            "mine.yaml:1: actors: unknown alias *nothing (no &nothing before it)",
        ),
        (
            "actors: []\n---\nevents: []\n",
            "mine.yaml:2: more than one YAML document (a second ---)",
        ),
        (
            "actors: !!python/object:os.system x\n",
            "mine.yaml:1: actors: YAML tag tag:yaml.org,2002:python/object:os.system is not supported here",
        ),
        (
            "actors:\n  - <<: [a, b]\n",
            "mine.yaml:2: actors[0]: `<<` merges a mapping (or a list of them), like <<: *defaults",
        ),
        (
            "actors: {slug: a}\n",
            "mine.yaml:1: actors: expected a list of actors (items starting with -), not a mapping",
        ),
    ],
    ids=["colon", "tab", "duplicate key", "alias", "two documents", "tag", "merge", "not a list"],
)
def test_yaml_mistakes_are_named_with_their_line_and_remedy(
    content: str, message: str, tmp_path: Path
) -> None:
    name = write(tmp_path, content)
    result = run("new.db", "load", name)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", errors(message))
    assert not (tmp_path / "new.db").exists()


def test_merge_keys_work(tmp_path: Path) -> None:
    seed = (
        GOOD
        + """\
  - &base
    slug: hello-1
    title: Bob says hello
    type: statement
    date: {same_as: talk}
    evidence: [{source: paper, quote: Bob said hello., occurrence: 1}]
  - <<: *base
    slug: hello-2
    evidence: [{source: paper, quote: Bob said hello., occurrence: 2}]
"""
    )
    name = write(tmp_path, seed)
    result = run("t.db", "load", name)
    assert result.exit_code == 0, result.stderr
    found = rows(
        URL.create("sqlite", database="t.db"),
        "SELECT e.slug, e.title, v.quote_start FROM events e JOIN evidence v ON v.event_id = e.id"
        " WHERE e.slug LIKE 'hello%' ORDER BY e.slug",
    )
    assert found == [("hello-1", "Bob says hello", 47), ("hello-2", "Bob says hello", 63)]


# --- the bad seeds that used to end badly: located, exit 2, nothing written ---------------

SOURCE = (
    "sources:\n  - slug: paper\n    name: The Paper\n    kind: article\n    published: 2025-09-15\n"
)
EVENT = "events:\n  - slug: e\n    title: E\n    type: statement\n    evidence: [{source: paper}]\n"
LAUGHS = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
)
BAD_SEEDS = [
    (
        "nul",
        SOURCE.replace("The Paper", '"The\\0Paper"'),
        "mine.yaml:3: sources[0].name: NUL characters are not allowed",
    ),
    (
        "cites itself",
        SOURCE + "    cites: [paper]\n",
        "mine.yaml:6: sources[0].cites[0]: a source cannot cite itself",
    ),
    (
        "days_after overflow",
        SOURCE
        + EVENT
        + "    date: {day: 9999-12-31}\n"
        + "  - {slug: f, title: F, type: statement, evidence: [{source: paper}],"
        " date: {days_after: 1, anchor: e}}\n",
        "mine.yaml:12: events[1].date: the date falls outside the years 1 to 9999",
    ),
    (
        "weekday before 0001-01-07",
        SOURCE.replace("2025-09-15", "0001-01-02") + EVENT + "    date: {weekday: sunday}\n",
        "mine.yaml:11: events[0].date: the date falls outside the years 1 to 9999",
    ),
    (
        "days_before huge",
        SOURCE + EVENT + "    date: {days_before: 99999999999999999999, anchor: e}\n",
        "mine.yaml:11: events[0].date.days_before: input should be less than or equal to 3652058",
    ),
    (
        "nested 100000 deep",
        "events: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "mine.yaml:1: events[0][0][0]…: nested more than 64 levels deep",
    ),
    (
        "/dev/zero",
        SOURCE + "    text_file: /dev/zero\n",
        "mine.yaml:6: sources[0].text_file: /dev/zero: give a path relative to the seed file's directory",
    ),
    (
        "../../etc/hostname",
        SOURCE + "    text_file: ../../etc/hostname\n",
        "mine.yaml:6: sources[0].text_file: ../../etc/hostname: not inside the seed file's directory",
    ),
    (
        "a directory",
        SOURCE + "    text_file: sub\n",
        "mine.yaml:6: sources[0].text_file: sub: not a regular file",
    ),
    (
        "a text file over 16 MB",
        SOURCE + "    text_file: big.txt\n",
        "mine.yaml:6: sources[0].text_file: big.txt: larger than 16 MB",
    ),
    (
        "billion laughs",
        LAUGHS + "\n",
        "mine.yaml:5: a4[7]: aliases expand to more than 100000 values; write the repeated parts out",
    ),
]


@pytest.mark.read_only  # a refused load writes nothing: the shared database is checked
@pytest.mark.parametrize(("case", "content", "message"), BAD_SEEDS, ids=[c[0] for c in BAD_SEEDS])
def test_bad_seeds_are_refused_with_their_place_and_nothing_is_written(
    case: str, content: str, message: str, tmp_path: Path, seeded_url: URL
) -> None:
    (tmp_path / "sub").mkdir()
    with (tmp_path / "big.txt").open("wb") as big:  # sparse: 16 MB and a byte, quickly
        big.truncate(16 * 2**20 + 1)
    name = write(tmp_path, content)
    files = sorted(p.name for p in tmp_path.iterdir())
    before = snapshot(seeded_url)
    for command in (["load"], ["load", "--dry-run"], ["seed", "check"]):
        result = run(seeded_url, *command, name)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", errors(message))
    assert snapshot(seeded_url) == before
    result = run("new.db", "load", "--dry-run", name)
    assert (result.exit_code, result.stderr) == (2, errors(message))
    assert sorted(p.name for p in tmp_path.iterdir()) == files


def test_a_seed_file_over_64_mb_is_refused_unread(tmp_path: Path) -> None:
    with (tmp_path / "huge.yaml").open("wb") as huge:
        huge.truncate(64 * 2**20 + 1)
    for command in (["load", "--dry-run"], ["seed", "check"]):
        result = run("new.db", *command, str(tmp_path / "huge.yaml"))
        message = errors(f"{tmp_path / 'huge.yaml'}: larger than 64 MB")
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)
    assert not Path("new.db").exists()


def test_a_symlink_out_of_the_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "seeds" / "text.txt").symlink_to(tmp_path / "outside.txt")
    (tmp_path / "seeds" / "mine.yaml").write_text(
        SOURCE + "    text_file: text.txt\n", encoding="utf-8"
    )
    result = run("new.db", "load", "seeds/mine.yaml")
    assert result.stderr == errors(
        "seeds/mine.yaml:6: sources[0].text_file: text.txt: not inside the seed file's directory"
    )


# --- quotes -------------------------------------------------------------------------------


def test_a_quote_with_other_typography_is_located_and_fixed_on_request(
    tmp_path: Path, db_url: URL
) -> None:
    seed = GOOD.replace(
        '"Alice’s talk with Bob — on Friday — went well."',
        "Alice's talk  with Bob - on Friday - went well.",
    )
    name = write(tmp_path, seed)
    message = (
        "mine.yaml:19: events[0].evidence[0].quote: not found in the text of source 'paper', but "
        "at line 1, column 1 it is there with different apostrophes or single quotes (’ in the "
        "text, ' in the quote), dashes or hyphens (— in the text, - in the quote), spaces: 'Alice’s talk with Bob — on Friday — went well.'; `--fix-quotes` takes "
        "the text's characters"
    )
    result = run(db_url, "seed", "check", name)
    assert (result.exit_code, result.stderr) == (2, errors(message))

    result = run(db_url, "load", "--fix-quotes", name)
    assert result.exit_code == 0, result.stderr
    assert (  # after the summary, with what else the command did
        "\nfixed: mine.yaml:19: events[0].evidence[0].quote: \"Alice's talk  with Bob - on Friday - "
        "went well.\" is now 'Alice’s talk with Bob — on Friday — went well.'\n"
    ) in result.stdout
    assert (tmp_path / name).read_text(encoding="utf-8") == GOOD
    assert rows(db_url, "SELECT quote, quote_start, quote_end FROM evidence") == [
        ("Alice’s talk with Bob — on Friday — went well.", 0, 46)
    ]


def test_a_quote_differing_in_case_is_shown_but_not_fixed(tmp_path: Path) -> None:
    name = write(tmp_path, GOOD.replace("Alice’s talk with Bob", "ALICE’S TALK WITH BOB"))
    result = run("new.db", "seed", "check", "--fix-quotes", name)
    assert result.exit_code == 2
    assert (
        "it is there with different case: 'Alice’s talk with Bob — on Friday — went well.'"
        in result.stderr
    )
    assert "ALICE’S" in (tmp_path / name).read_text(encoding="utf-8")


def test_a_quote_found_twice_lists_its_places(tmp_path: Path) -> None:
    seed = (
        GOOD
        + "  - {slug: hi, title: Hi, type: statement, date: {same_as: talk}, evidence: [{source: paper, quote: Bob said hello.}]}\n"
    )
    name = write(tmp_path, seed)
    result = run("new.db", "seed", "check", name)
    assert result.stderr == errors(
        "mine.yaml:20: events[1].evidence[0].quote: occurs 2 times in source 'paper' (line 1, "
        "column 48; line 1, column 64); say which with `occurrence: 1` to `2`"
    )


# --- the scaffold ---------------------------------------------------------------------------


def test_seed_new_writes_a_skeleton_that_loads_as_it_is(tmp_path: Path, db_url: URL) -> None:
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "Second Article.txt").write_text(TEXT, encoding="utf-8")
    result = run(
        None, "seed", "new", "texts/Second Article.txt", "--published", "2025-09-16",
        "--publisher", "The Paper", "--url", "https://example.org/a", "--name", "A: second",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    target = tmp_path / "texts" / "Second Article.yaml"
    content = target.read_text(encoding="utf-8")
    assert '    name: "A: second"\n' in content
    assert "  - slug: second-article\n" in content
    assert "#   evidence:\n  #     - source: second-article\n" in content
    result = run(db_url, "load", str(target))
    assert result.exit_code == 0, result.stderr
    assert rows(db_url, "SELECT slug, url, CAST(published_on AS VARCHAR(10)) FROM sources") == [
        ("second-article", "https://example.org/a", "2025-09-16")
    ]
    again = run(None, "seed", "new", "texts/Second Article.txt")
    assert (again.exit_code, again.stderr) == (
        2,
        errors("texts/Second Article.yaml: already exists; choose another with -o"),
    )
    bad = run(None, "seed", "new", "texts/Second Article.txt", "-o", "x.yaml", "--slug", "Bad Slug")
    assert (bad.exit_code, bad.stderr) == (
        2,
        errors(
            "--slug: 'Bad Slug' is not a slug: a slug is lowercase letters a-z and digits, in "
            "words joined by single hyphens (like west-2025-begins), at most 120 characters"
        ),
    )


# --- identity by the primary source, not the path -----------------------------------------


def test_the_bundled_seed_loaded_by_its_path_or_moved_is_itself(
    tmp_path: Path, seeded_url: URL
) -> None:
    before = snapshot(seeded_url)
    moved = tmp_path / "elsewhere"
    shutil.copytree(bundled_dir("seeds"), moved)
    for path in (bundled_dir("seeds") / f"{ARTICLE}.yaml", moved / f"{ARTICLE}.yaml"):
        result = run(seeded_url, "load", str(path))
        assert result.exit_code == 0, result.stderr
        assert "Nothing changed" in result.stdout
    assert snapshot(seeded_url) == before
    origins = rows(seeded_url, "SELECT DISTINCT origin FROM events")
    assert origins == [(f"seed:{ARTICLE}",)]


def test_a_renamed_identity_takes_its_rows_over_only_when_it_says_so(
    tmp_path: Path, db_url: URL
) -> None:
    name = write(tmp_path, GOOD)
    assert run(db_url, "load", name).exit_code == 0
    renamed = GOOD.replace("slug: paper", "slug: the-paper").replace(
        "source: paper", "source: the-paper"
    )
    write(tmp_path, renamed, "renamed.yaml")
    before = snapshot(db_url)
    result = run(db_url, "load", "renamed.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        errors(
            "renamed.yaml:8: actors[0].slug: 'alice' belongs to the seed file with id 'paper': "
            "choose another slug, or add `replaces: [paper]` to take that file's rows over"
        ),
    )
    assert snapshot(db_url) == before
    write(tmp_path, "replaces: [paper]\n" + renamed, "renamed.yaml")
    result = run(db_url, "load", "renamed.yaml")
    assert result.exit_code == 0, result.stderr
    assert rows(db_url, "SELECT slug, origin FROM sources") == [("the-paper", "seed:the-paper")]
    assert rows(db_url, "SELECT slug, origin FROM events") == [("talk", "seed:the-paper")]


# --- corroboration ----------------------------------------------------------------------------

SECOND_TEXT = "Reuters: Belarusian officials said the West-2025 drills started on Friday.\n"
SECOND = """\
sources:
  - slug: reuters-second
    name: Reuters on the drills
    kind: agency_report
    published: 2025-09-14
    url: https://example.org/reuters
    text_file: second.txt
corroborates:
  - event: west-2025-exercises-begin
    actors: [{actor: belarus, role: speaker}]
    evidence:
      - source: reuters-second
        quote: the West-2025 drills started on Friday
"""


def test_a_second_article_corroborates_an_event_another_file_owns(
    tmp_path: Path, seeded_url: URL
) -> None:
    (tmp_path / "second.txt").write_text(SECOND_TEXT, encoding="utf-8")
    (tmp_path / "second.yaml").write_text(SECOND, encoding="utf-8")
    before = snapshot(seeded_url)
    result = run(seeded_url, "load", "second.yaml")
    assert result.exit_code == 0, result.stderr
    record = run(seeded_url, "event", "west-2025-exercises-begin", "--format", "json")
    assert '"slug":"reuters-second"' in record.stdout
    assert '"quote":"the West-2025 drills started on Friday"' in record.stdout
    # Reloading the owner keeps the second file's contributions.
    assert run(seeded_url, "load").exit_code == 0
    sql = (
        "SELECT s.slug, v.origin FROM evidence v JOIN sources s ON s.id = v.source_id"
        " JOIN events e ON e.id = v.event_id WHERE e.slug = 'west-2025-exercises-begin'"
        " ORDER BY s.slug"
    )
    assert rows(seeded_url, sql) == [
        ("reuters-second", "seed:reuters-second"),
        (ARTICLE, f"seed:{ARTICLE}"),
    ]
    # Removing the block removes exactly what it added.
    (tmp_path / "second.yaml").write_text(SECOND.split("corroborates:")[0], encoding="utf-8")
    result = run(seeded_url, "load", "second.yaml")
    assert result.exit_code == 0, result.stderr
    after = snapshot(seeded_url)
    assert {k: v for k, v in after.items() if k != "sources"} == {
        k: v for k, v in before.items() if k != "sources"
    }


def test_corroborating_an_unknown_event_is_refused(tmp_path: Path, seeded_url: URL) -> None:
    (tmp_path / "second.txt").write_text(SECOND_TEXT, encoding="utf-8")
    (tmp_path / "second.yaml").write_text(
        SECOND.replace("event: west-2025-exercises-begin", "event: west-2026"), encoding="utf-8"
    )
    before = snapshot(seeded_url)
    result = run(seeded_url, "load", "second.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        errors("second.yaml:9: corroborates[0].event: unknown event 'west-2026'"),
    )
    assert snapshot(seeded_url) == before


# --- what a reader needs to check a claim ---------------------------------------------------


@pytest.mark.read_only
def test_events_by_country_and_modality_any_of_several(seeded_url: URL) -> None:
    def slugs(*args: str) -> list[str]:
        result = run(seeded_url, "events", *args, "--format", "csv")
        assert result.exit_code == 0, result.stderr
        return [line.split(",")[0] for line in result.stdout.splitlines()[1:]]

    assert slugs("--country", "hun", "--country", "POL") == [
        "poland-shoots-down-russian-drones",
        "russian-drones-enter-polish-airspace",
        "foreign-observers-attend-west-2025",
    ]
    assert slugs("--modality", "planned", "--modality", "announced") == [
        "lukashenka-agrees-to-release-52-prisoners",
        "us-plans-to-reopen-embassy-in-belarus",
    ]
    assert slugs("--country", "UKR", "--modality", "occurred") == [
        "belarus-lets-russia-send-troops-into-ukraine"
    ]
    bad = run(seeded_url, "events", "--country", "PL")
    assert (bad.exit_code, bad.stderr) == (
        2,
        errors(
            "--country 'PL': a country is an ISO 3166-1 alpha-3 code in capitals, like BLR or POL"
        ),
    )


def test_sources_and_event_show_the_url_and_publication_date(
    tmp_path: Path, seeded_url: URL
) -> None:
    (tmp_path / "second.txt").write_text(SECOND_TEXT, encoding="utf-8")
    (tmp_path / "second.yaml").write_text(SECOND, encoding="utf-8")
    assert run(seeded_url, "load", "second.yaml").exit_code == 0
    listing = run(seeded_url, "sources", "--format", "json").stdout
    assert (
        '{"slug":"reuters-second","name":"Reuters on the drills","kind":"agency_report",'
        '"publisher":null,"url":"https://example.org/reuters","published":"2025-09-14",'
        '"cites":[],"events":1,"quotes":1}'
    ) in listing
    assert "url: https://example.org/reuters" in run(seeded_url, "sources").stdout
    event = run(seeded_url, "event", "west-2025-exercises-begin", "--format", "json").stdout
    assert (
        '{"slug":"reuters-second","name":"Reuters on the drills","quote":"the West-2025 drills '
        'started on Friday","quote_start":35,"quote_end":73,"url":"https://example.org/reuters",'
        '"published":"2025-09-14"}'
    ) in event
    table = run(seeded_url, "event", "west-2025-exercises-begin").stdout
    assert (
        "  reuters-second  Reuters on the drills\n    published 2025-09-14, https://example.org/reuters\n"
        in table
    )


def test_rows_recorded_under_the_old_path_origin_are_taken_over(seeded_url: URL) -> None:
    """A database loaded before files had an identity: its rows name the file's path."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(seeded_url, poolclass=NullPool)
    with engine.begin() as connection:
        for table in ("sources", "actors", "events", "evidence", "event_actors"):
            connection.execute(text(f"UPDATE {table} SET origin = 'seeds/{ARTICLE}.yaml'"))
    engine.dispose()
    result = run(seeded_url, "load")
    assert result.exit_code == 0, result.stderr
    assert "events                    0       17        0          0" in result.stdout
    for table in ("sources", "actors", "events", "evidence", "event_actors"):
        assert rows(seeded_url, f"SELECT DISTINCT origin FROM {table}") == [(f"seed:{ARTICLE}",)]
