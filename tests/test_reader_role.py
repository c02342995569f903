"""On PostgreSQL, `timeline sql` works right after `load`, `import` or `db upgrade` where
the user may create roles; elsewhere it keeps its hint to ask for the role."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from conftest import PostgresServer, need_postgres, run
from test_cli_sql import admin_execute

from timeline.readonly.roles import READER_ROLE

PG = [pytest.param("postgresql", marks=pytest.mark.postgres)]


def _grants(server: PostgresServer, database: str) -> bool:
    url = server.admin_url.set(database=database)
    result = run(url, "sql", "SELECT 1 AS one", "-f", "ndjson")
    return result.exit_code == 0 and result.stdout == '{"one":1}\n'


@pytest.mark.parametrize("backend", PG)
@pytest.mark.parametrize("command", [["load"], ["db", "upgrade"], ["import"]], ids=" ".join)
def test_writers_refresh_the_reader_role(
    postgres: PostgresServer | None, backend: str, command: list[str], tmp_path: Path
) -> None:
    server = need_postgres(postgres)
    fresh = server.create()  # a database the role has no grants in yet
    assert fresh.database
    if command == ["import"]:
        source = tmp_path / "seeded.db"
        assert run(str(source), "load").exit_code == 0
        assert run(str(source), "export", "-o", str(tmp_path / "all.ndjson")).exit_code == 0
        command = ["import", str(tmp_path / "all.ndjson")]
    result = run(fresh, *command)
    assert result.exit_code == 0, result.stderr
    assert _grants(server, fresh.database)


@pytest.mark.parametrize("backend", PG)
def test_a_user_who_may_not_create_roles_keeps_the_hint(
    postgres: PostgresServer | None, backend: str
) -> None:
    server = need_postgres(postgres)
    user = f"timeline_test_plain_{uuid.uuid4().hex[:8]}"
    fresh = server.create()
    admin_execute(
        fresh,
        f"CREATE ROLE {user} LOGIN NOSUPERUSER NOCREATEROLE",
        f"ALTER DATABASE {fresh.database} OWNER TO {user}",
        f"ALTER SCHEMA public OWNER TO {user}",
    )
    plain = fresh.set(username=user)
    try:
        loaded = run(plain, "load")
        assert loaded.exit_code == 0, loaded.stderr
        result = run(plain, "sql", "SELECT 1")
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: this user may not SET ROLE {READER_ROLE}; GRANT {READER_ROLE} TO the user\n"
        )
    finally:  # the database is left to the session's drop_all; the role goes now
        admin_execute(
            fresh,
            f"REASSIGN OWNED BY {user} TO CURRENT_USER",
            f"DROP OWNED BY {user}",
            f"DROP ROLE {user}",
        )
