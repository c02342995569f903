"""`timeline export` and `timeline import`: streaming interchange, in every registered
format (`timeline.output` for export, `timeline.importer.formats` for import)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from timeline import output
from timeline.cli import app, timeline
from timeline.cli.views import (
    Actors,
    DateFrom,
    DateTo,
    Precisions,
    Search,
    SourceFilter,
    Types,
    event_filters,
)
from timeline.errors import InputError
from timeline.importer import formats as import_formats
from timeline.lock import DEFAULT_WAIT, Notice

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from timeline.changes import Changes

    ExportFormat = Enum
    ImportFormat = Enum
    GroupBy = Enum
else:
    ExportFormat = output.choices("ExportFormat", output.EXPORT)
    GroupBy = output.choices("GroupBy", output.GROUP_BY)
    ImportFormat = output.choices("ImportFormat", import_formats.BY_NAME)


@app.command("export")
def export_command(
    ctx: typer.Context,
    output_path: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to FILE instead of standard output."
        ),
    ] = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help=output.formats_help(output.EXPORT)),
    ] = ExportFormat("ndjson"),
    date_from: DateFrom = None,
    date_to: DateTo = None,
    actor: Actors = None,
    event_type: Types = None,
    precision: Precisions = None,
    source: SourceFilter = None,
    search: Search = None,
    group_by: Annotated[
        GroupBy | None,
        typer.Option(
            "--group-by",
            help="html: the lanes it opens with; timelinejs: each slide's group (default: type)",
            show_default=False,
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            metavar="TEXT",
            help="html and timelinejs: the title (default: how many events, from when to when)",
        ),
    ] = None,
) -> None:
    """Export events with their actors, sources, evidence and relations, streamed.

    NDJSON is lossless when unfiltered. The filters are those of `timeline events`;
    a filtered export keeps the actors and sources its events need and only the
    relations whose both ends are in it.

    Example: timeline export -o backup.ndjson
    """
    filters = event_filters(ctx, date_from, date_to, actor, event_type, precision, source, search)
    page = None
    if output.BY_NAME[fmt.value].page:
        page = output.PageOptions(group_by.value if group_by else "type", title)
    elif group_by is not None or title is not None:
        option = "--group-by" if group_by is not None else "--title"
        raise InputError(f"{option} is for --format html or timelinejs")
    tl = timeline(ctx)
    if output_path is None or str(output_path) == "-":
        tl.export(sys.stdout.buffer, format=fmt.value, filters=filters, page=page)
        sys.stdout.buffer.flush()
        return
    counts = tl.export(output_path, format=fmt.value, filters=filters, page=page)
    what = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n or kind == "events")
    typer.echo(f"Exported {what} to {output_path}")


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(metavar="FILE", help="The file to import, or - to read standard input."),
    ],
    fmt: Annotated[
        ImportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="The file's format (default: from its name, else ndjson); "
            + "; ".join(f"{f.name}: {f.help}" for f in import_formats.FORMATS),
            show_default=False,
        ),
    ] = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Import a file: validated, written in one transaction, upserted by slug.

    Creates and migrates a database that does not exist yet; refuses an out-of-date
    one. Rows the file creates record it as their origin; existing rows keep theirs.

    Example: timeline --db other.db import backup.ndjson
    """
    tl = timeline(ctx)
    with _progress(sys.stderr) as report:
        result = tl.import_file(
            file,
            format=None if fmt is None else fmt.value,
            report=report,
            wait=wait,
            notice=waiting_notice(),
        )
    write_changes(result, "Imported", tl.url)


WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        help="How long to wait for another writer of the database to finish (0: not at all).",
    ),
]


def waiting_notice() -> Notice | None:
    """Say on a terminal that the command waits for another writer."""
    if not sys.stderr.isatty():
        return None
    return lambda message: typer.echo(message, err=True)


def write_changes(result: Changes, verb: str, url: URL) -> None:
    """The one summary of `load` and `import`: what was read into which database, and
    the rows created, updated, removed and left as they were, per table."""
    from timeline.db import display_url

    created = " (a new database)" if result.created_database else ""
    typer.echo(f"{verb} {', '.join(result.files)} into {display_url(url)}{created}")
    for line in result.summary_lines():
        typer.echo(line)
    if result.dry_run:
        typer.echo("Dry run: nothing was written.")
    elif not result.changed:
        typer.echo("Nothing changed: the database already holds these records.")


class _progress:
    """A progress bar on a terminal only: bytes read with an ETA when the size is
    known, records and records per second; then each writing step."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not self.out.isatty():
            return None
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from timeline.output.writers import console

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console(self.out),
            transient=True,
        )
        self.bar.start()
        self.bar.add_task("reading", total=None)
        return self.report

    def report(self, step: str, position: int, size: int | None, records: int) -> None:
        task = self.bar.tasks[0]
        if step == "reading":
            rate = records / task.elapsed if task.elapsed else 0
            step = f"reading: {records:,} records, {rate:,.0f}/s"
        self.bar.update(task.id, description=step, completed=position, total=size)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
