"""Writing rows in every listing format: table, JSON, NDJSON, CSV and Markdown. Machine
formats carry no colour or decoration; tables use rich, which is colourless when piped
or under NO_COLOR."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

TABLE_WIDTH = 100
NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


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
        return NON_FINITE[str(value)]  # JSON has no NaN or Infinity: the JavaScript names
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def dumps(obj: Any) -> str:
    """Compact, key-order-preserving JSON with unicode kept readable."""
    return json.dumps(
        obj, ensure_ascii=False, default=json_value, separators=(",", ":"), allow_nan=False
    )


# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides
# and isolates: what would let a name in the data recolour, retitle, rewrite or reorder
# a terminal (ESC sequences, OSC 8 links, OSC 52 clipboard writes, Trojan Source).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escaped(value: Any) -> Any:
    """`value` with every terminal control character in its text shown as an escape
    (`\\x1b`, `\\u202e`), nested lists and dicts included: what reading formats print."""
    if isinstance(value, str):
        return _CONTROLS.sub(_escape, value) if _CONTROLS.search(value) else value
    if isinstance(value, dict):
        return {k: escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(escaped(v) for v in value)
    return value


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_reading(fmt: str, out: TextIO) -> bool:
    """Whether `fmt` on `out` is read by a person, so controls must be escaped: tables
    and Markdown always, CSV on a terminal; JSON escapes them itself, and piped CSV
    stays lossless."""
    return fmt in ("table", "markdown") or (fmt == "csv" and out.isatty())


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
    if for_reading(fmt, out):
        columns, rows = escaped(list(columns)), (escaped(list(row)) for row in rows)
    count = 0
    if fmt == "json":
        out.write("[")
        for row in rows:
            out.write(("," if count else "") + "\n" + dumps(_object(columns, row)))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "ndjson":
        for row in rows:
            out.write(dumps(_object(columns, row)) + "\n")
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


def _object(columns: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    """A row keyed by column, with NaN and the infinities as JSON can hold them."""
    return {
        c: json_value(v) if isinstance(v, float) else v for c, v in zip(columns, row, strict=True)
    }


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
