"""`timeline import`: an NDJSON file (see `timeline.transfer`) into the database, in one
transaction, streaming.

`staging` validates each line and writes it, in batches, into TEMP staging tables;
`merge` then does, in the database and set-based, everything that needs the whole
file, and the upserts by slug. Python holds one batch at a time, whatever the size.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from timeline import db
from timeline.changes import Counts
from timeline.errors import DatabaseError
from timeline.importer.merge import Merger
from timeline.importer.staging import STAGING, Input, Report, Stager, create_staging, open_input
from timeline.vocab import TABLES

__all__ = ["TABLES", "Counts", "ImportResult", "Report", "import_file"]


@dataclass
class ImportResult:
    file: str
    counts: dict[str, Counts]
    created_database: bool

    @property
    def changed(self) -> bool:
        return self.created_database or any(c.changed for c in self.counts.values())


# ---------------------------------------------------------------- the whole import


def import_file(url: URL, path: str, *, report: Report | None = None) -> ImportResult:
    """Import an NDJSON file (`-`: standard input) in one transaction, or nothing.

    A database that does not exist yet is created and migrated inside the same
    transaction (so a failed import leaves no schema, and no SQLite file behind); an
    out-of-date one is refused with the upgrade hint.
    """
    source = open_input(path)
    try:
        return _import(url, source, report)
    finally:
        if source.stream is not sys.stdin.buffer:
            source.stream.close()


def _import(url: URL, source: Input, report: Report | None) -> ImportResult:
    state = db.sqlite_state(url) if db.is_sqlite(url) else "server"
    engine = _engine(url)
    try:
        creating = state in ("missing", "empty") or (
            state == "server" and db.stored_revision(engine) is None
        )
        if not creating:
            db.check_revision(engine)
        with engine.connect() as connection, connection.begin():
            if creating:
                _migrate(connection, url)
            counts = _run(connection, source, report)
        return ImportResult(source.name, counts, creating)
    except BaseException as exc:
        engine.dispose()
        _forget(url, state)
        if isinstance(exc, DBAPIError):
            where = db.display_url(url)
            raise DatabaseError(f"database {where}: {db.first_line(exc)}") from exc
        raise
    finally:
        engine.dispose()


def _engine(url: URL) -> Engine:
    """SQLite runs the whole import in one `BEGIN IMMEDIATE` transaction, DDL included
    (pysqlite would otherwise commit around it)."""
    engine = db.make_engine(url)
    if db.is_sqlite(url):

        def manual(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        def begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        event.listen(engine, "connect", manual)
        event.listen(engine, "begin", begin)
    return engine


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


def _run(connection: Connection, source: Input, report: Report | None) -> dict[str, Counts]:
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("LOCK TABLE sources, actors, events IN SHARE ROW EXCLUSIVE MODE")
    bases = {
        table: connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
        for table in ("sources", "actors", "events")
    }
    create_staging(connection)
    stager = Stager(connection, source, bases)
    stager.stage(report)
    if postgres:
        for name in STAGING:
            connection.exec_driver_sql(f"ANALYZE {name}")
    return Merger(connection, stager, source.origin).merge(report)
