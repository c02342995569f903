"""Engines and sessions: where the database is, how connections are set up, and the
schema-revision check every command runs before it reads or writes.

The revision check reads `alembic_version` directly and compares it with
`SCHEMA_REVISION`, so commands need not import Alembic (~300 ms); a test keeps the
constant equal to the migrations' head.

Every writing PostgreSQL connection first checks that the server is no hot standby
(`pg_is_in_recovery()`), so that a write pointed at a replica is refused before it
starts; `replication` tells `timeline info` the role and a standby's lag.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from timeline.errors import DatabaseError

SCHEMA_REVISION = "0004_imported_event_data"
ENV_VAR = "TIMELINE_DATABASE_URL"
DEFAULT_URL = "sqlite:///timeline.db"
BUSY_TIMEOUT_MS = 5000  # how long an SQLite connection waits on a lock it needs briefly
UPGRADE_HINT = "run `timeline db upgrade`"
LOAD_HINT = "run `timeline load` or `timeline db upgrade` to create it"
STANDBY = "a read-only standby; writes go to the primary"


def database_url(option: str | None) -> URL:
    """The URL from `--db`, else `TIMELINE_DATABASE_URL`, else `timeline.db` here.

    A plain path means an SQLite file; `postgresql://` means psycopg 3.
    """
    raw = option or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in raw:
        return URL.create("sqlite", database=raw)
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is no number
        hidden = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", raw)
        raise DatabaseError(f"invalid database URL {hidden!r}") from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def display_url(url: URL) -> str:
    """The URL with any password hidden, for messages and `timeline info`."""
    return url.render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file behind an SQLite URL, or None for an in-memory database."""
    name = url.database
    if not name or name == ":memory:":
        return None
    return Path(name)


def _sqlite_problem(path: Path) -> str | None:
    """Why a path cannot be an SQLite database, or None when it can be opened."""
    if path.is_dir():
        return "is a directory"
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if header and header != b"SQLite format 3\x00":
        return "is not an SQLite database"
    return None


def sqlite_state(url: URL) -> str:
    """`missing`, `empty` (a zero-byte file, or one with no tables at all, as a crash
    while creating it can leave) or `present`; raises for what is no database."""
    path = sqlite_path(url)
    if path is None:
        return "present"
    problem = _sqlite_problem(path)
    if problem:
        raise DatabaseError(f"database {display_url(url)}: {path} {problem}")
    if not path.exists():
        return "missing"
    return "empty" if path.stat().st_size == 0 or not _has_tables(path) else "present"


def _has_tables(path: Path) -> bool:
    """Whether the file's schema holds anything (read-only; a file SQLite cannot read
    counts as holding something, so that it is never taken for a new one)."""
    import sqlite3

    try:
        uri = f"file:{_uri_path(path)}?mode=ro{_immutable(path)}"
        connection = sqlite3.connect(uri, uri=True)
        try:
            return bool(connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error:
        return True


def _on_sqlite_connect(foreign_keys: bool, read_only: bool) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return configure


def make_engine(url: URL, *, read_only: bool = False, foreign_keys: bool = True) -> Engine:
    """An engine for the URL. SQLite gets foreign keys (off only for migrations), WAL,
    and with `read_only` a `mode=ro` connection that can never create the file."""
    try:
        if is_sqlite(url):
            path = sqlite_path(url)
            if read_only and path is not None:
                uri = f"file:{_uri_path(path)}?mode=ro{_immutable(path)}"
                # The file's own URL (not `sqlite://`) so that messages name it.
                engine = create_engine(url, creator=_sqlite_creator(uri), poolclass=_null_pool())
            else:
                engine = create_engine(url, poolclass=_null_pool())
            event.listen(engine, "connect", _on_sqlite_connect(foreign_keys, read_only))
            return engine
        if read_only:
            # The views run short queries, for which PostgreSQL's JIT compiler costs more
            # than it saves (30 ms of a 35 ms one-week window at 100k events). Every
            # query of a command reads one snapshot (REPEATABLE READ), on a primary as
            # on a standby that replays meanwhile.
            options = " ".join(filter(None, [str(url.query.get("options") or ""), "-c jit=off"]))
            return create_engine(
                url,
                pool_pre_ping=False,
                connect_args={"options": options},
                isolation_level="REPEATABLE READ",
            )
        engine = create_engine(url, pool_pre_ping=False)
        event.listen(engine, "connect", _refuse_standby(url))
        return engine
    except NoSuchModuleError as exc:
        raise DatabaseError(f"unsupported database URL {display_url(url)}") from exc
    except ImportError as exc:
        if url.get_backend_name() != "postgresql":  # only SQLite and PostgreSQL are supported
            raise DatabaseError(f"unsupported database URL {display_url(url)}") from exc
        raise DatabaseError(
            f"database {display_url(url)} needs a driver: pip install 'timeline[postgres]'"
        ) from exc


def _refuse_standby(url: URL) -> Any:
    """Every writing connection first asks whether the server is a hot standby, so that
    a write pointed at a replica is refused before it starts, in our words rather than
    as "cannot execute … in a read-only transaction" half-way through."""

    def check(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            standby = cursor.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        dbapi_connection.rollback()
        if standby:
            dbapi_connection.close()
            raise DatabaseError(f"database {display_url(url)} is {STANDBY}")

    return check


def require_primary(url: URL) -> None:
    """Refuse a PostgreSQL standby now (before asking for a confirmation, say)."""
    if is_sqlite(url):
        return
    engine = make_engine(url)
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        raise DatabaseError(f"cannot open database {display_url(url)}: {first_line(exc)}") from exc
    finally:
        engine.dispose()


def is_standby(connection: Connection) -> bool:
    """Whether this is a PostgreSQL hot standby, which reads but may not write, not
    even a temporary table."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.exec_driver_sql("SELECT pg_is_in_recovery()").scalar())


def replication(connection: Connection) -> dict[str, Any]:
    """PostgreSQL's replication role, and on a standby how far replay lags (`lag`):
    `bytes` of the primary's WAL that it knows of and has not replayed yet, `seconds`
    since the last replayed transaction committed on the primary (0 when nothing is
    pending; no more than that stale), whether WAL is `receiving`, replay `paused`."""
    if not is_standby(connection):
        return {"role": "primary", "lag": None}
    row = connection.execute(text(_LAG)).one()
    pending, last, ago, receiving, paused = row
    caught_up = pending == 0 and receiving
    return {
        "role": "standby",
        "lag": {
            "bytes": None if pending is None else int(pending),
            "seconds": 0.0 if caught_up else None if ago is None else round(float(ago), 3),
            "last_replayed": None if last is None else last.isoformat(),
            "receiving": bool(receiving),
            "paused": bool(paused),
        },
    }


# The primary's end of WAL as its WAL sender last reported it (visible to privileged
# users only; else what this standby has received), against what it has replayed.
_LAG = """
SELECT greatest(pg_wal_lsn_diff(greatest(r.latest_end_lsn, pg_last_wal_receive_lsn()),
                                pg_last_wal_replay_lsn()), 0),
       pg_last_xact_replay_timestamp(),
       extract(epoch FROM now() - pg_last_xact_replay_timestamp()),
       r.pid IS NOT NULL,
       pg_is_wal_replay_paused()
FROM (SELECT) AS one LEFT JOIN pg_stat_wal_receiver r ON true
"""


def _immutable(path: Path) -> str:
    """On storage this process cannot write (a read-only mount, a file and directory it
    may not write), SQLite cannot even read a WAL database (it needs its `-shm` file):
    open it as immutable, which reads the main file alone and takes no locks."""
    directory = path.resolve().parent
    writable = os.access(directory, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
    return "" if writable else "&immutable=1"


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()))


def _sqlite_creator(uri: str) -> Any:
    import sqlite3

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    return connect


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def first_line(exc: BaseException) -> str:
    """The database's own message, one line, without SQLAlchemy's decorations."""
    original = getattr(exc, "orig", None) or exc
    message = str(original).strip().splitlines()[0] if str(original).strip() else repr(original)
    return re.sub(r"\s+", " ", message)


def stored_revision(engine: Engine) -> str | None:
    """The revision in `alembic_version`, or None where the schema was never created."""
    try:
        with engine.connect() as connection:
            return revision_of(connection)
    except DBAPIError as exc:
        where = display_url(engine.url)
        raise DatabaseError(f"cannot open database {where}: {first_line(exc)}") from exc


def revision_of(connection: Connection) -> str | None:
    if not connection.dialect.has_table(connection, "alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return row[0] if row else None


def require_database(url: URL) -> None:
    """Refuse a missing or empty SQLite file, so that nothing creates one by accident."""
    if is_sqlite(url) and sqlite_state(url) in ("missing", "empty"):
        raise DatabaseError(f"no timeline database at {display_url(url)}; {LOAD_HINT}")


def open_database(url: URL, *, read_only: bool = True) -> Engine:
    """An engine on an existing database at the current schema revision.

    Never creates anything: a missing SQLite file, an unreachable server, a database
    without the schema or at another revision is a `DatabaseError` with the next step.
    """
    require_database(url)
    engine = make_engine(url, read_only=read_only)
    try:
        check_revision(engine)
    except BaseException:
        engine.dispose()  # else its pool keeps the connection the check used open
        raise
    return engine


def check_revision(engine: Engine) -> None:
    require_revision(stored_revision(engine), engine.url)


def require_revision(revision: str | None, url: URL) -> None:
    """Refuse a database without the schema, or at another revision, with the hint."""
    where = display_url(url)
    if revision is None:
        raise DatabaseError(f"database {where} has no timeline schema; {UPGRADE_HINT}")
    if revision != SCHEMA_REVISION:
        raise DatabaseError(
            f"database {where} is at schema revision {revision}, this timeline needs "
            f"{SCHEMA_REVISION}; {UPGRADE_HINT}"
        )
