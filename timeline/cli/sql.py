"""`timeline sql` and `timeline schema`: read-only inspection.

The command parses and renders; `timeline.inspect` holds every layer that keeps the
statement read-only, and the schema description.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, TextIO

import typer

from timeline.cli import app, options

SQL_FORMATS = ("table", "json", "ndjson", "csv", "markdown")
SCHEMA_FORMATS = ("table", "json", "markdown")


@app.command("sql")
def sql(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="One read-only SQL statement; `-` reads it from stdin.")
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="table, json, ndjson, csv or markdown."
        ),
    ] = "table",
    timeout: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="Stop the query after this long."),
    ] = 5.0,
    max_rows: Annotated[
        int,
        typer.Option(
            metavar="N", help="Print at most N rows (0: all); a note says when rows were cut."
        ),
    ] = 1000,
    role: Annotated[
        str,
        typer.Option(
            envvar="TIMELINE_READER_ROLE",
            metavar="ROLE",
            help="PostgreSQL: the least-privileged role the statement runs as "
            "(see `timeline db create-reader-role`).",
        ),
    ] = "timeline_reader",
) -> None:
    """Run one read-only SQL statement and print its rows.

    Nothing it runs can change the database: writes, several statements, attached
    databases, settings, server files and the like are refused (exit 2).
    """
    from timeline.inspect import printable, run_query, unique_columns
    from timeline.render import check_format, write_rows

    check_format(fmt, SQL_FORMATS)
    text = sys.stdin.read() if query == "-" else query
    result = run_query(options(ctx).url, text, timeout=timeout, max_rows=max_rows, role=role)
    text_format = fmt in ("table", "csv", "markdown")
    columns = result.columns if text_format else unique_columns(result.columns)
    rows = ([printable(v, text_format=text_format) for v in row] for row in result.rows)
    write_rows(columns, rows, fmt, sys.stdout)
    if result.truncated:
        typer.echo(
            f"note: only the first {max_rows} rows are shown; use --max-rows to see more",
            err=True,
        )


@app.command("schema")
def schema(
    ctx: typer.Context,
    table: Annotated[
        str | None, typer.Argument(help="One table or view; default: all.", show_default=False)
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="table, json or markdown.")
    ] = "table",
) -> None:
    """Describe the tables (columns, keys, unique constraints, indexes, checks) and views.

    `--format json` also gives each view's definition.
    """
    from timeline.inspect import describe_schema
    from timeline.render import check_format

    check_format(fmt, SCHEMA_FORMATS)
    description = describe_schema(options(ctx).url, table)
    if fmt == "json":
        import json

        json.dump(description, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    _write_schema(description, fmt, sys.stdout)


def _write_schema(description: dict[str, Any], fmt: str, out: TextIO) -> None:
    from timeline.render import write_rows

    markdown = fmt == "markdown"
    objects = [("table", t) for t in description["tables"]] + [
        ("view", v) for v in description["views"]
    ]
    for index, (kind, item) in enumerate(objects):
        if index:
            out.write("\n")
        out.write(f"{'### ' if markdown else ''}{item['name']} ({kind})\n\n")
        keys = _column_keys(item)
        rows = [
            [
                c["name"],
                c["type"] or "",
                "yes" if c["nullable"] else "no",
                _default(c),
                keys.get(c["name"], ""),
            ]
            for c in item["columns"]
        ]
        write_rows(["column", "type", "null", "default", "key"], rows, fmt, out)
        lines = _constraint_lines(item)
        if lines:
            out.write("\n")
        for line in lines:
            out.write(f"{'- ' if markdown else '  '}{line}\n")


def _column_keys(item: dict[str, Any]) -> dict[str, str]:
    keys: dict[str, list[str]] = {}
    for column in (item.get("primary_key") or {}).get("columns", []):
        keys.setdefault(column, []).append("PK")
    for fk in item.get("foreign_keys", []):
        target = fk["references"]
        for column, referred in zip(fk["columns"], target["columns"], strict=False):
            keys.setdefault(column, []).append(f"FK {target['table']}.{referred}")
    return {column: ", ".join(parts) for column, parts in keys.items()}


def _constraint_lines(item: dict[str, Any]) -> list[str]:
    def cols(columns: list[str]) -> str:
        return f"({', '.join(columns)})"

    lines = []
    pk = item.get("primary_key")
    if pk:
        lines.append(f"primary key {pk['name'] or ''} {cols(pk['columns'])}".replace("  ", " "))
    for fk in item.get("foreign_keys", []):
        target = fk["references"]
        on_delete = f" on delete {fk['on_delete']}" if fk["on_delete"] else ""
        lines.append(
            f"foreign key {fk['name']} {cols(fk['columns'])} -> "
            f"{target['table']} {cols(target['columns'])}{on_delete}"
        )
    for unique in item.get("unique", []):
        lines.append(f"unique {unique['name']} {cols(unique['columns'])}")
    for index in item.get("indexes", []):
        kind = "unique index" if index["unique"] else "index"
        lines.append(f"{kind} {index['name']} {cols(index['columns'])}")
    for check in item.get("checks", []):
        lines.append(f"check {check['name']}: {' '.join(check['sql'].split())}")
    return lines


def _default(column: dict[str, Any]) -> str:
    """A generated column says so; its expression is in `--format json`."""
    if column.get("generated") is not None:
        return "generated"
    return "" if column["default"] is None else str(column["default"])
