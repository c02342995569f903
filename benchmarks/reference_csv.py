"""The reference's input: the NDJSON export as one CSV file per table, with ids.

Apart from the rest because the databases' own bulk tools take rows, not records: the
conversion is done before anything is timed, and writes the rows `timeline import`
writes, so that both sides load the same data. The column lists come from the models
(without generated columns such as `events.span_class`) and every row is written by
column name, so a column added to the schema cannot silently shift the others.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from timeline.models import Base
from timeline.vocab import ATTRIBUTES, TABLES, normalize_name

ORIGIN = "import:benchmark"


def _stored(table: str) -> list[Any]:
    return [c for c in Base.metadata.tables[table].columns if c.computed is None]


# Every table's columns, in the schema's order; and those that may be NULL (an empty
# CSV field), per table that has any.
COLUMNS = {table: tuple(c.name for c in _stored(table)) for table in TABLES}
NULLABLE = {
    table: nullable
    for table in TABLES
    if (nullable := {c.name for c in _stored(table) if c.nullable})
}


class Writers:
    """One CSV file per table, its header first; a row is given by column name."""

    def __init__(self, directory: Path) -> None:
        self.paths = {table: directory / f"{table}.csv" for table in TABLES}
        self.files = {t: p.open("w", newline="", encoding="utf-8") for t, p in self.paths.items()}
        self.writers = {table: csv.writer(handle) for table, handle in self.files.items()}
        for table, writer in self.writers.items():
            writer.writerow(COLUMNS[table])

    def row(self, table: str, **values: Any) -> None:
        columns = COLUMNS[table]
        if len(values) != len(columns):
            raise ValueError(f"{table}: {sorted(values)} are not the columns {columns}")
        self.writers[table].writerow([values[c] for c in columns])

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def to_csv(ndjson: Path, directory: Path) -> dict[str, Path]:
    """Every table's rows, with ids, as `timeline import` writes them. Parents come
    before the rows that point at them (actors up their affiliation chain; the
    generator's date anchors point at earlier events)."""
    records: dict[str, list[dict[str, Any]]] = {"source": [], "actor": []}
    ids: dict[str, dict[str, int]] = {"source": {}, "actor": {}, "event": {}}
    with ndjson.open("rb") as lines:
        for line in lines:
            record = json.loads(line)
            kind = record["record"]
            if kind in ("source", "actor"):
                records[kind].append(record)
                ids[kind][record["slug"]] = len(ids[kind]) + 1
            elif kind == "event":
                ids["event"][record["slug"]] = len(ids["event"]) + 1
    out = Writers(directory)
    try:
        write_sources(out, records["source"], ids["source"])
        write_actors(out, records["actor"], ids["actor"])
        write_events(out, ndjson, ids)
    finally:
        out.close()
    return out.paths


def write_sources(out: Writers, sources: list[dict[str, Any]], source_id: dict[str, int]) -> None:
    for r in sources:
        sid = source_id[r["slug"]]
        out.row(
            "sources",
            id=sid,
            slug=r["slug"],
            name=r["name"],
            kind=r["kind"],
            publisher=r["publisher"],
            url=r["url"],
            title=r["title"],
            published_on=r["published"],
            language=r["language"],
            text=r["text"],
            origin=ORIGIN,
        )
        for cited in r["cites"]:
            out.row(
                "source_citations",
                citing_source_id=sid,
                cited_source_id=source_id[cited],
                origin=ORIGIN,
            )


def write_actors(out: Writers, actors: list[dict[str, Any]], actor_id: dict[str, int]) -> None:
    """Each actor after the one it is affiliated with."""
    by_slug = {r["slug"]: r for r in actors}
    written: set[str] = set()

    def write_actor(r: dict[str, Any]) -> None:
        if r["slug"] in written:
            return
        if r["affiliation"]:
            write_actor(by_slug[r["affiliation"]])
        written.add(r["slug"])
        aid = actor_id[r["slug"]]
        out.row(
            "actors",
            id=aid,
            slug=r["slug"],
            name=r["name"],
            name_key=normalize_name(r["name"]),
            kind=r["kind"],
            country_code=r["country"],
            description=r["description"],
            affiliation_id=actor_id[r["affiliation"]] if r["affiliation"] else None,
            origin=ORIGIN,
        )
        for alias in r["aliases"]:
            out.row("actor_aliases", actor_id=aid, alias=alias, alias_key=normalize_name(alias))

    for r in actors:
        write_actor(r)


def write_events(out: Writers, ndjson: Path, ids: dict[str, dict[str, int]]) -> None:
    """The events and what hangs off them, read from the file a second time."""
    source_id, actor_id, event_id = ids["source"], ids["actor"], ids["event"]
    evidence = 0
    with ndjson.open("rb") as lines:
        for line in lines:
            if not line.startswith(b'{"record":"event"'):
                continue
            r = json.loads(line)
            eid = event_id[r["slug"]]
            out.row(
                "events",
                id=eid,
                slug=r["slug"],
                title=r["title"],
                type=r["type"],
                modality=r["modality"],
                summary=r["summary"],
                place=r["place"],
                start_date=r["start"],
                end_date=r["end"],
                precision=r["precision"],
                date_text=r["date_text"],
                anchor_event_id=event_id[r["anchor_event"]] if r["anchor_event"] else None,
                anchor_source_id=source_id[r["anchor_source"]] if r["anchor_source"] else None,
                origin=ORIGIN,
                latitude=r.get("latitude"),
                longitude=r.get("longitude"),
                **{name: r.get("attributes", {}).get(name) for name in ATTRIBUTES},
            )
            for flag in r.get("flags", ()):
                out.row("event_flags", event_id=eid, flag=flag)
            for code in r["countries"]:
                out.row("event_countries", event_id=eid, country_code=code)
            for alias in r["aliases"]:
                out.row("event_aliases", event_id=eid, alias=alias, alias_key=normalize_name(alias))
            for a in r["actors"]:
                out.row(
                    "event_actors",
                    event_id=eid,
                    actor_id=actor_id[a["slug"]],
                    role=a["role"],
                    origin=ORIGIN,
                )
            for s in r["sources"]:
                evidence += 1
                out.row(
                    "evidence",
                    id=evidence,
                    event_id=eid,
                    source_id=source_id[s["slug"]],
                    quote=s["quote"],
                    quote_start=s["quote_start"],
                    quote_end=s["quote_end"],
                    origin=ORIGIN,
                )
            for rel in r["relations"]:
                if rel["direction"] == "outgoing":
                    out.row(
                        "event_relations",
                        subject_event_id=eid,
                        kind=rel["kind"],
                        object_event_id=event_id[rel["slug"]],
                        origin=ORIGIN,
                    )
