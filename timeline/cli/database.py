"""`timeline db …`: schema migrations on the chosen database."""

from __future__ import annotations

from typing import Annotated

import typer

from timeline.cli import ErrorHandlingGroup, app, options

db_app = typer.Typer(cls=ErrorHandlingGroup, no_args_is_help=True, help="Schema migrations.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or upgrade the schema (default: to the newest revision)."""
    from timeline import migrate
    from timeline.db import display_url, is_sqlite, sqlite_state

    url = options(ctx).url
    if is_sqlite(url):
        sqlite_state(url)  # refuses a directory or a file that is not SQLite
    migrate.upgrade(url, revision)
    typer.echo(f"{display_url(url)}: at revision {migrate.current(url) or 'base'}", err=True)


@db_app.command("downgrade")
def downgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision; `base` removes everything.")],
) -> None:
    """Downgrade the schema to REVISION."""
    from timeline import migrate
    from timeline.db import display_url, require_database

    url = options(ctx).url
    require_database(url)
    migrate.downgrade(url, revision)
    typer.echo(f"{display_url(url)}: at revision {migrate.current(url) or 'base'}", err=True)


@db_app.command("current")
def current(ctx: typer.Context) -> None:
    """Print the database's schema revision (`base` for none) and whether it is the newest."""
    from timeline import migrate
    from timeline.db import SCHEMA_REVISION, require_database

    url = options(ctx).url
    require_database(url)
    revision = migrate.current(url)
    note = " (head)" if revision == SCHEMA_REVISION else f" (head is {SCHEMA_REVISION})"
    typer.echo(f"{revision or 'base'}{note}")
