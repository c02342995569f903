"""A writer killed at any moment (kill -9) leaves the database in its before or its
after state, never between: `load` and `import`, on SQLite and PostgreSQL, into a new
and into a populated database. Each kill lands at a random moment of the command's
run, from its start-up to its commit; then SQLite's integrity check passes and the
same command run again succeeds and gives the after state.

`make test` tries TIMELINE_CRASH_MOMENTS (default 1) moments per case; `make fuzz`
tries 20. The moments come from a generator seeded with TIMELINE_CRASH_SEED, by default
a new seed each run, so that runs try different moments; a failure names its moment
and its seed, so it can be replayed.
"""

from __future__ import annotations

import io
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Templates, run, url_string
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from test_transfer import generated

from timeline import exporter

MOMENTS = int(os.environ.get("TIMELINE_CRASH_MOMENTS", "1"))
SEED = os.environ.get("TIMELINE_CRASH_SEED") or secrets.token_hex(4)


def state_of(url: URL) -> Any:
    """`"new"` for a database without tables (or no SQLite file); else what it holds:
    the lossless export (rows by slug: ids are the database's business) and which
    file owns how many rows of each table."""
    if url.get_backend_name() == "sqlite" and not Path(str(url.database)).exists():
        return "new"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            if not tables:
                return "new"
            owners = {
                table: connection.execute(
                    text(f"SELECT origin, count(*) FROM {table} GROUP BY origin ORDER BY origin")
                ).all()
                for table in tables
                if "origin" in {c["name"] for c in inspect(connection).get_columns(table)}
            }
    finally:
        engine.dispose()
    out = io.BytesIO()
    exporter.export(url, out)
    return out.getvalue(), owners


def settled(url: URL) -> None:
    """Until the killed client's server process has rolled back and left (PostgreSQL)."""
    if url.get_backend_name() == "sqlite":
        return
    # Autocommit: within one transaction pg_stat_activity is a snapshot that never changes.
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + 300  # a backend notices its lost client between statements
    with engine.connect() as connection:
        while connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).scalar_one():
            assert time.monotonic() < deadline, "the killed writer's session stays"
            time.sleep(0.05)
    engine.dispose()


def integrity(url: URL) -> None:
    if url.get_backend_name() != "sqlite" or not Path(str(url.database)).exists():
        return
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("command", ["load", "import"])
@pytest.mark.parametrize("start", ["new", "populated"])
def test_a_writer_killed_at_any_moment_leaves_the_before_or_the_after_state(
    backend: str, templates: Templates, tmp_path: Path, command: str, start: str
) -> None:
    data = generated(tmp_path, 500)
    args = ("load",) if command == "load" else ("import", str(data))

    def database(name: str) -> URL:
        directory = tmp_path / name
        directory.mkdir()
        if start == "new":
            return templates.fresh_empty(backend, directory)
        return templates.copy(backend, "seeded", directory)

    # The after state, and how long the command takes from start to end.
    reference = database("reference")
    began = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "-m", "timeline", "--db", url_string(reference), *args],
        capture_output=True,
        check=False,
        cwd=tmp_path,
    )
    duration = time.monotonic() - began
    assert finished.returncode == 0, finished.stderr
    after = state_of(reference)

    rng = random.Random(f"{SEED}-{backend}-{command}-{start}")
    for attempt in range(MOMENTS):
        url = database(f"attempt-{attempt}")
        before = state_of(url)
        moment = rng.uniform(0, duration)
        process = subprocess.Popen(
            [sys.executable, "-m", "timeline", "--db", url_string(url), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.wait()
        settled(url)
        where = f"killed {moment:.2f} s into {duration:.2f} s (TIMELINE_CRASH_SEED={SEED})"
        now = state_of(url)
        assert now in (before, after), where
        integrity(url)
        rerun = run(url, *args)
        assert rerun.exit_code == 0, (where, rerun.stderr)
        assert state_of(url) == after, where


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"])
def test_an_import_whose_server_session_is_terminated_fails_in_one_line(
    seeded_url: URL, tmp_path: Path
) -> None:
    """pg_terminate_backend mid-import (an administrator, a failover): one line, exit
    1, nothing written; the import run again succeeds."""
    data = generated(tmp_path, 3000)
    before = state_of(seeded_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", "--db", url_string(seeded_url), "import", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    engine = create_engine(seeded_url, poolclass=NullPool)
    deadline = time.monotonic() + 120
    with engine.connect() as connection:
        terminated = False
        while not terminated:  # once it holds the writer lock, in its transaction
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            terminated = bool(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND granted AND pid <> pg_backend_pid() AND database = "
                        "(SELECT oid FROM pg_database WHERE datname = current_database())"
                    )
                ).scalar()
            )
            time.sleep(0.02)
    engine.dispose()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert err.startswith(f"error: database {url_string(seeded_url)}: ")
    assert err.count("\n") == 1 and "Traceback" not in err, err
    # The server's own words, which depend on where the import was: "terminating
    # connection due to administrator command", or "the connection is lost".
    settled(seeded_url)
    assert state_of(seeded_url) == before
    assert run(seeded_url, "import", str(data)).exit_code == 0
