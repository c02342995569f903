"""The set-based half of an import, once the whole file is staged: the checks that
need all of it (duplicate slugs, references to records anywhere in the file or already
stored, quotes against the source texts), then upserts by slug and the nested rows of
each record made those of the file. Runs inside the import's transaction.

A row the import creates records `import:FILE` as its origin; a row that exists keeps
its origin, so a seed file still owns its rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, ForeignKeyConstraint, Index, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from timeline import db
from timeline.changes import Counts, no_counts
from timeline.errors import DatabaseError, FileInputError
from timeline.importer.anchors import check_anchors
from timeline.importer.staging import PARENTS, Report, Stager
from timeline.importer.targets import ACTORS, EVENTS, LINKS, NULLABLE_KEYS, SOURCES, Link, Parent
from timeline.tables import metadata

BULK_ROWS = 10_000  # from this many rows into an empty table, indexes are built after


class Merger:
    """The set-based half: checks that need the whole file, then the upserts."""

    def __init__(self, connection: Connection, stager: Stager, origin: str) -> None:
        self.connection = connection
        self.stager = stager
        self.origin = origin
        self.postgres = connection.dialect.name == "postgresql"
        self.ne = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        self.same = "IS NOT DISTINCT FROM" if self.postgres else "IS"
        self.counts = no_counts()
        self.matched: dict[str, int] = {}

    def execute(self, sql: str, **params: Any) -> Any:
        return self.connection.execute(text(sql), params)

    def first(self, sql: str, **params: Any) -> Any:
        return self.execute(sql, **params).first()

    def fail(self, line: int, message: str) -> FileInputError:
        return self.stager.fail(line, message)

    def merge(self, report: Report | None) -> dict[str, Counts]:
        def step(name: str) -> None:
            if report:
                source = self.stager.source
                report(name, source.position, source.size, self.stager.total())

        repeats = getattr(self.stager.reader, "may_repeat", None)
        for parent in (SOURCES, ACTORS, EVENTS):
            step(f"writing {parent.table}")
            if repeats is not None and repeats(parent.table):
                self.drop_repeats(parent)
            self.parent(parent)
            if parent is ACTORS:
                self.references(ACTORS)
            for link in LINKS:
                if link.parent is parent:
                    step(f"writing {link.table}")
                    self.link(link)
        step("checking relations")
        self.references(EVENTS)
        check_anchors(self)
        self.incoming()
        if self.postgres:
            for table in ("sources", "actors", "events"):
                self.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}"
                )
            # Fresh statistics, or the planner takes a table that just received a million
            # rows for an empty one (until autovacuum comes by): 8x slower queries.
            step("analyzing")
            for table, counts in self.counts.items():
                if counts.created or counts.removed:
                    self.execute(f"ANALYZE {table}")
        return self.counts

    # -- sources, actors, events: upsert by slug

    def parent(self, parent: Parent) -> None:
        table, staged = parent.table, PARENTS[parent.table]
        total = self.stager.records[table]
        matched = updated = 0
        if total and self.stager.bases[table]:
            self.execute(
                f"UPDATE {staged} SET id = "
                f"(SELECT p.id FROM {table} p WHERE p.slug = {staged}.slug)"
            )
            matched = self.first(f"SELECT count(id) FROM {staged}")[0]
            if self.postgres:
                self.execute(f"ANALYZE {staged}")
        if matched:
            self.duplicates(parent, "id IS NOT NULL", "id")
            self.execute(f"CREATE INDEX {staged}_id ON {staged} (id)")
            differs = [f"p.{c} {self.ne} {staged}.{c}" for c in parent.columns] + [
                f"(SELECT r.slug FROM {other} r WHERE r.id = p.{column}) {self.ne} {staged}.{slug}"
                for column, slug, other in parent.refs
            ]
            self.execute(
                f"UPDATE {staged} SET changed = 1 WHERE id IS NOT NULL AND EXISTS (SELECT 1 "
                f"FROM {table} p WHERE p.id = {staged}.id AND ({' OR '.join(differs)}))"
            )
            updated = self.first(f"SELECT count(*) FROM {staged} WHERE changed = 1")[0]
            assignments = ", ".join(f"{c} = s.{c}" for c in parent.columns)
            self.execute(
                f"UPDATE {table} SET {assignments} FROM {staged} s "
                f"WHERE {table}.id = s.id AND s.changed = 1"
            )
        if total > matched:
            self.insert_new(parent)
        self.matched[table] = matched
        self.counts[table] = Counts(total - matched, updated, 0, matched - updated)

    def drop_repeats(self, parent: Parent) -> None:
        """Where a format may give a record twice (GDELT: a source per row, overlapping
        files), the first of each slug stays and the others go with their rows."""
        table, staged = parent.table, PARENTS[parent.table]
        removed = self.execute(
            f"DELETE FROM {staged} WHERE pid IN (SELECT pid FROM (SELECT pid, row_number() "
            f"OVER (PARTITION BY slug ORDER BY pid) AS n FROM {staged}) d WHERE n > 1)"
        ).rowcount
        if not removed:
            return
        self.stager.records[table] -= removed
        for link in LINKS:
            if link.parent is parent:
                self.stager.staged[link.staged] -= self.execute(
                    f"DELETE FROM {link.staged} WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {staged} s WHERE s.pid = {link.staged}.pid)"
                ).rowcount

    def insert_new(self, parent: Parent) -> None:
        table, staged = parent.table, PARENTS[parent.table]
        columns, values = ["id", "slug", *parent.columns], ["s.pid", "s.slug"]
        values += [f"s.{c}" for c in parent.columns]
        if parent is EVENTS:  # sources are all in place by now (checked in `references`)
            columns.append("anchor_source_id")
            values.append("(SELECT r.id FROM sources r WHERE r.slug = s.anchor_source)")
        try:
            with self.connection.begin_nested(), self.bulk(table, self.stager.records[table]):
                self.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}, origin) "
                    f"SELECT {', '.join(values)}, :origin FROM {staged} s WHERE s.id IS NULL",
                    origin=self.origin,
                )
        except IntegrityError as exc:
            self.duplicates(parent, "id IS NULL", "slug")
            raise DatabaseError(f"database refused the {table}: {db.first_line(exc)}") from exc

    @contextmanager
    def bulk(self, table: str, rows: int) -> Iterator[None]:
        """A large insert into an empty table runs without the table's secondary indexes,
        which are built once afterwards (as pg_restore does): sorting once is cheaper
        than a million index insertions. Unique keys stay, so duplicates still fail.
        On PostgreSQL its foreign keys go too and are added back, checked in one join
        each: row by row, each check locks the row it finds (three times the insert)."""
        indexes: list[Index] = []
        keys: list[ForeignKeyConstraint] = []
        if rows >= BULK_ROWS and self.first(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")[0]:
            found = metadata.tables[table]
            indexes = sorted(found.indexes, key=lambda index: str(index.name))
            if self.postgres:
                keys = sorted(found.foreign_key_constraints, key=lambda key: str(key.name))
        for index in indexes:
            self.connection.execute(DropIndex(index))
        for key in keys:
            self.connection.execute(DropConstraint(key))
        yield
        for index in indexes:
            self.connection.execute(CreateIndex(index))
        for key in keys:
            self.connection.execute(AddConstraint(key))

    def duplicates(self, parent: Parent, where: str, key: str) -> None:
        staged = PARENTS[parent.table]
        row = self.first(
            f"SELECT min(slug), min(line), max(line) FROM {staged} WHERE {where} "
            f"GROUP BY {key} HAVING count(*) > 1 ORDER BY 3 LIMIT 1"
        )
        if row:
            slug, first, line = row
            raise self.fail(line, f"duplicate {parent.kind} slug {slug!r} (also on line {first})")

    def dangling(self, staged: str, column: str, table: str, place: str, kind: str) -> None:
        row = self.first(
            f"SELECT c.line, c.{column} FROM {staged} c WHERE c.{column} IS NOT NULL AND NOT "
            f"EXISTS (SELECT 1 FROM {table} r WHERE r.slug = c.{column}) ORDER BY c.line LIMIT 1"
        )
        if row:
            raise self.fail(row[0], f"{place}: unknown {kind} {row[1]!r}")

    def references(self, parent: Parent) -> None:
        """Affiliations and date anchors: they may name rows later in the file, so they
        are set once every row of the table is in."""
        table, staged = parent.table, PARENTS[parent.table]
        if not self.stager.records[table]:
            return
        joins, values, differs = [], [], []
        for n, (column, slug, other) in enumerate(parent.refs):
            self.dangling(staged, slug, other, slug, other[:-1])
            joins.append(f"LEFT JOIN {other} r{n} ON r{n}.slug = s.{slug}")
            values.append(f"r{n}.id AS ref{n}")
            differs.append(f"{table}.{column} {self.ne} x.ref{n}")
        assignments = ", ".join(
            f"{column} = x.ref{n}" for n, (column, _, _) in enumerate(parent.refs)
        )
        # New rows lack only what may point forward: the affiliation, the anchor event.
        wanted = "s.affiliation" if parent is ACTORS else "s.anchor_event"
        self.execute(
            f"UPDATE {table} SET {assignments} FROM (SELECT coalesce(s.id, s.pid) AS id, "
            f"{', '.join(values)} FROM {staged} s {' '.join(joins)} "
            f"WHERE s.id IS NOT NULL OR {wanted} IS NOT NULL) x "
            f"WHERE {table}.id = x.id AND ({' OR '.join(differs)})"
        )

    # -- the rows that belong to a record

    def link(self, link: Link) -> None:
        staged, parent_staged = link.staged, PARENTS[link.parent.table]
        total = self.stager.staged[staged]
        if link.table == "event_relations":
            total = self.stager.outgoing
        columns = ", ".join((link.fk, *link.columns, *(("origin",) if link.origin else ())))
        values = ", ".join((*link.values, *((":origin",) if link.origin else ())))
        matched = self.matched[link.parent.table]
        created = removed = 0
        if not matched:
            if not total:
                return
            with self.bulk(link.table, total):
                created = self.execute(
                    f"INSERT INTO {link.table} ({columns}) SELECT c.pid, {values} "
                    f"FROM {staged} c {link.joins} WHERE {link.where}",
                    origin=self.origin,
                ).rowcount
            if created != total:
                self.explain(link)
                raise DatabaseError(f"{link.table}: {total - created} rows were not written")
        else:
            self.explain(link)
            self.execute(f"CREATE INDEX {staged}_pid ON {staged} (pid)")
            match = " AND ".join(
                f"x.{column} {self.same if column in NULLABLE_KEYS else '='} {value}"
                for column, value in zip(link.columns, link.values, strict=True)
                if column in link.key
            )
            removed = self.execute(
                f"DELETE FROM {link.table} WHERE {link.fk} IN "
                f"(SELECT id FROM {parent_staged} WHERE id IS NOT NULL) AND NOT EXISTS "
                f"(SELECT 1 FROM {staged} c JOIN {parent_staged} s ON s.pid = c.pid {link.joins} "
                f"WHERE s.id = {link.table}.{link.fk} AND {link.where} "
                f"AND {match.replace('x.', f'{link.table}.')})"
            ).rowcount
            created = self.execute(
                f"INSERT INTO {link.table} ({columns}) SELECT coalesce(s.id, s.pid), {values} "
                f"FROM {staged} c JOIN {parent_staged} s ON s.pid = c.pid {link.joins} "
                f"WHERE {link.where} AND (s.id IS NULL OR NOT EXISTS "
                f"(SELECT 1 FROM {link.table} x WHERE x.{link.fk} = s.id AND {match}))",
                origin=self.origin,
            ).rowcount
        self.counts[link.table] = Counts(created, 0, removed, total - created)

    def explain(self, link: Link) -> None:
        """The first staged row that names an unknown record or misquotes its source."""
        if link.ref is not None:
            column, table, place, kind = link.ref
            where = "c.incoming = 0 AND " if link.table == "event_relations" else ""
            row = self.first(
                f"SELECT c.line, c.item, c.{column} FROM {link.staged} c WHERE {where}NOT EXISTS "
                f"(SELECT 1 FROM {table} r WHERE r.slug = c.{column}) "
                "ORDER BY c.line, c.item LIMIT 1"
            )
            if row:
                field = place if place == "cites" else f"{place}[{row[1]}].slug"
                at = f"{place}[{row[1]}]" if place == "cites" else field
                raise self.fail(row[0], f"{at}: unknown {kind} {row[2]!r}")
        if link.table == "evidence":
            row = self.first(
                "SELECT c.line, c.item, c.source, r.text IS NULL FROM st_evidence c "
                "JOIN sources r ON r.slug = c.source WHERE c.quote IS NOT NULL AND (r.text IS NULL"
                " OR substr(r.text, c.quote_start + 1, c.quote_end - c.quote_start) <> c.quote) "
                "ORDER BY c.line, c.item LIMIT 1"
            )
            if row:
                line, item, source, no_text = row
                message = (
                    f"source {source!r} has no text to check the quote against"
                    if no_text
                    else f"the quote is not at quote_start in the text of source {source!r}"
                )
                raise self.fail(line, f"sources[{item}].quote: {message}")

    def incoming(self) -> None:
        """An `incoming` relation is the other event's outgoing one, written from this
        side: it must exist, in the file or in the database."""
        if self.stager.staged["st_relations"] == self.stager.outgoing:
            return
        this = "c.pid"
        join = ""
        if self.matched["events"]:
            this, join = "coalesce(s.id, c.pid)", "JOIN st_events s ON s.pid = c.pid"
        row = self.first(
            f"SELECT c.line, c.item, c.kind, c.other, (SELECT count(*) FROM events o "
            f"WHERE o.slug = c.other) FROM st_relations c {join} WHERE c.incoming = 1 AND NOT "
            f"EXISTS (SELECT 1 FROM event_relations x JOIN events o ON o.id = x.subject_event_id "
            f"WHERE o.slug = c.other AND x.kind = c.kind AND x.object_event_id = {this}) "
            f"ORDER BY c.line, c.item LIMIT 1"
        )
        if row:
            line, item, kind, other, known = row
            message = (
                f"event {other!r} has no outgoing {kind} relation to this one"
                if known
                else f"unknown event {other!r}"
            )
            raise self.fail(line, f"relations[{item}]: {message}")
