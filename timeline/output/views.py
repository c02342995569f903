"""The reading views in full: one event with its evidence, an actor's profile, the
actors and sources listings, and the database's facts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from timeline.output.events import write_events
from timeline.output.labels import date_label, day_label, record_label
from timeline.output.writers import escaped, new_table, print_trimmed, text_value

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


def _location(record: dict[str, Any]) -> str | None:
    if record["latitude"] is None:
        return None
    return f"{record['latitude']}, {record['longitude']} (latitude, longitude)"


def _attributes(attributes: dict[str, Any]) -> str:
    """`name value` pairs, numbers as stored (a CAMEO code keeps its leading zero)."""
    shown = {True: "yes", False: "no"}
    return "  ".join(
        f"{name} {shown[value] if isinstance(value, bool) else value}"
        for name, value in attributes.items()
    )


def _anchor_text(anchor: dict[str, Any]) -> str:
    if anchor["kind"] == "event":
        when = date_label(anchor["start_date"], anchor["end_date"], anchor["precision"])
        return f"event {anchor['slug']} ({when})"
    published = anchor.get("published_on")
    when = f" ({day_label(published)})" if published else ""
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

    record, anchors, related = escaped(record), escaped(list(anchors)), escaped(related)
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
                ("date", f"{record_label(record)} (precision {precision}: {span})"),
                ("wording", f"“{record['date_text']}”" if record["date_text"] else None),
                ("resolved", _resolved(anchors)),
                ("type", record["type"]),
                ("modality", record["modality"]),
                ("place", record["place"]),
                ("location", _location(record)),
                ("countries", ", ".join(record["countries"])),
                ("aliases", ", ".join(record["aliases"])),
                ("flags", ", ".join(record["flags"])),
                ("attributes", _attributes(record["attributes"])),
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
                about = [f"published {source['published']}" if source.get("published") else ""]
                about.append(source.get("url") or "")
                if any(about):
                    line = Text(", ".join(filter(None, about)), style="dim")
                    parts.append(Padding(line, (0, 0, 0, 4)))
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
    profile = escaped(profile)
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

    rows = escaped(list(rows))
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

    rows = escaped(list(rows))
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
        if row.get("url"):
            source.append(f"\nurl: {row['url']}", style="dim")
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


def _role_text(role: str | None, lag: dict[str, Any] | None) -> str | None:
    if lag is None:
        return role
    state = (
        "replay paused"
        if lag["paused"]
        else "replaying from the primary"
        if lag["receiving"]
        else "not receiving from a primary"
    )
    return f"{role} (read-only), {state}"


def _lag_text(lag: dict[str, Any] | None) -> str | None:
    if lag is None:
        return None
    if lag["bytes"] == 0 and lag["receiving"]:
        return "none: replayed all the primary has sent"
    parts = [f"{lag['seconds']:g} s"] if lag["seconds"] is not None else []
    parts += [f"{lag['bytes']} bytes"] if lag["bytes"] is not None else []
    return f"{', '.join(parts)} behind the primary" if parts else "unknown"


def write_info(info: dict[str, Any], out: TextIO) -> None:
    """The database, on PostgreSQL whether it is a primary or a standby and how far a
    standby lags, its schema revision and how many rows each table holds."""
    from rich.console import Group
    from rich.text import Text

    info = escaped(info)
    counts = new_table(["table", "rows"])
    counts.columns[1].justify = "right"
    for name, rows in info["tables"].items():
        counts.add_row(name, str(rows))
    fields = _fields(
        [
            ("database", info["database"]),
            ("backend", info["backend"]),
            ("role", _role_text(info["role"], info["lag"])),
            ("lag", _lag_text(info["lag"])),
            ("replayed", info["lag"] and info["lag"]["last_replayed"]),
            ("revision", info["revision"]),
        ]
    )
    print_trimmed(Group(fields, Text(), counts), out)
