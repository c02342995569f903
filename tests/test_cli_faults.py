"""Faults at the edges of a command: a reader that goes away, a full disk, outputs that
are directories, URLs and numbers out of range. Each ends in one line or quietly,
never a traceback, and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run, url_string
from sqlalchemy.engine import URL
from test_seeds import snapshot

from timeline.db import make_engine, stored_revision


def timeline(url: URL, *args: str, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-m", "timeline", "--db", url_string(url), *args],
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


PIPED = [
    ["events", "-f", "ndjson"],
    ["events", "-f", "json"],
    ["events", "-f", "csv"],
    ["events"],
    ["actor", "lukashenko", "-f", "json"],
    ["export"],
]
# Every writer on SQLite; on PostgreSQL the two ways rows stream from the server (the
# records' cursor and the export's): the writers are the same code on both backends.
PIPED_CASES = [
    *(pytest.param("sqlite", args, id=f"sqlite-{' '.join(args)}") for args in PIPED),
    *(
        pytest.param(
            "postgresql", args, id=f"postgresql-{' '.join(args)}", marks=pytest.mark.postgres
        )
        for args in (["events", "-f", "json"], ["export"])
    ),
]


@pytest.mark.read_only
@pytest.mark.parametrize(("backend", "args"), PIPED_CASES)
def test_a_closed_pipe_ends_the_command_quietly(seeded_url: URL, args: list[str]) -> None:
    """`timeline events | head -1`: the reader is gone before the first write."""
    process = timeline(seeded_url, *args, stdout=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (141, "")


@pytest.mark.read_only
@pytest.mark.parametrize("args", [["export"], ["events", "-f", "json"]], ids=" ".join)
def test_a_full_disk_is_one_line(seeded_url: URL, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        process = timeline(seeded_url, *args, stdout=full)
        _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (
        1,
        "error: cannot write the output: No space left on device\n",
    )


@pytest.mark.read_only
@pytest.mark.parametrize("target", ["somewhere", ""], ids=["a directory", "empty"])
def test_export_into_a_directory_is_refused(seeded_url: URL, tmp_path: Path, target: str) -> None:
    (tmp_path / "somewhere").mkdir()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = run(seeded_url, "export", "-o", target)
    shown = target or "."
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: {shown}: is a directory, not a file\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    "url",
    ["postgresql://u:secret@127.0.0.1:abc/db", "postgresql://u:secret@[::1/x"],
    ids=["port", "bracket"],
)
def test_a_malformed_url_is_one_line_without_its_password(url: str) -> None:
    result = run(url, "events")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: invalid database URL {url.replace(':secret@', ':***@')!r}\n"


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["events", "--limit", str(2**63)],
            f"--limit must be a number from 1 to {2**63 - 1}, not {2**63}",
        ),
        (
            ["sql", "SELECT 1", "--max-rows", str(2**64)],
            f"--max-rows must be 0 (no limit) or a number up to {2**63 - 1}",
        ),
        (
            ["sql", "SELECT 1", "--timeout", "nan"],
            "--timeout must be a finite number of seconds above 0, not nan",
        ),
        (
            ["sql", "SELECT 1", "--timeout", "inf"],
            "--timeout must be a finite number of seconds above 0, not inf",
        ),
        (
            ["sql", "SELECT 1", "--timeout", "-1"],
            "--timeout must be a finite number of seconds above 0, not -1",
        ),
    ],
)
def test_numbers_out_of_range_are_bad_usage(seeded_url: URL, args: list[str], message: str) -> None:
    result = run(seeded_url, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")


@pytest.mark.read_only
def test_json_holds_no_nan_or_infinity(seeded_url: URL, backend: str) -> None:
    """JSON has neither: both backends print the JavaScript names as strings."""
    sql = {
        "sqlite": "SELECT 9e999 AS a, -9e999 AS b",
        "postgresql": "SELECT 'Infinity'::float8 AS a, '-Infinity'::float8 AS b",
    }[backend]
    for fmt, shown in (
        ("json", '[\n{"a":"Infinity","b":"-Infinity"}\n]\n'),
        ("ndjson", '{"a":"Infinity","b":"-Infinity"}\n'),
    ):
        result = run(seeded_url, "sql", sql, "-f", fmt)
        assert (result.exit_code, result.stdout) == (0, shown), result.stderr
    if backend == "postgresql":
        result = run(seeded_url, "sql", "SELECT 'NaN'::float8 AS n", "-f", "ndjson")
        assert result.stdout == '{"n":"NaN"}\n'


@pytest.mark.read_only
def test_downgrade_asks_first_and_needs_yes_without_a_terminal(seeded_url: URL) -> None:
    before = snapshot(seeded_url)
    result = run(seeded_url, "db", "downgrade", "base")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("error: downgrading ")
    assert result.stderr.endswith(
        " to base removes every table and every row; confirm with --yes "
        "(there is no terminal to ask on)\n"
    )
    assert snapshot(seeded_url) == before
    engine = make_engine(seeded_url)
    try:
        assert stored_revision(engine) is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize(("answer", "code"), [("n", 2), ("y", 0)])
def test_downgrade_on_a_terminal_asks(seeded_url: URL, answer: str, code: int) -> None:
    main, secondary = os.openpty()
    try:
        process = timeline(seeded_url, "db", "downgrade", "base", stdin=secondary)
        os.write(main, f"{answer}\n".encode())
        _, stderr = process.communicate(timeout=60)
    finally:
        os.close(main)
        os.close(secondary)
    assert process.returncode == code, stderr
    assert "removes every table and every row. Go on? [y/N]" in stderr
    engine = make_engine(seeded_url)
    try:
        assert (stored_revision(engine) is None) == (answer == "y")
    finally:
        engine.dispose()
    if answer == "n":
        assert stderr.endswith("error: not downgraded\n")
