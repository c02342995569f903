"""Dates as a reader should see them: as precise as they are known, never more."""

from __future__ import annotations

from datetime import date
from typing import Any

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


def day_label(value: date, *, year: bool = True) -> str:
    text = f"{value.day} {MONTHS[value.month - 1]}"
    return f"{text} {value.year}" if year else text


def date_label(start: date | str, end: date | str, precision: str) -> str:
    """A date as precise as it is known: "12 Sep 2025", "week of 8 Sep 2025",
    "Feb 2022", "2022", and for a range "8–15 Sep 2025" or "28 Aug–3 Sep 2025"."""
    start, end = _as_date(start), _as_date(end)
    if precision == "week":
        return f"week of {day_label(start)}"
    if precision == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if precision == "year":
        return str(start.year)
    if start == end:
        return day_label(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{day_label(end)}"
    if start.year == end.year:
        return f"{day_label(start, year=False)}–{day_label(end)}"
    return f"{day_label(start)}–{day_label(end)}"


def period_heading(start: date | str, precision: str) -> str:
    """The heading an event is listed under: its year for a year, else the month of
    its start ("September 2025")."""
    start = _as_date(start)
    if precision == "year":
        return str(start.year)
    return f"{MONTH_NAMES[start.month - 1]} {start.year}"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def record_label(record: dict[str, Any]) -> str:
    """An event record's date label."""
    return date_label(record["start"], record["end"], record["precision"])


def page_title(records: list[dict[str, Any]], title: str | None) -> str:
    """A page's title: the one asked for, or what it holds ("Timeline: 17 events,
    Feb 2022 to Sep 2025", the months of its first start and last end)."""
    if title:
        return title
    if not records:
        return "Timeline: no events"
    first = _as_date(min(r["start"] for r in records))
    last = _as_date(max(r["end"] for r in records))
    span = f"{MONTHS[first.month - 1]} {first.year}"
    if (first.year, first.month) != (last.year, last.month):
        span += f" to {MONTHS[last.month - 1]} {last.year}"
    return f"Timeline: {len(records)} event{'s' if len(records) != 1 else ''}, {span}"
