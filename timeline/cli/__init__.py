"""The command line: parses, calls the library (`timeline.api`), renders. The only
package that imports typer.

Conventions, kept here for every command: errors become one `error:` line and an exit
code (usage errors included); `-h` and `--help`; `--version`; `--db` before or after
the command; a single-valued option given twice is refused rather than the last one
winning in silence. Library modules are imported inside the commands so that
`timeline --help` and completion stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # Typer's own Click
from typer.core import TyperCommand, TyperGroup

from timeline.errors import InputErrors, TimelineError

if TYPE_CHECKING:
    from timeline.api import Timeline

DB_OPTION = "--db"
EXIT_SIGPIPE = 128 + 13  # what a shell shows for `cat` cut off by a closed pipe


def fail(message: str, code: int) -> None:
    say_error(message)
    raise typer.Exit(code)


def say_error(message: str) -> None:
    """One `error:` line: a control character quoted from the input (an ESC, a record
    separator) is shown escaped, so it can neither drive the terminal nor break the line."""
    from timeline.output.writers import escaped

    typer.echo(f"error: {escaped(message)}", err=True)


def _usage(exc: UsageError) -> None:
    """A usage error on one line, with where to look."""
    text = " ".join(exc.format_message().split()).rstrip(".")
    text = text[:1].lower() + text[1:]
    path = exc.ctx.command_path.split()[1:] if exc.ctx is not None else []
    fail(f"{text} (see `{' '.join(['timeline', *path])} --help`)", 2)


class ErrorHandlingGroup(TyperGroup):
    """Turns every `TimelineError`, database failure and usage error into one `error:`
    line and its exit code, in this one place, for every command and sub-command."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except NoArgsIsHelpError:
            raise
        except UsageError as exc:
            _usage(exc)

    def invoke(self, ctx: Any) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
            return result
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(EXIT_SIGPIPE) from None
        except OSError as exc:  # writing the output failed (reading files is checked)
            where = f" {exc.filename}" if exc.filename else " the output"
            fail(f"cannot write{where}: {exc.strerror or exc}", 1)
        except NoArgsIsHelpError:
            raise
        except UsageError as exc:
            _usage(exc)
        except InputErrors as exc:
            for note in exc.notes:
                typer.echo(note, err=True)
            for error in exc.errors[:-1]:
                say_error(str(error))
            fail(str(exc.errors[-1]), exc.exit_code)
        except TimelineError as exc:
            fail(str(exc), exc.exit_code)
        except Exception as exc:
            from sqlalchemy.exc import DBAPIError

            if not isinstance(exc, DBAPIError):
                raise
            from timeline.db import first_line

            fail(f"database error: {first_line(exc)}", 1)


def _quiet_stdout() -> None:
    """The reader went away (`| head`): end quietly, as `cat` does, with nothing left
    for Python to flush into the closed pipe at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test runner's capture)
        pass


class TimelineCommand(TyperCommand):
    """Every command: `--db` accepted after the command too, and no single-valued
    option given twice."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            args = _take_db(ctx, args)
            _refuse_repeats(self, ctx, args)
            return super().parse_args(ctx, args)
        except UsageError as exc:
            exc.ctx = exc.ctx or ctx  # so that the message names this command
            raise

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        formatter.write_paragraph()
        formatter.write_text(f"Global options such as {DB_OPTION} may also follow the command.")
        super().format_epilog(ctx, formatter)


def _take_db(ctx: Any, args: list[str]) -> list[str]:
    """Lift `--db URL` (or `--db=URL`) out of a command's arguments into the root's."""
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        if arg == DB_OPTION or arg.startswith(f"{DB_OPTION}="):
            if arg == DB_OPTION:
                if index + 1 >= len(args):
                    raise UsageError(f"Option '{DB_OPTION}' requires an argument.", ctx)
                value, index = args[index + 1], index + 2
            else:
                value, index = arg.split("=", 1)[1], index + 1
            if ctx.meta.get("timeline.db") is not None:
                raise UsageError(f"Option '{DB_OPTION}' is given more than once.", ctx)
            ctx.meta["timeline.db"] = value
            continue
        rest.append(arg)
        index += 1
    return rest


def _refuse_repeats(command: Any, ctx: Any, args: list[str]) -> None:
    """Click keeps the last of a repeated single-valued option; refuse it instead."""
    single = {
        opt: param
        for param in command.params
        if param.param_type_name == "option" and not param.multiple and not param.is_flag
        for opt in param.opts
    }
    seen: set[str] = set()
    for arg in args:
        if arg == "--":
            return
        opt = arg.split("=", 1)[0] if arg.startswith("--") else arg[:2]
        param = single.get(opt)
        if param is None:
            continue
        if param.name in seen:
            raise UsageError(f"Option '{param.opts[0]}' is given more than once.", ctx)
        seen.add(param.name)


F = TypeVar("F", bound=Callable[..., Any])


class App(typer.Typer):
    """A Typer app whose commands are `TimelineCommand`s."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", TimelineCommand)
        return super().command(*args, **kwargs)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"timeline {version('timeline')}")
        raise typer.Exit()


CONTEXT = {"help_option_names": ["-h", "--help"]}

app = App(
    cls=ErrorHandlingGroup,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich costs ~200 ms of start-up on every --help
    context_settings=CONTEXT,
    help="An event timeline database for news-derived events: honest dates, verified "
    "evidence, actors with their other spellings.\n\n"
    "Example: timeline load && timeline events --actor Lukashenka --from 2025-09",
)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            DB_OPTION,
            metavar="URL|PATH",
            help="Database URL or SQLite file [env: TIMELINE_DATABASE_URL; "
            "default: sqlite:///timeline.db]",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    if db is not None:
        ctx.meta["timeline.db"] = db


def database_option(ctx: typer.Context) -> str | None:
    """`--db` as given before or after the command (also while completing)."""
    given = ctx.meta.get("timeline.db")
    return given if given is not None else ctx.find_root().params.get("db")


def timeline(ctx: typer.Context) -> Timeline:
    """The library object for the database the command line names."""
    from timeline.api import Timeline

    return Timeline(database_option(ctx))


def main() -> None:
    app(prog_name="timeline")


from timeline.cli import database, load, sql, transfer, views  # noqa: E402,F401  (register commands)

if __name__ == "__main__":  # pragma: no cover
    main()
