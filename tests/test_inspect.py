"""The layers of `timeline.readonly`, each shown to hold without the others.

The statement check is tested on its own (it must read comments, strings and quoted
names as each database does), then switched off so that every refused class of
`test_cli_sql.py` reaches the database: SQLite's authorizer refuses it, and with the
authorizer switched off too, the read-only connection does; PostgreSQL's cursor
declaration, read-only transaction and reader role do.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
import test_cli_sql
from conftest import run, url_string
from sqlalchemy.engine import URL
from test_cli_sql import REFUSED, REFUSED_CLASSES, Watch, admin_execute, statement_with

import timeline.readonly.runner as inspect_module
from timeline.errors import InputError
from timeline.readonly import describe
from timeline.readonly.statement import check_statement, tokenize
from timeline.readonly.values import printable, unique_columns

target_file = test_cli_sql.target_file

# ---------------------------------------------------------------- the statement check


def refusal(sql: str, dialect: str = "postgresql") -> str:
    with pytest.raises(InputError) as caught:
        check_statement(sql, dialect)
    return str(caught.value)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "select 1;",
        "  (SELECT 1) UNION (SELECT 2)  ",
        "WITH x AS (SELECT 1) SELECT * FROM x",
        "VALUES (1), (2)",
        "SELECT 'DELETE FROM events; DROP TABLE x' AS s",
        "SELECT 1 -- ; DELETE FROM events",
        "SELECT 1 /* ; UPDATE events SET title = 1 */",
        'SELECT "update", "set_config" FROM t',
        "SELECT replace(title, 'a', 'b') FROM events",
        "SELECT count(*) FROM events WHERE title LIKE '%update%'",
        "SELECT CASE WHEN 1 THEN 2 END",
    ],
)
def test_queries_pass(sql: str, dialect: str) -> None:
    check_statement(sql, dialect)


@pytest.mark.parametrize(
    ("sql", "dialect", "why"),
    [
        ("SELECT 1; SELECT 2", "sqlite", "several statements"),
        ("SELECT 1;;DELETE FROM t", "postgresql", "several statements"),
        ("SELECT 1; -- only a comment after", "sqlite", None),
        ("delete from t", "sqlite", "DELETE changes rows"),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT 1", "postgresql", "DELETE changes rows"),
        ("WITH x AS (SELECT 1) REPLACE INTO t VALUES (1)", "sqlite", "REPLACE changes rows"),
        ("SELECT * FROM t FOR SHARE", "postgresql", "FOR SHARE locks rows"),
        ("SELECT * FROM t FOR NO KEY UPDATE", "postgresql", "FOR UPDATE locks rows"),
        ("SELECT * INTO t2 FROM t", "postgresql", "INTO creates a table"),
        ("TABLE events", "sqlite", "TABLE is not a query"),
        ("EXPLAIN SELECT 1", "postgresql", "EXPLAIN is not a query"),
        ("'text'", "sqlite", "a query starts with select, values, with"),
        ("SELECT pg_catalog.set_config('a', 'b', false)", "postgresql", "set_config() changes"),
        ("SELECT \"SET_CONFIG\" ('a', 'b', false)", "postgresql", "set_config() changes"),
        ("SELECT set_config/**/('a', 'b', false)", "postgresql", "set_config() changes"),
        ("SELECT `load_extension`('x')", "sqlite", "load_extension() loads code"),
        ("SELECT [load_extension]('x')", "sqlite", "load_extension() loads code"),
        (
            "SELECT table_to_xmlschema('t', true, false, '')",
            "postgresql",
            "table_to_xmlschema() runs",
        ),
        ("SELECT ts_stat('SELECT 1')", "postgresql", "ts_stat() runs SQL text"),
        ("SELECT pg_reload_conf()", "postgresql", "pg_reload_conf() administers"),
        ("SELECT * FROM pragma_query_only", "sqlite", "pragma_query_only is not one of"),
    ],
)
def test_what_is_refused_and_why(sql: str, dialect: str, why: str | None) -> None:
    if why is None:
        check_statement(sql, dialect)
    else:
        assert refusal(sql, dialect).startswith(f"only read-only queries are allowed ({why}")


@pytest.mark.parametrize(
    "sql",
    [
        # An E'' string ends at an unescaped quote: set_config is code here.
        "SELECT E'\\'', set_config('role', 'postgres', true) --'",
        # Dollar quotes, tags included, and text after them.
        "SELECT $a$ ' $a$, set_config('role', 'postgres', true) --'",
        "SELECT $€$ ' $€$, set_config('role', 'postgres', true) --'",
        # PostgreSQL nests comments: the second */ ends the comment.
        "SELECT 1 /* /* */ */, set_config('role', 'postgres', true)",
        # A carriage return ends a line comment.
        "SELECT 1 -- note\rset_config('role', 'postgres', true)",
        # Non-ASCII letters belong to names; the call is still seen.
        "SELECT ünïcode, set_config('role', 'postgres', true)",
    ],
)
def test_postgresql_quoting_cannot_hide_a_call(sql: str) -> None:
    assert "set_config() changes settings" in refusal(sql)


def test_sqlite_block_comments_do_not_nest() -> None:
    sql = "SELECT 1 /* /* */, load_extension('x') /* */"
    assert "load_extension()" in refusal(sql, "sqlite")


def test_postgresql_string_rules() -> None:
    assert [
        t.kind for t in tokenize("SELECT 'it''s', E'\\'x', $$a'b$$, $q$;$q$", "postgresql")
    ] == [
        "word",
        "string",
        "op",
        "string",
        "op",
        "string",
        "op",
        "string",
    ]
    assert [t.text for t in tokenize('SELECT "a""b"', "postgresql")] == ["select", 'a"b']


def test_unicode_escaped_names_are_refused() -> None:
    assert "Unicode-escaped identifiers" in refusal('SELECT U&"set\\005fconfig"(1)')


def test_an_empty_text_is_not_a_query() -> None:
    with pytest.raises(InputError, match="the query is empty"):
        check_statement(" ; /* */ ;", "sqlite")


# ---------------------------------------------------------------- output values


def test_printable_values() -> None:
    assert printable(["a", None, {"k": 1}], text_format=False) == ["a", None, {"k": 1}]
    assert printable(["a", None, {"k": 1}], text_format=True) == '["a",null,{"k":1}]'
    assert printable(uuid.UUID(int=1), text_format=True) == "00000000-0000-0000-0000-000000000001"
    assert printable(memoryview(b"\x00\xff"), text_format=False) == b"\x00\xff"
    assert printable(None, text_format=True) is None


def test_unique_columns() -> None:
    assert unique_columns(["a", "b", "a", "a_2", "a"]) == ["a", "b", "a_2", "a_2_2", "a_3"]


# ---------------------------------------------------------------- the database's own layers

# What each backend does with a refused class once the statement check is off:
# (exit code, the start of the reason) or None where the statement may run because
# it cannot change anything (rolled back with the transaction, or the connection).
SQLITE_ALONE: dict[str, tuple[int, str]] = {
    "delete": (2, "not authorized: DELETE from events"),
    "update": (2, "not authorized: UPDATE of events"),
    "insert": (2, "not authorized: INSERT into event_countries"),
    "replace": (2, "not authorized: INSERT into event_countries"),
    "write in a CTE": (2, "not authorized: DELETE from events"),
    "several statements": (2, "several statements"),
    "drop": (2, "not authorized: DELETE from sqlite_master"),
    "create": (2, "not authorized: INSERT into sqlite_master"),
    "create temp": (2, "not authorized: INSERT into sqlite_temp_master"),
    "alter": (2, "not authorized: ALTER TABLE in main"),
    "attach": (2, "not authorized: ATTACH of "),
    "vacuum into": (2, "cannot VACUUM from within a transaction"),
    "vacuum": (2, "cannot VACUUM from within a transaction"),
    "pragma": (2, "not authorized: PRAGMA query_only"),
    "pragma journal": (2, "not authorized: PRAGMA journal_mode"),
    "pragma function": (2, "not authorized: UPDATE of sqlite_master"),
    "load extension": (2, "not authorized: function load_extension()"),
    "begin": (2, "not authorized: transaction control BEGIN"),
    "commit": (2, "not authorized: transaction control COMMIT"),
    "savepoint": (2, "not authorized: SAVEPOINT"),
    "row locks": (1, 'near "UPDATE": syntax error'),
}
POSTGRESQL_ALONE: dict[str, tuple[int, str] | None] = {
    "delete": (1, 'syntax error at or near "DELETE"'),
    "update": (1, 'syntax error at or near "UPDATE"'),
    "insert": (1, 'syntax error at or near "INSERT"'),
    "truncate": (1, 'syntax error at or near "TRUNCATE"'),
    "write in a CTE": (2, "DECLARE CURSOR must not contain data-modifying statements in WITH"),
    "several statements": (2, "several statements"),
    "drop": (1, 'syntax error at or near "DROP"'),
    "create": (1, 'syntax error at or near "CREATE"'),
    "create temp": (1, 'syntax error at or near "CREATE"'),
    "alter": (1, 'syntax error at or near "ALTER"'),
    "select into": (1, "SELECT ... INTO is not allowed here"),
    "vacuum": (1, 'syntax error at or near "VACUUM"'),
    "begin": (1, 'syntax error at or near "BEGIN"'),
    "commit": (1, 'syntax error at or near "COMMIT"'),
    "savepoint": (1, 'syntax error at or near "SAVEPOINT"'),
    "row locks": (2, "cannot execute SELECT FOR UPDATE in a read-only transaction"),
    "set role": (1, 'syntax error at or near "SET"'),
    "reset role": (1, 'syntax error at or near "RESET"'),
    "session authorization": (1, 'syntax error at or near "SET"'),
    "set": (1, 'syntax error at or near "SET"'),
    "set_config": (2, "the statement changed its role or transaction"),
    "set_config quoted": None,  # a transaction-local setting, rolled back
    "unicode escape": (2, "the statement changed its role or transaction"),
    "sql text": (1, "DELETE is not allowed in a non-volatile function"),
    "do": (1, 'syntax error at or near "DO"'),
    "read file": (2, "permission denied for function pg_read_file"),
    "list files": (2, "permission denied for function pg_ls_dir"),
    "copy to file": (1, 'syntax error at or near "COPY"'),
    "copy to program": (1, 'syntax error at or near "COPY"'),
    "copy from file": (1, 'syntax error at or near "COPY"'),
    "lo_import": (2, "permission denied for function lo_import"),
    "lo_export": (2, "permission denied for function lo_export"),
    "dblink": (1, "function dblink(unknown, unknown) does not exist"),
    "nextval": (2, "permission denied for sequence events_id_seq"),
    "advisory lock": None,  # released when the connection closes
    "notify": None,  # sent only on commit, and the transaction is rolled back
    "terminate": (2, "must be a superuser to terminate superuser process"),
    # "role escape" (set_config to the superuser and back around a file read) runs
    # when the connection's own user is a superuser: only the statement check stops
    # it there; see test_a_connection_user_that_is_no_superuser_cannot_escape.
}


def cases(backend: str, outcomes: dict[str, Any]) -> list[Any]:
    return [
        pytest.param(statement, outcomes[name], id=name)
        for name, backends, statement, _ in REFUSED_CLASSES
        if backend in backends and name in outcomes
    ]


def test_every_refused_class_is_tried_without_the_check() -> None:
    names = {name for name, backends, _, _ in REFUSED_CLASSES}
    assert set(SQLITE_ALONE) | set(POSTGRESQL_ALONE) | {"role escape"} == names


@pytest.fixture
def no_statement_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inspect_module, "check_statement", lambda sql, dialect: None)


def assert_outcome(result: Any, outcome: tuple[int, str] | None) -> None:
    if outcome is None:
        assert result.exit_code in (0, 1, 2), result.stderr
        return
    code, why = outcome
    assert result.exit_code == code, result.stderr
    start = f"{REFUSED} ({why}" if code == 2 else f"error: {why}"
    assert result.stderr.startswith(start), result.stderr


@pytest.mark.read_only
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(("statement", "outcome"), cases("sqlite", SQLITE_ALONE))
@pytest.mark.usefixtures("no_statement_check")
def test_sqlite_refuses_without_the_check(
    seeded_url: URL, tmp_path: Path, target_file: Path, statement: str, outcome: Any
) -> None:
    watch = Watch(seeded_url, tmp_path, target_file)
    assert_outcome(run(seeded_url, "sql", statement_with(statement, target_file)), outcome)
    watch.unchanged()


@pytest.mark.read_only
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ("DELETE FROM events", "attempt to write a readonly database"),
        ("CREATE TEMP TABLE notes AS SELECT 1", "attempt to write a readonly database"),
        ("ATTACH DATABASE '{file}' AS other", "too many attached databases - max 0"),
        ("VACUUM INTO '{file}'", "cannot VACUUM from within a transaction"),
    ],
    ids=["delete", "temp table", "attach", "vacuum into"],
)
@pytest.mark.usefixtures("no_statement_check")
def test_sqlite_refuses_without_the_check_and_the_authorizer(
    monkeypatch: pytest.MonkeyPatch,
    seeded_url: URL,
    tmp_path: Path,
    target_file: Path,
    statement: str,
    why: str,
) -> None:
    monkeypatch.setattr(inspect_module._Authorizer, "__call__", lambda *_: sqlite3.SQLITE_OK)
    watch = Watch(seeded_url, tmp_path, target_file)
    result = run(seeded_url, "sql", statement_with(statement, target_file))
    assert (result.exit_code, result.stderr) == (2, f"{REFUSED} ({why})\n")
    watch.unchanged()


@pytest.mark.read_only
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize(("statement", "outcome"), cases("postgresql", POSTGRESQL_ALONE))
@pytest.mark.usefixtures("no_statement_check")
def test_postgresql_refuses_without_the_check(
    seeded_url: URL, tmp_path: Path, target_file: Path, statement: str, outcome: Any
) -> None:
    watch = Watch(seeded_url, tmp_path, target_file)
    assert_outcome(run(seeded_url, "sql", statement_with(statement, target_file)), outcome)
    watch.unchanged()


@pytest.mark.read_only
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.usefixtures("no_statement_check")
def test_a_connection_user_that_is_no_superuser_cannot_escape(seeded_url: URL) -> None:
    """Connected as an ordinary member of the reader role, PostgreSQL itself refuses
    to switch to the superuser, even with the statement check off."""
    analyst, password = f"timeline_test_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin_execute(
        seeded_url,
        f"CREATE ROLE {analyst} LOGIN PASSWORD '{password}'",
        f"GRANT timeline_reader TO {analyst}",
    )
    try:
        as_analyst = seeded_url.set(username=analyst, password=password)
        escape = (
            "SELECT set_config('role', 'postgres', true) AS r, "
            "query_to_xml('SELECT pg_read_file(''/etc/hostname'')', true, false, '') AS x, "
            "set_config('role', 'timeline_reader', true) AS back"
        )
        result = run(url_string(as_analyst), "sql", escape)
        assert result.exit_code == 2
        assert result.stderr == f'{REFUSED} (permission denied to set role "postgres")\n'
        count = run(as_analyst, "sql", "SELECT count(*) AS n FROM events", "--format", "json")
        assert json.loads(count.stdout) == [{"n": 17}]
    finally:
        admin_execute(seeded_url, f"DROP ROLE {analyst}")


# ---------------------------------------------------------------- the schema


@pytest.mark.read_only
def test_describe_schema_refuses_an_unknown_name(db_url: URL) -> None:
    with pytest.raises(InputError, match="no table or view named 'evidences'; did you mean"):
        describe.describe_schema(db_url, "evidences")
