"""Writers one at a time: two `load`s (or `import`s) at once on a new or populated
database both succeed, one after the other, with no duplicate and no raw database
message; a writer that waits longer than `--wait` says that another writer holds
the database. The test holds the writer lock itself, so that both commands are
certain to meet at the lock, then lets go."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run, url_string
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from test_seeds import snapshot
from test_transfer import generated

from timeline import Timeline
from timeline.lock import WRITER_LOCK


@contextlib.contextmanager
def writer_lock(url: URL) -> Iterator[Any]:
    """Hold the database's writer lock as another `timeline` writer would."""
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    connection = engine.connect()
    try:
        if url.get_backend_name() == "sqlite":
            connection.exec_driver_sql("PRAGMA journal_mode = WAL")  # as every writer has it
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({WRITER_LOCK})")
        yield connection
    finally:
        if url.get_backend_name() == "sqlite":
            connection.exec_driver_sql("ROLLBACK")
        else:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({WRITER_LOCK})")
        connection.close()
        engine.dispose()


def waiting_writers(url: URL, processes: list[subprocess.Popen[str]]) -> None:
    """Until every process waits at the lock (PostgreSQL shows it; on SQLite, a
    second is far more than it takes them to get there)."""
    if url.get_backend_name() == "sqlite":
        time.sleep(1.5)
        return
    engine = create_engine(url, poolclass=NullPool)
    deadline = time.monotonic() + 60
    with engine.connect() as connection:
        while True:
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            ).scalar_one()
            if waiting >= len(processes):
                break
            assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
            assert time.monotonic() < deadline
            time.sleep(0.05)
    engine.dispose()


def start(url: URL, cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "timeline", "--db", url_string(url), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )


def new_database(url: URL) -> None:
    """An SQLite file with no tables (as the lock leaves it): a new database."""
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).touch()


@pytest.mark.parametrize("command", ["load", "import"])
def test_two_writers_on_a_new_database_both_succeed_one_after_the_other(
    empty_url: URL, tmp_path: Path, command: str
) -> None:
    new_database(empty_url)
    args = ("load",) if command == "load" else ("import", str(generated(tmp_path, 200)))
    with writer_lock(empty_url):
        processes = [start(empty_url, tmp_path, *args) for _ in range(2)]
        waiting_writers(empty_url, processes)
    results = [(p.wait(timeout=120), *p.communicate()) for p in processes]
    assert [code for code, _, _ in results] == [0, 0], results
    assert all(err == "" for _, _, err in results), results
    firsts = [out.splitlines()[0] for _, out, _ in results]
    assert sum(line.endswith("(a new database)") for line in firsts) == 1, firsts
    second = next(out for _, out, _ in results if "(a new database)" not in out.splitlines()[0])
    assert "Nothing changed: the database already holds these records." in second
    once = tmp_path / "once"
    once.mkdir()
    alone = URL.create("sqlite", database=str(once / "alone.db"))
    assert run(alone, *args).exit_code == 0
    assert _rows(snapshot(empty_url)) == _rows(snapshot(alone))


def _rows(state: dict[str, list[tuple[Any, ...]]]) -> dict[str, int]:
    return {table: len(rows) for table, rows in state.items()}


def test_two_loads_on_a_populated_database_serialize(seeded_url: URL, tmp_path: Path) -> None:
    before = snapshot(seeded_url)
    with writer_lock(seeded_url):
        processes = [start(seeded_url, tmp_path, "load") for _ in range(2)]
        waiting_writers(seeded_url, processes)
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0 and err == "", err
        assert "Nothing changed" in out
    assert snapshot(seeded_url) == before


@pytest.mark.parametrize(
    ("wait", "waited"), [("0.5", "; waited 0.5 s"), ("0", "")], ids=["a while", "not at all"]
)
def test_a_writer_that_waits_too_long_says_another_writer_holds_the_database(
    seeded_url: URL, tmp_path: Path, wait: str, waited: str
) -> None:
    data = generated(tmp_path, 20)
    before = snapshot(seeded_url)
    with writer_lock(seeded_url):
        for args in (("load",), ("import", str(data))):
            result = run(seeded_url, *args, "--wait", wait)
            assert result.exit_code == 1, args
            assert result.stdout == ""
            assert result.stderr == (
                f"error: another writer holds database {url_string(seeded_url)}{waited} "
                "(--wait sets how long to wait)\n"
            )
    assert snapshot(seeded_url) == before


@pytest.mark.parametrize("wait", ["nan", "inf", "-1"])
def test_wait_takes_a_finite_number_of_seconds(tmp_path: Path, wait: str) -> None:
    target = tmp_path / "never.db"
    for args in (("load",), ("import", "-")):
        result = run(URL.create("sqlite", database=str(target)), *args, "--wait", wait)
        assert result.exit_code == 2
        assert result.stderr == (
            f"error: --wait must be a finite number of seconds, 0 or more, not {float(wait):g}\n"
        )
    assert not target.exists()


def test_a_waiting_writer_says_so_then_does_its_work(seeded_url: URL, tmp_path: Path) -> None:
    data = generated(tmp_path, 20)
    notices: list[str] = []
    done: list[Any] = []
    library = Timeline(url_string(seeded_url))
    with writer_lock(seeded_url):
        worker = threading.Thread(
            target=lambda: done.append(library.import_file(data, wait=60, notice=notices.append))
        )
        worker.start()
        deadline = time.monotonic() + 60
        while not notices:
            assert time.monotonic() < deadline and worker.is_alive()
            time.sleep(0.02)
        assert done == []  # still waiting while the lock is held
    worker.join(60)
    assert notices == [
        f"waiting for another writer to finish with {url_string(seeded_url)} (up to 60 s)…"
    ]
    assert done[0].counts["events"].created == 20
