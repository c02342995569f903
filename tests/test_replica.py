"""Read replicas: a PostgreSQL primary and a hot standby of its own, started by this
module (`initdb`, then `pg_basebackup -R`, in temporary directories, on free ports,
as the `postgres` user when the tests run as root), stopped and removed at the end.

Every read command gives the same output on the standby as on the primary; every
write command pointed at the standby is one `error:` line saying it is a read-only
standby, exit 1, nothing written; `timeline info` tells a primary from a standby and
how far the standby lags. Skipped, saying why, only where the server binaries are
missing: with them present (as in CI) these tests run whatever the environment says.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from conftest import postgres_state, run
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from timeline.db import display_url, open_database
from timeline.queries import table_counts

SERVER_BINARIES = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
# Small and unsafe on purpose: the clusters live for one test run.
SETTINGS = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{sockets}'
shared_buffers = 16MB
max_connections = 20
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 4
hot_standby = on
wal_receiver_status_interval = 1s
"""


def server_bindir() -> Path | None:
    """Where `pg_config --bindir` says the server binaries are (else the PATH's)."""
    candidates = []
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for bindir in candidates:
        if all((bindir / name).is_file() for name in SERVER_BINARIES):
            return bindir
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    name: str
    data: Path
    port: int

    @property
    def url(self) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username="postgres",
            host="127.0.0.1",
            port=self.port,
            database="timeline",
        )

    def scalar(self, sql: str, database: str = "timeline") -> object:
        engine = create_engine(
            self.url.set(database=database), poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )
        try:
            with engine.connect() as connection:
                result = connection.execute(text(sql))
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()


class Servers:
    """A primary and its hot standby, run as the `postgres` user when we are root."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="timeline-replica-"))
        self.started: list[Cluster] = []
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def command(self, name: str, *args: str | Path) -> None:
        argv = [*self.as_user, str(self.bindir / name), *map(str, args)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            logs = "".join(p.read_text() for p in self.root.glob("*.log"))
            raise RuntimeError(f"{name} failed: {done.stderr or done.stdout}\n{logs}")

    def start(self, cluster: Cluster) -> None:
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS.format(sockets=self.root) + f"port = {cluster.port}\n")
        log = self.root / f"{cluster.name}.log"
        self.started.append(cluster)
        self.command("pg_ctl", "-D", cluster.data, "-l", log, "-w", "-t", "60", "start")

    def primary(self) -> Cluster:
        primary = Cluster("primary", self.root / "primary", free_port())
        self.command(
            "initdb", "-D", primary.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        self.start(primary)
        primary.scalar("CREATE DATABASE timeline", database="postgres")
        return primary

    def standby(self, primary: Cluster) -> Cluster:
        standby = Cluster("standby", self.root / "standby", free_port())
        self.command(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", standby.data, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        self.start(standby)
        return standby

    def stop(self) -> None:
        for cluster in reversed(self.started):
            argv = [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(cluster.data)]
            subprocess.run([*argv, "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Replica:
    primary: Cluster
    standby: Cluster

    def wait(self, timeout: float = 30) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        target = self.primary.scalar("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        while not self.standby.scalar(f"SELECT pg_last_wal_replay_lsn() >= '{target}'"):
            assert time.monotonic() < deadline, f"the standby did not replay up to {target}"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    bindir = server_bindir()
    if bindir is None:
        pytest.skip(
            "the replica tests start their own PostgreSQL servers and need its server "
            f"binaries ({', '.join(SERVER_BINARIES)}; `pg_config --bindir` names their directory)"
        )
    servers = Servers(bindir)
    try:
        primary = servers.primary()
        pair = Replica(primary, servers.standby(primary))
        loaded = run(primary.url, "load")  # after the standby started: it replays the load
        assert loaded.exit_code == 0, loaded.stderr
        pair.wait()
        yield pair
    finally:
        servers.stop()


# --- reading ----------------------------------------------------------------------------

READS = [
    ["events"],
    ["events", "--actor", "lukashenko", "--from", "2025-09", "-f", "json"],
    ["events", "-f", "csv"],
    ["event", "us-military-observes-west-2025"],
    ["event", "us-military-observes-west-2025", "-f", "json"],
    ["actor", "lukashenko"],
    ["actor", "lukashenko", "-f", "json"],
    ["actors"],
    ["actors", "-f", "ndjson"],
    ["sources"],
    ["sources", "-f", "json"],
    ["counts"],
    ["counts", "--per", "week", "-f", "json"],
    ["export"],
    ["export", "--actor", "lukashenko"],
    ["export", "--from", "2025-09-15", "--type", "statement"],
    ["export", "-f", "csv"],
    ["export", "-f", "html"],
    ["export", "-f", "timelinejs"],
    ["sql", "SELECT slug, title FROM events ORDER BY slug"],
    ["sql", "SELECT * FROM events_flat ORDER BY slug", "-f", "json"],
    ["schema"],
    ["schema", "events", "-f", "json"],
    ["db", "current"],
]


@pytest.mark.parametrize("command", READS, ids=" ".join)
def test_every_read_command_reads_the_standby_as_the_primary(
    replica: Replica, command: list[str]
) -> None:
    on_primary = run(replica.primary.url, *command)
    on_standby = run(replica.standby.url, *command)
    assert (on_primary.exit_code, on_primary.stderr) == (0, "")
    assert (on_standby.exit_code, on_standby.stderr) == (0, "")
    assert on_primary.stdout  # something was read
    assert on_standby.stdout == on_primary.stdout


def test_export_to_a_file_from_the_standby_imports_on_sqlite(
    replica: Replica, tmp_path: Path
) -> None:
    exported = run(replica.standby.url, "export", "-o", "all.ndjson")
    assert exported.exit_code == 0, exported.stderr
    copy = tmp_path / "copy.db"
    assert run(str(copy), "import", "all.ndjson").exit_code == 0
    assert run(str(copy), "events").stdout == run(replica.standby.url, "events").stdout


# --- info -------------------------------------------------------------------------------


def info(url: URL) -> dict[str, object]:
    result = run(url, "info", "-f", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    return dict(json.loads(result.stdout))


def caught_up(url: URL) -> tuple[dict[str, object], list[str]]:
    """`info` as JSON and as a table once they say the standby has replayed all it
    knows of (the primary writes a little WAL of its own now and then)."""
    deadline = time.monotonic() + 30
    while True:
        as_json, table = info(url), run(url, "info").stdout.splitlines()
        if (
            as_json["lag"]["bytes"] == 0
            and "lag       none: replayed all the primary has sent" in table
        ):  # type: ignore[index]
            return as_json, table
        assert time.monotonic() < deadline, (as_json, table)
        time.sleep(0.1)


def test_info_tells_the_primary_from_the_standby(replica: Replica) -> None:
    primary = info(replica.primary.url)
    standby, table = caught_up(replica.standby.url)
    assert (primary["role"], primary["lag"]) == ("primary", None)
    assert standby["role"] == "standby"
    assert standby["lag"] == {
        "bytes": 0,
        "seconds": 0.0,
        "last_replayed": standby["lag"]["last_replayed"],  # type: ignore[index]
        "receiving": True,
        "paused": False,
    }
    same = ("backend", "revision", "tables")
    assert {k: standby[k] for k in same} == {k: primary[k] for k in same}
    assert standby["database"] == display_url(replica.standby.url)

    assert "role      standby (read-only), replaying from the primary" in table
    replayed = str(standby["lag"]["last_replayed"])  # type: ignore[index]
    assert datetime.fromisoformat(replayed).tzinfo is not None  # the load's commit
    assert f"replayed  {replayed}" in table
    assert "role      primary" in run(replica.primary.url, "info").stdout.splitlines()
    # Only the URL, the role and the lag differ.
    differ = ("database", "role", "lag", "replayed")
    common = [line for line in table if not line.startswith(differ)]
    on_primary = run(replica.primary.url, "info").stdout.splitlines()
    assert common == [line for line in on_primary if not line.startswith(differ)]


# --- writing ----------------------------------------------------------------------------

WRITES = [
    ["load"],
    ["load", "--dry-run"],
    ["import", "all.ndjson"],
    ["db", "upgrade"],
    ["db", "upgrade", "0001_initial"],
    ["db", "downgrade", "base", "--yes"],
    ["db", "downgrade", "0001_initial"],  # refused before asking
    ["db", "create-reader-role"],
]


@pytest.mark.parametrize("command", WRITES, ids=" ".join)
def test_a_write_command_on_the_standby_says_it_is_a_standby(
    replica: Replica, command: list[str]
) -> None:
    run(replica.primary.url, "export", "-o", "all.ndjson")
    before = postgres_state(replica.standby.url), postgres_state(replica.primary.url)
    result = run(replica.standby.url, *command)
    where = display_url(replica.standby.url)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: database {where} is a read-only standby; writes go to the primary\n"
    )
    assert (postgres_state(replica.standby.url), postgres_state(replica.primary.url)) == before


# --- lag ----------------------------------------------------------------------------------


def test_a_lagging_standby_serves_its_last_snapshot_and_says_how_far_behind(
    replica: Replica, tmp_path: Path
) -> None:
    """Replay paused, the primary gains an event: the standby keeps serving what it
    had (whole, consistent), `info` shows the lag; resumed, it catches up."""
    before = run(replica.standby.url, "events", "-f", "ndjson").stdout
    letter = run(replica.primary.url, "export", "--actor", "trump", "--actor", "lukashenko")
    export = tmp_path / "new.ndjson"  # the letter's event under a new slug
    export.write_text(letter.stdout.replace('"trump-sends-letter-to-lukashenka"', '"a-new-event"'))
    replica.standby.scalar("SELECT pg_wal_replay_pause()")
    try:
        imported = run(replica.primary.url, "import", str(export))
        assert imported.exit_code == 0, imported.stderr
        deadline = time.monotonic() + 30
        while not (lag := info(replica.standby.url)["lag"])["bytes"]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the standby never received the import"
            time.sleep(0.05)
        assert lag["paused"] is True and lag["seconds"] > 0  # type: ignore[index]
        assert run(replica.standby.url, "events", "-f", "ndjson").stdout == before
        table = run(replica.standby.url, "info").stdout
        assert "role      standby (read-only), replay paused" in table
        assert re.search(r"^lag       [0-9.]+ s, [0-9]+ bytes behind the primary$", table, re.M)
        # A command's queries read one snapshot, however far replay goes meanwhile.
        reading = open_database(replica.standby.url)
        connection = reading.connect()
        counts = table_counts(connection)
    finally:
        replica.standby.scalar("SELECT pg_wal_replay_resume()")
    try:
        replica.wait()
        assert table_counts(connection) == counts
    finally:
        connection.close()
        reading.dispose()
    assert info(replica.standby.url)["tables"]["events"] == counts["events"] + 1  # type: ignore[index]
    after = run(replica.standby.url, "events", "-f", "ndjson").stdout
    assert after == run(replica.primary.url, "events", "-f", "ndjson").stdout
    assert '"slug":"a-new-event"' in after and after != before
    assert info(replica.standby.url)["lag"]["bytes"] == 0  # type: ignore[index]


# --- without the server binaries -------------------------------------------------------


def test_without_server_binaries_the_tests_skip_saying_why() -> None:
    """Even with TIMELINE_REQUIRE_POSTGRES=1, as in CI: the binaries are what they need."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PATH": "", "TIMELINE_REQUIRE_POSTGRES": "1"}
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs"]
    argv += ["-k", "tells_the_primary", "tests/test_replica.py"]
    done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout
    assert (
        "the replica tests start their own PostgreSQL servers and need its server binaries (initdb, pg_ctl, pg_basebackup, postgres; `pg_config --bindir` names their directory)"
        in done.stdout
    )
