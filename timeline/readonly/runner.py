"""Running one read-only statement.

`run_query` runs one statement that may only read, in layers that do not trust one
another (Datasette's approach, taken further):

- both backends: `check_statement` tokenizes the text and refuses several statements,
  anything but a query (SELECT, WITH, VALUES; TABLE on PostgreSQL), write keywords
  anywhere (a write hidden in a CTE) and calls of functions that change settings,
  run SQL text or reach files;
- SQLite: a `mode=ro` connection with `query_only` on, no attached databases allowed
  (`VACUUM INTO` attaches its target), an open transaction (VACUUM refuses to run in
  one), an authorizer that allows reading and nothing else, and a progress handler
  for the time limit;
- PostgreSQL: the statement is declared as a cursor through the extended protocol, so
  the server accepts exactly one query and no data-modifying CTE; a READ ONLY
  transaction, always rolled back, with a local `statement_timeout`; and a
  least-privileged role (`timeline db create-reader-role`) entered with
  `SET LOCAL ROLE`, checked before use and again after the statement.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from timeline.db import first_line, is_sqlite, open_database
from timeline.errors import DatabaseError, InputError, QueryTimeout
from timeline.readonly.roles import READER_ROLE, require_reader_role
from timeline.readonly.statement import READ_PRAGMAS, check_statement, function_reason, refused
from timeline.vocab import MAX_ROWS

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_ROWS = 1000
MAX_SQLITE_VALUE = 64 * 1024 * 1024  # bytes in one string or blob (SQLITE_LIMIT_LENGTH)
MAX_RESULT_BYTES = 64 * 1024 * 1024  # fetched in all: rows stop coming past this
MAX_BATCH = 1000  # rows a fetch asks for at most


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool  # rows were cut at max_rows
    too_large: bool = False  # rows were cut at MAX_RESULT_BYTES


def run_query(
    url: URL,
    sql: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    role: str = READER_ROLE,
) -> QueryResult:
    """Run one read-only statement; at most `max_rows` rows (0: all) come back."""
    if not (math.isfinite(timeout) and timeout > 0):
        raise InputError(f"--timeout must be a finite number of seconds above 0, not {timeout:g}")
    if not 0 <= max_rows <= MAX_ROWS:
        raise InputError(f"--max-rows must be 0 (no limit) or a number up to {MAX_ROWS}")
    dialect = "sqlite" if is_sqlite(url) else "postgresql"
    check_statement(sql, dialect)
    engine = open_database(url, read_only=True)
    try:
        limit = max_rows + 1 if max_rows else None
        if dialect == "sqlite":
            columns, rows = _run_sqlite(engine, sql, timeout, limit)
        else:
            columns, rows = _run_postgresql(engine, sql, timeout, limit, role)
    finally:
        engine.dispose()
    too_large = isinstance(rows, _Cut)
    truncated = bool(max_rows) and len(rows) > max_rows
    return QueryResult(columns, rows[:max_rows] if truncated else list(rows), truncated, too_large)


def seconds(value: float) -> str:
    return f"{value:g}"


class _Cut(list[tuple[Any, ...]]):
    """Rows that stopped at MAX_RESULT_BYTES, before the result's end."""


def _fetch(cursor: Any, limit: int | None) -> list[tuple[Any, ...]]:
    """Up to `limit` rows, stopping once MAX_RESULT_BYTES have come: a query of large
    values (`zeroblob`, `repeat`) ends with a note, not a MemoryError. Batches start at
    one row and grow as far as the rows seen so far say the budget allows."""
    rows: list[tuple[Any, ...]] = []
    size, batch = 0, 1
    while limit is None or len(rows) < limit:
        fetched = cursor.fetchmany(batch if limit is None else min(batch, limit - len(rows)))
        if not fetched:
            return rows
        for row in fetched:
            size += sum(_size(value) for value in row)
            if size > MAX_RESULT_BYTES and rows:
                return _Cut(rows)
            rows.append(tuple(row))
        average = size // len(rows) + 1
        batch = max(1, min(MAX_BATCH, (MAX_RESULT_BYTES - size) // average // 2))
    return rows


def _size(value: Any) -> int:
    """Roughly the bytes a value holds: its length for text and bytes (and nested
    values), a machine word for the rest."""
    if isinstance(value, str | bytes | bytearray | memoryview):
        return len(value)
    if isinstance(value, list | tuple):
        return 8 + sum(_size(v) for v in value)
    if isinstance(value, dict):
        return 8 + sum(_size(k) + _size(v) for k, v in value.items())
    return 8


_SQLITE_ACTIONS = {
    sqlite3.SQLITE_INSERT: "INSERT into",
    sqlite3.SQLITE_UPDATE: "UPDATE of",
    sqlite3.SQLITE_DELETE: "DELETE from",
    sqlite3.SQLITE_ATTACH: "ATTACH of",
    sqlite3.SQLITE_DETACH: "DETACH of",
    sqlite3.SQLITE_TRANSACTION: "transaction control",
    sqlite3.SQLITE_SAVEPOINT: "SAVEPOINT",
    sqlite3.SQLITE_ALTER_TABLE: "ALTER TABLE in",
}


class _Authorizer:
    """Allows reading (tables, whitelisted pragma functions, functions but a few) and
    denies every other action, remembering the first one (or the pragma, which
    SQLite reports after the table it creates for it) for the message."""

    def __init__(self) -> None:
        self.denied: str | None = None

    def __call__(self, action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and not function_reason((arg2 or "").lower()):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in READ_PRAGMAS:
            return sqlite3.SQLITE_OK
        if self.denied is None or action == sqlite3.SQLITE_PRAGMA:
            what = _SQLITE_ACTIONS.get(action, f"a schema change (action {action})")
            if action == sqlite3.SQLITE_FUNCTION:
                what = f"function {arg2}()"
            elif action == sqlite3.SQLITE_PRAGMA:
                what = f"PRAGMA {arg1}"
            elif arg1:
                what = f"{what} {arg1}"
            self.denied = f"not authorized: {what}"
        return sqlite3.SQLITE_DENY


# SQLite messages that mean a layer below the authorizer refused a change.
_SQLITE_REFUSALS = ("readonly database", "too many attached", "cannot vacuum", "not authorized")


def _run_sqlite(
    engine: Engine, sql: str, timeout: float, limit: int | None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    raw = engine.raw_connection()
    try:
        connection = raw.dbapi_connection
        assert isinstance(connection, sqlite3.Connection)
        connection.isolation_level = None  # no implicit BEGIN/COMMIT around the statement
        connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_SQLITE_VALUE)
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA temp_store = MEMORY")
        # SQLite reports creating a pragma function's table as an UPDATE of
        # sqlite_master; creating them now keeps the authorizer from ever allowing one.
        for name in READ_PRAGMAS:
            connection.execute(f"SELECT * FROM pragma_{name} WHERE 0").fetchall()
        connection.execute("BEGIN")
        authorizer = _Authorizer()
        deadline = time.monotonic() + timeout
        expired = False

        def progress() -> int:
            nonlocal expired
            expired = time.monotonic() > deadline
            return int(expired)

        connection.set_authorizer(authorizer)
        connection.set_progress_handler(progress, 1000)
        try:
            cursor = connection.execute(sql)
            columns = [d[0] for d in cursor.description or ()]
            rows = _fetch(cursor, limit)
        except sqlite3.ProgrammingError as exc:
            if "one statement" in str(exc):
                raise refused("several statements") from exc
            raise DatabaseError(first_line(exc)) from exc
        except sqlite3.Error as exc:
            if expired:
                raise QueryTimeout(f"query exceeded {seconds(timeout)} s") from exc
            if authorizer.denied:
                raise refused(authorizer.denied) from exc
            if any(part in str(exc).lower() for part in _SQLITE_REFUSALS):
                raise refused(first_line(exc)) from exc
            raise DatabaseError(first_line(exc)) from exc
        finally:
            connection.set_progress_handler(None, 0)
            connection.set_authorizer(None)
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        return columns, rows
    finally:
        raw.close()


# SQLSTATEs that mean PostgreSQL refused the statement as a write or a privilege.
_PG_REFUSALS = {"25006", "42501"}


def _run_postgresql(
    engine: Engine, sql: str, timeout: float, limit: int | None, role: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    import psycopg

    quote = engine.dialect.identifier_preparer.quote_identifier
    raw = engine.raw_connection()
    try:
        pg = raw.dbapi_connection
        assert isinstance(pg, psycopg.Connection)
        _rollback(pg)  # SET TRANSACTION must come first in a transaction of its own
        try:
            with pg.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")  # psycopg has sent BEGIN
                cursor.execute(f"SET LOCAL statement_timeout = {max(1, round(timeout * 1000))}")
                cursor.execute("SET LOCAL standard_conforming_strings = on")
                require_reader_role(cursor, role)
                cursor.execute(f"SET LOCAL ROLE {quote(role)}")
                with pg.cursor(name="timeline_sql", scrollable=False) as declared:
                    declared.execute(sql)  # DECLARE … CURSOR FOR <sql>, extended protocol
                    columns = [d.name for d in declared.description or ()]
                    rows = _fetch(declared, limit)
                cursor.execute("SELECT current_user, current_setting('transaction_read_only')")
                if cursor.fetchone() != (role, "on"):
                    raise refused("the statement changed its role or transaction")
        except psycopg.errors.QueryCanceled as exc:
            raise QueryTimeout(f"query exceeded {seconds(timeout)} s") from exc
        except psycopg.Error as exc:
            message = exc.diag.message_primary or first_line(exc)
            if "multiple commands" in message:
                raise refused("several statements") from exc
            if exc.sqlstate in _PG_REFUSALS or "data-modifying" in message:
                raise refused(message) from exc
            raise DatabaseError(message) from exc
        finally:
            _rollback(pg)
        return columns, rows
    finally:
        raw.close()


def _rollback(connection: Any) -> None:
    """End the transaction; a connection that broke meanwhile has nothing to end."""
    with contextlib.suppress(Exception):
        connection.rollback()
