"""Fixtures: every test runs in its own temporary directory, against a fresh database of
each backend. The schema is migrated (and the seeds loaded) once per session into a
template, then copied per test: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
PostgreSQL.

PostgreSQL tests run when TIMELINE_TEST_POSTGRES_URL names a server (any database
on it; each run creates and drops its own) and are skipped with a reason otherwise.
With TIMELINE_REQUIRE_POSTGRES=1 (as in CI) a missing or unreachable server fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner, Result

PG_ENV = "TIMELINE_TEST_POSTGRES_URL"
REQUIRE_PG_ENV = "TIMELINE_REQUIRE_POSTGRES"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass
class PostgresServer:
    """Creates databases named after this run and drops them all at the end."""

    admin_url: URL
    prefix: str = field(default_factory=lambda: f"timeline_test_{uuid.uuid4().hex[:8]}")
    created: list[str] = field(default_factory=list)

    def _execute(self, statement: str) -> None:
        engine = create_engine(self.admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(statement))
        engine.dispose()

    def create(self, template: str | None = None) -> URL:
        name = f"{self.prefix}_{len(self.created)}"
        self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)
        return self.admin_url.set(database=name)

    def drop_all(self) -> None:
        for name in reversed(self.created):
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    raw = os.environ.get(PG_ENV)
    required = os.environ.get(REQUIRE_PG_ENV) == "1"
    if not raw:
        if required:
            pytest.fail(f"{REQUIRE_PG_ENV}=1 but {PG_ENV} is not set")
        yield None
        return
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    server = PostgresServer(url)
    try:
        server._execute("SELECT 1")
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {PG_ENV} is unreachable: {exc}")
    yield server
    server.drop_all()


def need_postgres(server: PostgresServer | None) -> PostgresServer:
    if server is None:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/postgres)"
        )
    return server


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches a real database or the user's environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def url_string(url: URL) -> str:
    return url.render_as_string(hide_password=False)


class Templates:
    """One migrated (and one seeded) database per backend per session, copied per test."""

    def __init__(self, root: Path, server: PostgresServer | None) -> None:
        self.root = root
        self.server = server
        self.made: dict[tuple[str, str], URL] = {}

    def template(self, backend: str, stage: str) -> URL:
        key = (backend, stage)
        if key not in self.made:
            url = self.fresh_empty(backend)
            from timeline import migrate

            migrate.upgrade(url)
            if backend == "postgresql":
                from timeline.readonly.roles import create_reader_role

                create_reader_role(url)  # the role `timeline sql` runs as
            if stage == "seeded":
                from timeline import seeds

                seeds.load_paths(url, None)
            self.made[key] = url
        return self.made[key]

    def fresh_empty(self, backend: str, directory: Path | None = None) -> URL:
        if backend == "sqlite":
            return URL.create(
                "sqlite", database=str((directory or self.root) / f"{uuid.uuid4().hex}.db")
            )
        return need_postgres(self.server).create()

    def copy(self, backend: str, stage: str, directory: Path) -> URL:
        template = self.template(backend, stage)
        if backend == "sqlite":
            assert template.database
            target = directory / "timeline.db"
            shutil.copyfile(template.database, target)
            return URL.create("sqlite", database=str(target))
        return need_postgres(self.server).create(template=template.database)


@pytest.fixture(scope="session")
def templates(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer | None
) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"), postgres)


@pytest.fixture
def empty_url(backend: str, templates: Templates, tmp_path: Path) -> URL:
    """A database that does not exist yet (SQLite) or exists with nothing in it (PostgreSQL)."""
    return templates.fresh_empty(backend, tmp_path)


@pytest.fixture
def db_url(backend: str, templates: Templates, tmp_path: Path) -> URL:
    """A fresh database at the newest schema revision, with no rows."""
    return templates.copy(backend, "migrated", tmp_path)


@pytest.fixture
def seeded_url(backend: str, templates: Templates, tmp_path: Path) -> URL:
    """A fresh database with the bundled seeds loaded."""
    return templates.copy(backend, "seeded", tmp_path)


runner = CliRunner()


def run(url: URL | str | None, *args: str, input: str | None = None) -> Result:
    """Run the CLI in-process against a database; stdout and stderr are kept apart."""
    from timeline.cli import app

    prefix = [] if url is None else ["--db", url if isinstance(url, str) else url_string(url)]
    return runner.invoke(app, [*prefix, *args], input=input, catch_exceptions=False)
