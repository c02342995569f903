"""The seed file format: YAML read strictly, validated by pydantic models whose errors
become `FILE: events[3].date.day: …`. Cross-file checks live in `timeline.seeds`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    StringConstraints,
    ValidationError,
    model_validator,
)

from timeline import dates, validation
from timeline.errors import FileInputError
from timeline.validation import Country, Name, Slug, first_error, vocabulary
from timeline.vocab import (
    ACTOR_KINDS,
    EVENT_TYPES,
    LANGUAGE_LENGTH,
    MODALITIES,
    RELATION_KINDS,
    ROLES,
    SOURCE_KINDS,
    TITLE_LENGTH,
    URL_LENGTH,
)


def _year_month(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match:
        raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"month {month:02d} does not exist")
    return year, month


Text = Annotated[validation.Text, validation.NoNul]
Month = Annotated[str, AfterValidator(_year_month)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSeed(Strict):
    slug: Slug
    name: Name
    kind: vocabulary(SOURCE_KINDS)  # type: ignore[valid-type]
    publisher: Name | None = None
    url: Annotated[str, StringConstraints(max_length=URL_LENGTH)] | None = None
    title: Annotated[str, StringConstraints(max_length=TITLE_LENGTH)] | None = None
    published: date | None = None
    language: Annotated[str, StringConstraints(max_length=LANGUAGE_LENGTH)] | None = None
    text_file: str | None = Field(None, description="the text, beside the YAML file")
    cites: list[Slug] = []


class ActorSeed(Strict):
    slug: Slug
    name: Name
    kind: vocabulary(ACTOR_KINDS)  # type: ignore[valid-type]
    country: Country | None = None
    description: Text | None = None
    aliases: list[Name] = []
    affiliation: Slug | None = None


DATE_RULES = (
    "day",
    "week",
    "month",
    "year",
    "weekday",
    "days_before",
    "days_after",
    "same_as",
    "after",
)


class DateSeed(Strict):
    """Exactly one rule, written as the source words it: see `timeline.dates`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    text: Text | None = None
    day: date | None = None
    week: date | Literal["last"] | None = None
    month: Month | None = None
    year: Annotated[int, Field(ge=1, le=9999)] | None = None
    weekday: Literal[dates.WEEKDAYS] | None = None  # type: ignore[valid-type]
    days_before: PositiveInt | None = None
    days_after: PositiveInt | None = None
    same_as: Slug | None = None
    after: Slug | None = None
    until: date | None = None
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")
    precision: vocabulary(dates.PRECISIONS) | None = Field(  # type: ignore[valid-type]
        None, description="with from/to: the calendar unit the bounds form (default: range)"
    )
    anchor: Slug | None = Field(None, description="the event a relative rule counts from")
    source: Slug | None = Field(None, description="whose publication date; default: evidence")

    @model_validator(mode="after")
    def one_rule(self) -> DateSeed:
        given = [name for name in DATE_RULES if getattr(self, name) is not None]
        if self.start is not None or self.end is not None:
            if self.start is None or self.end is None:
                raise ValueError("explicit bounds need both `from` and `to`")
            given.append("from/to")
        if len(given) != 1:
            rules = ", ".join([*DATE_RULES, "from/to"])
            found = f"got {', '.join(given)}" if given else "got none"
            raise ValueError(f"give exactly one date rule ({rules}); {found}")
        if self.precision is not None and self.start is None:
            raise ValueError("`precision` goes with explicit bounds (`from` and `to`)")
        if self.until is not None and self.after is None:
            raise ValueError("`until` goes with `after`")
        needs_anchor = self.days_before is not None or self.days_after is not None
        if needs_anchor and self.anchor is None:
            raise ValueError("days_before/days_after need `anchor`: the event they count from")
        if self.anchor is not None and not (needs_anchor or self.weekday or self.week == "last"):
            raise ValueError("`anchor` goes with weekday, week: last, days_before or days_after")
        return self

    def rule(self, publication: date | None) -> dates.DateRule:
        """The resolver's rule; `publication` is the date relative rules count from."""
        text, anchor = self.text, self.anchor

        def make(rule: str, value: object = None, event: str | None = None) -> dates.DateRule:
            return dates.DateRule(rule, value, text, event, publication)

        if self.day is not None:
            return make("day", self.day)
        if self.week == "last":
            return make("last_week", event=anchor)
        if isinstance(self.week, date):
            return make("week", self.week)
        if self.month is not None:
            return make("month", self.month)
        if self.year is not None:
            return make("year", self.year)
        if self.weekday is not None:
            return make("weekday", self.weekday, anchor)
        if self.days_before is not None:
            return make("days_before", self.days_before, anchor)
        if self.days_after is not None:
            return make("days_after", self.days_after, anchor)
        if self.same_as is not None:
            return make("same_as", event=self.same_as)
        if self.after is not None:
            return make("after", self.until, self.after)
        return make("between", (self.start, self.end, self.precision or "range"))


class ActorRole(Strict):
    actor: Slug
    role: vocabulary(ROLES)  # type: ignore[valid-type]


class EvidenceSeed(Strict):
    source: Slug
    quote: Text | None = None
    occurrence: PositiveInt | None = Field(
        None, description="which occurrence of a quote that appears more than once (1-based)"
    )

    @model_validator(mode="after")
    def occurrence_needs_quote(self) -> EvidenceSeed:
        if self.occurrence is not None and self.quote is None:
            raise ValueError("`occurrence` goes with `quote`")
        return self


class RelationSeed(Strict):
    kind: vocabulary(RELATION_KINDS)  # type: ignore[valid-type]
    event: Slug


class EventSeed(Strict):
    slug: Slug
    title: Annotated[str, StringConstraints(min_length=1, max_length=TITLE_LENGTH)]
    type: vocabulary(EVENT_TYPES)  # type: ignore[valid-type]
    modality: vocabulary(MODALITIES) = "occurred"  # type: ignore[valid-type]
    summary: Text | None = None
    place: Name | None = None
    countries: list[Country] = []
    aliases: list[Name] = []
    date: DateSeed
    actors: list[ActorRole] = []
    evidence: Annotated[list[EvidenceSeed], Field(min_length=1)]
    relations: list[RelationSeed] = []


class SeedFile(Strict):
    sources: list[SourceSeed] = []
    actors: list[ActorSeed] = []
    events: list[EventSeed] = []


class _Loader(yaml.SafeLoader):
    """Safe YAML with dates left as text (pydantic validates them, so 2025-02-30 is a
    located error rather than a crash) and duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_text(path: Path, name: str) -> str:
    """A file's text exactly as stored (no newline translation), or a located error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileInputError.unreadable(name, exc) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileInputError(
            name, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def parse(path: Path, name: str) -> SeedFile:
    """Read and validate one seed file; `name` is how errors call it."""
    content = read_text(path, name)
    if "\x00" in content:
        raise FileInputError(name, None, "binary data, not YAML text")
    try:
        data = yaml.load(content, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise FileInputError(name, where, problem) from None
    except yaml.YAMLError as exc:
        raise FileInputError(name, None, f"invalid YAML: {exc}") from None
    if data is None:
        raise FileInputError(name, None, "empty file: expected sources, actors and events")
    if not isinstance(data, dict):
        raise FileInputError(
            name, None, f"expected a mapping with sources, actors and events, not {_kind(data)}"
        )
    try:
        return SeedFile.model_validate(data)
    except ValidationError as exc:
        place, message = first_error(exc)
        raise FileInputError(name, place, message) from None


def _kind(data: object) -> str:
    if isinstance(data, list):
        return "a list"
    return "text" if isinstance(data, str) else type(data).__name__
