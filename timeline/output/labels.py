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
