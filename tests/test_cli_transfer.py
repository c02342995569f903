"""`timeline export` and `timeline import` on the command line: every kind of bad input
is one `error: FILE:LINE: …` line, exit 2, and nothing written, on an empty and on a
populated database of each backend; an out-of-date schema is refused; an import killed
half-way leaves the database as it was."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Templates, run, url_string
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from test_db import set_revision
from test_seeds import rows, snapshot
from test_transfer import generated

ROOT = Path(__file__).resolve().parent.parent


def exported(url: URL) -> bytes:
    result = run(url, "export")
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


# Each case turns the seeds' export into bad input: (name, edit, message); an edit
# returns the lines and the number of the line the error must name.
Edit = Callable[[list[bytes]], tuple[list[bytes], int]]


def _first_event(lines: list[bytes]) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(b'{"record":"event"'))


def _set(where: Callable[[list[bytes]], int], **changes: Any) -> Edit:
    def edit(lines: list[bytes]) -> tuple[list[bytes], int]:
        index = where(lines)
        record = json.loads(lines[index]) | changes
        return [
            *lines[:index],
            (json.dumps(record) + "\n").encode(),
            *lines[index + 1 :],
        ], index + 1

    return edit


def _duplicate(lines: list[bytes]) -> tuple[list[bytes], int]:
    summary = json.loads(lines[-1])
    summary["events"] += 1
    return [*lines[:-1], lines[-2], (json.dumps(summary) + "\n").encode()], len(lines)


def _second(lines: list[bytes]) -> int:
    return 1


def _last(lines: list[bytes]) -> int:
    return len(lines) - 1


BAD: list[tuple[str, Edit, str]] = [
    (
        "malformed line",
        lambda lines: ([*lines[:3], b'{"record": "source", "slug": \n', *lines[4:]], 4),
        "invalid JSON: EOF while parsing a value at line 2 column 0",
    ),
    ("failing validation", _set(_first_event, precision="fortnight"), "precision: unknown value"),
    ("NUL character", _set(_second, name="a\x00b"), "NUL characters (\\u0000) are not allowed"),
    (
        "dangling reference",
        _set(_first_event, actors=[{"slug": "nobody", "role": "host"}]),
        "actors[0].slug: unknown actor 'nobody'",
    ),
    ("duplicate slug", _duplicate, "duplicate event slug"),
    (
        "truncated mid-line",
        lambda lines: ([*lines[:5], lines[5][:40]], 6),
        "truncated: the last line does not end with a newline",
    ),
    (
        "truncated at a line boundary",
        lambda lines: (lines[:-1], len(lines) - 1),
        "the file ends without its summary record: truncated?",
    ),
    ("wrong summary", _set(_last, events=9999), "the summary counts 9999 events, the file holds"),
    (
        "no header",
        lambda lines: (lines[1:], 1),
        "expected the header record first (is this a timeline export?)",
    ),
    ("empty line", lambda lines: ([*lines[:2], b"\n", *lines[2:]], 3), "empty line"),
]


@pytest.fixture(scope="module")
def seeds_export(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    directory = tmp_path_factory.mktemp("export")
    url = URL.create("sqlite", database=str(directory / "seeded.db"))
    assert run(url, "load").exit_code == 0
    return exported(url)


# The import stages the file line by line (each line checked on its own, the header
# and summary counted) before it merges anything into the real tables, where the
# checks that need the whole file and the database run. A class found while staging
# takes the same path whatever the database holds, so it is tried on the populated
# database, where "nothing written" has the most to lose; the classes the merge finds
# are tried on an empty and on a populated database. Every class on both backends.
MERGED = {"dangling reference", "duplicate slug"}
assert {name for name, _, _ in BAD} >= MERGED
BAD_CASES = [
    pytest.param(stage, name, edit, message, id=f"{stage}-{name}")
    for name, edit, message in BAD
    for stage in (["migrated", "seeded"] if name in MERGED else ["seeded"])
]


@pytest.mark.parametrize(("stage", "name", "edit", "message"), BAD_CASES)
def test_bad_input_is_refused_with_its_line_and_nothing_is_written(
    backend: str,
    stage: str,
    templates: Templates,
    tmp_path: Path,
    seeds_export: bytes,
    name: str,
    edit: Edit,
    message: str,
) -> None:
    # A refused import writes nothing: on PostgreSQL the database is shared, and checked.
    with templates.shared(backend, stage, tmp_path) as url:
        before = snapshot(url)
        path = tmp_path / "bad.ndjson"
        bad, line = edit(lines_of(seeds_export))
        path.write_bytes(b"".join(bad))
        result = run(url, "import", str(path))
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr.startswith(f"error: {path}:{line}: {message}")
        assert result.stderr.count("\n") == 1
        assert snapshot(url) == before


def test_standard_input_is_named_in_errors(db_url: URL, seeds_export: bytes) -> None:
    lines = lines_of(seeds_export)
    result = run(db_url, "import", "-", input=b"".join(lines[:-1]).decode())
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: <stdin>:{len(lines) - 1}: the file ends without its summary record: truncated?\n"
    )
    result = run(db_url, "import", "-", input=seeds_export.decode())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Imported <stdin> into ")
    assert result.stderr == ""  # no progress bar when stderr is no terminal


def test_import_prints_a_summary_and_is_idempotent(db_url: URL, tmp_path: Path) -> None:
    path = generated(tmp_path, 60)
    first = run(db_url, "import", str(path))
    assert first.exit_code == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == f"Imported {path} into {url_string(db_url).replace('+psycopg', '+psycopg')}"
    assert lines[1].split() == ["table", "created", "updated", "removed", "unchanged"]
    assert lines[6].split() == ["events", "60", "0", "0", "0"]
    again = run(db_url, "import", str(path))
    assert again.stdout.splitlines()[-1] == (
        "Nothing changed: the database already holds these records."
    )


@pytest.mark.read_only
def test_export_to_a_file_matches_standard_output(seeded_url: URL, tmp_path: Path) -> None:
    def said(path: str) -> str:
        summary = json.loads((tmp_path / path).read_bytes().splitlines()[-1])
        counts = ", ".join(f"{summary[k]} {k}" for k in ("sources", "actors", "events"))
        return f"Exported {counts} to {path}\n"

    result = run(seeded_url, "export", "-o", "all.ndjson")
    assert (result.exit_code, result.stdout) == (0, said("all.ndjson"))
    assert (tmp_path / "all.ndjson").read_bytes() == exported(seeded_url)
    result = run(seeded_url, "export", "--actor", "khrenin", "-o", "k.ndjson")
    assert result.stdout == said("k.ndjson")
    shown = run(seeded_url, "events", "--actor", "khrenin", "--format", "ndjson").stdout
    assert f" {len(shown.splitlines())} events " in result.stdout


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "xml"],
            "error: invalid value for '--format' / '-f': 'xml' is not one of 'json', "
            "'ndjson', 'csv', 'markdown', 'html', 'timelinejs' (see `timeline export --help`)\n",
        ),
        (["--actor", "Lukashenkov"], "error: no actor matches 'Lukashenkov'; did you mean:"),
        (["--from", "2025-13"], "error: invalid date '2025-13' for --from"),
    ],
)
def test_export_refuses_bad_usage_and_writes_no_file(
    seeded_url: URL, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(seeded_url, "export", *args, "-o", "out.ndjson")
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert list(tmp_path.glob("*.ndjson")) == [] and not list(tmp_path.glob(".*partial"))


@pytest.mark.read_only
def test_export_to_a_directory_that_does_not_exist_is_refused(seeded_url: URL) -> None:
    result = run(seeded_url, "export", "-o", "no/such/dir/out.ndjson")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: no/such/dir/out.ndjson: cannot write: No such file or directory\n",
    )


def test_export_of_a_missing_database_is_refused(tmp_path: Path) -> None:
    result = run(str(tmp_path / "none.db"), "export", "-o", "out.ndjson")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no timeline database at sqlite:///")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_import_creates_a_database_that_does_not_exist_yet(
    empty_url: URL, seeds_export: bytes, tmp_path: Path
) -> None:
    (tmp_path / "a.ndjson").write_bytes(seeds_export)
    result = run(empty_url, "import", "a.ndjson")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("(a new database)")
    assert exported(empty_url) == seeds_export


def test_a_failed_import_into_a_new_database_leaves_nothing(
    empty_url: URL, seeds_export: bytes, tmp_path: Path, backend: str
) -> None:
    (tmp_path / "a.ndjson").write_bytes(seeds_export[:-10])
    result = run(empty_url, "import", "a.ndjson")
    assert result.exit_code == 2
    if backend == "sqlite":
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ndjson"]
    else:
        assert rows(
            empty_url,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        ) == [(0,)]


@pytest.mark.parametrize("revision", ["0000_older"])
def test_import_into_an_out_of_date_schema_is_refused(
    seeded_url: URL, seeds_export: bytes, tmp_path: Path, revision: str
) -> None:
    set_revision(seeded_url, revision)
    before = snapshot(seeded_url)
    (tmp_path / "a.ndjson").write_bytes(seeds_export)
    result = run(seeded_url, "import", "a.ndjson")
    assert result.exit_code == 1
    assert result.stderr.endswith("run `timeline db upgrade`\n")
    assert "at schema revision 0000_older" in result.stderr
    assert snapshot(seeded_url) == before


def test_a_missing_file_is_refused_before_the_database_is_touched(tmp_path: Path) -> None:
    result = run(str(tmp_path / "new.db"), "import", "nothing.ndjson")
    assert (result.exit_code, result.stderr) == (2, "error: nothing.ndjson: no such file\n")
    assert list(tmp_path.iterdir()) == []


# --- an import killed half-way ------------------------------------------------------------


def _busy(url: URL, backend: str) -> bool:
    """Whether the import has begun writing the real tables."""
    if backend == "sqlite":
        wal = Path(f"{url.database}-wal")
        return wal.exists() and wal.stat().st_size > 0
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND state = 'active'"
                " AND query LIKE 'INSERT INTO event%'"
            ),
            {"db": url.database},
        ).scalar_one()
    engine.dispose()
    return bool(found)


@pytest.fixture(scope="module")
def large_import(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """8000 generated events: an import that takes long enough to be killed (its merge
    alone takes ~0.3 s, polled every 20 ms)."""
    return generated(tmp_path_factory.mktemp("large"), 8000).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["reading", "writing"])
def test_an_import_killed_half_way_leaves_the_database_as_it_was(
    seeded_url: URL, backend: str, tmp_path: Path, moment: str, large_import: bytes
) -> None:
    data = large_import
    before = snapshot(seeded_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", "--db", url_string(seeded_url), "import", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    assert process.stdin is not None
    if moment == "reading":
        # The write returns once the import has read all but a pipe buffer (64 KB) of
        # it: past its start-up, reading, and then waiting for the rest.
        assert len(data) // 2 > 16 * 64 * 1024
        process.stdin.write(data[: len(data) // 2])
        process.stdin.flush()
        time.sleep(0.5)
    else:
        process.stdin.write(data)
        process.stdin.close()
        deadline = time.monotonic() + 300
        while not _busy(seeded_url, backend) and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    assert process.poll() is None, "the import ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    if process.stdin and not process.stdin.closed:
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
    if backend == "postgresql":  # the server notices the lost client and rolls back
        deadline = time.monotonic() + 60
        while _busy(seeded_url, backend):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert snapshot(seeded_url) == before
    # The database still works: an import (of a smaller file, the same path: staged,
    # then merged) succeeds after the killed one and writes its events.
    proof = generated(tmp_path, 60).read_bytes()
    result = run(seeded_url, "import", "-", input=proof.decode())
    assert result.exit_code == 0, result.stderr
    assert snapshot(seeded_url) != before


@pytest.mark.slow
def test_an_import_killed_into_a_new_file_leaves_a_file_the_next_load_takes_as_new(
    tmp_path: Path,
) -> None:
    """kill -9 while a new SQLite file is being created: what is left holds no tables,
    reads say there is no timeline database, and `load` and `import` create it."""
    data = generated(tmp_path, 2000).read_bytes()
    target = tmp_path / "new.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", "--db", str(target), "import", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None
    process.stdin.write(data[: len(data) // 2])  # the file exists; it waits for the rest
    process.stdin.flush()
    deadline = time.monotonic() + 60
    while not target.exists():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with contextlib.suppress(BrokenPipeError):
        process.stdin.close()
    url = str(target)
    shown = run(url, "events")
    assert (shown.exit_code, shown.stderr) == (
        1,
        f"error: no timeline database at sqlite:///{target}; run `timeline load` or "
        "`timeline db upgrade` to create it\n",
    )
    loaded = run(url, "load")
    assert loaded.exit_code == 0, loaded.stderr
    assert "(a new database)" in loaded.stdout
    imported = run(url, "import", "-", input=data.decode())
    assert imported.exit_code == 0, imported.stderr
