"""The reference side of the query comparison: the three results through the bare
driver (sqlite3 or psycopg), in plain SQL written by hand, with the records built as
`timeline.queries` builds them.

Apart from the timeline side so that what a careful programmer would write without
the package is in one place, and the comparison checks that both give the same.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workload import WEEK, YEAR

from timeline.vocab import ATTRIBUTES, SPAN_CLASSES


class HandWritten:
    """The three results through the bare driver (sqlite3 or psycopg): plain SQL,
    records built as `timeline.queries` builds them."""

    def __init__(self, connection: Any, postgres: bool) -> None:
        self.connection = connection
        self.postgres = postgres
        self.mark = "%s" if postgres else "?"
        self.collate = ' COLLATE "C"' if postgres else ""

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        cursor = self.connection.cursor()
        cursor.execute(sql.replace("?", self.mark), params)
        return list(cursor.fetchall())

    def events(self, where: str, params: tuple[Any, ...], limit: str = "") -> list[dict[str, Any]]:
        rows = self.rows(
            "SELECT e.id, e.slug, e.title, e.type, e.modality, e.start_date, e.end_date,"
            " e.precision, e.date_text,"
            " (SELECT a.slug FROM events a WHERE a.id = e.anchor_event_id),"
            " (SELECT s.slug FROM sources s WHERE s.id = e.anchor_source_id),"
            " e.place, e.summary, e.latitude, e.longitude, e.cameo_code, e.cameo_base_code,"
            " e.cameo_root_code, e.quad_class, e.goldstein_scale, e.num_mentions,"
            " e.num_sources, e.num_articles, e.avg_tone, e.is_root_event"
            f" FROM events e WHERE {where}"
            f" ORDER BY e.start_date, e.end_date, e.slug{self.collate} {limit}",
            params,
        )
        if not rows:
            return []
        ids = [row[0] for row in rows]
        if self.postgres:  # one array parameter: a long IN list costs PostgreSQL parsing
            batch, params = "(SELECT unnest(?::int[]))", (ids,)
        else:
            batch, params = f"({', '.join('?' for _ in ids)})", tuple(ids)

        def grouped(sql: str) -> dict[int, list[tuple[Any, ...]]]:
            groups: dict[int, list[tuple[Any, ...]]] = {}
            for row in self.rows(sql.replace("(:ids)", batch), params):
                groups.setdefault(row[0], []).append(row[1:])
            return groups

        countries = grouped(
            "SELECT event_id, country_code FROM event_countries WHERE event_id IN (:ids)"
        )
        aliases = grouped("SELECT event_id, alias FROM event_aliases WHERE event_id IN (:ids)")
        flags = grouped("SELECT event_id, flag FROM event_flags WHERE event_id IN (:ids)")
        actors = grouped(
            "SELECT ea.event_id, a.slug, a.name, a.kind, ea.role FROM event_actors ea"
            " JOIN actors a ON a.id = ea.actor_id WHERE ea.event_id IN (:ids)"
        )
        evidence = grouped(
            "SELECT ev.event_id, s.slug, s.name, ev.quote, ev.quote_start, ev.quote_end"
            " FROM evidence ev JOIN sources s ON s.id = ev.source_id WHERE ev.event_id IN (:ids)"
        )
        outgoing = grouped(
            "SELECT r.subject_event_id, r.kind, o.slug FROM event_relations r"
            " JOIN events o ON o.id = r.object_event_id WHERE r.subject_event_id IN (:ids)"
        )
        incoming = grouped(
            "SELECT r.object_event_id, r.kind, o.slug FROM event_relations r"
            " JOIN events o ON o.id = r.subject_event_id WHERE r.object_event_id IN (:ids)"
        )
        records = []
        for row in rows:
            eid = row[0]
            relations = [
                {"kind": k, "slug": s, "direction": "incoming"} for k, s in incoming.get(eid, [])
            ] + [{"kind": k, "slug": s, "direction": "outgoing"} for k, s in outgoing.get(eid, [])]
            records.append(
                {
                    "slug": row[1],
                    "title": row[2],
                    "type": row[3],
                    "modality": row[4],
                    "start": iso(row[5]),
                    "end": iso(row[6]),
                    "precision": row[7],
                    "date_text": row[8],
                    "anchor_event": row[9],
                    "anchor_source": row[10],
                    "place": row[11],
                    "latitude": row[13],
                    "longitude": row[14],
                    "countries": sorted(c for (c,) in countries.get(eid, [])),
                    "aliases": sorted(a for (a,) in aliases.get(eid, [])),
                    "summary": row[12],
                    "flags": sorted(f for (f,) in flags.get(eid, [])),
                    "attributes": {
                        name: kind(value)
                        for (name, kind), value in zip(ATTRIBUTES.items(), row[15:], strict=True)
                        if value is not None
                    },
                    "actors": [
                        {"slug": s, "name": n, "kind": k, "role": r}
                        for s, n, k, r in sorted(actors.get(eid, []), key=lambda a: (a[0], a[3]))
                    ],
                    "sources": [
                        {"slug": s, "name": n, "quote": q, "quote_start": b, "quote_end": e}
                        for s, n, q, b, e in sorted(
                            evidence.get(eid, []),
                            key=lambda v: (v[0], v[3] is not None, v[3] or 0, v[2] or ""),
                        )
                    ],
                    "relations": sorted(
                        relations, key=lambda r: (r["direction"], r["kind"], r["slug"])
                    ),
                }
            )
        return records

    def actor_first_50(self, actor: str) -> list[dict[str, Any]]:
        (actor_id,) = self.rows("SELECT id FROM actors WHERE slug = ?", (actor,))[0]
        return self.events(
            "e.id IN (SELECT event_id FROM event_actors WHERE actor_id = ?)",
            (actor_id,),
            "LIMIT 50",
        )

    @staticmethod
    def overlap(window: tuple[date, date], alias: str = "") -> tuple[str, tuple[Any, ...]]:
        """Events overlapping the window, plus one (span_class, start_date) range per
        span class (an event of class k has end - start < 4**k days; see the schema)."""
        start, end = window
        ranges, params = [], [end.isoformat(), start.isoformat()]
        for k in range(SPAN_CLASSES):
            ranges.append(f"({alias}span_class = ? AND {alias}start_date BETWEEN ? AND ?)")
            earliest = date.fromordinal(max(1, start.toordinal() - (4**k - 1)))
            params += [k, earliest.isoformat(), end.isoformat()]
        overlap = f"{alias}start_date <= ? AND {alias}end_date >= ?"
        where = f"{overlap} AND ({' OR '.join(ranges)})"
        return where, tuple(params)

    def week_window(self) -> list[dict[str, Any]]:
        return self.events(*self.overlap(WEEK, "e."))

    def type_month_counts(self) -> list[tuple[str | None, str, int]]:
        """Per month and type; an event longer than its month counts in the NULL row."""
        where, params = self.overlap(YEAR)
        if self.postgres:
            start, end = "to_char(start_date, 'YYYY-MM')", "to_char(end_date, 'YYYY-MM')"
        else:
            start, end = "strftime('%Y-%m', start_date)", "strftime('%Y-%m', end_date)"
        rows = self.rows(
            f"SELECT CASE WHEN {start} = {end} THEN {start} END AS period, type, count(*)"
            f" FROM events WHERE {where}"
            f" GROUP BY period, type ORDER BY period NULLS LAST, type{self.collate}",
            params,
        )
        return [(p, t, int(n)) for p, t, n in rows]


def iso(value: Any) -> str:
    """A date as the records write it, whether the driver gives a date or a string."""
    return value if isinstance(value, str) else str(value.isoformat())
