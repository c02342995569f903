"""`timeline load`: seed files into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from timeline.cli import app, options


@app.command("load")
def load(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Seed files (YAML); default: the bundled article seeds.", show_default=False
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check everything and show the summary; write nothing."),
    ] = False,
) -> None:
    """Load seed files: checked first, written in one transaction, idempotent.

    Creates and migrates a database that does not exist yet; refuses an out-of-date one.
    """
    from timeline import seeds
    from timeline.changes import summary_lines
    from timeline.db import display_url

    url = options(ctx).url
    result = seeds.load_paths(url, paths, dry_run=dry_run)
    verb = "Would load" if dry_run else "Loaded"
    created = " (a new database)" if result.created_database else ""
    typer.echo(f"{verb} {', '.join(result.files)} into {display_url(url)}{created}")
    for line in summary_lines(result.counts):
        typer.echo(line)
    if dry_run:
        typer.echo("Dry run: nothing was written.")
    elif not result.changed:
        typer.echo("Nothing changed: the database already holds these files.")
