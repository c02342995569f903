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
from timeline.validation import Country, Name, Slug, Text, describe, limited, vocabulary
from timeline.vocab import (
    ACTOR_KINDS,
    EVENT_TYPES,
    FLAGS,
    LANGUAGE_LENGTH,
    MAX_INT,
    MODALITIES,
    PRECISIONS,
    RELATION_KINDS,
    ROLES,
    SOURCE_KINDS,
    TITLE_LENGTH,
    URL_LENGTH,
)

FORMAT = "timeline"
VERSION = 1

HEADER = {"record": "header", "format": FORMAT, "version": VERSION}


# Empty defaults built fresh for each record: a literal [] or {} default is deep-copied
# by pydantic for every record that leaves it out (0.8 s in 100,000 events). The
# schema still says the default is empty.
def _empty(kind: type[list[Any]] | type[dict[str, Any]]) -> Any:
    return Field(default_factory=kind, json_schema_extra={"default": kind()})


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
    kind: vocabulary(SOURCE_KINDS)  # type: ignore[valid-type]
    publisher: Name | None = None
    url: limited(URL_LENGTH) | None = None  # type: ignore[valid-type]
    title: limited(TITLE_LENGTH) | None = None  # type: ignore[valid-type]
    published: date | None = None
    language: limited(LANGUAGE_LENGTH) | None = None  # type: ignore[valid-type]
    cites: list[Slug] = _empty(list)
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
    kind: vocabulary(ACTOR_KINDS)  # type: ignore[valid-type]
    country: Country | None = None
    description: Text | None = None
    affiliation: Slug | None = None
    aliases: list[Name] = _empty(list)

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
    role: vocabulary(ROLES)  # type: ignore[valid-type]


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
    kind: vocabulary(RELATION_KINDS)  # type: ignore[valid-type]
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


Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Number = Annotated[float, Field(allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]


@with_config(NESTED)
class Attributes(TypedDict, total=False):
    """Source-specific attributes (`timeline.vocab.ATTRIBUTES`; GDELT's, so far): the
    CAMEO codes as strings with their leading zeros, the scores and the counts."""

    cameo_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,4}$")]
    cameo_base_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,4}$")]
    cameo_root_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
    quad_class: Annotated[int, Field(ge=1, le=4)]
    goldstein_scale: Annotated[float, Field(ge=-10, le=10, allow_inf_nan=False)]
    num_mentions: Count
    num_sources: Count
    num_articles: Count
    avg_tone: Number
    is_root_event: bool


class EventRecord(Record):
    record: Literal["event"]
    slug: Slug
    title: limited(TITLE_LENGTH)  # type: ignore[valid-type]
    type: vocabulary(EVENT_TYPES)  # type: ignore[valid-type]
    modality: vocabulary(MODALITIES) = "occurred"  # type: ignore[valid-type]
    start: date
    end: date
    precision: vocabulary(PRECISIONS)  # type: ignore[valid-type]
    date_text: limited(TITLE_LENGTH) | None = None  # type: ignore[valid-type]
    anchor_event: Slug | None = None
    anchor_source: Slug | None = None
    place: Name | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    countries: list[Country] = _empty(list)
    aliases: list[Name] = _empty(list)
    summary: Text | None = None
    flags: list[vocabulary(FLAGS)] = _empty(list)  # type: ignore[valid-type]
    attributes: Attributes = _empty(dict)
    actors: list[Role] = _empty(list)
    sources: list[Evidence] = _empty(list)
    relations: list[Relation] = _empty(list)

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
        if len(self.flags) > 1:
            _unique(self.flags, "flag")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
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


DataRecord = SourceRecord | ActorRecord | EventRecord
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
        raise ValueError(describe(exc)) from None
    try:
        return ANY_RECORD.validate_json(line)
    except ValidationError as exc:
        raise ValueError(_describe_any(exc)) from None


def _describe_any(exc: ValidationError) -> str:
    """An error of the tagged union: without the record type its location starts with."""
    error = exc.errors(include_url=False)[0]
    if error["type"] == "union_tag_invalid":
        tag = (error.get("ctx") or {}).get("tag", "")
        return f"unknown record {tag!r}; expected header, source, actor, event or summary"
    if error["type"] in ("union_tag_not_found", "model_attributes_type"):
        return "expected a JSON object with a `record` key"
    return describe(exc, skip=0 if error["type"] == "json_invalid" else 1)


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


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one NDJSON line (any record), generated from the models."""
    schema = ANY_RECORD.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{FORMAT} NDJSON record, version {VERSION}",
        **schema,
    }
