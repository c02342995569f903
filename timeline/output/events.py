"""Event records in every listing format: JSON and NDJSON records, a flat CSV row, a
Markdown table, or a table grouped under month headings."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain, islice
from typing import Any, TextIO

from timeline.output.grid import Column, Grid
from timeline.output.labels import period_heading, record_label
from timeline.output.writers import (
    console,
    escaped,
    for_reading,
    write_json_items,
    write_rows,
)

EVENT_CSV_COLUMNS = (
    "slug",
    "title",
    "type",
    "modality",
    "start",
    "end",
    "precision",
    "date_text",
    "anchor_event",
    "anchor_source",
    "place",
    "countries",
    "aliases",
    "actors",
    "sources",
    "relations",
    "summary",
)


def event_csv_row(record: dict[str, Any]) -> list[Any]:
    """One event as a flat row: lists joined with "; ", actors as `slug:role`, sources
    as their distinct slugs, relations as `direction:kind:slug`."""
    flat = {
        "countries": "; ".join(record["countries"]),
        "aliases": "; ".join(record["aliases"]),
        "actors": "; ".join(f"{a['slug']}:{a['role']}" for a in record["actors"]),
        "sources": "; ".join(dict.fromkeys(s["slug"] for s in record["sources"])),
        "relations": "; ".join(
            f"{r['direction']}:{r['kind']}:{r['slug']}" for r in record["relations"]
        ),
    }
    return [flat.get(column, record.get(column)) for column in EVENT_CSV_COLUMNS]


def _actor_names(record: dict[str, Any]) -> str:
    return ", ".join(dict.fromkeys(a["name"] for a in record["actors"]))


def write_events(
    records: Iterable[dict[str, Any]], fmt: str, out: TextIO, *, actor: str | None = None
) -> int:
    """Events in a format: JSON/NDJSON records, a flat CSV row each, a Markdown table,
    or (`table`) a table grouped under month headings. For one `actor`'s chronology,
    each record carries the actor's `roles`, which are shown too."""
    roles = actor is not None
    if for_reading(fmt, out) and fmt != "table":  # the table escapes what it shows
        records = (escaped(record) for record in records)
    if fmt in ("json", "ndjson"):
        return write_json_items(records, fmt, out)
    if fmt == "csv":
        columns = (*EVENT_CSV_COLUMNS, "roles") if roles else EVENT_CSV_COLUMNS
        return write_rows(
            columns,
            (
                [*event_csv_row(r), "; ".join(r["roles"])] if roles else event_csv_row(r)
                for r in records
            ),
            "csv",
            out,
        )
    if fmt == "markdown":
        headers = ["date", "event", "slug", "type", "actors", "sources"]
        if roles:
            headers.insert(4, "role")
        return write_rows(
            headers,
            (_markdown_event(r, roles) for r in records),
            "markdown",
            out,
        )
    if fmt == "table":
        return _events_table(records, out, actor=actor)
    raise ValueError(f"unknown format {fmt!r}")


def _markdown_event(record: dict[str, Any], roles: bool) -> list[Any]:
    row = [
        record_label(record),
        record["title"],
        record["slug"],
        record["type"],
        _actor_names(record),
        len(record["sources"]),
    ]
    if roles:
        row.insert(4, ", ".join(record["roles"]))
    return row


WIDTHS_FROM = 1000  # the first rows set the column widths; the rest stream past them


def _events_table(records: Iterable[dict[str, Any]], out: TextIO, *, actor: str | None) -> int:
    """Rows under month headings: the date as precise as known, the title (with the
    modality when the event is not a plain occurrence) over the slug, the actors and
    how many pieces of evidence support it. For an `actor`: its role, over the others.

    The event column fits the longest slug of the first rows (so that it can be copied
    whole) and the actors take what is left of the width; rows are written as they
    come, so a timeline of any length takes the memory of a thousand rows."""
    rows = iter(records)
    first = list(islice(rows, WIDTHS_FROM))
    if not first:
        return 0
    date_width = max(
        max(len(record_label(r)) for r in first),
        max(len(period_heading(r["start"], r["precision"])) for r in first),
    )
    free = console(out).width - date_width - len("sources") - 3 * 3
    longest = max(len(r["slug"]) for r in first)
    event_width = max(min(max(longest, free * 3 // 5), free - 16), 10)
    widths = [date_width, event_width, max(free - event_width, 10), len("sources")]
    headers = ["date", "event", "role" if actor else "actors", "sources"]
    grid = Grid(
        [Column(h, w, right=h == "sources") for h, w in zip(headers, widths, strict=True)],
        out,
        console(out),
    )
    heading, count = None, 0
    for record in chain(first, rows):
        current = period_heading(record["start"], record["precision"])
        if current != heading:
            if heading is not None:
                grid.row([])
            grid.row([[(current, "bold cyan")]])
            heading = current
        title = record["title"]
        if record["modality"] != "occurred":
            title += f" ({record['modality']})"
        if actor is not None:
            others = {a["name"]: None for a in record["actors"] if a["slug"] != actor}
            who = [(", ".join(record["roles"]), "")]
            if others:
                who.append(("with " + ", ".join(others), "dim"))
        else:
            who = [(_actor_names(record), "")]
        grid.row(
            [
                [(record_label(record), "")],
                [(title, ""), (record["slug"], "dim")],
                who,
                [(str(len(record["sources"])), "")],
            ]
        )
        count += 1
    return count
