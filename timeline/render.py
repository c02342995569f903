"""Output: table, JSON, NDJSON, CSV and Markdown. Machine formats carry no colour or
decoration; tables use rich, which is colourless when piped or under NO_COLOR."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

FORMATS = ("table", "json", "ndjson", "csv", "markdown")
TABLE_WIDTH = 100


def json_value(value: Any) -> Any:
    """A JSON-ready form that keeps the value's meaning: ISO dates, exact numbers."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**63:
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def dumps(obj: Any) -> str:
    """Compact, key-order-preserving JSON with unicode kept readable."""
    return json.dumps(obj, ensure_ascii=False, default=json_value, separators=(",", ":"))


def text_value(value: Any) -> str:
    """How a value reads in a table, CSV cell or Markdown: NULL is empty."""
    if value is None:
        return ""
    converted = json_value(value)
    if isinstance(converted, bool):
        return "true" if converted else "false"
    return str(converted)


def write_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, out: TextIO) -> int:
    """Write rows in a format; returns how many. JSON is an array of objects keyed by
    column, NDJSON one object a line, CSV and Markdown have a header row."""
    count = 0
    if fmt == "json":
        out.write("[")
        for row in rows:
            out.write(("," if count else "") + "\n" + dumps(dict(zip(columns, row, strict=True))))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "ndjson":
        for row in rows:
            out.write(dumps(dict(zip(columns, row, strict=True))) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([text_value(v) for v in row])
            count += 1
    elif fmt == "markdown":
        out.write("| " + " | ".join(_md(c) for c in columns) + " |\n")
        out.write("|" + "|".join("---" for _ in columns) + "|\n")
        for row in rows:
            out.write("| " + " | ".join(_md(text_value(v)) for v in row) + " |\n")
            count += 1
    elif fmt == "table":
        materialized = list(rows)
        count = len(materialized)
        table = new_table(columns)
        for row in materialized:
            table.add_row(*(text_value(v) for v in row))
        print_rich(table, out)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return count


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def new_table(columns: Sequence[str]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def console(out: TextIO) -> Any:
    """A rich console on `out`: colour only on a terminal, never under NO_COLOR, and
    100 columns when the width cannot be asked (a pipe, a file)."""
    from rich.console import Console

    is_terminal = out.isatty()
    return Console(
        file=out,
        width=None if is_terminal else TABLE_WIDTH,
        force_terminal=False if not is_terminal else None,
        no_color=None,
        highlight=False,
        soft_wrap=False,
    )


def print_rich(renderable: Any, out: TextIO) -> None:
    console(out).print(renderable)


def print_trimmed(renderable: Any, out: TextIO) -> None:
    """Like `print_rich`, without the spaces rich pads each line with to the width, so
    that output copied into a README or compared in a test has no trailing blanks."""
    rich_console = console(out)
    with rich_console.capture() as capture:
        rich_console.print(renderable)
    out.write("\n".join(line.rstrip() for line in capture.get().split("\n")))


# ---------------------------------------------------------------- the chronological views

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def check_format(fmt: str, allowed: Sequence[str] = FORMATS) -> str:
    """The format if it is one of `allowed`; anything else is bad usage (exit 2)."""
    if fmt not in allowed:
        from timeline.errors import InputError

        raise InputError(f"unknown format {fmt!r}; choose from {', '.join(allowed)}")
    return fmt


def _day(value: date, *, year: bool = True) -> str:
    text = f"{value.day} {MONTHS[value.month - 1]}"
    return f"{text} {value.year}" if year else text


def date_label(start: date | str, end: date | str, precision: str) -> str:
    """A date as precise as it is known: "12 Sep 2025", "week of 8 Sep 2025",
    "Feb 2022", "2022", and for a range "8–15 Sep 2025" or "28 Aug–3 Sep 2025"."""
    start, end = _as_date(start), _as_date(end)
    if precision == "week":
        return f"week of {_day(start)}"
    if precision == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if precision == "year":
        return str(start.year)
    if start == end:
        return _day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{_day(end)}"
    if start.year == end.year:
        return f"{_day(start, year=False)}–{_day(end)}"
    return f"{_day(start)}–{_day(end)}"


def period_heading(start: date | str, precision: str) -> str:
    """The heading an event is listed under: its year for a year, else the month of
    its start ("September 2025")."""
    start = _as_date(start)
    if precision == "year":
        return str(start.year)
    return f"{MONTH_NAMES[start.month - 1]} {start.year}"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def write_json_items(items: Iterable[Any], fmt: str, out: TextIO) -> int:
    """JSON objects as an array (one item a line, `[]` when empty) or as NDJSON,
    written as they come."""
    count = 0
    for item in items:
        if fmt == "json":
            out.write(("," if count else "[") + "\n" + dumps(item))
        else:
            out.write(dumps(item) + "\n")
        count += 1
    if fmt == "json":
        out.write("\n]\n" if count else "[]\n")
    return count


def write_object_with_items(
    obj: dict[str, Any], key: str, items: Iterable[Any], out: TextIO
) -> None:
    """`obj` with `key` holding the items, as one line of compact JSON, written as
    the items come, `key` last."""
    head = dumps({**{k: v for k, v in obj.items() if k != key}, key: []})
    out.write(head[: -len("[]}")] + "[")
    for index, item in enumerate(items):
        out.write(("," if index else "") + dumps(item))
    out.write("]}\n")


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


def _label(record: dict[str, Any]) -> str:
    return date_label(record["start"], record["end"], record["precision"])


def write_events(
    records: Iterable[dict[str, Any]], fmt: str, out: TextIO, *, actor: str | None = None
) -> int:
    """Events in a format: JSON/NDJSON records, a flat CSV row each, a Markdown table,
    or (`table`) a table grouped under month headings. For one `actor`'s chronology,
    each record carries the actor's `roles`, which are shown too."""
    roles = actor is not None
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
        _label(record),
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
        cells: list[Any] = [_label(record), event]
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


RELATION_PHRASES = {
    ("in_response_to", "outgoing"): "in response to",
    ("in_response_to", "incoming"): "answered by",
    ("follows", "outgoing"): "follows",
    ("follows", "incoming"): "followed by",
    ("part_of", "outgoing"): "part of",
    ("part_of", "incoming"): "includes",
    ("context_for", "outgoing"): "context for",
    ("context_for", "incoming"): "in the context of",
}


def relation_phrase(kind: str, direction: str) -> str:
    """How a relation reads from this event: "in response to" X, "answered by" X."""
    return RELATION_PHRASES.get((kind, direction), f"{kind} ({direction})")


def _fields(rows: Iterable[tuple[str, Any]]) -> Any:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for name, value in rows:
        if value not in (None, "", []):
            grid.add_row(name, value)
    return grid


def _anchor_text(anchor: dict[str, Any]) -> str:
    if anchor["kind"] == "event":
        when = date_label(anchor["start_date"], anchor["end_date"], anchor["precision"])
        return f"event {anchor['slug']} ({when})"
    published = anchor.get("published_on")
    when = f" ({_day(published)})" if published else ""
    return f"the publication of {anchor['slug']}{when}"


def _resolved(anchors: Sequence[dict[str, Any]]) -> str:
    if not anchors:
        return "absolute date, no anchor"
    return "against " + " and ".join(_anchor_text(a) for a in anchors)


def write_event_detail(
    record: dict[str, Any],
    anchors: Sequence[dict[str, Any]],
    related: dict[str, dict[str, Any]],
    out: TextIO,
) -> None:
    """One event for a reader: the date as precise as known with the source's wording
    and what it was resolved against, the actors and their roles, each source with its
    quotes, and the related events in both directions."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    precision = record["precision"]
    span = (
        record["start"]
        if record["start"] == record["end"]
        else f"{record['start']}…{record['end']}"
    )
    parts: list[Any] = [
        Text(record["title"], style="bold"),
        Text(),
        _fields(
            [
                ("slug", record["slug"]),
                ("date", f"{_label(record)} (precision {precision}: {span})"),
                ("wording", f"“{record['date_text']}”" if record["date_text"] else None),
                ("resolved", _resolved(anchors)),
                ("type", record["type"]),
                ("modality", record["modality"]),
                ("place", record["place"]),
                ("countries", ", ".join(record["countries"])),
                ("aliases", ", ".join(record["aliases"])),
                ("summary", record["summary"]),
            ]
        ),
    ]
    if record["actors"]:
        actors = new_table(["role", "actor", "kind"])
        for actor in record["actors"]:
            actors.add_row(actor["role"], f"{actor['name']} ({actor['slug']})", actor["kind"])
        parts += [Text(), Text("Actors", style="bold"), Padding(actors, (0, 0, 0, 2))]
    if record["sources"]:
        parts += [Text(), Text("Sources", style="bold")]
        previous = None
        for source in record["sources"]:
            if source["slug"] != previous:
                heading = Text(source["slug"], style="bold")
                heading.append(f"  {source['name']}", style="not bold")
                parts.append(Padding(heading, (0, 0, 0, 2)))
                previous = source["slug"]
            if source["quote"] is None:
                quote = Text("(no quote)", style="dim")
            else:
                quote = Text(f"“{source['quote']}”")
                quote.append(
                    f" (characters {source['quote_start']}–{source['quote_end']})", style="dim"
                )
            parts.append(Padding(quote, (0, 0, 0, 4)))
    if record["relations"]:
        relations = new_table(["relation", "event", "date"])
        for relation in record["relations"]:
            other = related.get(relation["slug"], {})
            title = Text(other.get("title", ""))
            title.append(("\n" if other else "") + relation["slug"], style="dim")
            when = (
                date_label(other["start_date"], other["end_date"], other["precision"])
                if other
                else ""
            )
            relations.add_row(relation_phrase(relation["kind"], relation["direction"]), title, when)
        parts += [Text(), Text("Related events", style="bold"), Padding(relations, (0, 0, 0, 2))]
    print_trimmed(Group(*parts), out)


def write_actor(profile: dict[str, Any], events: Sequence[dict[str, Any]], out: TextIO) -> None:
    """An actor's profile, then its chronology with its role in each event."""
    affiliation = profile["affiliation"]
    members = ", ".join(f"{m['name']} ({m['slug']})" for m in profile["members"])
    print_trimmed(
        _fields(
            [
                ("actor", profile["name"]),
                ("slug", profile["slug"]),
                ("kind", profile["kind"]),
                ("country", profile["country"]),
                ("aliases", ", ".join(profile["aliases"])),
                (
                    "part of",
                    f"{affiliation['name']} ({affiliation['slug']})" if affiliation else None,
                ),
                ("members", members),
                ("about", profile["description"]),
                ("events", str(len(events))),
            ]
        ),
        out,
    )
    if events:
        out.write("\n")
        write_events(events, "table", out, actor=profile["slug"])


def write_actors(rows: Sequence[dict[str, Any]], out: TextIO) -> int:
    """Actors as a table: name over slug, kind, country, event count, and the span of
    their events (the earliest start, the latest end)."""
    from rich.text import Text

    table = new_table(["actor", "kind", "country", "events", "first", "last"])
    for index in (1, 2, 4, 5):
        table.columns[index].no_wrap = True
    table.columns[3].justify = "right"
    for row in rows:
        actor = Text(row["name"])
        actor.append(f"\n{row['slug']}", style="dim")
        table.add_row(
            actor,
            row["kind"],
            row["country"] or "",
            str(row["events"]),
            text_value(row["first"]),
            text_value(row["last"]),
        )
    print_trimmed(table, out)
    return len(rows)


def write_sources(rows: Sequence[dict[str, Any]], out: TextIO) -> int:
    """Sources as a table: slug over name and what it cites, kind, publication date,
    how many events and quotes it supports."""
    from rich.text import Text

    table = new_table(["source", "kind", "published", "events", "quotes"])
    for index in (1, 2):
        table.columns[index].no_wrap = True
    for index in (3, 4):
        table.columns[index].justify = "right"
    for index, row in enumerate(rows):
        if index:
            table.add_row()
        source = Text(row["slug"], style="bold")
        source.append(f"\n{row['name']}", style="not bold")
        if row["publisher"]:
            source.append(f"\npublisher: {row['publisher']}", style="dim")
        if row["cites"]:
            source.append(f"\ncites: {', '.join(row['cites'])}", style="dim")
        table.add_row(
            source,
            row["kind"],
            text_value(row["published"]),
            str(row["events"]),
            str(row["quotes"]),
        )
    print_trimmed(table, out)
    return len(rows)


def write_info(info: dict[str, Any], out: TextIO) -> None:
    """The database, its schema revision and how many rows each table holds."""
    from rich.console import Group
    from rich.text import Text

    counts = new_table(["table", "rows"])
    counts.columns[1].justify = "right"
    for name, rows in info["tables"].items():
        counts.add_row(name, str(rows))
    fields = _fields(
        [
            ("database", info["database"]),
            ("backend", info["backend"]),
            ("revision", info["revision"]),
        ]
    )
    print_trimmed(Group(fields, Text(), counts), out)
