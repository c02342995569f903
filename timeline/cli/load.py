"""`timeline load`: seed files into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from timeline.cli import app, timeline
from timeline.cli.transfer import WaitOption, waiting_notice, write_changes
from timeline.lock import DEFAULT_WAIT


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
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Load seed files: checked first, written in one transaction, idempotent.

    Creates and migrates a database that does not exist yet; refuses an out-of-date one.

    Example: timeline load seeds/unn-2025-09-15-west-2025.yaml --dry-run
    """
    tl = timeline(ctx)
    result = tl.load(paths, dry_run=dry_run, wait=wait, notice=waiting_notice())
    write_changes(result, "Would load" if dry_run else "Loaded", tl.url)
