"""`timeline load`, `timeline seed new` and `timeline seed check`: seed files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from timeline.cli import CONTEXT, App, ErrorHandlingGroup, app, timeline
from timeline.cli.transfer import WaitOption, waiting_notice, write_changes
from timeline.errors import InputError
from timeline.vocab import DEFAULT_WAIT

FIX_QUOTES = typer.Option(
    "--fix-quotes",
    help="Rewrite a quote that differs from the text only in typography (curly quotes, "
    "dashes, spaces) to the text's own characters.",
)


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
    fix_quotes: Annotated[bool, FIX_QUOTES] = False,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Load seed files: checked first, written in one transaction, idempotent.

    Creates and migrates a database that does not exist yet; refuses an out-of-date one.

    Example: timeline load seeds/unn-2025-09-15-west-2025.yaml --dry-run
    """
    tl = timeline(ctx)
    result = tl.load(
        paths, dry_run=dry_run, fix_quotes=fix_quotes, wait=wait, notice=waiting_notice()
    )
    write_changes(result, "Would load" if dry_run else "Loaded", tl.url)


seed_app = App(
    cls=ErrorHandlingGroup,
    no_args_is_help=True,
    context_settings=CONTEXT,
    help="Writing seed files: a skeleton for an article, every error in one run.",
)
app.add_typer(seed_app, name="seed")


@seed_app.command("new")
def seed_new(
    text_file: Annotated[Path, typer.Argument(help="The article's text (UTF-8).")],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Where to write it; default: beside TEXT_FILE."),
    ] = None,
    slug: Annotated[
        str | None, typer.Option(help="The source's slug (default: from the file name).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="The source's name, e.g. its headline.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Who published it.")] = None,
    published: Annotated[
        str | None, typer.Option(metavar="DATE", help="Publication date, YYYY-MM-DD.")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Where it was published.")] = None,
    cites: Annotated[
        list[str] | None, typer.Option(metavar="SLUG", help="A source it cites (repeatable).")
    ] = None,
) -> None:
    """Write a commented seed file for an article: its source block, and an example
    actor and event in comments. It loads as it is; add the events as you read.

    Example: timeline seed new article.txt --published 2025-09-15 --publisher UNN
    """
    from timeline.seeds.scaffold import skeleton

    target = output or text_file.with_suffix(".yaml")
    content = skeleton(
        text_file,
        target,
        slug=slug,
        name=name,
        publisher=publisher,
        published=published,
        url=url,
        cites=cites,
    )
    try:
        with target.open("x", encoding="utf-8") as out:
            out.write(content)
    except FileExistsError:
        raise InputError(f"{target}: already exists; choose another with -o") from None
    typer.echo(f"Wrote {target}: add actors and events, then `timeline seed check {target}`.")


@seed_app.command("check")
def seed_check(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Seed files (YAML).")],
    fix_quotes: Annotated[bool, FIX_QUOTES] = False,
) -> None:
    """Check seed files and report every error, one line each, in file order; against
    the database when it exists (references to its rows count), writing nothing.

    Example: timeline seed check mine.yaml
    """
    result = timeline(ctx).check(paths, fix_quotes=fix_quotes)
    for note in result.notes:
        typer.echo(note)
    typer.echo(f"{', '.join(result.files)}: no errors")
