"""The one import pipeline: a format's reader turns the input into interchange
records; they are staged, checked as a whole and merged in one transaction, or
nothing is written. Every format goes through here.

A database that does not exist yet is created and migrated inside the same
transaction (so a failed import leaves no schema, and no SQLite file behind); an
out-of-date one is refused with the upgrade hint.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from timeline import db
from timeline.changes import Changes, Counts
from timeline.errors import DatabaseError
from timeline.importer import formats
from timeline.importer.inputs import Input, open_input
from timeline.importer.merge import Merger
from timeline.importer.staging import STAGING, Report, Stager, create_staging
from timeline.interchange import DataRecord
from timeline.lock import DEFAULT_WAIT, Notice, check_wait, writer_engine


class Reader(Protocol):
    """A format: records with a place each, and how an error names that place."""

    def records(self, source: Input) -> Iterator[tuple[int, DataRecord]]: ...

    def where(self, key: int) -> int | str: ...


def import_file(
    url: URL,
    path: str,
    *,
    format: str | None = None,
    report: Report | None = None,
    wait: float = DEFAULT_WAIT,
    notice: Notice | None = None,
) -> Changes:
    """Import a file (`-`: standard input) in `format` (default: from the file name,
    else NDJSON) in one transaction, or nothing; waits up to `wait` seconds for
    another writer."""
    check_wait(wait)
    reader = formats.reader(formats.format_for(path, format))
    source = open_input(path)
    try:
        counts, created = _import(url, source, reader, report, wait, notice)
    finally:
        source.close()
    return Changes([source.name], counts, created)


def _import(
    url: URL,
    source: Input,
    reader: Reader,
    report: Report | None,
    wait: float,
    notice: Notice | None,
) -> tuple[dict[str, Counts], bool]:
    state = db.sqlite_state(url) if db.is_sqlite(url) else "server"
    engine = writer_engine(url, wait=wait, notice=notice)
    creating = False
    try:
        with engine.connect() as connection, connection.begin():
            # Decided under the writer lock: a database another writer just created
            # is no longer new.
            revision = db.revision_of(connection)
            creating = revision is None and state != "present"
            if creating:
                _migrate(connection, url)
            else:
                db.require_revision(revision, url)
            counts = _run(connection, source, reader, report)
        return counts, creating
    except BaseException as exc:
        engine.dispose()
        if creating:
            _forget(url, state)
        if isinstance(exc, DBAPIError):
            where = db.display_url(url)
            raise DatabaseError(f"database {where}: {db.first_line(exc)}") from exc
        raise
    finally:
        engine.dispose()


def _forget(url: URL, state: str) -> None:
    """A failed import into an SQLite file it created leaves the file as it found it."""
    path = db.sqlite_path(url)
    if path is None or state not in ("missing", "empty"):
        return
    for extra in ("-wal", "-shm", "-journal"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    if state == "missing":
        path.unlink(missing_ok=True)
    elif path.exists():
        path.write_bytes(b"")


def _migrate(connection: Connection, url: URL) -> None:
    from alembic import command

    from timeline import migrate

    config = migrate.alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _run(
    connection: Connection, source: Input, reader: Reader, report: Report | None
) -> dict[str, Counts]:
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("LOCK TABLE sources, actors, events IN SHARE ROW EXCLUSIVE MODE")
    bases = {
        table: connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
        for table in ("sources", "actors", "events")
    }
    create_staging(connection)
    stager = Stager(connection, source, reader, bases)
    stager.stage(reader.records(source), report)
    if postgres:
        for name in STAGING:
            connection.exec_driver_sql(f"ANALYZE {name}")
    return Merger(connection, stager, source.origin).merge(report)
