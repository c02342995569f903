"""Every read command refuses a database it cannot use the same way: one `error:` line
that names the database, exit 1, no traceback, and nothing created or migrated. A
missing database is never created by reading, and the revision check that runs first
does not import Alembic.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Templates, run, url_string
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from test_db import (
    BAD_TARGETS,
    assert_one_error_line,
    bad_target,
    files_under,
    set_revision,
    stored,
)

from timeline.db import display_url

# (arguments, exit code on a migrated database with no rows: an unknown slug or actor is 2)
READ_COMMANDS = [
    (["events"], 0),
    (["event", "west-2025-exercises-begin"], 2),
    (["actors"], 0),
    (["actor", "Lukashenka"], 2),
    (["sources"], 0),
    (["info"], 0),
    (["sql", "SELECT count(*) AS n FROM events"], 0),
    (["schema"], 0),
]
COMMANDS = [args for args, _ in READ_COMMANDS]
IDS = [args[0] for args in COMMANDS]
UPGRADE = "run `timeline db upgrade`"


def tables(url: URL) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


@pytest.mark.parametrize("kind", BAD_TARGETS)
@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_read_commands_refuse_what_is_no_database(kind: str, command: list[str]) -> None:
    here = Path.cwd()
    target, mentions = bad_target(kind, here)
    before = files_under(here)
    result = run(target, *command)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_one_error_line(result.stderr, mentions)
    assert files_under(here) == before


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_read_commands_in_a_real_process_print_one_line(command: list[str]) -> None:
    here = Path.cwd()
    target, mentions = bad_target("binary garbage", here)
    done = subprocess.run(
        [sys.executable, "-m", "timeline", "--db", target, *command],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert_one_error_line(done.stderr, mentions)


@pytest.mark.parametrize("how", ["default", "--db", "environment"])
@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_read_commands_never_create_a_database(
    monkeypatch: pytest.MonkeyPatch, how: str, command: list[str]
) -> None:
    if how == "default":
        result, name = run(None, *command), "timeline.db"
    elif how == "--db":
        result, name = run("missing.db", *command), "missing.db"
    else:
        monkeypatch.setenv("TIMELINE_DATABASE_URL", "sqlite:///from-env.db")
        result, name = run(None, *command), "from-env.db"
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, f"sqlite:///{name}")
    assert "timeline load" in result.stderr
    assert files_under(Path.cwd()) == {}


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_read_commands_leave_an_empty_file_empty(command: list[str]) -> None:
    Path("empty.db").touch()
    result = run("empty.db", *command)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, "empty.db")
    assert files_under(Path.cwd()) == {"empty.db": b""}


@pytest.mark.read_only
@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_read_commands_do_not_create_the_schema(
    backend: str, empty_url: URL, command: list[str]
) -> None:
    """SQLite: no file yet; PostgreSQL: a database with nothing in it."""
    result = run(empty_url, *command)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, display_url(empty_url))
    assert "timeline db upgrade" in result.stderr
    if backend == "sqlite":
        assert not Path(str(empty_url.database)).exists()
    else:
        assert tables(empty_url) == set()


@pytest.fixture
def at_revision(
    backend: str, templates: Templates, tmp_path: Path, revision: str | None
) -> Iterator[URL]:
    """A migrated database set to `revision`, which the tests only read: on PostgreSQL
    one per revision for the session, checked unchanged after each test."""
    with templates.shared(
        backend, f"at revision {revision}", tmp_path, lambda url: set_revision(url, revision)
    ) as url:
        yield url


@pytest.mark.parametrize("revision", ["0000_older", None], ids=["older revision", "base"])
@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_read_commands_refuse_another_revision_and_migrate_nothing(
    at_revision: URL, command: list[str]
) -> None:
    before = (stored(at_revision), tables(at_revision))
    result = run(at_revision, *command)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_one_error_line(result.stderr, display_url(at_revision))
    assert result.stderr.rstrip().endswith(UPGRADE)
    assert (stored(at_revision), tables(at_revision)) == before


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(("command", "code"), READ_COMMANDS, ids=IDS)
def test_reading_leaves_the_file_alone(db_url: URL, command: list[str], code: int) -> None:
    """Only SQLite's own -wal and -shm may appear beside the database."""
    path = Path(str(db_url.database))
    content = path.read_bytes()
    result = run(db_url, *command)
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == content
    assert set(files_under(path.parent)) <= {path.name, f"{path.name}-wal", f"{path.name}-shm"}


# Runs each command line (JSON arguments) in turn in one process, as `python -m
# timeline` would, and says after each which heavy libraries are loaded by then: the
# first command that imports one is the first line that names it.
PROBE = """
import json, runpy, sys
heavy = set(json.loads(sys.argv[1]))
for arguments in json.loads(sys.argv[2]):
    sys.argv = ["timeline", *arguments]
    code = None
    try:
        runpy.run_module("timeline", run_name="__main__")
    except SystemExit as exit:
        code = exit.code
    loaded = sorted({name.split(".")[0] for name in sys.modules} & heavy)
    sys.stderr.write(f"\\nPROBE {arguments[-1]} exit={code} heavy={loaded}\\n")
"""


def probe(heavy: list[str], command_lines: list[list[str]]) -> list[str]:
    """The PROBE lines of running the command lines in one process."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(heavy), json.dumps(command_lines)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("PROBE ")]
    assert len(lines) == len(command_lines), done.stderr
    return lines


@pytest.mark.read_only
def test_read_commands_import_neither_alembic_nor_pydantic(db_url: URL) -> None:
    """Each costs 100-300 ms of start-up: migrations and record validation only.
    (Typer 0.29 imports pydantic for every command, hence the pin below 0.29.)"""
    commands = [*READ_COMMANDS, (["db", "current"], 0)]
    lines = probe(
        ["alembic", "pydantic"], [["--db", url_string(db_url), *args] for args, _ in commands]
    )
    assert lines == [f"PROBE {args[-1]} exit={code} heavy=[]" for args, code in commands]


def test_help_and_version_import_no_database_library() -> None:
    """`timeline --help` is start-up alone (target 150 ms): SQLAlchemy costs ~200 ms more,
    so nothing on the way to the help may import it."""
    lines = probe(["alembic", "pydantic", "sqlalchemy"], [["--help"], ["--version"]])
    assert lines == ["PROBE --help exit=0 heavy=[]", "PROBE --version exit=0 heavy=[]"]
