"""Reading the input into TEMP staging tables: each line validated on its own, rows
written in batches (executemany on SQLite, COPY on PostgreSQL), one batch in memory.

The k-th source, actor or event of the file gets the provisional id `max(id) + k` (the
tables are locked for the import), which becomes its id when its slug is new; nested
rows carry it, so on an empty database nothing needs to be looked up twice.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from timeline.errors import FileInputError
from timeline.transfer import (
    ActorRecord,
    EventRecord,
    Header,
    SourceRecord,
    Summary,
    parse_record,
)
from timeline.vocab import ORIGIN_LENGTH, normalize_name

BATCH_RECORDS = 2000
BATCH_BYTES = 8 << 20

# Staging tables: columns (with their PostgreSQL types) in the order rows are written.
_STAGING = {
    "st_sources": "pid integer, line integer, slug text, name text, kind text, publisher text,"
    " url text, title text, published_on date, language text, text text",
    "st_citations": "pid integer, line integer, item integer, cited text",
    "st_actors": "pid integer, line integer, slug text, name text, name_key text, kind text,"
    " country_code text, description text, affiliation text",
    "st_actor_aliases": "pid integer, alias text, alias_key text",
    "st_events": "pid integer, line integer, slug text, title text, type text, modality text,"
    " summary text, place text, start_date date, end_date date, precision text,"
    " date_text text, anchor_event text, anchor_source text",
    "st_event_countries": "pid integer, country_code text",
    "st_event_aliases": "pid integer, alias text, alias_key text",
    "st_event_actors": "pid integer, line integer, item integer, actor text, role text",
    "st_evidence": "pid integer, line integer, item integer, source text, quote text,"
    " quote_start integer, quote_end integer",
    "st_relations": "pid integer, line integer, item integer, kind text, other text,"
    " incoming integer",
}
STAGING: dict[str, list[tuple[str, str]]] = {
    name: [(c.split()[0], c.split()[1]) for c in columns.split(",")]
    for name, columns in _STAGING.items()
}
PARENTS = {"sources": "st_sources", "actors": "st_actors", "events": "st_events"}

Report = Callable[[str, int, int | None, int], None]
"""Progress: (step, bytes read so far, the size if known, records so far)."""


# ---------------------------------------------------------------- the input


@dataclass
class Input:
    """A file or standard input, read as bytes, line by line."""

    name: str
    origin: str
    stream: IO[bytes]
    size: int | None
    position: int = 0

    def lines(self) -> Iterator[tuple[int, bytes]]:
        for number, line in enumerate(self.stream, 1):
            self.position += len(line)
            yield number, line


def open_input(path: str) -> Input:
    """`-` is standard input; a missing or unreadable file is a located error."""
    if path == "-":
        return Input("<stdin>", "import:<stdin>", sys.stdin.buffer, None)
    try:
        stream = Path(path).open("rb")  # noqa: SIM115  (closed by import_file)
    except FileNotFoundError:
        raise FileInputError(path, None, "no such file") from None
    except IsADirectoryError:
        raise FileInputError(path, None, "is a directory, not a file") from None
    except OSError as exc:
        raise FileInputError(path, None, f"cannot read: {exc.strerror}") from None
    size = os.fstat(stream.fileno()).st_size
    origin = f"import:{Path(path).resolve()}"
    return Input(path, origin[:ORIGIN_LENGTH], stream, size or None)


# ---------------------------------------------------------------- staging


class Stager:
    """Validates lines into rows of the staging tables and writes them in batches."""

    def __init__(self, connection: Connection, source: Input, bases: dict[str, int]) -> None:
        self.connection = connection
        self.source = source
        self.bases = bases
        self.next = dict(bases)
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in STAGING}
        self.staged = dict.fromkeys(STAGING, 0)
        self.records = {"sources": 0, "actors": 0, "events": 0}
        self.outgoing = 0
        self.buffered = 0
        self.buffered_bytes = 0
        raw = connection.connection.driver_connection
        self.write = (
            _sqlite_writer(raw) if connection.dialect.name == "sqlite" else _copy_writer(raw)
        )

    def fail(self, line: int, message: str) -> FileInputError:
        return FileInputError(self.source.name, line, message)

    def stage(self, report: Report | None) -> None:
        """Read the whole input; every check that one line allows happens here."""
        summary: tuple[int, Summary] | None = None
        last = 0
        for number, line in self.source.lines():
            last = number
            if not line.endswith(b"\n"):
                raise self.fail(number, "truncated: the last line does not end with a newline")
            if not line.strip():
                raise self.fail(number, "empty line: expected one record per line")
            if summary is not None:
                raise self.fail(number, f"a record after the summary on line {summary[0]}")
            try:
                record = parse_record(line)
            except ValueError as exc:
                raise self.fail(number, str(exc)) from None
            if number == 1:
                if not isinstance(record, Header):
                    raise self.fail(
                        number, "expected the header record first (is this a timeline export?)"
                    )
                continue
            if isinstance(record, EventRecord):
                self.event(number, record)
            elif isinstance(record, ActorRecord):
                self.actor(number, record)
            elif isinstance(record, SourceRecord):
                self.source_record(number, record)
            elif isinstance(record, Summary):
                summary = (number, record)
            else:
                raise self.fail(number, "a second header record")
            self.buffered += 1
            self.buffered_bytes += len(line)
            if self.buffered >= BATCH_RECORDS or self.buffered_bytes >= BATCH_BYTES:
                self.flush()
                if report:
                    report("reading", self.source.position, self.source.size, self.total())
        if last == 0:
            raise self.fail(1, "empty file: expected the header record")
        if summary is None:
            raise self.fail(last, "the file ends without its summary record: truncated?")
        self.flush()
        number, counts = summary
        for kind in ("sources", "actors", "events"):
            said, found = getattr(counts, kind), self.records[kind]
            if said != found:
                raise self.fail(number, f"the summary counts {said} {kind}, the file holds {found}")

    def total(self) -> int:
        return sum(self.records.values())

    def flush(self) -> None:
        for name, rows in self.rows.items():
            if rows:
                self.write(name, [c for c, _ in STAGING[name]], rows)
                self.staged[name] += len(rows)
                rows.clear()
        self.buffered = self.buffered_bytes = 0

    def provisional(self, table: str) -> int:
        self.next[table] += 1
        self.records[table] += 1
        return self.next[table]

    def source_record(self, line: int, r: SourceRecord) -> None:
        pid = self.provisional("sources")
        published = r.published.isoformat() if r.published else None
        self.rows["st_sources"].append(
            (
                pid,
                line,
                r.slug,
                r.name,
                r.kind,
                r.publisher,
                r.url,
                r.title,
                published,
                r.language,
                r.text,
            )
        )
        cites = self.rows["st_citations"]
        for item, cited in enumerate(r.cites):
            cites.append((pid, line, item, cited))

    def actor(self, line: int, r: ActorRecord) -> None:
        pid = self.provisional("actors")
        self.rows["st_actors"].append(
            (
                pid,
                line,
                r.slug,
                r.name,
                normalize_name(r.name),
                r.kind,
                r.country,
                r.description,
                r.affiliation,
            )
        )
        aliases = self.rows["st_actor_aliases"]
        for alias in r.aliases:
            aliases.append((pid, alias, normalize_name(alias)))

    def event(self, line: int, r: EventRecord) -> None:
        pid = self.provisional("events")
        rows = self.rows
        rows["st_events"].append(
            (
                pid,
                line,
                r.slug,
                r.title,
                r.type,
                r.modality,
                r.summary,
                r.place,
                r.start.isoformat(),
                r.end.isoformat(),
                r.precision,
                r.date_text,
                r.anchor_event,
                r.anchor_source,
            )
        )
        for code in r.countries:
            rows["st_event_countries"].append((pid, code))
        for alias in r.aliases:
            rows["st_event_aliases"].append((pid, alias, normalize_name(alias)))
        actors = rows["st_event_actors"]
        for item, role in enumerate(r.actors):
            actors.append((pid, line, item, role["slug"], role["role"]))
        evidence = rows["st_evidence"]
        for item, proof in enumerate(r.sources):
            get = proof.get
            evidence.append(
                (pid, line, item, proof["slug"], get("quote"), get("quote_start"), get("quote_end"))
            )
        relations = rows["st_relations"]
        for item, relation in enumerate(r.relations):
            incoming = relation["direction"] == "incoming"
            self.outgoing += not incoming
            relations.append((pid, line, item, relation["kind"], relation["slug"], int(incoming)))


def _sqlite_writer(raw: Any) -> Callable[[str, list[str], list[tuple[Any, ...]]], None]:
    cursor = raw.cursor()

    def write(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    return write


def _copy_writer(raw: Any) -> Callable[[str, list[str], list[tuple[Any, ...]]], None]:
    def write(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    return write


def create_staging(connection: Connection) -> None:
    postgres = connection.dialect.name == "postgresql"
    for name, columns in STAGING.items():
        typed = ", ".join(f"{c} {t if postgres else ''}".rstrip() for c, t in columns)
        if name in PARENTS.values():
            typed += ", id integer, changed integer DEFAULT 0"
            if not postgres:  # the rowid: free, and what nested rows join on
                typed = typed.replace("pid,", "pid INTEGER PRIMARY KEY,", 1)
        if postgres:
            connection.exec_driver_sql(f"CREATE TEMP TABLE {name} ({typed}) ON COMMIT DROP")
        else:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
            connection.exec_driver_sql(f"CREATE TEMP TABLE {name} ({typed})")
