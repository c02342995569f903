"""One writer at a time. Every transaction that writes (load, import, migrations)
starts by taking the database's writer lock: SQLite's `BEGIN IMMEDIATE`, PostgreSQL's
transaction-scoped advisory lock. A second writer waits for the first (up to `wait`
seconds, saying so through `notice`), then decides what to do from what the first left
(a database the first created is no longer new), or fails with one line. Readers never
wait: SQLite's WAL and PostgreSQL's snapshots let them read while a writer works.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from timeline import db
from timeline.errors import DatabaseError, InputError
from timeline.vocab import DEFAULT_WAIT as DEFAULT_WAIT  # re-exported: where writers look for it

WRITER_LOCK = 0x74696D656C696E65  # "timeline": the PostgreSQL advisory lock's key

Notice = Callable[[str], None]


def check_wait(wait: float) -> float:
    if not (math.isfinite(wait) and wait >= 0):
        raise InputError(f"--wait must be a finite number of seconds, 0 or more, not {wait:g}")
    return wait


def writer_engine(
    url: URL, *, wait: float = DEFAULT_WAIT, notice: Notice | None = None, foreign_keys: bool = True
) -> Engine:
    """An engine whose every transaction holds the writer lock. On SQLite the whole
    transaction, DDL included, is one `BEGIN IMMEDIATE` (pysqlite would otherwise
    commit around DDL)."""
    check_wait(wait)
    engine = db.make_engine(url, foreign_keys=foreign_keys)
    if db.is_sqlite(url):

        def manual(dbapi_connection: object, _record: object) -> None:
            dbapi_connection.isolation_level = None  # type: ignore[attr-defined]

        event.listen(engine, "connect", manual)

    def begin(connection: Connection) -> None:
        take_writer_lock(connection, url, wait, notice)

    event.listen(engine, "begin", begin)
    return engine


def take_writer_lock(connection: Connection, url: URL, wait: float, notice: Notice | None) -> None:
    held = (
        f"another writer holds database {db.display_url(url)}"
        + (f"; waited {wait:g} s" if wait else "")
        + " (--wait sets how long to wait)"
    )
    waiting = f"waiting for another writer to finish with {db.display_url(url)} (up to {wait:g} s)…"
    if connection.dialect.name == "sqlite":
        _sqlite_lock(connection, wait, notice, held, waiting)
    else:
        _postgresql_lock(connection, wait, notice, held, waiting)


def _sqlite_lock(
    connection: Connection, wait: float, notice: Notice | None, held: str, waiting: str
) -> None:
    connection.exec_driver_sql("PRAGMA busy_timeout = 0")
    try:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if not _locked(exc):
                raise
            if not wait:
                raise DatabaseError(held) from exc
        if notice:
            notice(waiting)
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {math.ceil(wait * 1000)}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as exc:
            if _locked(exc):
                raise DatabaseError(held) from exc
            raise
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {db.BUSY_TIMEOUT_MS}")  # put back


def _locked(exc: OperationalError) -> bool:
    message = str(exc.orig).lower()
    return "locked" in message or "busy" in message


def _postgresql_lock(
    connection: Connection, wait: float, notice: Notice | None, held: str, waiting: str
) -> None:
    got = connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({WRITER_LOCK})").scalar()
    if got:
        return
    if not wait:
        raise DatabaseError(held)
    if notice:
        notice(waiting)
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {math.ceil(wait * 1000)}")
    try:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
            raise DatabaseError(held) from exc
        raise
    connection.exec_driver_sql("SET LOCAL lock_timeout = DEFAULT")
