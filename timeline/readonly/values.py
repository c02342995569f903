"""Values of a `timeline sql` result as the writers print them faithfully, and column
names made unique for JSON keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any

_PLAIN = (str, int, float, Decimal, date, datetime, time_of_day, timedelta, bytes)
SHOWN_CHARACTERS = 200  # of one value, in a table or Markdown; data formats print it whole


def printable(value: Any, *, text_format: bool) -> Any:
    """A value `timeline.render` prints faithfully: nested values (PostgreSQL arrays,
    JSON) stay nested in JSON and become JSON text in a table or CSV; other types
    (UUID, ranges, addresses) become their text form."""
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, list | tuple | dict):
        from timeline.output.writers import dumps

        nested = _nested(value)
        return dumps(nested) if text_format else nested
    return str(value)


def _nested(value: Any) -> Any:
    from timeline.output.writers import json_value

    if isinstance(value, dict):
        return {str(k): _nested(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nested(v) for v in value]
    plain = printable(value, text_format=False)
    return json_value(plain) if plain is not None else None


def unique_columns(columns: Sequence[str]) -> list[str]:
    """Column names made unique for JSON keys: a repeated `a` becomes `a_2`, `a_3`."""
    seen: set[str] = set()
    result = []
    for name in columns:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        result.append(candidate)
    return result


def shortened(value: Any) -> tuple[Any, bool]:
    """A value as a table shows it: text (and bytes, as hex) past SHOWN_CHARACTERS cut
    with "…", so a 10 MB value is not laid out for a minute; and whether it was cut."""
    if isinstance(value, bytes) and len(value) * 2 > SHOWN_CHARACTERS:
        return value[: SHOWN_CHARACTERS // 2].hex() + "…", True
    if isinstance(value, str) and len(value) > SHOWN_CHARACTERS:
        return value[:SHOWN_CHARACTERS] + "…", True
    return value, False
