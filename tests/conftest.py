"""Fixtures: every test runs in its own temporary directory, against a database of each
backend. The schema is migrated (and the seeds loaded) once per session into a
template, then copied per test: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
PostgreSQL.

A test marked `read_only` promises not to change the databases that `empty_url`,
`db_url` and `seeded_url` give it. On PostgreSQL it then gets one database per stage
shared by the whole session (per xdist worker), whose catalog, sequences and rows are
compared with what they were after every such test: a test that changed it fails, and
the next one gets a fresh copy. On SQLite, where a copy costs a millisecond, every test
keeps its own file, so that checks of the files beside the database stay exact.

PostgreSQL tests run when TIMELINE_TEST_POSTGRES_URL names a server (any database
on it; each run creates and drops its own) and are skipped with a reason otherwise.
With TIMELINE_REQUIRE_POSTGRES=1 (as in CI) a missing or unreachable server fails.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer.testing
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner, Result

# Fuzzing (tests/test_fuzz.py): a few examples in `make test`, many in `make fuzz`;
# no deadline, since the machine is shared and a slow example is no failure.
settings.register_profile("default", max_examples=30, deadline=None)
settings.register_profile("fuzz", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PG_ENV = "TIMELINE_TEST_POSTGRES_URL"
REQUIRE_PG_ENV = "TIMELINE_REQUIRE_POSTGRES"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

Prepare = Callable[[URL], None]


@dataclass
class PostgresServer:
    """Creates databases named after this run (and xdist worker) and drops them all at
    the end, several at a time: each DROP DATABASE waits for a checkpoint, which
    concurrent drops share (and dropped during the run, they would make the
    checkpoints write out the copies that later tests are creating)."""

    admin_url: URL
    prefix: str
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

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        # 40 at a time (two workers: 80 of the server's 100 connections): a drop mostly
        # waits for its checkpoint, so the more share one, the fewer checkpoints in all
        # (40 drops: 68 s one by one, 3 s eight at a time; 48: 2.0 s 24 at a time, 0.6 s
        # all at once). Dropped in the background during the run instead, they slowed
        # the tests by as much as they saved at the end.
        with ThreadPoolExecutor(max_workers=40) as pool:
            list(pool.map(self.drop, reversed(self.created)))


# The slowest files first (as measured, slowest first): under `--dist loadfile` a worker
# takes whole files, so a long one started last would keep one worker busy while the
# other sits idle. Within a file the order stays as written. (pyproject.toml passes
# --no-loadscope-reorder: else xdist hands out the files with the most tests first,
# and the slowest files, with few tests each, came last.)
SLOW_FIRST = [
    "test_crash_safety.py",
    "test_benchmarks.py",
    "test_cli_transfer.py",
    "test_html.py",
    "test_cli_sql.py",
    "test_concurrency.py",
    "test_cli_faults.py",
    "test_gdelt.py",
    "test_cli_views.py",
    "test_wheel.py",
    "test_cli_errors.py",
    "test_transfer.py",
    "test_fuzz.py",
    "test_seeds.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # a stable sort


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
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", … under pytest-xdist
    prefix = "_".join(filter(None, ["timeline_test", uuid.uuid4().hex[:8], worker]))
    server = PostgresServer(url, prefix=prefix)
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


# What a read-only test must leave as it found it: the schema objects, privileges,
# settings, sequences and large objects of the database (and, below, its rows).
_USER_NAMESPACE = "n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
_CATALOG = f"""
SELECT concat_ws(' ', 'relation', c.oid::regclass, c.relkind, c.relowner::regrole,
                 coalesce(c.relacl::text, '-'))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER_NAMESPACE}
UNION ALL
SELECT concat_ws(' ', 'column', a.attrelid::regclass, a.attname,
                 format_type(a.atttypid, a.atttypmod), a.attnotnull,
                 coalesce(pg_get_expr(d.adbin, d.adrelid), '-'))
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE {_USER_NAMESPACE} AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT concat_ws(' ', 'constraint', c.conrelid::regclass, c.conname,
                 pg_get_constraintdef(c.oid))
  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE {_USER_NAMESPACE}
UNION ALL
SELECT concat_ws(' ', 'index', pg_get_indexdef(i.indexrelid))
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER_NAMESPACE}
UNION ALL
SELECT concat_ws(' ', 'view', c.oid::regclass, md5(pg_get_viewdef(c.oid)))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE {_USER_NAMESPACE} AND c.relkind IN ('v', 'm')
UNION ALL
SELECT concat_ws(' ', 'function', p.oid::regprocedure, coalesce(p.proacl::text, '-'))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {_USER_NAMESPACE}
UNION ALL
SELECT concat_ws(' ', 'trigger', t.tgrelid::regclass, t.tgname)
  FROM pg_trigger t WHERE NOT t.tgisinternal
UNION ALL
SELECT concat_ws(' ', 'schema', n.nspname, n.nspowner::regrole, coalesce(n.nspacl::text, '-'))
  FROM pg_namespace n
 WHERE n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
UNION ALL
SELECT concat_ws(' ', 'extension', e.extname, e.extversion) FROM pg_extension e
UNION ALL
SELECT concat_ws(' ', 'sequence', s.schemaname, s.sequencename, coalesce(s.last_value::text, '-'))
  FROM pg_sequences s
UNION ALL
SELECT concat_ws(' ', 'large objects', count(*)) FROM pg_largeobject_metadata
UNION ALL
SELECT concat_ws(' ', 'database', coalesce(d.datacl::text, '-'), coalesce(
       (SELECT string_agg(array_to_string(s.setconfig, ','), ';' ORDER BY s.setrole)
          FROM pg_db_role_setting s WHERE s.setdatabase = d.oid), '-'))
  FROM pg_database d WHERE d.datname = current_database()
"""
_TABLES = f"""
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE {_USER_NAMESPACE} AND c.relkind IN ('r', 'p')
"""


def postgres_state(url: URL) -> list[str]:
    """The schema objects of a PostgreSQL database, its privileges and settings, and a
    digest of every table's rows, as sorted lines."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            lines = list(connection.execute(text(_CATALOG)).scalars())
            tables = connection.execute(text(_TABLES)).scalars().all()
            if tables:
                digests = " UNION ALL ".join(
                    f"(SELECT concat_ws(' ', 'rows', '{name}', count(*), "
                    f"md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))) "
                    f"FROM {name} t)"
                    for name in tables
                )
                lines += connection.execute(text(digests)).scalars()
    finally:
        engine.dispose()
    return sorted(lines)


class Templates:
    """One migrated (and one seeded) database per backend per session, copied per test;
    more stages on demand (a migrated copy, then `prepare`)."""

    def __init__(self, root: Path, server: PostgresServer | None) -> None:
        self.root = root
        self.server = server
        self.made: dict[tuple[str, str], URL] = {}
        self.shared_made: dict[str, tuple[URL, list[str]]] = {}

    def template(self, backend: str, stage: str, prepare: Prepare | None = None) -> URL:
        key = (backend, stage)
        if key not in self.made:
            if stage in ("migrated", "seeded"):
                url = self._migrated(backend, seeded=stage == "seeded")
            else:  # a stage of the caller's, made from a migrated copy
                assert prepare is not None, f"stage {stage!r} needs a prepare function"
                directory = self.root / uuid.uuid4().hex
                directory.mkdir()
                url = self.copy(backend, "migrated", directory)
                prepare(url)
            self.made[key] = url
        return self.made[key]

    def _migrated(self, backend: str, *, seeded: bool) -> URL:
        url = self.fresh_empty(backend)
        from timeline import migrate

        migrate.upgrade(url)
        if backend == "postgresql":
            from timeline.readonly.roles import create_reader_role

            create_reader_role(url)  # the role `timeline sql` runs as
        if seeded:
            from timeline import seeds

            seeds.load_paths(url, None)
        return url

    def fresh_empty(self, backend: str, directory: Path | None = None) -> URL:
        if backend == "sqlite":
            return URL.create(
                "sqlite", database=str((directory or self.root) / f"{uuid.uuid4().hex}.db")
            )
        return need_postgres(self.server).create()

    def copy(
        self, backend: str, stage: str, directory: Path, prepare: Prepare | None = None
    ) -> URL:
        template = self.template(backend, stage, prepare)
        if backend == "sqlite":
            assert template.database
            target = directory / "timeline.db"
            shutil.copyfile(template.database, target)
            return URL.create("sqlite", database=str(target))
        return need_postgres(self.server).create(template=template.database)

    @contextmanager
    def shared(
        self, backend: str, stage: str, directory: Path, prepare: Prepare | None = None
    ) -> Iterator[URL]:
        """A database at `stage` for a test that only reads it: on PostgreSQL one per
        session, checked unchanged afterwards; on SQLite a copy of the test's own."""
        if backend == "sqlite":
            if stage == "empty":
                yield self.fresh_empty(backend, directory)
            else:
                yield self.copy(backend, stage, directory, prepare)
            return
        if stage not in self.shared_made:
            if stage == "empty":
                url = self.fresh_empty(backend)
            else:
                url = self.copy(backend, stage, directory, prepare)
            self.shared_made[stage] = (url, postgres_state(url))
        url, before = self.shared_made[stage]
        try:
            yield url
        except BaseException:  # a failed test may have written: the next gets a fresh copy
            del self.shared_made[stage]
            raise
        after = postgres_state(url)
        if after != before:
            del self.shared_made[stage]  # the next test gets a fresh copy
            was, now = sorted(set(before) - set(after)), sorted(set(after) - set(before))
            pytest.fail(
                f"a read_only test changed the shared {stage} database: "
                f"was {'; '.join(was[:5]) or '-'}; now {'; '.join(now[:5]) or '-'}",
                pytrace=False,
            )


@pytest.fixture(scope="session")
def templates(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer | None
) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"), postgres)


def _database(
    request: pytest.FixtureRequest, backend: str, templates: Templates, stage: str, tmp: Path
) -> Iterator[URL]:
    if request.node.get_closest_marker("read_only"):
        with templates.shared(backend, stage, tmp) as url:
            yield url
    elif stage == "empty":
        yield templates.fresh_empty(backend, tmp)
    else:
        yield templates.copy(backend, stage, tmp)


@pytest.fixture
def empty_url(
    request: pytest.FixtureRequest, backend: str, templates: Templates, tmp_path: Path
) -> Iterator[URL]:
    """A database that does not exist yet (SQLite) or exists with nothing in it (PostgreSQL)."""
    yield from _database(request, backend, templates, "empty", tmp_path)


@pytest.fixture
def db_url(
    request: pytest.FixtureRequest, backend: str, templates: Templates, tmp_path: Path
) -> Iterator[URL]:
    """A fresh database at the newest schema revision, with no rows (shared on
    PostgreSQL by the tests marked read_only)."""
    yield from _database(request, backend, templates, "migrated", tmp_path)


@pytest.fixture
def seeded_url(
    request: pytest.FixtureRequest, backend: str, templates: Templates, tmp_path: Path
) -> Iterator[URL]:
    """A fresh database with the bundled seeds loaded (shared on PostgreSQL by the tests
    marked read_only)."""
    yield from _database(request, backend, templates, "seeded", tmp_path)


# Typer's test runner builds the Click command tree from the commands' signatures on
# every call: 20 ms, most of an in-process command and a third of the suite's time. The
# tree never changes, so it is built once per app.
typer.testing._get_command = functools.cache(typer.testing._get_command)
runner = CliRunner()


def run(url: URL | str | None, *args: str, input: str | None = None) -> Result:
    """Run the CLI in-process against a database; stdout and stderr are kept apart."""
    from timeline.cli import app

    prefix = [] if url is None else ["--db", url if isinstance(url, str) else url_string(url)]
    return runner.invoke(app, [*prefix, *args], input=input, catch_exceptions=False)
