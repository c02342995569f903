"""`timeline sql` and `timeline schema`: read-only inspection.

The command parses and renders; `timeline.readonly` holds every layer that keeps the
statement read-only, and the schema description.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from timeline import output
from timeline.cli import app, timeline
from timeline.cli.views import TABLE, Format

if TYPE_CHECKING:
    SchemaFormat = Enum
else:
    SchemaFormat = output.choices("SchemaFormat", ("table", "json", "markdown"))


@app.command("sql")
def sql(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="One read-only SQL statement; `-` reads it from stdin.")
    ],
    fmt: Format = TABLE,
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

    Example: timeline sql "SELECT type, count(*) FROM events GROUP BY type"
    """
    from timeline.output.writers import write_rows
    from timeline.readonly.runner import MAX_RESULT_BYTES
    from timeline.readonly.values import SHOWN_CHARACTERS, printable, shortened, unique_columns

    text = sys.stdin.read() if query == "-" else query
    result = timeline(ctx).sql(text, timeout=timeout, max_rows=max_rows, role=role)
    fmt_name: Any = fmt.value
    text_format = fmt_name in ("table", "csv", "markdown")
    columns = result.columns if text_format else unique_columns(result.columns)
    rows = ([printable(v, text_format=text_format) for v in row] for row in result.rows)
    cut = False
    if fmt_name in ("table", "markdown"):

        def shown(row: list[Any]) -> list[Any]:
            nonlocal cut
            values = [shortened(v) for v in row]
            cut = cut or any(was_cut for _, was_cut in values)
            return [v for v, _ in values]

        rows = (shown(row) for row in rows)
    write_rows(columns, rows, fmt_name, sys.stdout)
    if result.truncated:
        typer.echo(
            f"note: only {_first(max_rows)} shown; use --max-rows to see more",
            err=True,
        )
    if result.too_large:
        typer.echo(
            f"note: only {_first(len(result.rows))} shown: the result is larger than the "
            f"{MAX_RESULT_BYTES // 2**20} MB `timeline sql` fetches",
            err=True,
        )
    if cut:
        typer.echo(
            f"note: values longer than {SHOWN_CHARACTERS} characters are cut; "
            "--format csv or json prints them whole",
            err=True,
        )


def _first(rows: int) -> str:
    return "the first row is" if rows == 1 else f"the first {rows} rows are"


@app.command("schema")
def schema(
    ctx: typer.Context,
    table: Annotated[
        str | None, typer.Argument(help="One table or view; default: all.", show_default=False)
    ] = None,
    fmt: Annotated[SchemaFormat, typer.Option("--format", "-f", help="The output format.")] = (
        SchemaFormat("table")
    ),
    records: Annotated[
        bool,
        typer.Option(
            "--records",
            help="Print the JSON Schema of the NDJSON records of `export` and `import` "
            "instead (no database needed).",
        ),
    ] = False,
) -> None:
    """Describe the tables (columns, keys, unique constraints, indexes, checks) and views.

    `--format json` also gives each view's definition.

    Example: timeline schema events --format markdown
    """
    import json

    if records:
        from timeline.interchange import json_schema

        sys.stdout.write(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")
        return
    from timeline.output.schema import write_schema

    description = timeline(ctx).schema(table)
    if fmt.value == "json":
        json.dump(description, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    write_schema(description, fmt.value, sys.stdout)
