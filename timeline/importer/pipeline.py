"""The one import pipeline: a format's reader turns the input into interchange
records; they are staged, checked as a whole and merged in one transaction, or
nothing is written. Every format goes through here.

A database that does not exist yet is created and migrated inside the same
transaction (so a failed import leaves no schema, and no SQLite file behind); an
out-of-date one is refused with the upgrade hint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from timeline import db, migrate
from timeline.changes import Changes, Counts
from timeline.errors import DatabaseError, InputError
from timeline.importer import formats
from timeline.importer.inputs import Input, open_input
from timeline.importer.merge import Merger
from timeline.importer.staging import STAGING, Report, Stager, create_staging
from timeline.interchange import DataRecord
from timeline.lock import DEFAULT_WAIT, Notice, check_wait, writer_engine
from timeline.vocab import ORIGIN_LENGTH


class Reader(Protocol):
    """A format: records with a place each, and how an error names that place.

    Optional: `finish()` gives records that need every input (GDELT's actors);
    `may_repeat(table)` says a slug may come more than once, the first one counting;
    `notes()` are lines the summary adds."""

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
    return import_files(url, [path], format=format, report=report, wait=wait, notice=notice)


def import_files(
    url: URL,
    paths: list[str],
    *,
    format: str | None = None,
    report: Report | None = None,
    skip_invalid: bool = False,
    warn: Callable[[str], None] | None = None,
    wait: float = DEFAULT_WAIT,
    notice: Notice | None = None,
) -> Changes:
    """Import several files (`-`: standard input) in one transaction, or nothing. They
    share one format: `format`, else the one their names say (else NDJSON)."""
    check_wait(wait)
    if not paths:
        raise InputError("no file to import")
    chosen = {formats.format_for(path, format).name for path in paths}
    if len(chosen) > 1:
        raise InputError(f"the files are in different formats ({', '.join(sorted(chosen))}); "
                         "import them separately or name one with --format")  # fmt: skip
    reader = formats.reader(formats.BY_NAME[chosen.pop()], skip_invalid=skip_invalid, warn=warn)
    counts, created, names, flagged = _import(url, paths, reader, report, wait, notice)
    notes = reader.notes() if hasattr(reader, "notes") else []
    if flagged:
        notes.append("Flagged events: " + ", ".join(f"{n} {flag}" for flag, n in flagged))
    return Changes(names, counts, created, notes=notes)


def _import(
    url: URL,
    paths: list[str],
    reader: Reader,
    report: Report | None,
    wait: float,
    notice: Notice | None,
) -> tuple[dict[str, Counts], bool, list[str], list[tuple[str, int]]]:
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
                migrate.upgrade_in(connection, url)
            else:
                db.require_revision(revision, url)
            counts, names, flagged = _run(connection, paths, reader, report)
        return counts, creating, names, flagged
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


def _run(
    connection: Connection, paths: list[str], reader: Reader, report: Report | None
) -> tuple[dict[str, Counts], list[str], list[tuple[str, int]]]:
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("LOCK TABLE sources, actors, events IN SHARE ROW EXCLUSIVE MODE")
    bases = {
        table: connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
        for table in ("sources", "actors", "events")
    }
    create_staging(connection)
    stager: Stager | None = None
    names, origins = [], []
    for path in paths:
        source = open_input(path)
        try:
            if stager is None:
                stager = Stager(connection, source, reader, bases)
            else:
                stager.next_input(source)
            stager.stage(reader.records(source), report)
        finally:
            source.close()
        names.append(source.name)
        origins.append(source.origin)
    assert stager is not None
    finish = getattr(reader, "finish", None)
    if finish is not None:
        stager.stage(finish(), report)
    if postgres:  # rough statistics are enough to plan the merge, and 5x cheaper
        connection.exec_driver_sql("SET LOCAL default_statistics_target = 10")
        for name in STAGING:
            connection.exec_driver_sql(f"ANALYZE {name}")
        connection.exec_driver_sql("RESET default_statistics_target")
    origin = origins[0] if len(origins) == 1 else f"{origins[0]} and {len(origins) - 1} more"
    counts = Merger(connection, stager, origin[:ORIGIN_LENGTH]).merge(report)
    flagged = connection.exec_driver_sql(  # the events of the input that carry each flag
        "SELECT flag, count(*) FROM st_event_flags GROUP BY flag ORDER BY flag"
    ).all()
    return counts, names, [(flag, n) for flag, n in flagged]
