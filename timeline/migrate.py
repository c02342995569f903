"""Alembic, configured in code: no alembic.ini, migrations found beside the package,
so an installed wheel can create and upgrade a database from any directory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError

from timeline.db import display_url, first_line, make_engine, revision_of, stored_revision
from timeline.errors import DatabaseError, InputError
from timeline.lock import DEFAULT_WAIT, Notice, writer_engine
from timeline.resources import bundled_dir

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(url: URL) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(bundled_dir("migrations")))
    config.attributes["url"] = url
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return (
        ScriptDirectory.from_config(alembic_config(URL.create("sqlite"))).get_current_head() or ""
    )


def _run(
    url: URL, action: str, revision: str, wait: float = DEFAULT_WAIT, notice: Notice | None = None
) -> str | None:
    """Run an Alembic command under the writer lock, in one transaction; returns the
    revision the database was at before it."""
    from alembic import command
    from alembic.util import CommandError

    engine = writer_engine(url, foreign_keys=False, wait=wait, notice=notice)
    config = alembic_config(url)
    try:
        with engine.begin() as connection:
            before = revision_of(connection)
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
        return before
    except CommandError as exc:
        stored = current(url)
        if stored is not None and stored not in known_revisions(config):
            raise DatabaseError(
                f"database {display_url(url)} is at schema revision {stored}, which this "
                "timeline does not know (made by a newer timeline?)"
            ) from exc
        raise InputError(str(exc)) from exc
    except DBAPIError as exc:
        raise DatabaseError(f"database {display_url(url)}: {first_line(exc)}") from exc
    finally:
        engine.dispose()


def known_revisions(config: Config) -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def upgrade(
    url: URL, revision: str = "head", *, wait: float = DEFAULT_WAIT, notice: Notice | None = None
) -> str | None:
    """Upgrade (or create) the schema; returns the revision it was at before."""
    return _run(url, "upgrade", revision, wait, notice)


def upgrade_in(connection: Connection, url: URL) -> None:
    """Create the schema inside the caller's transaction (a load or an import into a
    new database), so that it commits with the rows or not at all."""
    from alembic import command

    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def downgrade(url: URL, revision: str) -> None:
    _run(url, "downgrade", revision)


def current(url: URL) -> str | None:
    """The database's revision, read without Alembic; None for an empty database."""
    engine = make_engine(url, read_only=True)
    try:
        return stored_revision(engine)
    finally:
        engine.dispose()
