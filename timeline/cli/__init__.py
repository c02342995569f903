"""The command line: parses, calls the library, renders. The only package that imports typer.

Each command module registers on `app`; library modules are imported inside the
commands so that `timeline --help` and completion stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from timeline.errors import TimelineError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


class ErrorHandlingGroup(TyperGroup):
    """Turns every `TimelineError` (and a database failure) into one `error:` line and
    its exit code, in this one place, for every command and sub-command."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TimelineError as exc:
            fail(str(exc), exc.exit_code)
        except Exception as exc:
            from sqlalchemy.exc import DBAPIError

            if not isinstance(exc, DBAPIError):
                raise
            from timeline.db import first_line

            fail(f"database error: {first_line(exc)}", 1)


def fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@dataclass
class Options:
    db: str | None

    @property
    def url(self) -> URL:
        from timeline.db import database_url

        return database_url(self.db)


app = typer.Typer(
    cls=ErrorHandlingGroup,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich costs ~200 ms of start-up on every --help
    help="An event timeline database for news-derived events: honest dates, verified "
    "evidence, actors with their other spellings.",
)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL|PATH",
            help="Database URL or SQLite file [env: TIMELINE_DATABASE_URL; "
            "default: sqlite:///timeline.db]",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = Options(db=db)


def options(ctx: typer.Context) -> Options:
    obj = ctx.find_root().obj
    assert isinstance(obj, Options)
    return obj


def main() -> None:
    app(prog_name="timeline")


from timeline.cli import database, load, sql, transfer, views  # noqa: E402,F401  (register commands)

if __name__ == "__main__":  # pragma: no cover
    main()
