"""SQL functions that read alike on both backends: byte-wise order, ASCII-only lower
case, the period a date falls in, and a prefix as an index range."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import String, and_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class bytewise(FunctionElement[str]):
    """A text column compared byte by byte, so both backends sort alike."""

    inherit_cache = True
    type = String()


@compiles(bytewise)
def _bytewise(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(bytewise, "postgresql")
def _bytewise_postgresql(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "C"'


class ascii_lower(FunctionElement[str]):
    """Lower case for A–Z only: SQLite's `lower()` folds nothing else, so PostgreSQL
    is made to fold exactly as much, whatever its locale."""

    inherit_cache = True
    type = String()


@compiles(ascii_lower)
def _ascii_lower(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(ascii_lower, "postgresql")
def _ascii_lower_postgresql(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"translate({compiler.process(element.clauses, **kw)}, '{upper}', '{upper.lower()}')"


def ascii_fold(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


class period_key(FunctionElement[str]):
    """The period a date falls in, as text that sorts by time: `2020-06-01` (a day, or
    the Monday that starts a week), `2020-06` (a month), `2020` (a year)."""

    inherit_cache = False  # `per` is not part of a cache key: compile each time
    type = String()

    def __init__(self, value: ColumnElement[date], per: str) -> None:
        super().__init__(value)
        self.per = per


# The period key per backend, of the date `{}`.
_PERIOD_SQL = {
    "sqlite": {
        "day": "date({})",
        "week": "date({}, 'weekday 0', '-6 days')",
        "month": "strftime('%Y-%m', {})",
        "year": "strftime('%Y', {})",
    },
    "postgresql": {
        "day": "to_char({}, 'YYYY-MM-DD')",
        "week": "to_char(date_trunc('week', {}), 'YYYY-MM-DD')",
        "month": "to_char({}, 'YYYY-MM')",
        "year": "to_char({}, 'YYYY')",
    },
}


@compiles(period_key)
def _period_key(element: period_key, compiler: SQLCompiler, **kw: Any) -> str:
    template = _PERIOD_SQL[compiler.dialect.name][element.per]
    return template.format(compiler.process(element.clauses, **kw))


def starts_with(column_: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """A byte-wise range rather than LIKE, which SQLite cannot serve from an index
    (its LIKE folds case); U+10FFFF sorts after every character a slug or key holds."""
    if not prefix:
        return true()
    return and_(bytewise(column_) >= prefix, bytewise(column_) < prefix + "\U0010ffff")
