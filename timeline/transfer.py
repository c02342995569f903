"""The NDJSON interchange format of `timeline export` and `timeline import`.

One JSON object per line, each with a `record` key: a `header` first, then `source`,
`actor` and `event` records, and a `summary` with the counts last, so that a file cut
at a line boundary is detected. Files are UTF-8, compact JSON, keys in a fixed order,
lines ending in `\\n`; an export lists sources and actors by slug and events by start,
end and slug (byte-wise), with nested arrays in the order of `timeline.queries`, and
carries no database ids and no load times, so the same data always gives the same
bytes on either backend.

The models below validate one record each: what either backend would refuse or store
differently (NUL characters, strings longer than the columns, offsets beyond an
INTEGER) is refused here, with the line it is on.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, NotRequired

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
    with_config,
)
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from timeline.dates import Interval
from timeline.vocab import (
    ACTOR_KINDS,
    EVENT_TYPES,
    MODALITIES,
    NAME_LENGTH,
    PRECISIONS,
    RELATION_KINDS,
    ROLES,
    SLUG_LENGTH,
    SOURCE_KINDS,
)

FORMAT = "timeline"
VERSION = 1
MAX_INT = 2**31 - 1  # an INTEGER column on PostgreSQL

HEADER = {"record": "header", "format": FORMAT, "version": VERSION}

Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=SLUG_LENGTH)
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_LENGTH)]
Text = Annotated[str, StringConstraints(min_length=1)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _limited(length: int) -> Any:
    return Annotated[str, StringConstraints(min_length=1, max_length=length)]


def _vocabulary(values: tuple[str, ...]) -> Any:
    return Literal[values]


def _unique(values: list[Any], what: str) -> None:
    if len(values) > 1 and len(set(values)) != len(values):
        seen: set[Any] = set()
        for value in values:
            if value in seen:
                raise ValueError(f"{what} {value!r} is listed twice")
            seen.add(value)


class Record(BaseModel):
    # Strict: a date is an ISO string, a number is a number; nothing is coerced.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Header(Record):
    record: Literal["header"]
    format: Literal["timeline"]
    version: Literal[1]


class Summary(Record):
    record: Literal["summary"]
    sources: Annotated[int, Field(ge=0)]
    actors: Annotated[int, Field(ge=0)]
    events: Annotated[int, Field(ge=0)]


class SourceRecord(Record):
    record: Literal["source"]
    slug: Slug
    name: Name
    kind: _vocabulary(SOURCE_KINDS)  # type: ignore[valid-type]
    publisher: Name | None = None
    url: _limited(2000) | None = None  # type: ignore[valid-type]
    title: _limited(1000) | None = None  # type: ignore[valid-type]
    published: date | None = None
    language: _limited(16) | None = None  # type: ignore[valid-type]
    cites: list[Slug] = []
    text: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> SourceRecord:
        _unique(self.cites, "cited source")
        if self.slug in self.cites:
            raise ValueError("a source cannot cite itself")
        return self


class ActorRecord(Record):
    record: Literal["actor"]
    slug: Slug
    name: Name
    kind: _vocabulary(ACTOR_KINDS)  # type: ignore[valid-type]
    country: Country | None = None
    description: Text | None = None
    affiliation: Slug | None = None
    aliases: list[Name] = []

    @model_validator(mode="after")
    def _check(self) -> ActorRecord:
        _unique(self.aliases, "alias")
        if self.affiliation == self.slug:
            raise ValueError("an actor cannot be affiliated to itself")
        return self


# Nested items are TypedDicts, not models: a third cheaper to validate, and there are
# several per event. Their cross-field checks run in `EventRecord._check`.
NESTED = ConfigDict(extra="forbid", strict=True)


@with_config(NESTED)
class Role(TypedDict):
    slug: Slug
    name: NotRequired[Name | None]  # the actor's, for readers; not imported
    kind: NotRequired[str | None]
    role: _vocabulary(ROLES)  # type: ignore[valid-type]


Offset = Annotated[int, Field(ge=0, le=MAX_INT)]


@with_config(NESTED)
class Evidence(TypedDict):
    slug: Slug
    name: NotRequired[Name | None]  # the source's, for readers; not imported
    quote: NotRequired[Text | None]
    quote_start: NotRequired[Offset | None]
    quote_end: NotRequired[Offset | None]


@with_config(NESTED)
class Relation(TypedDict):
    kind: _vocabulary(RELATION_KINDS)  # type: ignore[valid-type]
    slug: Slug
    direction: Literal["outgoing", "incoming"]


def _offsets(index: int, evidence: Evidence) -> None:
    quote, start, end = (
        evidence.get("quote"),
        evidence.get("quote_start"),
        evidence.get("quote_end"),
    )
    if quote is None:
        if start is not None or end is not None:
            raise ValueError(f"sources[{index}]: quote_start and quote_end go with a quote")
    elif start is None or end is None:
        raise ValueError(f"sources[{index}]: a quote needs quote_start and quote_end")
    elif end != start + len(quote):
        raise ValueError(
            f"sources[{index}]: quote_end must be quote_start + the quote's length in code "
            f"points ({start + len(quote)}), not {end}"
        )


class EventRecord(Record):
    record: Literal["event"]
    slug: Slug
    title: _limited(1000)  # type: ignore[valid-type]
    type: _vocabulary(EVENT_TYPES)  # type: ignore[valid-type]
    modality: _vocabulary(MODALITIES) = "occurred"  # type: ignore[valid-type]
    start: date
    end: date
    precision: _vocabulary(PRECISIONS)  # type: ignore[valid-type]
    date_text: _limited(1000) | None = None  # type: ignore[valid-type]
    anchor_event: Slug | None = None
    anchor_source: Slug | None = None
    place: Name | None = None
    countries: list[Country] = []
    aliases: list[Name] = []
    summary: Text | None = None
    actors: list[Role] = []
    sources: list[Evidence] = []
    relations: list[Relation] = []

    @model_validator(mode="after")
    def _check(self) -> EventRecord:
        # The common cases cheaply: this runs once per line of a million-line file.
        if self.precision != "day" or self.start != self.end:
            try:
                Interval(self.start, self.end, self.precision)
            except ValueError as exc:
                raise ValueError(f"dates: {exc}") from None
        if len(self.countries) > 1:
            _unique(self.countries, "country")
        if len(self.aliases) > 1:
            _unique(self.aliases, "alias")
        if len(self.actors) > 1:
            _unique([(a["slug"], a["role"]) for a in self.actors], "actor and role")
        for index, evidence in enumerate(self.sources):
            _offsets(index, evidence)
        if len(self.sources) > 1:
            keys = [(e["slug"], e.get("quote"), e.get("quote_start")) for e in self.sources]
            _unique(keys, "source and quote")
        if self.relations:
            if len(self.relations) > 1:
                links = [(r["kind"], r["slug"], r["direction"]) for r in self.relations]
                _unique(links, "relation")
            if any(r["slug"] == self.slug for r in self.relations):
                raise ValueError("an event cannot relate to itself")
        if self.anchor_event == self.slug:
            raise ValueError("an event cannot be dated against itself")
        return self


AnyRecord = Annotated[
    Header | Summary | SourceRecord | ActorRecord | EventRecord, Field(discriminator="record")
]
ANY_RECORD: TypeAdapter[Header | Summary | SourceRecord | ActorRecord | EventRecord] = TypeAdapter(
    AnyRecord
)
EVENT: TypeAdapter[EventRecord] = TypeAdapter(EventRecord)
EVENT_PREFIX = b'{"record":"event",'


def parse_record(line: bytes) -> Header | Summary | SourceRecord | ActorRecord | EventRecord:
    """One line validated; raises `ValueError` with a short message and, where it can,
    the place in the record (`actors[1].role: …`)."""
    if b"\\u0000" in line:
        _refuse_nul(line)
    try:
        if line.startswith(EVENT_PREFIX):  # the common case, without the union's detour
            return EVENT.validate_json(line)
    except ValidationError as exc:
        raise ValueError(describe(exc, tagged=False)) from None
    try:
        return ANY_RECORD.validate_json(line)
    except ValidationError as exc:
        raise ValueError(describe(exc, tagged=True)) from None


def _refuse_nul(line: bytes) -> None:
    """Neither backend stores NUL alike (PostgreSQL refuses it), so no record may hold
    one. The quick byte test above can be fooled by an escaped backslash: look again."""
    import json

    def walk(value: Any) -> bool:
        if isinstance(value, str):
            return "\x00" in value
        if isinstance(value, dict):
            return any(walk(k) or walk(v) for k, v in value.items())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False

    try:
        found = walk(json.loads(line))
    except ValueError:
        return  # not JSON: the validator says so
    if found:
        raise ValueError("NUL characters (\\u0000) are not allowed")


def describe(exc: ValidationError, *, tagged: bool) -> str:
    """The first error as `place: message`, the place written like `actors[1].role`
    (without the record type that a `tagged` union puts first)."""
    error = exc.errors(include_url=False)[0]
    kind, message = error["type"], str(error["msg"])
    if kind == "json_invalid":
        return f"invalid JSON: {error.get('ctx', {}).get('error', message)}"
    if kind == "missing":
        message = "missing required field"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", "")
        message = f"unknown record {tag!r}; expected header, source, actor, event or summary"
    elif kind in ("union_tag_not_found", "model_attributes_type"):
        return "expected a JSON object with a `record` key"
    elif kind == "literal_error":
        message = f"unknown value {error.get('input')!r}; {message[0].lower()}{message[1:]}"
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    place = ""
    for part in error["loc"][1:] if tagged else error["loc"]:
        place += f"[{part}]" if isinstance(part, int) else (f".{part}" if place else str(part))
    return f"{place}: {message}" if place else message
