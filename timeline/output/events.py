"""Event records in every listing format: JSON and NDJSON records, a flat CSV row, a
Markdown table, or a table grouped under month headings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from timeline.output.labels import period_heading, record_label
from timeline.output.writers import (
    console,
    escaped,
    for_reading,
    new_table,
    print_trimmed,
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
    if for_reading(fmt, out):
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


def _events_table(records: Iterable[dict[str, Any]], out: TextIO, *, actor: str | None) -> int:
    """Rows under month headings: the date as precise as known, the title (with the
    modality when the event is not a plain occurrence) over the slug, the actors and
    how many pieces of evidence support it. For an `actor`: its role, over the others.

    Column widths are set here: the event column fits the longest slug (so that it can
    be copied whole) and the actors take what is left of the width."""
    from rich.text import Text

    rows: list[list[Any]] = []
    heading, longest = None, 0
    for record in records:
        current = period_heading(record["start"], record["precision"])
        if current != heading:
            if heading is not None:
                rows.append([])
            rows.append([Text(current, style="bold cyan")])
            heading = current
        longest = max(longest, len(record["slug"]))
        event = Text(record["title"])
        if record["modality"] != "occurred":
            event.append(f" ({record['modality']})", style="italic")
        event.append("\n" + record["slug"], style="dim")
        cells: list[Any] = [record_label(record), event]
        if actor is not None:
            role = Text(", ".join(record["roles"]))
            others = {a["name"]: None for a in record["actors"] if a["slug"] != actor}
            if others:
                role.append("\nwith " + ", ".join(others), style="dim")
            cells.append(role)
        else:
            cells.append(_actor_names(record))
        cells.append(str(len(record["sources"])))
        rows.append(cells)
    if not rows:
        return 0

    events = [row for row in rows if len(row) > 1]
    columns = ["date", "event", "role" if actor else "actors", "sources"]
    date_width = max(len(str(row[0])) for row in rows if row)
    free = console(out).width - date_width - len("sources") - 3 * 3
    event_width = max(min(max(longest, free * 3 // 5), free - 16), 10)
    widths = [date_width, event_width, max(free - event_width, 10), len("sources")]
    table = new_table(columns)
    for index, column in enumerate(table.columns):
        column.width = widths[index]
    table.columns[-1].justify = "right"
    for row in rows:
        table.add_row(*row)
    print_trimmed(table, out)
    return len(events)
