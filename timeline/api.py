"""The library face of timeline: `Timeline(url)` does what the command line does,
returning records and results instead of printing them. The CLI is a thin layer over
this class, so what works in a notebook works the same on the command line.

    >>> from timeline import Timeline
    >>> tl = Timeline("timeline.db")
    >>> [e["slug"] for e in tl.events(actors=["Lukashenko"], limit=2)]

Errors are the typed exceptions of `timeline.errors`: `InputError` for bad input (an
unknown actor, an invalid date, a bad file), `DatabaseError` for a missing, unreachable
or out-of-date database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Unpack

from sqlalchemy.engine import URL, Connection

from timeline import db, queries
from timeline.errors import InputError
from timeline.lock import DEFAULT_WAIT, Notice
from timeline.queries import EventFilters, FilterOptions
from timeline.readonly.roles import refresh_reader_role
from timeline.vocab import PERIODS

if TYPE_CHECKING:
    from timeline.changes import Changes
    from timeline.importer.staging import Report
    from timeline.output import PageOptions
    from timeline.readonly.runner import QueryResult

Record = dict[str, Any]


class Timeline:
    """A timeline database, named by a URL, an SQLite path, or None for
    `TIMELINE_DATABASE_URL` or else `timeline.db` in the current directory.

    Reading methods open the database read-only and never create it; `load` and
    `import_file` create and migrate a database that does not exist yet.
    """

    def __init__(self, url: str | os.PathLike[str] | URL | None = None) -> None:
        self.url: URL = (
            url if isinstance(url, URL) else db.database_url(None if url is None else str(url))
        )

    def __repr__(self) -> str:
        return f"Timeline({db.display_url(self.url)!r})"

    # -- reading

    def events(
        self, filters: EventFilters | None = None, /, **options: Unpack[FilterOptions]
    ) -> Iterator[Record]:
        """Event records in date order (start, end, slug), in DESIGN.md's JSON shape.

        Filters are `EventFilters` (from `filters`) or the options themselves: an event
        is in the `date_from`/`date_to` window when its interval overlaps it
        (`"2025-09"` means the month's first or last day); every one of `actors` must
        be involved; any of `types` and `precisions`. Bad filters, unknown actors and a
        missing database raise here, before the first record. The iterator reads
        lazily and closes the database when it is exhausted or discarded.
        """
        chosen = filters if filters is not None else self.filters(**options)
        return self._streaming(lambda c: queries.iter_event_records(c, chosen))

    def filters(self, **options: Unpack[FilterOptions]) -> EventFilters:
        """Validated filters, for `events`, `counts` and `export`."""
        return queries.event_filters(**options)

    def event(self, slug: str) -> Record:
        """One event's record; an unknown slug is an `InputError` with suggestions."""
        with self._reading() as connection:
            return queries.event_record(connection, slug)

    def event_context(self, record: Record) -> tuple[list[Record], dict[str, Record]]:
        """What an event's date was resolved against (anchor event, source), and the
        events its relations point at, by slug: what a reader of one event needs."""
        with self._reading() as connection:
            anchors = queries.anchors(connection, record)
            related = queries.event_summaries(connection, [r["slug"] for r in record["relations"]])
        return anchors, related

    def counts(self, per: str = "month", filters: EventFilters | None = None) -> list[Any]:
        """(period, type, events) rows; an event counts only in a period that holds its
        whole interval, else in the last row, whose period is None."""
        if per not in PERIODS:
            raise InputError(f"per must be one of {', '.join(PERIODS)}, not {per!r}")
        with self._reading() as connection:
            return queries.event_counts(connection, filters or EventFilters(), per)

    def actors(self) -> list[Record]:
        """Every actor with its event count and the span of its events, by slug."""
        with self._reading() as connection:
            return queries.actor_rows(connection)

    def actor(self, name: str) -> Record:
        """An actor's profile, found by slug, name or alias (case- and accent-blind)."""
        with self._reading() as connection:
            return queries.actor_profile(connection, name)

    def actor_events(self, slug: str) -> Iterator[Record]:
        """An actor's chronology: event records, each with the actor's `roles`."""
        return self._streaming(lambda c: queries.iter_actor_events(c, slug))

    def sources(self) -> list[Record]:
        """Every source: what it cites, how many events and quotes it supports."""
        with self._reading() as connection:
            return queries.source_rows(connection)

    def info(self) -> Record:
        """The database (password hidden), its backend, on PostgreSQL its `role`
        (`primary` or `standby`) and a standby's replay `lag` (see `db.replication`),
        the schema revision and rows per table."""
        engine = db.open_database(self.url)
        try:
            revision = db.stored_revision(engine)
            with engine.connect() as connection:
                role = {"role": None, "lag": None}
                if not db.is_sqlite(self.url):
                    role = db.replication(connection)
                counts = queries.table_counts(connection)
        finally:
            engine.dispose()
        return {
            "database": db.display_url(self.url),
            "backend": engine.dialect.name,
            **role,
            "revision": revision,
            "tables": counts,
        }

    def sql(
        self,
        query: str,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
        role: str | None = None,
    ) -> QueryResult:
        """Run one read-only statement (see `timeline.readonly`)."""
        from timeline.readonly import roles, runner

        return runner.run_query(
            self.url,
            query,
            timeout=runner.DEFAULT_TIMEOUT if timeout is None else timeout,
            max_rows=runner.DEFAULT_MAX_ROWS if max_rows is None else max_rows,
            role=roles.READER_ROLE if role is None else role,
        )

    def schema(self, table: str | None = None) -> Record:
        """Tables and views as the database reports them; with `table`, that one."""
        from timeline.readonly.describe import describe_schema

        return describe_schema(self.url, table)

    # -- writing

    def load(
        self,
        paths: Sequence[str | Path] | None = None,
        *,
        dry_run: bool = False,
        fix_quotes: bool = False,
        wait: float = DEFAULT_WAIT,
        notice: Notice | None = None,
    ) -> Changes:
        """Load seed files (default: the bundled article): checked, then written in one
        transaction, idempotent; `dry_run` checks and counts, writing nothing. Every
        error found is raised at once (`InputErrors`). `fix_quotes` rewrites, in the
        files, quotes that differ from their text only in typography. Waits up to `wait`
        seconds for another writer (calling `notice` when it starts to)."""
        from timeline import seeds

        files = [Path(p) for p in paths] if paths else None
        changes = seeds.load_paths(
            self.url, files, dry_run=dry_run, fix_quotes=fix_quotes, wait=wait, notice=notice
        )
        if not dry_run:
            refresh_reader_role(self.url)
        return changes

    def check(self, paths: Sequence[str | Path], *, fix_quotes: bool = False) -> Changes:
        """Check seed files as `load` would, against the database if it exists, writing
        nothing to it; every error is raised at once (`InputErrors`)."""
        from timeline import seeds

        return seeds.check_paths(self.url, [Path(p) for p in paths], fix_quotes=fix_quotes)

    def import_file(
        self,
        path: str | Path,
        *,
        format: str | None = None,
        report: Report | None = None,
        wait: float = DEFAULT_WAIT,
        notice: Notice | None = None,
    ) -> Changes:
        """Import a file (`"-"`: standard input) in `format` (default: from the file
        name, else NDJSON): validated, staged, merged in one transaction, or nothing.
        Waits up to `wait` seconds for another writer, as `load` does."""
        from timeline.importer.pipeline import import_file

        changes = import_file(
            self.url, str(path), format=format, report=report, wait=wait, notice=notice
        )
        refresh_reader_role(self.url)
        return changes

    def import_files(
        self,
        paths: Sequence[str | Path],
        *,
        format: str | None = None,
        report: Report | None = None,
        skip_invalid: bool = False,
        warn: Callable[[str], None] | None = None,
        wait: float = DEFAULT_WAIT,
        notice: Notice | None = None,
    ) -> Changes:
        """Import several files in one transaction, or nothing; `skip_invalid` (GDELT)
        skips bad rows, telling `warn` (default: standard error) where each was. Waits
        up to `wait` seconds for another writer, as `load` does."""
        from timeline.importer.pipeline import import_files

        changes = import_files(
            self.url,
            [str(path) for path in paths],
            format=format,
            report=report,
            skip_invalid=skip_invalid,
            warn=warn,
            wait=wait,
            notice=notice,
        )
        refresh_reader_role(self.url)
        return changes

    def upgrade(self, revision: str = "head") -> str | None:
        """Create or upgrade the schema (Alembic); returns the revision it is at."""
        from timeline import migrate

        if db.is_sqlite(self.url):
            db.sqlite_state(self.url)  # refuses a directory or a file that is not SQLite
        migrate.upgrade(self.url, revision)
        current = migrate.current(self.url)
        if current == db.SCHEMA_REVISION:  # the role's grants are for the newest tables
            refresh_reader_role(self.url)
        return current

    def export(
        self,
        out: IO[bytes] | str | Path,
        *,
        format: str = "ndjson",
        filters: EventFilters | None = None,
        page: PageOptions | None = None,
    ) -> dict[str, int]:
        """Export to a binary stream or a file (written whole or not at all); NDJSON is
        lossless and what `import_file` reads; `page` sets the grouping and title of
        `html` and `timelinejs`. Returns how many records of each kind."""
        from timeline import exporter

        if isinstance(out, str | Path):
            return exporter.export_file(
                self.url, Path(out), fmt=format, filters=filters, page=page
            ).counts
        return exporter.export(self.url, out, fmt=format, filters=filters, page=page).counts

    # -- plumbing

    def _reading(self) -> _Reading:
        return _Reading(self.url)

    def _streaming(self, start: Any) -> Iterator[Record]:
        """Open the database, start the query now (so that bad filters raise here),
        and hand out its records lazily, closing the database at the end."""
        reading = _Reading(self.url)
        connection = reading.__enter__()
        try:
            records = start(connection)
        except BaseException:
            reading.__exit__(None, None, None)
            raise
        return _closing(records, reading)


class _Reading:
    """A read-only connection to an existing database at the current revision."""

    def __init__(self, url: URL) -> None:
        self.engine = db.open_database(url)

    def __enter__(self) -> Connection:
        self.connection = self.engine.connect()
        return self.connection

    def __exit__(self, *exc: object) -> None:
        try:
            self.connection.close()
        finally:
            self.engine.dispose()


def _closing(records: Iterator[Record], reading: _Reading) -> Iterator[Record]:
    try:
        yield from records
    finally:
        reading.__exit__(None, None, None)
