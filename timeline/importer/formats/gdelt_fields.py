"""GDELT 2.0's 61 event columns, in order, the checks of one field (each failure is a
`RowError` naming its column, which the reader places at its file and line), and the
flags of GDELT's known date flaw."""

from __future__ import annotations

import math
from datetime import date

from timeline.vocab import NAME_LENGTH

COLUMNS = [
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
]
COL = {name: n for n, name in enumerate(COLUMNS)}


class RowError(ValueError):
    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(f"column {column}: {message}" if column else message)


def text(column: str, value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RowError(column, f"invalid UTF-8 at byte {exc.start + 1} of the field") from None


def whole(f: list[str], column: str, low: int, high: int) -> int | None:
    value = f[COL[column]]
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise RowError(column, f"{value!r} is not a whole number")
    number = int(value)
    if not low <= number <= high:
        raise RowError(column, f"{number} is out of range ({low} to {high})")
    return number


def number(f: list[str], column: str, low: float, high: float) -> float | None:
    value = f[COL[column]]
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise RowError(column, f"{value!r} is not a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise RowError(column, f"{value} is out of range ({low:g} to {high:g})")
    return number


def flag(f: list[str], column: str) -> bool | None:
    value = f[COL[column]]
    if value not in ("0", "1", ""):
        raise RowError(column, f"{value!r} is neither 0 nor 1")
    return None if not value else value == "1"


def limited(f: list[str], column: str) -> str:
    value = f[COL[column]].strip()
    if len(value) > NAME_LENGTH:
        raise RowError(column, f"longer than {NAME_LENGTH} characters")
    return value


def event_date(value: str, column: str) -> date:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise RowError(column, f"{value!r} is not a date (YYYYMMDD)")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise RowError(column, f"{value!r} is not a date (YYYYMMDD): no such day exists") from None


def added_date(value: str) -> date:
    if len(value) != 14 or not value.isascii() or not value.isdigit():
        raise RowError("DATEADDED", f"{value!r} is not a timestamp (YYYYMMDDHHMMSS)")
    hour, minute, second = int(value[8:10]), int(value[10:12]), int(value[12:])
    if hour > 23 or minute > 59 or second > 59:
        raise RowError("DATEADDED", f"{value!r} is not a timestamp (YYYYMMDDHHMMSS)")
    return event_date(value[:8], "DATEADDED")


def date_flags(day: date, added: date) -> list[str]:
    """GDELT's known date flaw: an event dated exactly a year or a month before the
    article that reports it (a misread "last year", an anniversary)."""
    if day.day == added.day and day.month == added.month and day.year == added.year - 1:
        return ["date_year_before_report"]
    before = (added.year, added.month - 1) if added.month > 1 else (added.year - 1, 12)
    if day.day == added.day and (day.year, day.month) == before:
        return ["date_month_before_report"]
    return []
