"""`timeline sql` and `timeline schema` from the command line, on SQLite and PostgreSQL.

Every refused statement class is tried on the seeded database of each backend: exit 2,
the message, the same rows and objects afterwards, and no new file (SQLite's own
-wal/-shm aside). `test_inspect.py` runs the same classes with the statement check
switched off, to show the database refuses them too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import run
from sqlalchemy import create_engine, insert, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from timeline.models import Base

BOTH, SQLITE, PG = ("sqlite", "postgresql"), ("sqlite",), ("postgresql",)
REFUSED = "error: only read-only queries are allowed"
RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"

# (id, backends, statement, reason): `{file}` is a path the statement must not create.
REFUSED_CLASSES = [
    ("delete", BOTH, "DELETE FROM events", "DELETE changes rows"),
    ("update", BOTH, "UPDATE events SET title = 'x'", "UPDATE changes rows"),
    (
        "insert",
        BOTH,
        "INSERT INTO event_countries (event_id, country_code) SELECT id, 'XXX' FROM events",
        "INSERT changes rows",
    ),
    (
        "replace",
        SQLITE,
        "REPLACE INTO event_countries (event_id, country_code) SELECT id, 'XXX' FROM events",
        "REPLACE changes rows",
    ),
    ("truncate", PG, "TRUNCATE events CASCADE", "TRUNCATE changes rows"),
    (
        "write in a CTE",
        SQLITE,
        "WITH doomed AS (SELECT id FROM events) DELETE FROM events "
        "WHERE id IN (SELECT id FROM doomed)",
        "DELETE changes rows",
    ),
    (
        "write in a CTE",
        PG,
        "WITH doomed AS (DELETE FROM events RETURNING id) SELECT count(*) FROM doomed",
        "DELETE changes rows",
    ),
    (
        "several statements",
        BOTH,
        "SELECT count(*) FROM events; DELETE FROM events",
        "several statements",
    ),
    ("drop", BOTH, "DROP TABLE event_relations", "DROP changes the schema"),
    ("create", BOTH, "CREATE TABLE notes (x int)", "CREATE changes the schema"),
    (
        "create temp",
        BOTH,
        "CREATE TEMP TABLE notes AS SELECT * FROM events",
        "CREATE changes the schema",
    ),
    ("alter", BOTH, "ALTER TABLE events ADD COLUMN note text", "ALTER changes the schema"),
    ("select into", PG, "SELECT * INTO events_copy FROM events", "INTO creates a table"),
    ("attach", SQLITE, "ATTACH DATABASE '{file}' AS other", "ATTACH opens another database"),
    ("vacuum into", SQLITE, "VACUUM INTO '{file}'", "VACUUM rewrites the database"),
    ("vacuum", BOTH, "VACUUM", "VACUUM rewrites the database"),
    ("pragma", SQLITE, "PRAGMA query_only = OFF", "PRAGMA changes settings"),
    ("pragma journal", SQLITE, "PRAGMA journal_mode = DELETE", "PRAGMA changes settings"),
    (
        "pragma function",
        SQLITE,
        "SELECT * FROM pragma_foreign_keys",
        "pragma_foreign_keys is not one of the read-only pragma functions",
    ),
    (
        "load extension",
        SQLITE,
        "SELECT load_extension('{file}')",
        "load_extension() loads code from a file",
    ),
    ("begin", BOTH, "BEGIN", "BEGIN controls transactions"),
    ("commit", BOTH, "COMMIT", "COMMIT controls transactions"),
    ("savepoint", BOTH, "SAVEPOINT s", "SAVEPOINT controls transactions"),
    ("row locks", BOTH, "SELECT * FROM events FOR UPDATE", "FOR UPDATE locks rows"),
    ("set role", PG, "SET ROLE postgres", "SET changes settings"),
    ("reset role", PG, "RESET ROLE", "RESET changes settings"),
    ("session authorization", PG, "SET SESSION AUTHORIZATION DEFAULT", "SET changes settings"),
    ("set", PG, "SET statement_timeout = 0", "SET changes settings"),
    (
        "set_config",
        PG,
        "SELECT set_config('role', 'postgres', false)",
        "set_config() changes settings",
    ),
    (
        "set_config quoted",
        PG,
        "SELECT pg_catalog.\"set_config\"('statement_timeout', '0', false)",
        "set_config() changes settings",
    ),
    (
        "role escape",
        PG,
        "SELECT set_config('role', 'postgres', true) AS r, "
        "query_to_xml('SELECT pg_read_file(''/etc/hostname'')', true, false, '') AS x, "
        "set_config('role', 'timeline_reader', true) AS back",
        "set_config() changes settings",
    ),
    (
        "unicode escape",
        PG,
        "SELECT U&\"set_config\"('role', 'postgres', false)",
        "Unicode-escaped identifiers",
    ),
    (
        "sql text",
        PG,
        "SELECT query_to_xml('DELETE FROM events RETURNING 1', true, false, '')",
        "query_to_xml() runs SQL text",
    ),
    ("do", PG, "DO $$BEGIN DELETE FROM events; END$$", "DO is not a query"),
    ("read file", PG, "SELECT pg_read_file('/etc/hostname')", "pg_read_file() reaches files"),
    ("list files", PG, "SELECT pg_ls_dir('.')", "pg_ls_dir() reaches files"),
    ("copy to file", PG, "COPY (SELECT 1) TO '{file}'", "COPY reads or writes files"),
    ("copy to program", PG, "COPY (SELECT 1) TO PROGRAM 'touch {file}'", "COPY reads or writes"),
    ("copy from file", PG, "COPY events FROM '/etc/hostname'", "COPY reads or writes files"),
    ("lo_import", PG, "SELECT lo_import('/etc/hostname')", "lo_import() reaches files"),
    ("lo_export", PG, "SELECT lo_export(1, '{file}')", "lo_export() reaches files"),
    (
        "dblink",
        PG,
        "SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS t(x int)",
        "dblink() connects to another database",
    ),
    ("nextval", PG, "SELECT nextval('events_id_seq')", "nextval() changes a sequence"),
    ("advisory lock", PG, "SELECT pg_advisory_lock(42)", "pg_advisory_lock() takes locks"),
    ("notify", PG, "SELECT pg_notify('channel', 'x')", "pg_notify() sends a notification"),
    (
        "terminate",
        PG,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
        "pg_terminate_backend() administers the server",
    ),
]


def refused_cases(backend: str) -> list[Any]:
    return [
        pytest.param(statement, reason, id=name)
        for name, backends, statement, reason in REFUSED_CLASSES
        if backend in backends
    ]


# ---------------------------------------------------------------- what must not change


def database_state(url: URL) -> dict[str, Any]:
    """Row counts of every table, and the tables and views."""
    from timeline.db import make_engine

    engine = make_engine(url, read_only=True)
    try:
        inspector = inspect(engine)
        tables = sorted(inspector.get_table_names())
        state: dict[str, Any] = {"tables": tables, "views": sorted(inspector.get_view_names())}
        with engine.connect() as connection:
            for table in tables:
                state[table] = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    finally:
        engine.dispose()
    return state


def files_here(directory: Path) -> dict[str, str]:
    """Every file under `directory` with a digest of its content; SQLite's -wal and -shm
    files are left out (a reader may create them)."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not path.name.endswith(("-wal", "-shm"))
    }


class Watch:
    """Takes the database's state and the files around it, to compare after a command."""

    def __init__(self, url: URL, directory: Path, server_file: Path) -> None:
        self.url, self.directory, self.server_file = url, directory, server_file
        self.before = (database_state(url), files_here(directory))

    def unchanged(self) -> None:
        assert database_state(self.url) == self.before[0]
        assert files_here(self.directory) == self.before[1]
        assert not self.server_file.exists()


@pytest.fixture
def target_file(tmp_path: Path, backend: str) -> Iterator[Path]:
    """A file a refused statement would create: beside the SQLite database, or in /tmp
    where a PostgreSQL server on this machine may write."""
    path = (
        tmp_path / "created-by-sql.db"
        if backend == "sqlite"
        else Path(f"/tmp/timeline-sql-test-{uuid.uuid4().hex}")
    )
    yield path
    path.unlink(missing_ok=True)


def statement_with(statement: str, path: Path) -> str:
    return statement.replace("{file}", str(path))


# ---------------------------------------------------------------- refusals


@pytest.mark.read_only
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(("statement", "reason"), refused_cases("sqlite"))
def test_sqlite_refuses(
    seeded_url: URL, tmp_path: Path, target_file: Path, statement: str, reason: str
) -> None:
    assert_refused(seeded_url, tmp_path, target_file, statement, reason)


@pytest.mark.read_only
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize(("statement", "reason"), refused_cases("postgresql"))
def test_postgresql_refuses(
    seeded_url: URL, tmp_path: Path, target_file: Path, statement: str, reason: str
) -> None:
    assert_refused(seeded_url, tmp_path, target_file, statement, reason)


def assert_refused(url: URL, directory: Path, target: Path, statement: str, reason: str) -> None:
    watch = Watch(url, directory, target)
    result = run(url, "sql", statement_with(statement, target))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"{REFUSED} ({reason}")
    assert result.stderr.count("\n") == 1
    watch.unchanged()


@pytest.mark.read_only
def test_refused_even_from_stdin(seeded_url: URL, tmp_path: Path, target_file: Path) -> None:
    watch = Watch(seeded_url, tmp_path, target_file)
    result = run(seeded_url, "sql", "-", input="DELETE FROM events\n")
    assert result.exit_code == 2
    assert result.stderr == f"{REFUSED} (DELETE changes rows)\n"
    watch.unchanged()


# ---------------------------------------------------------------- what is allowed


@pytest.mark.read_only
def test_reads_from_stdin_and_ignores_a_trailing_semicolon(seeded_url: URL) -> None:
    result = run(
        seeded_url, "sql", "-", "--format", "json", input="SELECT count(*) AS n FROM events;\n"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": 17}]


@pytest.mark.read_only
@pytest.mark.parametrize(
    "statement",
    [
        "SELECT count(*) AS n FROM events -- ; DELETE FROM events",
        "SELECT count(*) AS n FROM events /* ; DROP TABLE events */",
        "SELECT count(*) AS n FROM events WHERE title <> 'DELETE FROM events; set_config('",
        "WITH e AS (SELECT * FROM events) SELECT count(*) AS n FROM e",
        "SELECT count(*) AS n FROM (SELECT replace(title, 'a', 'b') FROM events) t",
    ],
    ids=["line comment", "block comment", "string", "cte", "replace()"],
)
def test_words_in_comments_and_strings_are_not_code(seeded_url: URL, statement: str) -> None:
    result = run(seeded_url, "sql", statement, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": 17}]


@pytest.mark.read_only
@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_schema_pragma_functions_stay_allowed(seeded_url: URL) -> None:
    result = run(
        seeded_url,
        "sql",
        "SELECT name, pk FROM pragma_table_info('events') WHERE pk = 1",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"name": "id", "pk": 1}]


# ---------------------------------------------------------------- time and rows


@pytest.mark.read_only
def test_a_runaway_query_is_stopped(seeded_url: URL) -> None:
    result = run(seeded_url, "sql", RUNAWAY, "--timeout", "0.5")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "error: query exceeded 0.5 s\n"


@pytest.mark.read_only
@pytest.mark.parametrize("backend", ["sqlite"])
def test_without_timeout_a_query_gets_the_default_time_limit(
    seeded_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stop itself is test_a_runaway_query_is_stopped; this is that a query given no
    --timeout runs under the documented 5 s (waiting them out would cost 5 s a run)."""
    from timeline.readonly import runner

    limits = []
    real = runner.run_query

    def spy(*args: Any, **kwargs: Any) -> Any:
        limits.append(kwargs["timeout"])
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "run_query", spy)
    result = run(seeded_url, "sql", "SELECT 1 AS n", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [{"n": 1}])
    assert limits == [5.0] == [runner.DEFAULT_TIMEOUT]
    assert runner.seconds(runner.DEFAULT_TIMEOUT) == "5"  # "error: query exceeded 5 s"


@pytest.mark.read_only
@pytest.mark.parametrize("value", ["0", "-1"])
def test_the_time_limit_must_be_positive(seeded_url: URL, value: str) -> None:
    result = run(seeded_url, "sql", "SELECT 1", "--timeout", value)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --timeout must be a finite number of seconds above 0, not {value}\n"
    )


@pytest.mark.read_only
def test_max_rows_cuts_with_a_note(seeded_url: URL) -> None:
    query = "SELECT slug FROM events ORDER BY slug"
    everything = run(seeded_url, "sql", query, "--format", "json", "--max-rows", "0")
    slugs = [row["slug"] for row in json.loads(everything.stdout)]
    assert len(slugs) == 17 and everything.stderr == ""

    cut = run(seeded_url, "sql", query, "--format", "json", "--max-rows", "3")
    assert cut.exit_code == 0
    assert [row["slug"] for row in json.loads(cut.stdout)] == slugs[:3]
    assert cut.stderr == "note: only the first 3 rows are shown; use --max-rows to see more\n"

    exact = run(seeded_url, "sql", query, "--format", "ndjson", "--max-rows", "17")
    assert [json.loads(line)["slug"] for line in exact.stdout.splitlines()] == slugs
    assert exact.stderr == ""


@pytest.mark.read_only
def test_max_rows_stops_an_endless_result(seeded_url: URL) -> None:
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
    result = run(seeded_url, "sql", endless, "--format", "csv", "--max-rows", "4")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "x\n1\n2\n3\n4\n"
    assert "only the first 4 rows" in result.stderr


# A 30 MB value a row on each backend, and one of 10 MB characters as text.
LARGE = {"sqlite": "zeroblob(30000000)", "postgresql": "convert_to(repeat('x', 30000000), 'UTF8')"}
LONG_TEXT = {
    "sqlite": "replace(hex(zeroblob(5000000)), '00', 'AB')",
    "postgresql": "repeat('AB', 5000000)",
}
TOO_LARGE = "note: only the first 2 rows are shown: the result is larger than the 64 MB `timeline sql` fetches"
CUT = "note: values longer than 200 characters are cut; --format csv or json prints them whole"


@pytest.mark.read_only
def test_the_bytes_fetched_are_bounded(backend: str, seeded_url: URL) -> None:
    """60 rows of 30 MB would be 1.8 GB (a MemoryError before): rows stop at 64 MB."""
    query = f"SELECT {LARGE[backend]} AS big FROM events LIMIT 60"
    result = run(seeded_url, "sql", query, "--format", "ndjson")
    assert result.exit_code == 0, result.stderr
    values = [json.loads(line)["big"] for line in result.stdout.splitlines()]
    assert [len(v) for v in values] == [60_000_000] * 2  # whole, as hex
    assert result.stderr == TOO_LARGE + "\n"


@pytest.mark.read_only
def test_a_table_cuts_long_values_and_data_formats_keep_them(backend: str, seeded_url: URL) -> None:
    query = f"SELECT 1 AS n, {LONG_TEXT[backend]} AS long FROM events LIMIT 2"
    table = run(seeded_url, "sql", query)
    assert table.exit_code == 0, table.stderr
    shown = "".join(line.split()[-1] for line in table.stdout.splitlines()[2:])
    assert shown == ("AB" * 100 + "…") * 2
    assert table.stderr == CUT + "\n"
    markdown = run(seeded_url, "sql", query, "--format", "markdown")
    assert markdown.stdout.splitlines()[2] == "| 1 | " + "AB" * 100 + "… |"
    for fmt in ("csv", "json"):
        whole = run(seeded_url, "sql", query, "--format", fmt)
        assert ("AB" * 5_000_000) in whole.stdout and whole.stderr == "", fmt


@pytest.mark.read_only
@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_values_are_capped_in_size(db_url: URL) -> None:
    """A single huge value cannot be interrupted by the time limit, so it is refused."""
    result = run(db_url, "sql", "SELECT length(zeroblob(100000000)) AS n")
    assert (result.exit_code, result.stderr) == (1, "error: string or blob too big\n")


# ---------------------------------------------------------------- database errors


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("statement", "sqlite_message", "postgresql_message"),
    [
        ("SELECT * FORM events", 'near "FORM": syntax error', 'syntax error at or near "FORM"'),
        ("SELECT * FROM nowhere", "no such table: nowhere", 'relation "nowhere" does not exist'),
        (
            "SELECT missing FROM events",
            "no such column: missing",
            'column "missing" does not exist',
        ),
    ],
    ids=["syntax", "unknown table", "unknown column"],
)
def test_database_errors_are_one_line_with_the_database_message(
    backend: str, seeded_url: URL, statement: str, sqlite_message: str, postgresql_message: str
) -> None:
    result = run(seeded_url, "sql", statement)
    message = sqlite_message if backend == "sqlite" else postgresql_message
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: {message}\n"


@pytest.mark.read_only
def test_an_empty_query_is_bad_usage(db_url: URL) -> None:
    result = run(db_url, "sql", "  -- nothing\n")
    assert result.exit_code == 2
    assert result.stderr == "error: the query is empty\n"


@pytest.mark.read_only
def test_an_unknown_format_is_bad_usage(db_url: URL) -> None:
    result = run(db_url, "sql", "SELECT 1", "--format", "xml")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid value for '--format' / '-f': 'xml'")


# ---------------------------------------------------------------- formats


def add_sample(url: URL) -> None:
    """A source and an event with every column type filled, and NULLs where allowed."""
    tables = Base.metadata.tables
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            insert(tables["sources"]),
            {
                "id": 1,
                "slug": "łódź-daily",
                "name": "Łódź “Daily”, 100% ✓",
                "kind": "article",
                "publisher": None,
                "published_on": date(2025, 9, 15),
                "text": "line one\nline two, with a comma",
                "origin": "test",
            },
        )
        connection.execute(
            insert(tables["events"]),
            {
                "id": 7,
                "slug": "zapad-2025",
                "title": 'Запад-2025 "West" exercises',
                "type": "military_exercise",
                "start_date": date(2025, 9, 12),
                "end_date": date(2025, 9, 16),
                "precision": "range",
                "date_text": None,
                "anchor_source_id": 1,
                "origin": "test",
            },
        )
    engine.dispose()


SAMPLE_QUERY = (
    "SELECT e.id, e.slug, e.title, e.start_date, e.date_text, e.anchor_source_id, "
    "s.name, s.published_on, s.publisher, s.text, 2.5 AS ratio, -12345678901234 AS big "
    "FROM events e JOIN sources s ON s.id = e.anchor_source_id"
)
SAMPLE_ROW = {
    "id": 7,
    "slug": "zapad-2025",
    "title": 'Запад-2025 "West" exercises',
    "start_date": "2025-09-12",
    "date_text": None,
    "anchor_source_id": 1,
    "name": "Łódź “Daily”, 100% ✓",
    "published_on": "2025-09-15",
    "publisher": None,
    "text": "line one\nline two, with a comma",
    "ratio": 2.5,
    "big": -12345678901234,
}


def test_json_keeps_every_value(db_url: URL) -> None:
    add_sample(db_url)
    result = run(db_url, "sql", SAMPLE_QUERY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [SAMPLE_ROW]
    assert list(json.loads(result.stdout)[0]) == list(SAMPLE_ROW)  # column order kept


def test_ndjson_is_one_object_a_line(db_url: URL) -> None:
    add_sample(db_url)
    result = run(db_url, "sql", SAMPLE_QUERY, "--format", "ndjson")
    assert [json.loads(line) for line in result.stdout.splitlines()] == [SAMPLE_ROW]


def test_csv_has_a_header_and_empty_cells_for_null(db_url: URL) -> None:
    add_sample(db_url)
    result = run(db_url, "sql", SAMPLE_QUERY, "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(SAMPLE_ROW)
    expected = ["" if v is None else str(v) for v in SAMPLE_ROW.values()]
    assert rows[1:] == [expected]


def test_table_shows_unicode_and_dates(db_url: URL) -> None:
    add_sample(db_url)
    result = run(db_url, "sql", "SELECT e.slug, s.name, e.start_date FROM events e, sources s")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["slug", "name", "start_date"]
    assert lines[2].split() == ["zapad-2025", "Łódź", "“Daily”,", "100%", "✓", "2025-09-12"]


def test_markdown_is_a_pipe_table(db_url: URL) -> None:
    add_sample(db_url)
    result = run(db_url, "sql", "SELECT slug, date_text FROM events", "--format", "markdown")
    assert result.stdout == "| slug | date_text |\n|---|---|\n| zapad-2025 |  |\n"


@pytest.mark.read_only
def test_an_empty_result_has_its_columns(db_url: URL) -> None:
    as_csv = run(db_url, "sql", "SELECT slug, title FROM events", "--format", "csv")
    assert as_csv.stdout == "slug,title\n"
    as_json = run(db_url, "sql", "SELECT slug, title FROM events", "--format", "json")
    assert json.loads(as_json.stdout) == []


@pytest.mark.read_only
def test_repeated_column_names_stay_apart_in_json(db_url: URL) -> None:
    result = run(db_url, "sql", "SELECT 1 AS a, 2 AS a, 3 AS a", "--format", "json")
    assert json.loads(result.stdout) == [{"a": 1, "a_2": 2, "a_3": 3}]
    as_csv = run(db_url, "sql", "SELECT 1 AS a, 2 AS a", "--format", "csv")
    assert as_csv.stdout == "a,a\n1,2\n"


@pytest.mark.read_only
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_postgresql_types_are_rendered_faithfully(db_url: URL) -> None:
    query = (
        "SELECT true AS yes, 1.10::numeric AS exact, 12345678901234567890.5::numeric AS huge, "
        "1.5::float8 AS approx, '\\x00ff'::bytea AS bytes, date '2025-09-15' AS day, "
        "timestamptz '2025-09-15 10:30:00+00' AS moment, interval '1 day' AS span, "
        "ARRAY['a', NULL] AS list, '{\"k\": [1, null]}'::jsonb AS doc, "
        "'00000000-0000-0000-0000-000000000001'::uuid AS id, NULL::text AS nothing"
    )
    result = run(db_url, "sql", query, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "yes": True,
            "exact": 1.1,
            "huge": "12345678901234567890.5",
            "approx": 1.5,
            "bytes": "00ff",
            "day": "2025-09-15",
            "moment": "2025-09-15T10:30:00+00:00",
            "span": 86400.0,
            "list": ["a", None],
            "doc": {"k": [1, None]},
            "id": "00000000-0000-0000-0000-000000000001",
            "nothing": None,
        }
    ]
    as_csv = run(db_url, "sql", query, "--format", "csv")
    assert list(csv.reader(io.StringIO(as_csv.stdout)))[1] == [
        "true",
        "1.1",
        "12345678901234567890.5",
        "1.5",
        "00ff",
        "2025-09-15",
        "2025-09-15T10:30:00+00:00",
        "86400.0",
        '["a",null]',
        '{"k":[1,null]}',
        "00000000-0000-0000-0000-000000000001",
        "",
    ]


# ---------------------------------------------------------------- the reader role


def admin_execute(url: URL, *statements: str) -> None:
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


@pytest.mark.read_only
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_missing_role_is_named_with_the_command_that_creates_it(db_url: URL) -> None:
    role = f"timeline_test_{uuid.uuid4().hex[:8]}"
    result = run(db_url, "sql", "SELECT 1", "--role", role)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: PostgreSQL role {role} does not exist; "
        "run `timeline db create-reader-role` (see README)\n"
    )


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_role_that_may_write_is_not_used(seeded_url: URL) -> None:
    role = f"timeline_test_{uuid.uuid4().hex[:8]}"
    admin_execute(seeded_url, f"CREATE ROLE {role}", f"GRANT SELECT, DELETE ON events TO {role}")
    try:
        result = run(seeded_url, "sql", "SELECT count(*) FROM events", "--role", role)
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: role {role} is not read-only (it may write events); choose another\n"
        )
    finally:
        admin_execute(seeded_url, f"DROP OWNED BY {role}", f"DROP ROLE {role}")


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_create_reader_role_makes_a_role_that_only_reads(seeded_url: URL) -> None:
    role = f"timeline_test_{uuid.uuid4().hex[:8]}"
    printed = run(seeded_url, "db", "create-reader-role", "--role", role, "--print-sql")
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout.splitlines()[0] == f'CREATE ROLE "{role}" NOLOGIN;'
    assert 'GRANT SELECT ON TABLE "sources", ' in printed.stdout
    assert run(seeded_url, "sql", "SELECT 1", "--role", role).exit_code == 1  # printed only

    try:
        for _ in range(2):  # idempotent
            created = run(seeded_url, "db", "create-reader-role", "--role", role)
            assert created.exit_code == 0, created.stderr
        query = "SELECT current_user AS who, count(*) AS n FROM events_flat"
        result = run(seeded_url, "sql", query, "--role", role, "--format", "json")
        assert json.loads(result.stdout) == [{"who": role, "n": 17}]
        engine = create_engine(seeded_url, poolclass=NullPool)
        with engine.connect() as connection:
            may = connection.execute(
                text(
                    "SELECT has_table_privilege(:r, 'events', 'SELECT'), "
                    "has_table_privilege(:r, 'events', 'INSERT, UPDATE, DELETE, TRUNCATE'), "
                    "has_function_privilege(:r, 'pg_read_file(text)', 'EXECUTE'), "
                    "(SELECT rolcanlogin OR rolsuper FROM pg_roles WHERE rolname = :r)"
                ),
                {"r": role},
            ).one()
        engine.dispose()
        assert tuple(may) == (True, False, False, False)
    finally:
        admin_execute(seeded_url, f"DROP OWNED BY {role}", f"DROP ROLE IF EXISTS {role}")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_create_reader_role_is_for_postgresql(db_url: URL) -> None:
    result = run(db_url, "db", "create-reader-role")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: reader roles are for PostgreSQL")


@pytest.mark.read_only
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_server_files_are_out_of_reach_even_for_a_superuser(db_url: URL, target_file: Path) -> None:
    """The control: the configured superuser itself can write a server file here, so
    the refusals above are what stops `timeline sql` from doing it."""
    admin_execute(db_url, f"COPY (SELECT 1) TO '{target_file}'")
    if not target_file.exists():
        pytest.skip("the PostgreSQL server writes its files on another machine")
    target_file.unlink()
    result = run(db_url, "sql", f"COPY (SELECT 1) TO '{target_file}'")
    assert result.exit_code == 2
    assert not target_file.exists()


# ---------------------------------------------------------------- schema


def schema_json(url: URL, *args: str) -> dict[str, Any]:
    result = run(url, "schema", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


@pytest.mark.read_only
def test_schema_lists_tables_and_views(backend: str, db_url: URL) -> None:
    schema = schema_json(db_url)
    assert schema["backend"] == backend
    assert [t["name"] for t in schema["tables"]] == sorted(
        [*Base.metadata.tables, "alembic_version"]
    )
    assert [v["name"] for v in schema["views"]] == ["events_flat"]


@pytest.mark.read_only
def test_schema_describes_a_table(db_url: URL) -> None:
    (events,) = schema_json(db_url, "events")["tables"]
    columns = {c["name"]: c for c in events["columns"]}
    assert list(columns)[:3] == ["id", "slug", "title"]
    assert columns["slug"]["type"] == "VARCHAR(120)"
    assert columns["start_date"]["type"] == "DATE"
    assert (columns["summary"]["nullable"], columns["title"]["nullable"]) == (True, False)
    assert "occurred" in columns["modality"]["default"]
    assert events["primary_key"] == {"name": "pk_events", "columns": ["id"]}
    assert {
        "name": "fk_events_anchor_source_id_sources",
        "columns": ["anchor_source_id"],
        "references": {"table": "sources", "columns": ["id"]},
        "on_delete": None,
    } in events["foreign_keys"]
    assert events["unique"] == [{"name": "uq_events_slug", "columns": ["slug"]}]
    assert {
        "name": "ix_events_start_date_end_date_slug",
        "columns": ["start_date", "end_date", "slug"],
        "unique": False,
    } in events["indexes"]
    assert "ck_events_start_before_end" in {c["name"] for c in events["checks"]}


@pytest.mark.read_only
def test_schema_describes_the_flat_view(db_url: URL) -> None:
    schema = schema_json(db_url, "events_flat")
    assert schema["tables"] == []
    (view,) = schema["views"]
    assert [c["name"] for c in view["columns"]][:3] == ["slug", "title", "type"]
    assert {"actors", "sources", "evidence_count"} <= {c["name"] for c in view["columns"]}
    assert "FROM events e" in view["definition"]


@pytest.mark.read_only
def test_schema_foreign_keys_name_their_delete_rule(db_url: URL) -> None:
    (evidence,) = schema_json(db_url, "evidence")["tables"]
    rules = {fk["name"]: fk["on_delete"] for fk in evidence["foreign_keys"]}
    assert rules == {
        "fk_evidence_event_id_events": "CASCADE",
        "fk_evidence_source_id_sources": "CASCADE",
    }


@pytest.mark.read_only
def test_schema_as_table_and_markdown(db_url: URL) -> None:
    table = run(db_url, "schema", "actor_aliases")
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == "actor_aliases (table)"
    assert lines[2].split() == ["column", "type", "null", "default", "key"]
    assert lines[4].split() == ["actor_id", "INTEGER", "no", "PK,", "FK", "actors.id"]
    assert "  primary key pk_actor_aliases (actor_id, alias)" in lines
    assert "  index ix_actor_aliases_alias_key (alias_key)" in lines

    markdown = run(db_url, "schema", "actor_aliases", "--format", "markdown")
    assert markdown.stdout.startswith("### actor_aliases (table)\n\n| column | type |")
    assert "- primary key pk_actor_aliases (actor_id, alias)\n" in markdown.stdout


@pytest.mark.read_only
def test_schema_of_an_unknown_table_is_bad_usage(db_url: URL) -> None:
    result = run(db_url, "schema", "event")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("error: no table or view named 'event'; did you mean events")
