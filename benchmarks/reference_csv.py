"""The reference's input: the NDJSON export as one CSV file per table, with ids.

Apart from the rest because the databases' own bulk tools take rows, not records: the
conversion is done before anything is timed, and writes the rows `timeline import`
writes, so that both sides load the same data.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

COLUMNS = {
    "sources": (
        "id",
        "slug",
        "name",
        "kind",
        "publisher",
        "url",
        "title",
        "published_on",
        "language",
        "text",
        "origin",
    ),
    "source_citations": ("citing_source_id", "cited_source_id", "origin"),
    "actors": (
        "id",
        "slug",
        "name",
        "name_key",
        "kind",
        "country_code",
        "description",
        "affiliation_id",
        "origin",
    ),
    "actor_aliases": ("actor_id", "alias", "alias_key"),
    "events": (
        "id",
        "slug",
        "title",
        "type",
        "modality",
        "summary",
        "place",
        "start_date",
        "end_date",
        "precision",
        "date_text",
        "anchor_event_id",
        "anchor_source_id",
        "origin",
    ),
    "event_countries": ("event_id", "country_code"),
    "event_aliases": ("event_id", "alias", "alias_key"),
    "event_actors": ("event_id", "actor_id", "role", "origin"),
    "evidence": ("id", "event_id", "source_id", "quote", "quote_start", "quote_end", "origin"),
    "event_relations": ("subject_event_id", "kind", "object_event_id", "origin"),
}
NULLABLE = {
    "sources": {"publisher", "url", "title", "published_on", "language", "text"},
    "actors": {"country_code", "description", "affiliation_id"},
    "events": {"summary", "place", "date_text", "anchor_event_id", "anchor_source_id"},
    "evidence": {"quote", "quote_start", "quote_end"},
}


def to_csv(ndjson: Path, directory: Path) -> dict[str, Path]:
    """Every table's rows, with ids, as `timeline import` writes them. Parents come
    before the rows that point at them (actors up their affiliation chain; the
    generator's date anchors point at earlier events)."""
    from timeline.vocab import normalize_name

    origin = "import:benchmark"
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
    paths = {table: directory / f"{table}.csv" for table in COLUMNS}
    files = {table: path.open("w", newline="", encoding="utf-8") for table, path in paths.items()}
    writers = {table: csv.writer(handle) for table, handle in files.items()}
    for table, writer in writers.items():
        writer.writerow(COLUMNS[table])
    source_id, actor_id, event_id = ids["source"], ids["actor"], ids["event"]
    for r in records["source"]:
        sid = source_id[r["slug"]]
        writers["sources"].writerow(
            [
                sid,
                r["slug"],
                r["name"],
                r["kind"],
                r["publisher"],
                r["url"],
                r["title"],
                r["published"],
                r["language"],
                r["text"],
                origin,
            ]
        )
        for cited in r["cites"]:
            writers["source_citations"].writerow([sid, source_id[cited], origin])
    by_slug = {r["slug"]: r for r in records["actor"]}
    written: set[str] = set()

    def write_actor(r: dict[str, Any]) -> None:
        if r["slug"] in written:
            return
        if r["affiliation"]:
            write_actor(by_slug[r["affiliation"]])
        written.add(r["slug"])
        aid = actor_id[r["slug"]]
        affiliation = actor_id[r["affiliation"]] if r["affiliation"] else None
        writers["actors"].writerow(
            [
                aid,
                r["slug"],
                r["name"],
                normalize_name(r["name"]),
                r["kind"],
                r["country"],
                r["description"],
                affiliation,
                origin,
            ]
        )
        for alias in r["aliases"]:
            writers["actor_aliases"].writerow([aid, alias, normalize_name(alias)])

    for r in records["actor"]:
        write_actor(r)
    evidence = 0
    with ndjson.open("rb") as lines:
        for line in lines:
            if not line.startswith(b'{"record":"event"'):
                continue
            r = json.loads(line)
            eid = event_id[r["slug"]]
            anchor = event_id[r["anchor_event"]] if r["anchor_event"] else None
            anchor_source = source_id[r["anchor_source"]] if r["anchor_source"] else None
            writers["events"].writerow(
                [
                    eid,
                    r["slug"],
                    r["title"],
                    r["type"],
                    r["modality"],
                    r["summary"],
                    r["place"],
                    r["start"],
                    r["end"],
                    r["precision"],
                    r["date_text"],
                    anchor,
                    anchor_source,
                    origin,
                ]
            )
            for code in r["countries"]:
                writers["event_countries"].writerow([eid, code])
            for alias in r["aliases"]:
                writers["event_aliases"].writerow([eid, alias, normalize_name(alias)])
            for a in r["actors"]:
                writers["event_actors"].writerow([eid, actor_id[a["slug"]], a["role"], origin])
            for s in r["sources"]:
                evidence += 1
                writers["evidence"].writerow(
                    [
                        evidence,
                        eid,
                        source_id[s["slug"]],
                        s["quote"],
                        s["quote_start"],
                        s["quote_end"],
                        origin,
                    ]
                )
            for rel in r["relations"]:
                if rel["direction"] == "outgoing":
                    writers["event_relations"].writerow(
                        [eid, rel["kind"], event_id[rel["slug"]], origin]
                    )
    for handle in files.values():
        handle.close()
    return paths
