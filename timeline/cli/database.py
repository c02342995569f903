"""`timeline db …`: schema migrations on the chosen database."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from timeline.cli import CONTEXT, App, ErrorHandlingGroup, app, timeline
from timeline.errors import InputError

db_app = App(
    cls=ErrorHandlingGroup,
    no_args_is_help=True,
    context_settings=CONTEXT,
    help="Schema migrations.",
)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(metavar="REVISION", help="Target revision.")] = "head",
) -> None:
    """Create or upgrade the schema (default: to the newest revision).

    On PostgreSQL, where the user may create roles, this also creates or refreshes the
    reader role `timeline sql` runs as.

    Example: timeline --db postgresql://localhost/timeline db upgrade
    """
    from timeline.db import display_url

    tl = timeline(ctx)
    current = tl.upgrade(revision)
    typer.echo(f"{display_url(tl.url)}: at revision {current or 'base'}", err=True)


@db_app.command("downgrade")
def downgrade(
    ctx: typer.Context,
    revision: Annotated[
        str,
        typer.Argument(metavar="REVISION", help="Target revision; `base` removes everything."),
    ],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask; needed where no one can answer.")
    ] = False,
) -> None:
    """Downgrade the schema to REVISION.

    Example: timeline db downgrade 0001_initial --yes
    """
    from timeline import migrate
    from timeline.db import display_url, require_database, require_primary

    url = timeline(ctx).url
    require_database(url)
    require_primary(url)
    if not yes:
        what = "every table and every row" if revision == "base" else "what newer revisions added"
        change = f"downgrading {display_url(url)} to {revision} removes {what}"
        if not sys.stdin.isatty():
            raise InputError(f"{change}; confirm with --yes (there is no terminal to ask on)")
        if not typer.confirm(f"{change[:1].upper()}{change[1:]}. Go on?", default=False, err=True):
            raise InputError("not downgraded")
    migrate.downgrade(url, revision)
    typer.echo(f"{display_url(url)}: at revision {migrate.current(url) or 'base'}", err=True)


@db_app.command("current")
def current(ctx: typer.Context) -> None:
    """Print the database's schema revision (`base` for none) and whether it is the newest.

    Example: timeline db current
    """
    from timeline import migrate
    from timeline.db import SCHEMA_REVISION, require_database

    url = timeline(ctx).url
    require_database(url)
    revision = migrate.current(url)
    note = " (head)" if revision == SCHEMA_REVISION else f" (head is {SCHEMA_REVISION})"
    typer.echo(f"{revision or 'base'}{note}")


@db_app.command("create-reader-role")
def create_reader_role(
    ctx: typer.Context,
    role: Annotated[
        str,
        typer.Option(
            envvar="TIMELINE_READER_ROLE", metavar="ROLE", help="The role `timeline sql` enters."
        ),
    ] = "timeline_reader",
    print_sql: Annotated[
        bool,
        typer.Option("--print-sql", help="Print the statements for an administrator; run nothing."),
    ] = False,
) -> None:
    """PostgreSQL: create the least-privileged role `timeline sql` runs queries as.

    It may only SELECT the timeline's tables and view. Idempotent; run it again after
    `timeline db upgrade`.

    Example: timeline --db postgresql://localhost/timeline db create-reader-role
    """
    from timeline.db import display_url
    from timeline.readonly.roles import create_reader_role as create

    url = timeline(ctx).url
    statements = create(url, role, execute=not print_sql)
    if print_sql:
        typer.echo("".join(f"{statement};\n" for statement in statements), nl=False)
    else:
        typer.echo(f"{display_url(url)}: role {role} may read the timeline", err=True)
