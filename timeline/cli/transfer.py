"""`timeline export` and `timeline import`: streaming NDJSON interchange."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from timeline.cli import app, options
from timeline.cli.views import (
    Actors,
    DateFrom,
    DateTo,
    EventType,
    Search,
    SourceFilter,
    event_filters,
)

if TYPE_CHECKING:
    from timeline.importer import ImportResult


@app.command("export")
def export_command(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to FILE instead of standard output."
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="ndjson (lossless, for `timeline import`), or the events alone as json or csv.",
        ),
    ] = "ndjson",
    date_from: DateFrom = None,
    date_to: DateTo = None,
    actor: Actors = None,
    event_type: EventType = None,
    source: SourceFilter = None,
    search: Search = None,
) -> None:
    """Export events with their actors, sources, evidence and relations, streamed.

    NDJSON is lossless when unfiltered. The filters are those of `timeline events`;
    a filtered export keeps the actors and sources its events need and only the
    relations whose both ends are in it.
    """
    from timeline import exporter, render

    render.check_format(fmt, exporter.FORMATS)
    filters = event_filters(date_from, date_to, actor, event_type, source, search)
    url = options(ctx).url
    if output is None or str(output) == "-":
        exporter.export(url, sys.stdout.buffer, fmt=fmt, filters=filters)
        sys.stdout.buffer.flush()
        return
    counts = exporter.export_file(url, output, fmt=fmt, filters=filters).counts
    what = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n or kind == "events")
    typer.echo(f"Exported {what} to {output}")


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(metavar="FILE", help="An NDJSON export, or - to read standard input."),
    ],
) -> None:
    """Import an NDJSON export: validated, written in one transaction, upserted by slug.

    Creates and migrates a database that does not exist yet; refuses an out-of-date
    one. Rows the file creates record it as their origin; existing rows keep theirs.
    """
    from timeline import importer
    from timeline.db import display_url

    url = options(ctx).url
    with _progress(sys.stderr) as report:
        result = importer.import_file(url, file, report=report)
    _summary(result, display_url(url))


def _summary(result: ImportResult, where: str) -> None:
    from timeline.changes import summary_lines

    created = " (a new database)" if result.created_database else ""
    typer.echo(f"Imported {result.file} into {where}{created}")
    for line in summary_lines(result.counts):
        typer.echo(line)
    if not result.changed:
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

        from timeline.render import console

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
