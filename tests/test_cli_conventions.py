"""What every command line has: `--version`, `-h`, choices listed and completed, `--db`
anywhere, no option silently given twice, usage errors on one line, an example in
every help text."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import run, url_string
from sqlalchemy.engine import URL
from test_cli_views import complete

from timeline.cli import app

pytestmark = pytest.mark.read_only  # every test only reads: PostgreSQL shares the database


def commands() -> list[list[str]]:
    """Every command's words, sub-commands included, read from the app itself."""
    from typer.main import get_command

    found = []
    root = get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found += [[name, sub] for sub in subcommands]
        else:
            found.append([name])
    return found


def test_version_comes_from_the_package_metadata() -> None:
    result = run(None, "--version")
    assert (result.exit_code, result.stdout) == (0, f"timeline {version('timeline')}\n")


@pytest.mark.parametrize("words", [[], *commands()], ids=lambda w: " ".join(w) or "timeline")
def test_dash_h_is_help_and_every_help_has_an_example(words: list[str]) -> None:
    short, long = run(None, *words, "-h"), run(None, *words, "--help")
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout
    if words and words != ["db"]:
        assert "Example: timeline " in long.stdout, words


def test_help_lists_the_choices() -> None:
    shown = " ".join(run(None, "events", "--help").stdout.split())
    assert "<table|json|ndjson|csv|markdown>" in shown
    assert "<day|week|month|year|range>" in shown
    assert "military_exercise|airspace_incident" in shown
    shown = " ".join(run(None, "export", "--help").stdout.split())
    assert "<json|ndjson|csv|markdown|html|timelinejs>" in shown


def test_completion_offers_the_choices(seeded_url: URL) -> None:
    assert complete(seeded_url, "events --format ") == [
        "table",
        "json",
        "ndjson",
        "csv",
        "markdown",
    ]
    assert complete(seeded_url, "counts --per w") == ["week"]
    assert complete(seeded_url, "events --precision ") == ["day", "week", "month", "year", "range"]
    assert complete(seeded_url, "events --type pri") == ["prisoner_release"]


def test_db_may_follow_the_command(seeded_url: URL) -> None:
    before = run(seeded_url, "events", "--format", "json")
    after = run(None, "events", "--format", "json", "--db", url_string(seeded_url))
    joined = run(None, "events", f"--db={url_string(seeded_url)}", "--format", "json")
    assert before.exit_code == after.exit_code == joined.exit_code == 0
    assert before.stdout == after.stdout == joined.stdout
    assert before.stdout.count('"slug":"') > 17  # events with their actors
    upgraded = run(None, "db", "current", "--db", url_string(seeded_url))
    assert upgraded.exit_code == 0 and upgraded.stdout.endswith("(head)\n")


def test_db_twice_is_refused(seeded_url: URL) -> None:
    result = run(seeded_url, "events", "--db", "other.db")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: option '--db' is given more than once (see `timeline events --help`)\n"
    )
    assert not Path("other.db").exists()


@pytest.mark.parametrize(
    ("words", "option"),
    [
        (["events", "--from", "2025", "--from", "2024"], "--from"),
        (["events", "--limit", "1", "--limit=2"], "--limit"),
        (["events", "-f", "json", "--format", "csv"], "--format"),
        (["events", "-fjson", "-f", "csv"], "--format"),
        (["counts", "--per", "week", "--per", "month"], "--per"),
        (["events", "--source", "unn", "--source", "reuters"], "--source"),
        (["sql", "SELECT 1", "--timeout", "1", "--timeout", "2"], "--timeout"),
    ],
)
def test_a_single_valued_option_given_twice_is_refused(
    seeded_url: URL, words: list[str], option: str
) -> None:
    result = run(seeded_url, *words)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: option '{option}' is given more than once (see `timeline {words[0]} --help`)\n"
    )


def test_repeated_choices_are_ored(seeded_url: URL) -> None:
    def slugs(*words: str) -> set[str]:
        result = run(seeded_url, "events", "--format", "ndjson", *words)
        assert result.exit_code == 0, result.stderr
        return {
            line.split('"slug":"', 1)[1].split('"', 1)[0] for line in result.stdout.splitlines()
        }

    releases = slugs("--type", "prisoner_release")
    sanctions = slugs("--type", "sanctions_change")
    assert releases and sanctions
    assert slugs("--type", "prisoner_release", "--type", "sanctions_change") == releases | sanctions
    weeks, months = slugs("--precision", "week"), slugs("--precision", "month")
    assert weeks and months
    assert slugs("--precision", "week", "--precision", "month") == weeks | months


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["events", "--bogus"], "no such option: --bogus (see `timeline events --help`)"),
        (["--bogus"], "no such option: --bogus (see `timeline --help`)"),
        (["event"], "missing argument 'SLUG' (see `timeline event --help`)"),
        (
            ["events", "--limit"],
            "option '--limit' requires an argument (see `timeline events --help`)",
        ),
        (["nothing"], "no such command 'nothing' (see `timeline --help`)"),
        (["db", "downgrade"], "missing argument 'REVISION' (see `timeline db downgrade --help`)"),
    ],
)
def test_usage_errors_are_one_line(seeded_url: URL, words: list[str], message: str) -> None:
    result = run(None, *words)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\n"
