"""The schema as the database reports it: tables (columns, keys, unique constraints,
indexes, checks) and views, for `timeline schema`."""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import NullType

from timeline.db import first_line, open_database
from timeline.errors import DatabaseError, InputError


def describe_schema(url: URL, name: str | None = None) -> dict[str, Any]:
    """Tables (columns, keys, unique constraints, indexes, checks) and views of the
    database as its backend reports them; with `name`, that table or view alone."""
    engine = open_database(url, read_only=True)
    try:
        inspector = inspect(engine)
        tables = sorted(inspector.get_table_names())
        views = sorted(inspector.get_view_names())
        if name is not None:
            if name not in tables and name not in views:
                raise InputError(_unknown_table(name, tables + views))
            tables = [t for t in tables if t == name]
            views = [v for v in views if v == name]
        return {
            "backend": engine.dialect.name,
            "tables": [_describe_table(inspector, engine, t) for t in tables],
            "views": [_describe_view(inspector, engine, v) for v in views],
        }
    except DBAPIError as exc:
        raise DatabaseError(first_line(exc)) from exc
    finally:
        engine.dispose()


def _unknown_table(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"tables and views: {', '.join(names)}"
    return f"no table or view named {name!r}; {hint}"


def _type_name(type_: Any, engine: Engine) -> str | None:
    if isinstance(type_, NullType):
        return None
    try:
        return str(type_.compile(dialect=engine.dialect))
    except Exception:
        return str(type_)


def _columns(inspector: Any, engine: Engine, name: str) -> list[dict[str, Any]]:
    return [
        {
            "name": c["name"],
            "type": _type_name(c["type"], engine),
            "nullable": bool(c.get("nullable", True)),
            "default": c.get("default"),
            "generated": (c.get("computed") or {}).get("sqltext"),
        }
        for c in inspector.get_columns(name)
    ]


def _describe_table(inspector: Any, engine: Engine, name: str) -> dict[str, Any]:
    pk = inspector.get_pk_constraint(name)
    foreign_keys = [
        {
            "name": fk.get("name"),
            "columns": fk["constrained_columns"],
            "references": {"table": fk["referred_table"], "columns": fk["referred_columns"]},
            "on_delete": (fk.get("options") or {}).get("ondelete"),
        }
        for fk in inspector.get_foreign_keys(name)
    ]
    unique = [
        {"name": u.get("name"), "columns": u["column_names"]}
        for u in inspector.get_unique_constraints(name)
    ]
    indexes = [
        {"name": i.get("name"), "columns": i["column_names"], "unique": bool(i["unique"])}
        for i in inspector.get_indexes(name)
        if "duplicates_constraint" not in i
    ]
    checks = [
        {"name": c.get("name"), "sql": c["sqltext"]} for c in inspector.get_check_constraints(name)
    ]

    def order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda item: (item["name"] or "", str(item.get("columns"))))

    return {
        "name": name,
        "columns": _columns(inspector, engine, name),
        "primary_key": {"name": pk.get("name"), "columns": pk["constrained_columns"]}
        if pk and pk.get("constrained_columns")
        else None,
        "foreign_keys": order(foreign_keys),
        "unique": order(unique),
        "indexes": order(indexes),
        "checks": order(checks),
    }


def _describe_view(inspector: Any, engine: Engine, name: str) -> dict[str, Any]:
    definition = inspector.get_view_definition(name)
    return {
        "name": name,
        "columns": _columns(inspector, engine, name),
        "definition": definition.strip() if definition else None,
    }
