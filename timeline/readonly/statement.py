"""The statement check: one layer of `timeline sql`'s read-only defence, never the only one.

It tokenizes SQL the way each backend reads it (comments, strings, quoted names,
dollar quotes) and refuses several statements, anything but a query, write keywords
anywhere (a write hidden in a CTE) and calls of functions that change settings, run
SQL text or reach files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from timeline.errors import InputError

# Pragmas with no setter and no side effect: their `pragma_*()` table functions stay
# allowed, so a schema can be explored in SQL. Every other pragma is refused.
READ_PRAGMAS = (
    "collation_list",
    "compile_options",
    "database_list",
    "foreign_key_list",
    "function_list",
    "index_info",
    "index_list",
    "index_xinfo",
    "module_list",
    "pragma_list",
    "table_info",
    "table_list",
    "table_xinfo",
)


def refused(why: str) -> InputError:
    return InputError(f"only read-only queries are allowed ({why})")


_QUERY_STARTS = {
    "sqlite": {"select", "with", "values"},
    "postgresql": {"select", "with", "values", "table"},
}
_WRITE_WORDS = {
    **dict.fromkeys(("insert", "update", "delete", "merge", "truncate", "upsert"), "changes rows"),
    **dict.fromkeys(("create", "drop", "alter", "reindex"), "changes the schema"),
    **dict.fromkeys(("grant", "revoke"), "changes privileges"),
    **dict.fromkeys(("attach", "detach"), "opens another database"),
    "vacuum": "rewrites the database or writes a file",
    "copy": "reads or writes files",
    "into": "creates a table",
}
_STATEMENT_WORDS = {
    **dict.fromkeys(("set", "reset", "pragma"), "changes settings"),
    **dict.fromkeys(
        ("begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release"),
        "controls transactions",
    ),
}
_FUNCTIONS = {
    "set_config": "changes settings",
    "ts_stat": "runs SQL text",
    "ts_rewrite": "runs SQL text",
    "load_extension": "loads code from a file",
    "fts3_tokenizer": "is not allowed",
    **dict.fromkeys(
        ("pg_read_file", "pg_read_binary_file", "pg_stat_file", "lo_import", "lo_export"),
        "reaches files on the server",
    ),
    **dict.fromkeys(("readfile", "writefile", "edit"), "reaches files"),
    **dict.fromkeys(("nextval", "setval"), "changes a sequence"),
    "pg_notify": "sends a notification",
}
_FUNCTION_PATTERNS = [
    (re.compile(pattern), reason)
    for pattern, reason in (
        (r".+_to_xml(schema|_and_xmlschema)?$", "runs SQL text"),
        (r"pg_ls_|pg_file_", "reaches files on the server"),
        (r"lo_", "changes large objects"),
        (r"dblink", "connects to another database"),
        (r"pg_advisory|pg_try_advisory", "takes locks that outlive the query"),
        (
            r"pg_(reload|rotate|terminate|cancel|promote|switch|create|drop|replication|logical"
            r"|wal|backup|start_backup|stop_backup|stat_reset|import)",
            "administers the server",
        ),
    )
]

_SPACE = " \t\n\r\f\v"
# Identifier and dollar-quote tag characters exactly as PostgreSQL and SQLite read
# them: every non-ASCII character counts as a letter.
_WORD = re.compile(r"[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_$\u0080-\U0010ffff]*")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*)?\$")
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class Token:
    kind: str  # word (lower-cased), ident (a quoted identifier), string, number, op
    text: str


def tokenize(sql: str, dialect: str) -> list[Token]:
    """The statement's tokens without whitespace or comments. Where this reading and
    the database's could differ it errs towards seeing more code, never less: strings,
    comments and quoted identifiers follow each backend's own rules (nested comments,
    E'' and dollar quotes on PostgreSQL; [] and `` on SQLite)."""
    pg = dialect == "postgresql"
    tokens: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in _SPACE:
            i += 1
        elif sql.startswith("--", i):
            ends = [e for e in (sql.find("\n", i), sql.find("\r", i)) if e >= 0]
            i = min(ends) if ends else n
        elif sql.startswith("/*", i):
            i = _comment_end(sql, i, nested=pg)
        elif char == "'":
            i = _quote_end(sql, i, "'")
            tokens.append(Token("string", ""))
        elif char == '"' or (not pg and char in "`["):
            close = "]" if char == "[" else char
            end = _quote_end(sql, i, close, doubled=char != "[")
            body = sql[i + 1 : end - 1]
            tokens.append(Token("ident", body.replace(close * 2, close).lower()))
            i = end
        elif pg and char == "$" and (tag := _DOLLAR_TAG.match(sql, i)):
            found = sql.find(tag.group(), tag.end())
            i = n if found < 0 else found + len(tag.group())
            tokens.append(Token("string", ""))
        elif word := _WORD.match(sql, i):
            name, i = word.group().lower(), word.end()
            if pg and name == "e" and sql.startswith("'", i):
                i = _quote_end(sql, i, "'", backslash=True)
                tokens.append(Token("string", ""))
            elif pg and name == "u" and sql.startswith('&"', i):
                raise refused('Unicode-escaped identifiers U&"…" are not allowed')
            else:
                tokens.append(Token("word", name))
        elif number := _NUMBER.match(sql, i):
            tokens.append(Token("number", number.group()))
            i = number.end()
        else:
            tokens.append(Token("op", char))
            i += 1
    return tokens


def _quote_end(
    sql: str, start: int, close: str, *, doubled: bool = True, backslash: bool = False
) -> int:
    """Just past the closing quote (or the end of the text when there is none)."""
    i = start + 1
    while i < len(sql):
        if backslash and sql[i] == "\\":
            i += 2
        elif sql[i] == close:
            if doubled and sql.startswith(close, i + 1):
                i += 2
            else:
                return i + 1
        else:
            i += 1
    return len(sql)


def _comment_end(sql: str, start: int, *, nested: bool) -> int:
    if not nested:
        end = sql.find("*/", start + 2)
        return len(sql) if end < 0 else end + 2
    depth, i = 0, start
    while i < len(sql):
        if sql.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif sql.startswith("*/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(sql)


def function_reason(name: str) -> str | None:
    """Why a function may not be called, or None when it may."""
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    return next((reason for pattern, reason in _FUNCTION_PATTERNS if pattern.match(name)), None)


def check_statement(sql: str, dialect: str) -> None:
    """Refuse, with the reason, a text that is not exactly one read-only query.

    One layer among several: the database is set up to refuse all of these too."""
    tokens = tokenize(sql, dialect)
    statements: list[list[Token]] = [[]]
    for token in tokens:
        if token == Token("op", ";"):
            statements.append([])
        else:
            statements[-1].append(token)
    statements = [s for s in statements if s]
    if not statements:
        raise InputError("the query is empty")
    if len(statements) > 1:
        raise refused("several statements")
    (statement,) = statements
    first = next((t for t in statement if t != Token("op", "(")), statement[0])
    if first.kind != "word":
        raise refused("a query starts with " + ", ".join(sorted(_QUERY_STARTS[dialect])))
    if first.text not in _QUERY_STARTS[dialect]:
        reason = _WRITE_WORDS.get(first.text) or _STATEMENT_WORDS.get(first.text)
        reason = "changes rows" if first.text == "replace" else reason
        raise refused(f"{first.text.upper()} {reason or 'is not a query'}")
    for index, token in enumerate(statement):
        following = statement[index + 1] if index + 1 < len(statement) else None
        calls = following == Token("op", "(")
        if token.kind == "word":
            _check_word(statement, index, calls, dialect)
        if calls and token.kind in ("word", "ident"):
            reason = function_reason(token.text)
            if reason:
                raise refused(f"{token.text}() {reason}")


def _check_word(statement: list[Token], index: int, calls: bool, dialect: str) -> None:
    word = statement[index].text
    previous = statement[index - 1] if index else None
    if word in ("update", "share") and previous in (Token("word", "for"), Token("word", "key")):
        raise refused(f"FOR {word.upper()} locks rows")
    if word in _WRITE_WORDS or (word == "replace" and not calls):
        raise refused(f"{word.upper()} {_WRITE_WORDS.get(word, 'changes rows')}")
    if dialect == "sqlite" and word.startswith("pragma_") and word[7:] not in READ_PRAGMAS:
        raise refused(f"{word} is not one of the read-only pragma functions")
