"""`timeline export`: the database as NDJSON (lossless, see `timeline.interchange`), or the
events alone in any export format of `timeline.output`, streamed in batches so that
memory stays flat.

Everything is read in one transaction (a snapshot), so the records agree with each
other even while someone writes. NDJSON event records are built by
`timeline.queries.build_record`, as `timeline events --format json` prints them, plus
the `record` key, but from one ordered stream per nested array, read side by side
(on PostgreSQL at 100,000 events: 12 s instead of 60 s with a query per array).

A filtered export holds the matching events, the actors they involve (and the actors
those belong to, up the affiliation chain), and the sources of their evidence and
date anchors. Its relations, date anchors to events and citations are kept only when
both ends are in the file, so that it imports cleanly anywhere. JSON and CSV hold the
events alone, exactly as `timeline events` prints them.
"""

from __future__ import annotations

import io
import json
import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, bindparam, column, func, insert, select, table, text
from sqlalchemy.engine import URL

from timeline import db
from timeline.errors import FileInputError, InputError
from timeline.interchange import HEADER
from timeline.output import PageOptions
from timeline.queries.filters import EventFilters
from timeline.queries.records import build_record, events_statement, iso, iter_event_records
from timeline.queries.sqlfuncs import bytewise
from timeline.tables import events as events_table
from timeline.vocab import ATTRIBUTES

BATCH = 2000


@dataclass
class ExportResult:
    counts: dict[str, int] = field(default_factory=lambda: {"sources": 0, "actors": 0, "events": 0})


def is_filtered(filters: EventFilters) -> bool:
    return filters != EventFilters()


def export(
    url: URL,
    out: IO[bytes],
    *,
    fmt: str = "ndjson",
    filters: EventFilters | None = None,
    page: PageOptions | None = None,
) -> ExportResult:
    """Write the export to the binary stream `out`; `page` is for the page formats."""
    from timeline.output import BY_NAME, EXPORT

    if fmt not in EXPORT:
        raise InputError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT)}")
    filters = filters or EventFilters()
    engine = db.open_database(url, read_only=True)
    try:
        connection = engine.connect()
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection, connection.begin():
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN")  # one snapshot for every query
            if BY_NAME[fmt].page:
                return _page(connection, out, fmt, filters, page or PageOptions())
            if fmt != "ndjson":
                return _events_only(connection, out, fmt, filters)
            selected = is_filtered(filters)
            if db.is_standby(connection):
                return _ndjson(connection, out, selected, _standby_scope(connection, filters))
            _order(connection, filters, selected)
            if selected:
                _select(connection)
            return _ndjson(connection, out, selected)
    finally:
        engine.dispose()


def export_file(
    url: URL,
    path: Path,
    *,
    fmt: str = "ndjson",
    filters: EventFilters | None = None,
    page: PageOptions | None = None,
) -> ExportResult:
    """Export to a file, written beside it first and renamed at the end: a failed
    export leaves no half-written file."""
    if path.is_dir():
        raise FileInputError(str(path), None, "is a directory, not a file")
    partial = path.with_name(f".{path.name}.partial")
    try:
        out = partial.open("wb")
    except OSError as exc:
        raise FileInputError(str(path), None, f"cannot write: {exc.strerror}") from None
    try:
        with out:
            result = export(url, out, fmt=fmt, filters=filters, page=page)
        os.replace(partial, path)
        return result
    finally:
        partial.unlink(missing_ok=True)


def dumps(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


# ---------------------------------------------------------------- what a filter selects


def _temp(connection: Connection, name: str, columns: str = "id INTEGER PRIMARY KEY") -> None:
    suffix = " ON COMMIT DROP" if connection.dialect.name == "postgresql" else ""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
    connection.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns}){suffix}")


def _order(connection: Connection, filters: EventFilters, selected: bool) -> None:
    """`export_order`: the events to export, numbered in their order (start, end, slug
    byte-wise). Every event query joins it: it filters, and nested rows sort on an
    integer instead of re-sorting on dates and text."""
    _temp(connection, "export_order", "n INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE")
    events = events_table
    number = func.row_number().over(
        order_by=(events.c.start_date, events.c.end_date, bytewise(events.c.slug))
    )
    numbered = select(number, events.c.id)
    if selected:
        ids = events_statement(connection, filters).with_only_columns(events.c.id)
        numbered = numbered.where(events.c.id.in_(ids.order_by(None).limit(None)))
    target = table("export_order", column("n"), column("id"))
    connection.execute(insert(target).from_select(["n", "id"], numbered))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE export_order")


SELECTED_ACTORS = (
    "WITH RECURSIVE chain(id) AS ("
    " SELECT actor_id FROM event_actors WHERE event_id IN (SELECT id FROM export_order)"
    " UNION SELECT a.affiliation_id FROM actors a JOIN chain ON a.id = chain.id"
    " WHERE a.affiliation_id IS NOT NULL) SELECT id FROM chain"
)
SELECTED_SOURCES = (
    "SELECT source_id FROM evidence WHERE event_id IN (SELECT id FROM export_order)"
    " UNION SELECT anchor_source_id FROM events"
    " WHERE id IN (SELECT id FROM export_order) AND anchor_source_id IS NOT NULL"
)


def _select(connection: Connection) -> None:
    """The actors and sources that the selected events need, in temp tables."""
    for name in ("export_actors", "export_sources"):
        _temp(connection, name)
    connection.exec_driver_sql(f"INSERT INTO export_actors (id) {SELECTED_ACTORS}")
    connection.exec_driver_sql(f"INSERT INTO export_sources (id) {SELECTED_SOURCES}")


def _standby_scope(connection: Connection, filters: EventFilters) -> str:
    """On a hot standby, which may not create even a temporary table: a WITH clause
    that defines `export_order` (and what a filter selects) for each query instead.
    A filter's events are read first and given by id (integers only in the SQL)."""
    number = f"row_number() OVER (ORDER BY start_date, end_date, slug{_bytewise(connection)})"
    order = f"SELECT {number} AS n, id FROM events"
    if not is_filtered(filters):
        return f"WITH export_order(n, id) AS ({order}) "
    statement = events_statement(connection, filters).with_only_columns(events_table.c.id)
    ids = ",".join(
        str(int(i)) for i in connection.execute(statement.order_by(None).limit(None)).scalars()
    )
    return (
        f"WITH export_order(n, id) AS ({order} WHERE id = ANY('{{{ids}}}'::integer[])),"
        f" export_actors(id) AS ({SELECTED_ACTORS}), export_sources(id) AS ({SELECTED_SOURCES}) "
    )


# ---------------------------------------------------------------- NDJSON


def _ndjson(
    connection: Connection, out: IO[bytes], selected: bool, scope: str = ""
) -> ExportResult:
    """`scope`: the WITH clause every query starts with (see `_standby_scope`)."""
    result = ExportResult()
    counts = result.counts
    out.write(dumps(HEADER))
    for record in _sources(connection, selected, scope):
        out.write(dumps(record))
        counts["sources"] += 1
    for record in _actors(connection, selected, scope):
        out.write(dumps(record))
        counts["actors"] += 1
    for record in _events(connection, scope):
        out.write(dumps({"record": "event", **record}))
        counts["events"] += 1
    out.write(dumps({"record": "summary", **counts}))
    return result


def _bytewise(connection: Connection) -> str:
    return ' COLLATE "C"' if connection.dialect.name == "postgresql" else ""


def _grouped(connection: Connection, sql: str, ids: list[int]) -> dict[int, list[Any]]:
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in connection.execute(statement, {"ids": ids}):
        groups[row[0]].append(row[1])
    return groups


def _batches(connection: Connection, sql: str) -> Iterator[Sequence[Any]]:
    with connection.execute(text(sql).execution_options(yield_per=BATCH)) as rows:
        yield from rows.partitions(BATCH)  # SQLAlchemy 2.1 ignores yield_per here


def _sources(connection: Connection, selected: bool, scope: str) -> Iterator[dict[str, Any]]:
    where = "WHERE s.id IN (SELECT id FROM export_sources)" if selected else ""
    cited = "AND c.cited_source_id IN (SELECT id FROM export_sources)" if selected else ""
    for batch in _batches(
        connection,
        f"{scope}SELECT s.id, s.slug, s.name, s.kind, s.publisher, s.url, s.title, s.published_on,"
        f" s.language, s.text FROM sources s {where} ORDER BY s.slug{_bytewise(connection)}",
    ):
        cites = _grouped(
            connection,
            f"{scope}SELECT c.citing_source_id, t.slug FROM source_citations c JOIN sources t"
            f" ON t.id = c.cited_source_id WHERE c.citing_source_id IN :ids {cited}",
            [row.id for row in batch],
        )
        for row in batch:
            yield {
                "record": "source",
                "slug": row.slug,
                "name": row.name,
                "kind": row.kind,
                "publisher": row.publisher,
                "url": row.url,
                "title": row.title,
                "published": iso(row.published_on),
                "language": row.language,
                "cites": sorted(cites[row.id]),
                "text": row.text,
            }


def _actors(connection: Connection, selected: bool, scope: str) -> Iterator[dict[str, Any]]:
    where = "WHERE a.id IN (SELECT id FROM export_actors)" if selected else ""
    for batch in _batches(
        connection,
        f"{scope}SELECT a.id, a.slug, a.name, a.kind, a.country_code, a.description, p.slug"
        f" AS affiliation FROM actors a LEFT JOIN actors p ON p.id = a.affiliation_id {where}"
        f" ORDER BY a.slug{_bytewise(connection)}",
    ):
        aliases = _grouped(
            connection,
            "SELECT actor_id, alias FROM actor_aliases WHERE actor_id IN :ids",
            [row.id for row in batch],
        )
        for row in batch:
            yield {
                "record": "actor",
                "slug": row.slug,
                "name": row.name,
                "kind": row.kind,
                "country": row.country_code,
                "description": row.description,
                "affiliation": row.affiliation,
                "aliases": sorted(aliases[row.id]),
            }


# Each nested array is one ordered stream, joined to `export_order`: a relation whose
# other end is not exported, like a date anchor to such an event, is left out.
EVENTS = (
    "SELECT o.n, e.slug, e.title, e.type, e.modality, e.start_date, e.end_date, e.precision,"
    " e.date_text, ae.slug, s.slug, e.place, e.summary, e.latitude, e.longitude, "
    + ", ".join(f"e.{name}" for name in ATTRIBUTES)
    + " FROM export_order o"
    " JOIN events e ON e.id = o.id LEFT JOIN export_order ao ON ao.id = e.anchor_event_id"
    " LEFT JOIN events ae ON ae.id = ao.id LEFT JOIN sources s ON s.id = e.anchor_source_id"
    " ORDER BY o.n"
)
NESTED = {
    "countries": "SELECT o.n, c.country_code FROM export_order o"
    " JOIN event_countries c ON c.event_id = o.id ORDER BY o.n",
    "aliases": "SELECT o.n, c.alias FROM export_order o"
    " JOIN event_aliases c ON c.event_id = o.id ORDER BY o.n",
    "flags": "SELECT o.n, c.flag FROM export_order o"
    " JOIN event_flags c ON c.event_id = o.id ORDER BY o.n",
    "actors": "SELECT o.n, a.slug, a.name, a.kind, c.role FROM export_order o"
    " JOIN event_actors c ON c.event_id = o.id JOIN actors a ON a.id = c.actor_id ORDER BY o.n",
    "evidence": "SELECT o.n, s.slug, s.name, c.quote, c.quote_start, c.quote_end"
    " FROM export_order o JOIN evidence c ON c.event_id = o.id"
    " JOIN sources s ON s.id = c.source_id ORDER BY o.n",
    "outgoing": "SELECT o.n, r.kind, x.slug FROM export_order o"
    " JOIN event_relations r ON r.subject_event_id = o.id"
    " JOIN export_order ox ON ox.id = r.object_event_id JOIN events x ON x.id = ox.id"
    " ORDER BY o.n",
    "incoming": "SELECT o.n, r.kind, x.slug FROM export_order o"
    " JOIN event_relations r ON r.object_event_id = o.id"
    " JOIN export_order ox ON ox.id = r.subject_event_id JOIN events x ON x.id = ox.id"
    " ORDER BY o.n",
}


class _Stream:
    """Rows of one ordered query, fetched in batches, handed out event by event."""

    def __init__(self, connection: Connection, name: str, sql: str) -> None:
        raw = connection.connection.driver_connection
        postgres = connection.dialect.name == "postgresql"
        self.cursor: Any = raw.cursor(name=f"export_{name}") if postgres else raw.cursor()  # type: ignore[union-attr]
        self.cursor.execute(sql)
        self.rows = self._rows()
        self.head: Any = next(self.rows, None)

    def _rows(self) -> Iterator[Any]:
        while batch := self.cursor.fetchmany(BATCH):
            yield from batch

    def take(self, n: int) -> list[Any]:
        """The rows of event number `n` (the streams are in the same order)."""
        found = []
        while self.head is not None and self.head[0] == n:
            found.append(self.head)
            self.head = next(self.rows, None)
        return found

    def close(self) -> None:
        self.cursor.close()


def _events(connection: Connection, scope: str) -> Iterator[dict[str, Any]]:
    """Full event records, built by `queries.records.build_record` as the views build
    them, from seven streams read side by side: one sorted query per nested array
    instead of one query per array per batch."""
    streams = {name: _Stream(connection, name, scope + sql) for name, sql in NESTED.items()}
    events = _Stream(connection, "events", scope + EVENTS)
    try:
        while events.head is not None:
            n, *event = events.head
            events.head = next(events.rows, None)
            nested = {name: [row[1:] for row in stream.take(n)] for name, stream in streams.items()}
            yield build_record(event, **nested)
    finally:
        for stream in (events, *streams.values()):
            stream.close()


# ---------------------------------------------------------------- JSON and CSV


def _events_only(
    connection: Connection, out: IO[bytes], fmt: str, filters: EventFilters
) -> ExportResult:
    """The events alone, exactly as `timeline events` prints them (relations included,
    wherever they point), in any export format of `timeline.output`."""
    from timeline import output

    result = ExportResult()
    text_out = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        records = iter_event_records(connection, filters, batch_size=BATCH)
        result.counts["events"] = output.write_events(records, fmt, text_out)
    finally:
        text_out.detach()
    return result


def _page(
    connection: Connection, out: IO[bytes], fmt: str, filters: EventFilters, page: PageOptions
) -> ExportResult:
    """A page format (HTML, TimelineJS): the events, held in memory since the page is
    one document, with the details of the sources their evidence cites."""
    from timeline import output
    from timeline.queries.listings import source_details

    result = ExportResult()
    records = list(iter_event_records(connection, filters, batch_size=BATCH))
    cited = source_details(connection, (s["slug"] for r in records for s in r["sources"]))
    text_out = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        result.counts["events"] = output.write_page(records, cited, fmt, text_out, page)
        result.counts["sources"] = len(cited)
    finally:
        text_out.detach()
    return result
