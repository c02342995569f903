"""The validation types every input format shares (slugs, names, texts, country codes,
vocabularies), and the one way a pydantic error becomes `place: message`, the place
written as the input's own path (`events[3].date.day`)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, StringConstraints, ValidationError

from timeline.vocab import (
    COUNTRY_PATTERN,
    COUNTRY_RULE,
    NAME_LENGTH,
    SLUG_LENGTH,
    SLUG_PATTERN,
    SLUG_RULE,
)

_PLAIN_KEY = re.compile(r"[^\W\d][\w-]*")  # a name in any script: .key; others as ["…"]


def _no_nul(value: str) -> str:
    # Neither backend stores NUL alike (PostgreSQL refuses it), so no input may hold one.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


NoNul = AfterValidator(_no_nul)
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=SLUG_LENGTH)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_LENGTH)]
Text = Annotated[str, StringConstraints(min_length=1)]
Country = Annotated[str, StringConstraints(pattern=COUNTRY_PATTERN)]


def limited(length: int) -> Any:
    """Text of 1 to `length` characters."""
    return Annotated[str, StringConstraints(min_length=1, max_length=length)]


def vocabulary(values: tuple[str, ...]) -> Any:
    """One of `values`: a Literal, checked by pydantic's core at no Python cost."""
    return Literal[values]


def location(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as the input's own path: events[3].date.day. A key that is
    not a plain name is quoted, so that an error stays one line: `date["a\\nb"]`."""
    place = ""
    for part in loc:
        if isinstance(part, int):
            place += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(key := str(part)):  # YAML keys may be null, numbers…
            place += f".{key}" if place else key
        else:  # JSON escapes the control characters; the error line, the rest
            place += f"[{json.dumps(key, ensure_ascii=False)}]"
    return place


def first_error(exc: ValidationError, *, skip: int = 0) -> tuple[str, str]:
    """(place, message) of the first error; `skip` drops leading location parts (the
    record type that a tagged union puts first)."""
    error = exc.errors(include_url=False)[0]
    return location(tuple(error["loc"])[skip:]), message(error)


def message(error: Any) -> str:
    """One error in words, the same for every format."""
    kind, text = error["type"], str(error["msg"])
    ctx = error.get("ctx") or {}
    if kind == "json_invalid":
        return f"invalid JSON: {ctx.get('error', text)}"
    # A dataclass's errors (the seed items) in the words of a model's.
    if kind in ("missing", "missing_argument"):
        return "missing required field"
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return "unknown field"
    if kind == "dataclass_type":
        return f"input should be a valid dictionary or instance of {ctx.get('class_name')}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"unknown value {error.get('input')!r}; expected one of: {expected}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == SLUG_PATTERN:
            return f"{error.get('input')!r} is not a slug: {SLUG_RULE}"
        if ctx.get("pattern") == COUNTRY_PATTERN:
            return f"{error.get('input')!r} is not a country code: {COUNTRY_RULE}"
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    return text[0].lower() + text[1:] if text else kind


def describe(exc: ValidationError, *, skip: int = 0) -> str:
    """The first error as `place: message` (just the message where it has no place)."""
    place, text = first_error(exc, skip=skip)
    return f"{place}: {text}" if place else text
