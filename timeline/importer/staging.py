"""A reader's records into TEMP staging tables: rows written in batches (executemany
on SQLite, COPY on PostgreSQL), one batch in memory.

The k-th source, actor or event of the file gets the provisional id `max(id) + k` (the
tables are locked for the import), which becomes its id when its slug is new; nested
rows carry it, so on an empty database nothing needs to be looked up twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from timeline.errors import FileInputError
from timeline.importer.inputs import Input
from timeline.interchange import ActorRecord, DataRecord, EventRecord, SourceRecord
from timeline.vocab import ATTRIBUTES, normalize_name

if TYPE_CHECKING:
    from timeline.importer.pipeline import Reader

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
    " date_text text, anchor_event text, anchor_source text, latitude float8,"
    " longitude float8, cameo_code text, cameo_base_code text, cameo_root_code text,"
    " quad_class integer, goldstein_scale float8, num_mentions integer, num_sources integer,"
    " num_articles integer, avg_tone float8, is_root_event boolean",
    "st_event_countries": "pid integer, country_code text",
    "st_event_flags": "pid integer, flag text",
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


# ---------------------------------------------------------------- staging


class Stager:
    """Validates lines into rows of the staging tables and writes them in batches."""

    def __init__(
        self, connection: Connection, source: Input, reader: Reader, bases: dict[str, int]
    ) -> None:
        self.connection = connection
        self.source = source
        self.reader = reader
        self.bases = bases
        self.next = dict(bases)
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in STAGING}
        self.staged = dict.fromkeys(STAGING, 0)
        self.records = {"sources": 0, "actors": 0, "events": 0}
        self.outgoing = 0
        self.files: list[tuple[int, str]] = [(0, source.name)]  # (first key, name)
        self.offset = self.high = 0
        self.buffered = 0
        self.flushed_at = 0
        raw = connection.connection.driver_connection
        self.write = (
            _sqlite_writer(raw) if connection.dialect.name == "sqlite" else _copy_writer(raw)
        )

    def fail(self, key: int, message: str) -> FileInputError:
        """An error at the record staged under `key`, named as its reader names places
        (keys of later inputs are offset past those of the earlier ones)."""
        start, name = next((f for f in reversed(self.files) if f[0] < key), self.files[0])
        return FileInputError(name, self.reader.where(key - start), message)

    def next_input(self, source: Input) -> None:
        """The following input of the same import: its keys come after the last one."""
        self.flush()
        self.source = source
        self.offset = self.high
        self.files.append((self.offset, source.name))

    def stage(self, records: Iterable[tuple[int, DataRecord]], report: Report | None) -> None:
        """Stage every record a reader gives, keyed by its place for later messages."""
        offset = self.offset
        for key, record in records:
            key += offset
            self.high = max(self.high, key)
            if isinstance(record, EventRecord):
                self.event(key, record)
            elif isinstance(record, ActorRecord):
                self.actor(key, record)
            else:
                self.source_record(key, record)
            self.buffered += 1
            if (
                self.buffered >= BATCH_RECORDS
                or self.source.position >= self.flushed_at + BATCH_BYTES
            ):
                self.flush()
                if report:
                    report("reading", self.source.position, self.source.size, self.total())
        self.flush()

    def total(self) -> int:
        return sum(self.records.values())

    def flush(self) -> None:
        for name, rows in self.rows.items():
            if rows:
                self.write(name, [c for c, _ in STAGING[name]], rows)
                self.staged[name] += len(rows)
                rows.clear()
        self.buffered = 0
        self.flushed_at = self.source.position

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
                r.latitude,
                r.longitude,
                *map(r.attributes.get, ATTRIBUTES),
            )
        )
        for code in r.countries:
            rows["st_event_countries"].append((pid, code))
        for flag in r.flags:
            rows["st_event_flags"].append((pid, flag))
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
