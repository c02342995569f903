"""Every output format, registered in one place: its name, what it is for, which
commands offer it and the module that writes events in it. A new format is one module
and one entry here; the CLI's choices (help and completion) come from this list.

Writers are imported only when used, so that `--help` and completion stay fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TextIO


@dataclass(frozen=True)
class OutputFormat:
    name: str
    help: str
    module: str  # defines write_events(records, fmt, out, *, actor=None) -> int
    listing: bool = True  # offered by the reading commands (`events`, `actors`, `sql`…)
    export: bool = True  # offered by `timeline export`
    # A whole document of the events and their sources: the module defines
    # write_page(records, sources, out, options) -> int instead.
    page: bool = False


FORMATS = (
    OutputFormat("table", "aligned columns for reading", "timeline.output.events", export=False),
    OutputFormat("json", "a JSON array of records", "timeline.output.events"),
    OutputFormat(
        "ndjson",
        "one JSON record a line (`export`: lossless, for `timeline import`)",
        "timeline.output.events",
    ),
    OutputFormat("csv", "one flat row per record", "timeline.output.events"),
    OutputFormat("markdown", "a Markdown table", "timeline.output.events"),
    OutputFormat(
        "html",
        "one self-contained, offline HTML page: a zoomable timeline with the evidence",
        "timeline.output.html",
        listing=False,
        page=True,
    ),
    OutputFormat(
        "timelinejs",
        "TimelineJS 3 JSON, one slide per event",
        "timeline.output.timelinejs",
        listing=False,
        page=True,
    ),
)
BY_NAME = {f.name: f for f in FORMATS}
LISTING = tuple(f.name for f in FORMATS if f.listing)
EXPORT = tuple(f.name for f in FORMATS if f.export)


def choices(name: str, formats: Iterable[str]) -> type[Enum]:
    """The formats as a string Enum, the type Typer lists in help and completes."""
    return Enum(name, [(f, f) for f in formats], type=str)  # type: ignore[return-value]


def formats_help(formats: Iterable[str]) -> str:
    return "; ".join(f"{name}: {BY_NAME[name].help}" for name in formats)


@dataclass(frozen=True)
class PageOptions:
    """What a page format is asked for: lanes (or TimelineJS groups) by `type` or
    `actor`, and its title (by default one naming what it holds)."""

    group_by: str = "type"
    title: str | None = None


GROUP_BY = ("type", "actor")


def write_page(
    records: list[dict[str, Any]],
    sources: dict[str, dict[str, Any]],
    fmt: str,
    out: TextIO,
    options: PageOptions,
) -> int:
    """Write a page format: the event records with the details of their sources."""
    module = importlib.import_module(BY_NAME[fmt].module)
    count: int = module.write_page(records, sources, out, options)
    return count


def write_events(
    records: Iterable[dict[str, Any]], fmt: str, out: TextIO, *, actor: str | None = None
) -> int:
    """Write event records in a registered format; returns how many."""
    module = importlib.import_module(BY_NAME[fmt].module)
    count: int = module.write_events(records, fmt, out, actor=actor)
    return count
