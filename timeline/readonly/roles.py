"""PostgreSQL: the least-privileged role `timeline sql` runs statements as, created by
`timeline db create-reader-role` and checked before every statement."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError

from timeline.db import first_line, is_sqlite, open_database
from timeline.errors import DatabaseError, InputError
from timeline.lock import DEFAULT_WAIT, take_writer_lock

READER_ROLE = "timeline_reader"
ROLE_ENV = "TIMELINE_READER_ROLE"  # as `timeline sql --role` reads it

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


def require_reader_role(cursor: Any, role: str) -> None:
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
            # Two GRANTs at once fail ("tuple concurrently updated"): one writer at a time.
            take_writer_lock(connection, url, DEFAULT_WAIT, None)
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


def refresh_reader_role(url: URL, role: str | None = None) -> bool:
    """After a write that may have migrated: create or refresh the reader role where the
    connecting user may create roles, so that `timeline sql` works at once; elsewhere
    leave it to an administrator (`timeline db create-reader-role --print-sql`).
    Returns whether it did."""
    if is_sqlite(url):
        return False
    engine = open_database(url, read_only=False)
    try:
        with engine.connect() as connection:
            allowed = connection.exec_driver_sql(
                "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
            ).scalar()
    except DBAPIError as exc:
        raise DatabaseError(first_line(exc)) from exc
    finally:
        engine.dispose()
    if not allowed:
        return False
    create_reader_role(url, role or os.environ.get(ROLE_ENV) or READER_ROLE)
    return True


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
