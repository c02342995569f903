"""Where the database is, the `timeline db` commands end to end on both backends, and
how a database that cannot be used is refused: one `error:` line naming it, exit 1,
nothing created or changed. The read commands get the same checks in
test_cli_errors.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run, url_string
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from timeline.db import (
    DEFAULT_URL,
    ENV_VAR,
    SCHEMA_REVISION,
    database_url,
    display_url,
    make_engine,
    open_database,
)
from timeline.errors import DatabaseError

# --- where the database is ---------------------------------------------------------


def test_a_plain_path_is_an_sqlite_file() -> None:
    assert url_string(database_url("data/my.db")) == "sqlite:///data/my.db"
    assert url_string(database_url("/srv/t.db")) == "sqlite:////srv/t.db"
    assert database_url("my.db").get_backend_name() == "sqlite"


def test_the_default_is_timeline_db_in_the_current_directory() -> None:
    assert DEFAULT_URL == "sqlite:///timeline.db"
    url = database_url(None)
    assert (url.get_backend_name(), url.database) == ("sqlite", "timeline.db")


def test_the_environment_names_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "sqlite:///from-env.db")
    assert database_url(None).database == "from-env.db"
    assert database_url("option.db").database == "option.db"  # --db wins


@pytest.mark.parametrize("raw", ["postgresql://u@db.example/tl", "postgres://u@db.example/tl"])
def test_postgresql_urls_use_psycopg_3(raw: str) -> None:
    url = database_url(raw)
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.database, url.username) == ("db.example", "tl", "u")


def test_display_url_hides_the_password() -> None:
    url = database_url("postgresql://ann:s3cret@db.example:5433/tl")
    shown = display_url(url)
    assert "s3cret" not in shown
    assert shown == "postgresql+psycopg://ann:***@db.example:5433/tl"
    assert url.password == "s3cret"  # hidden when shown, kept for connecting


# --- databases that cannot be used -----------------------------------------------

DB_COMMANDS = [["db", "upgrade"], ["db", "current"], ["db", "downgrade", "base", "--yes"]]
GARBAGE = bytes(range(256)) * 16


def files_under(root: Path) -> dict[str, bytes | None]:
    """Every path below root with its content (None for a directory)."""
    return {
        str(path.relative_to(root)): None if path.is_dir() else path.read_bytes()
        for path in sorted(root.rglob("*"))
    }


def bad_target(kind: str, here: Path) -> tuple[str, str]:
    """(the --db value, what the error must mention) for a database that cannot be used."""
    if kind == "directory":
        (here / "adir").mkdir()
        return "adir", "adir"
    if kind == "text file":
        (here / "notes.db").write_text("these are my notes\n")
        return "notes.db", "notes.db"
    if kind == "binary garbage":
        (here / "blob.db").write_bytes(GARBAGE)
        return "blob.db", "blob.db"
    if kind == "SQLite header, garbage after":
        (here / "fake.db").write_bytes(b"SQLite format 3\x00" + GARBAGE)
        return "fake.db", "fake.db"
    if kind == "missing directory":
        return "no/such/dir/t.db", "no/such/dir/t.db"
    if kind == "unreachable PostgreSQL":
        return "postgresql://postgres:s3cret@127.0.0.1:1/timeline", "127.0.0.1:1/timeline"
    if kind == "unsupported URL":
        return "mysql://someone@127.0.0.1/timeline", "unsupported database URL mysql://someone@"
    raise AssertionError(kind)


BAD_TARGETS = [
    "directory",
    "text file",
    "binary garbage",
    "SQLite header, garbage after",
    "missing directory",
    "unreachable PostgreSQL",
    "unsupported URL",
]


def assert_one_error_line(stderr: str, mentions: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert mentions in lines[0]
    assert "Traceback" not in stderr
    assert "s3cret" not in stderr


@pytest.mark.parametrize("kind", BAD_TARGETS)
@pytest.mark.parametrize("command", DB_COMMANDS, ids=" ".join)
def test_db_commands_refuse_what_is_no_database(kind: str, command: list[str]) -> None:
    here = Path.cwd()
    target, mentions = bad_target(kind, here)
    before = files_under(here)
    result = run(target, *command)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_one_error_line(result.stderr, mentions)
    assert files_under(here) == before


@pytest.mark.parametrize("kind", ["directory", "binary garbage", "unreachable PostgreSQL"])
def test_the_installed_entry_point_prints_no_traceback(kind: str) -> None:
    """The real process, not the test runner: one line, exit 1."""
    here = Path.cwd()
    target, mentions = bad_target(kind, here)
    before = files_under(here)
    done = subprocess.run(
        [sys.executable, "-m", "timeline", "--db", target, "db", "upgrade"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert_one_error_line(done.stderr, mentions)
    assert files_under(here) == before


@pytest.mark.parametrize(
    "command", [["db", "current"], ["db", "downgrade", "base", "--yes"]], ids=" ".join
)
def test_db_commands_other_than_upgrade_never_create_a_file(command: list[str]) -> None:
    result = run("missing.db", *command)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, "missing.db")
    assert "timeline db upgrade" in result.stderr
    assert files_under(Path.cwd()) == {}


# --- `timeline db …` end to end ----------------------------------------------------


def tables(url: URL) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def stored(url: URL) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        versions = list(rows)
    engine.dispose()
    return versions


def test_db_upgrade_current_downgrade_end_to_end(empty_url: URL) -> None:
    shown = display_url(empty_url)

    upgraded = run(empty_url, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert upgraded.stderr == f"{shown}: at revision {SCHEMA_REVISION}\n"
    assert {"events", "actors", "sources", "evidence"} <= tables(empty_url)
    assert stored(empty_url) == [SCHEMA_REVISION]

    current = run(empty_url, "db", "current")
    assert (current.exit_code, current.stdout) == (0, f"{SCHEMA_REVISION} (head)\n")

    again = run(empty_url, "db", "upgrade")  # nothing to do, no harm
    assert again.exit_code == 0
    assert stored(empty_url) == [SCHEMA_REVISION]

    downgraded = run(empty_url, "db", "downgrade", "base", "--yes")
    assert downgraded.exit_code == 0, downgraded.stderr
    assert downgraded.stderr == f"{shown}: at revision base\n"
    assert tables(empty_url) == {"alembic_version"}
    assert stored(empty_url) == []

    current = run(empty_url, "db", "current")
    assert (current.exit_code, current.stdout) == (0, f"base (head is {SCHEMA_REVISION})\n")

    explicit = run(empty_url, "db", "upgrade", SCHEMA_REVISION)
    assert explicit.exit_code == 0, explicit.stderr
    assert stored(empty_url) == [SCHEMA_REVISION]


@pytest.mark.read_only
def test_db_current_on_an_empty_database(backend: str, empty_url: URL) -> None:
    result = run(empty_url, "db", "current")
    if backend == "sqlite":  # the file does not exist yet, and is not created
        assert result.exit_code == 1
        assert_one_error_line(result.stderr, display_url(empty_url))
        assert not Path(str(empty_url.database)).exists()
    else:
        assert (result.exit_code, result.stdout) == (0, f"base (head is {SCHEMA_REVISION})\n")
        assert tables(empty_url) == set()


@pytest.mark.parametrize(
    "command", [["upgrade", "nosuchrev"], ["downgrade", "nosuchrev", "--yes"]], ids=" ".join
)
def test_an_unknown_target_revision_is_bad_usage(db_url: URL, command: list[str]) -> None:
    result = run(db_url, "db", *command)
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "nosuchrev")
    assert stored(db_url) == [SCHEMA_REVISION]


# --- out-of-date schemas: refused, never migrated behind the user's back -----------


def set_revision(url: URL, revision: str | None) -> None:
    """Pretend the database is at another revision (None: at base, schema removed)."""
    if revision is None:
        from timeline import migrate

        migrate.downgrade(url, "base")
        return
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


@pytest.mark.parametrize(
    ("revision", "says"),
    [("0000_older", "at schema revision 0000_older"), (None, "has no timeline schema")],
    ids=["older revision", "downgraded to base"],
)
def test_open_database_refuses_another_revision(
    db_url: URL, revision: str | None, says: str
) -> None:
    set_revision(db_url, revision)
    before = stored(db_url)
    with pytest.raises(DatabaseError) as caught:
        open_database(db_url)
    message = str(caught.value)
    assert display_url(db_url) in message
    assert says in message
    assert message.endswith("run `timeline db upgrade`")
    assert stored(db_url) == before


def test_db_current_names_another_revision(db_url: URL) -> None:
    set_revision(db_url, "0000_older")
    result = run(db_url, "db", "current")
    assert (result.exit_code, result.stdout) == (0, f"0000_older (head is {SCHEMA_REVISION})\n")
    assert stored(db_url) == ["0000_older"]


@pytest.mark.parametrize("command", [["upgrade"], ["downgrade", "base", "--yes"]], ids=" ".join)
def test_a_revision_this_timeline_does_not_know_is_a_database_error(
    db_url: URL, command: list[str]
) -> None:
    """A database from a newer timeline: exit 1 naming it, left as it is."""
    set_revision(db_url, "9999_newer")
    result = run(db_url, "db", *command)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, f"{display_url(db_url)} is at schema revision 9999_newer")
    assert stored(db_url) == ["9999_newer"]


def test_open_database_never_creates_a_file() -> None:
    with pytest.raises(DatabaseError, match=r"no timeline database at sqlite:///missing\.db"):
        open_database(database_url("missing.db"))
    Path("empty.db").touch()
    with pytest.raises(DatabaseError, match=r"no timeline database at sqlite:///empty\.db"):
        open_database(database_url("empty.db"))
    assert files_under(Path.cwd()) == {"empty.db": b""}


def test_a_read_only_engine_cannot_create_the_file() -> None:
    """The guard behind the guard: `mode=ro` fails rather than create a database."""
    from sqlalchemy.exc import OperationalError

    engine = make_engine(database_url("never.db"), read_only=True)
    with pytest.raises(OperationalError):
        engine.connect()
    engine.dispose()
    assert files_under(Path.cwd()) == {}


@pytest.mark.read_only
@pytest.mark.parametrize("backend", ["sqlite"])
def test_reading_an_sqlite_database_leaves_only_wal_files(db_url: URL) -> None:
    from sqlalchemy.exc import OperationalError

    directory = Path(str(db_url.database)).parent
    engine = open_database(db_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == 0
        with pytest.raises(OperationalError, match=r"readonly database"):
            connection.execute(text("DELETE FROM events"))
    engine.dispose()
    assert set(files_under(directory)) <= {"timeline.db", "timeline.db-wal", "timeline.db-shm"}


# --- the revision check does not import Alembic --------------------------------------

NO_ALEMBIC = """
import sys
from timeline.db import database_url, open_database
from sqlalchemy import text
engine = open_database(database_url(sys.argv[1]))
with engine.connect() as connection:
    connection.execute(text("SELECT count(*) FROM events")).scalar_one()
engine.dispose()
print(sorted(name for name in sys.modules if name.split(".")[0] == "alembic"))
"""


@pytest.mark.read_only
def test_the_revision_check_does_not_import_alembic(db_url: URL) -> None:
    done = subprocess.run(
        [sys.executable, "-c", NO_ALEMBIC, url_string(db_url)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


@pytest.mark.read_only
def test_the_no_alembic_check_can_fail(db_url: URL) -> None:
    """The same probe reports Alembic once something imports it."""
    code = NO_ALEMBIC.replace("import sys\n", "import sys\nimport alembic.command\n", 1)
    done = subprocess.run(
        [sys.executable, "-c", code, url_string(db_url)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "'alembic.command'" in done.stdout


# --- the entry points --------------------------------------------------------------


def test_python_dash_m_timeline_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "timeline", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: timeline [OPTIONS] COMMAND" in done.stdout
    assert "--db" in done.stdout
    assert " db " in done.stdout
    assert done.stderr == ""


# --- PostgreSQL session settings -------------------------------------------------------


@pytest.mark.read_only
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_postgresql_reads_run_without_jit_and_keep_the_urls_options(db_url: URL) -> None:
    """The views' short queries skip JIT compilation; writers keep the server's setting,
    and options given in the URL still apply."""
    with_options = db_url.update_query_dict({"options": "-c statement_timeout=4321"})
    reader, writer = open_database(with_options), make_engine(db_url)
    with reader.connect() as connection:
        settings = connection.execute(
            text("SELECT current_setting('jit'), current_setting('statement_timeout')")
        ).one()
        assert tuple(settings) == ("off", "4321ms")
    with writer.connect() as connection:
        server_default = connection.execute(
            text("SELECT reset_val FROM pg_settings WHERE name = 'jit'")
        ).scalar_one()
        assert connection.execute(text("SHOW jit")).scalar_one() == server_default
    reader.dispose()
    writer.dispose()
