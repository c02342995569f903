"""The short commands a user waits on, as whole processes (on SQLite): `timeline events`,
`timeline --help`, completing an actor name, and `import typer, sqlalchemy` as the
floor any Typer/SQLAlchemy command pays.

Apart from the rest because these figures are start-up time, not database time: each is
a median of fresh processes with bytecode caching on, as for an installed package.
"""

from __future__ import annotations

from processes import PYTHON, median_ms, timeline_command, with_bytecode


def time_cli(url: str, actor: str, runs: int) -> dict[str, float]:
    command = timeline_command()
    prefix = actor.split("-")[0][:3]
    env = with_bytecode()
    complete = {
        **env,
        "_TIMELINE_COMPLETE": "complete_zsh",
        "_TYPER_COMPLETE_ARGS": f"timeline --db {url} events --actor {prefix}",
    }
    return {
        "cli_events_ms": median_ms(
            [
                *command,
                "--db",
                url,
                "events",
                "--actor",
                actor,
                "--limit",
                "50",
                "--format",
                "json",
            ],
            runs,
            env=env,
        ),
        "cli_reference_ms": median_ms([PYTHON, "-c", "import typer, sqlalchemy"], runs, env=env),
        "cli_help_ms": median_ms([*command, "--help"], runs, env=env),
        "cli_complete_ms": median_ms(command, runs, env=complete),
    }
