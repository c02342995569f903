"""Read-only SQL and the schema description.

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
import difflib
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import NullType

from timeline.db import first_line, is_sqlite, open_database
from timeline.errors import DatabaseError, InputError, QueryTimeout
from timeline.sqlcheck import READ_PRAGMAS, check_statement, function_reason, refused

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_ROWS = 1000
READER_ROLE = "timeline_reader"
MAX_SQLITE_VALUE = 64 * 1024 * 1024  # bytes in one string or blob (SQLITE_LIMIT_LENGTH)


# ---------------------------------------------------------------- running a query


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool


def run_query(
    url: URL,
    sql: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    role: str = READER_ROLE,
) -> QueryResult:
    """Run one read-only statement; at most `max_rows` rows (0: all) come back."""
    if timeout <= 0:
        raise InputError("--timeout must be more than 0 seconds")
    if max_rows < 0:
        raise InputError("--max-rows must be 0 (no limit) or more")
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
    truncated = bool(max_rows) and len(rows) > max_rows
    return QueryResult(columns, rows[:max_rows] if truncated else rows, truncated)


def seconds(value: float) -> str:
    return f"{value:g}"


def _fetch(cursor: Any, limit: int | None) -> list[tuple[Any, ...]]:
    rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
    return [tuple(row) for row in rows]


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
                _require_reader_role(cursor, role)
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


# ---------------------------------------------------------------- the reader role

_WRITE_PRIVILEGES = "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
_SERVER_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")
_ROLE_CHECK = f"""
SELECT r.rolsuper,
       pg_has_role(session_user, r.oid, 'MEMBER'),
       ARRAY(SELECT t FROM unnest(%(tables)s::text[]) t WHERE to_regclass(t) IS NOT NULL
             AND has_table_privilege(r.oid, to_regclass(t), '{_WRITE_PRIVILEGES}')),
       ARRAY(SELECT t FROM unnest(%(tables)s::text[]) t WHERE to_regclass(t) IS NOT NULL
             AND NOT has_table_privilege(r.oid, to_regclass(t), 'SELECT')),
       ARRAY(SELECT g FROM unnest(%(server_roles)s::text[]) g
             WHERE pg_has_role(r.oid, g, 'MEMBER'))
FROM pg_roles r WHERE r.rolname = %(role)s
"""


def timeline_relations() -> list[str]:
    """What the reader role may SELECT: the timeline's tables, its view, the revision."""
    from timeline.vocab import FLAT_VIEW, TABLES

    return [*TABLES, FLAT_VIEW, "alembic_version"]


def _role_parameters(role: str) -> dict[str, Any]:
    return {"tables": timeline_relations(), "server_roles": list(_SERVER_ROLES), "role": role}


def _role_problem(row: Sequence[Any] | None, role: str) -> str | None:
    """Why `role` cannot be the reader, from the row of `_ROLE_CHECK`; None when it can."""
    hint = "run `timeline db create-reader-role`"
    if row is None:
        return f"PostgreSQL role {role} does not exist; {hint} (see README)"
    superuser, can_enter, writable, unreadable, server_roles = row
    if superuser or writable or server_roles:
        reasons = ["it is a superuser"] if superuser else []
        reasons += [f"it may write {', '.join(writable)}"] if writable else []
        reasons += [f"it is a member of {', '.join(server_roles)}"] if server_roles else []
        return f"role {role} is not read-only ({'; '.join(reasons)}); choose another"
    if not can_enter:
        return f"this user may not SET ROLE {role}; GRANT {role} TO the user"
    if unreadable:
        return f"role {role} may not read {', '.join(unreadable)}; {hint}"
    return None


def _require_reader_role(cursor: Any, role: str) -> None:
    cursor.execute(_ROLE_CHECK, _role_parameters(role))
    problem = _role_problem(cursor.fetchone(), role)
    if problem:
        raise DatabaseError(problem)


def create_reader_role(url: URL, role: str = READER_ROLE, *, execute: bool = True) -> list[str]:
    """Create (if missing) the least-privileged role `timeline sql` enters on PostgreSQL
    and grant it SELECT on the timeline's tables; returns the statements. Idempotent."""
    if is_sqlite(url):
        raise InputError(
            "reader roles are for PostgreSQL; on SQLite `timeline sql` reads through a "
            "read-only connection and needs none"
        )
    engine = open_database(url, read_only=False)
    try:
        with engine.begin() as connection:
            statements = _reader_role_statements(connection, role)
            if execute:
                for statement in statements:
                    _execute_grant(connection, statement)
                row = connection.exec_driver_sql(_ROLE_CHECK, _role_parameters(role)).first()
                problem = _role_problem(row, role)
                if problem:
                    raise DatabaseError(problem)
    except DBAPIError as exc:
        raise DatabaseError(first_line(exc)) from exc
    finally:
        engine.dispose()
    return statements


def _reader_role_statements(connection: Connection, role: str) -> list[str]:
    quote = connection.dialect.identifier_preparer.quote_identifier
    schema, user, superuser, exists = connection.execute(
        text(
            "SELECT current_schema(), session_user, "
            "(SELECT rolsuper FROM pg_roles WHERE rolname = session_user), "
            "EXISTS (SELECT FROM pg_roles WHERE rolname = :role)"
        ),
        {"role": role},
    ).one()
    relations = ", ".join(quote(name) for name in timeline_relations())
    statements = [] if exists else [f"CREATE ROLE {quote(role)} NOLOGIN"]
    statements += [
        f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}",
        f"GRANT SELECT ON TABLE {relations} TO {quote(role)}",
    ]
    if not superuser:
        statements.append(f"GRANT {quote(role)} TO {quote(user)}")
    return statements


def _execute_grant(connection: Connection, statement: str) -> None:
    """Run one statement; a role created meanwhile by another session is fine."""
    if not statement.startswith("CREATE ROLE"):
        connection.exec_driver_sql(statement)
        return
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(statement)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in ("42710", "23505"):
            raise


# ---------------------------------------------------------------- output values

_PLAIN = (str, int, float, Decimal, date, datetime, time_of_day, timedelta, bytes)


def printable(value: Any, *, text_format: bool) -> Any:
    """A value `timeline.render` prints faithfully: nested values (PostgreSQL arrays,
    JSON) stay nested in JSON and become JSON text in a table or CSV; other types
    (UUID, ranges, addresses) become their text form."""
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, list | tuple | dict):
        from timeline.render import dumps

        nested = _nested(value)
        return dumps(nested) if text_format else nested
    return str(value)


def _nested(value: Any) -> Any:
    from timeline.render import json_value

    if isinstance(value, dict):
        return {str(k): _nested(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nested(v) for v in value]
    plain = printable(value, text_format=False)
    return json_value(plain) if plain is not None else None


def unique_columns(columns: Sequence[str]) -> list[str]:
    """Column names made unique for JSON keys: a repeated `a` becomes `a_2`, `a_3`."""
    seen: set[str] = set()
    result = []
    for name in columns:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        result.append(candidate)
    return result


# ---------------------------------------------------------------- the schema


def describe_schema(url: URL, name: str | None = None) -> dict[str, Any]:
    """Tables (columns, keys, unique constraints, indexes, checks) and views of the
    database as its backend reports them; with `name`, that table or view alone."""
    engine = open_database(url, read_only=True)
    try:
        inspector = inspect(engine)
        tables = sorted(inspector.get_table_names())
        views = sorted(inspector.get_view_names())
        if name is not None:
            if name not in tables and name not in views:
                raise InputError(_unknown_table(name, tables + views))
            tables = [t for t in tables if t == name]
            views = [v for v in views if v == name]
        return {
            "backend": engine.dialect.name,
            "tables": [_describe_table(inspector, engine, t) for t in tables],
            "views": [_describe_view(inspector, engine, v) for v in views],
        }
    except DBAPIError as exc:
        raise DatabaseError(first_line(exc)) from exc
    finally:
        engine.dispose()


def _unknown_table(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"tables and views: {', '.join(names)}"
    return f"no table or view named {name!r}; {hint}"


def _type_name(type_: Any, engine: Engine) -> str | None:
    if isinstance(type_, NullType):
        return None
    try:
        return str(type_.compile(dialect=engine.dialect))
    except Exception:
        return str(type_)


def _columns(inspector: Any, engine: Engine, name: str) -> list[dict[str, Any]]:
    return [
        {
            "name": c["name"],
            "type": _type_name(c["type"], engine),
            "nullable": bool(c.get("nullable", True)),
            "default": c.get("default"),
            "generated": (c.get("computed") or {}).get("sqltext"),
        }
        for c in inspector.get_columns(name)
    ]


def _describe_table(inspector: Any, engine: Engine, name: str) -> dict[str, Any]:
    pk = inspector.get_pk_constraint(name)
    foreign_keys = [
        {
            "name": fk.get("name"),
            "columns": fk["constrained_columns"],
            "references": {"table": fk["referred_table"], "columns": fk["referred_columns"]},
            "on_delete": (fk.get("options") or {}).get("ondelete"),
        }
        for fk in inspector.get_foreign_keys(name)
    ]
    unique = [
        {"name": u.get("name"), "columns": u["column_names"]}
        for u in inspector.get_unique_constraints(name)
    ]
    indexes = [
        {"name": i.get("name"), "columns": i["column_names"], "unique": bool(i["unique"])}
        for i in inspector.get_indexes(name)
        if "duplicates_constraint" not in i
    ]
    checks = [
        {"name": c.get("name"), "sql": c["sqltext"]} for c in inspector.get_check_constraints(name)
    ]

    def order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda item: (item["name"] or "", str(item.get("columns"))))

    return {
        "name": name,
        "columns": _columns(inspector, engine, name),
        "primary_key": {"name": pk.get("name"), "columns": pk["constrained_columns"]}
        if pk and pk.get("constrained_columns")
        else None,
        "foreign_keys": order(foreign_keys),
        "unique": order(unique),
        "indexes": order(indexes),
        "checks": order(checks),
    }


def _describe_view(inspector: Any, engine: Engine, name: str) -> dict[str, Any]:
    definition = inspector.get_view_definition(name)
    return {
        "name": name,
        "columns": _columns(inspector, engine, name),
        "definition": definition.strip() if definition else None,
    }
