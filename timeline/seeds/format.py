"""The seed file format: YAML read by `reader`, validated item by item by pydantic
dataclasses whose errors become `FILE:LINE: events[3].date.day: …`, every one of them.
Cross-file checks live in `plan`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PositiveInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.dataclasses import dataclass as seed_item

from timeline import dates, validation
from timeline.errors import FileInputError
from timeline.seeds.files import read_bytes
from timeline.seeds.reader import Tree, read_tree
from timeline.validation import Country, Name, Slug, location, message, vocabulary
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


Text = validation.Text  # NUL characters are refused by the reader, in every value
MAX_DAYS = 3_652_058  # from 0001-01-01 to 9999-12-31
Month = Annotated[str, AfterValidator(_year_month)]


# Items are pydantic dataclasses with slots, not models: a fifth of the memory, and
# faster to make (`validation.message` words their errors as the models' were).
STRICT = ConfigDict(extra="forbid", populate_by_name=True)
EMPTY: Any = ()  # an absent list: one shared empty tuple, not a list in every item


@seed_item(config=STRICT, slots=True, frozen=True, kw_only=True)
class SourceSeed:
    slug: Slug
    name: Name
    kind: vocabulary(SOURCE_KINDS)  # type: ignore[valid-type]
    publisher: Name | None = None
    url: Annotated[str, StringConstraints(max_length=URL_LENGTH)] | None = None
    title: Annotated[str, StringConstraints(max_length=TITLE_LENGTH)] | None = None
    published: date | None = None
    language: Annotated[str, StringConstraints(max_length=LANGUAGE_LENGTH)] | None = None
    text_file: str | None = Field(None, description="the text, beside the YAML file")
    cites: list[Slug] = EMPTY


@seed_item(config=STRICT, slots=True, frozen=True, kw_only=True)
class ActorSeed:
    slug: Slug
    name: Name
    kind: vocabulary(ACTOR_KINDS)  # type: ignore[valid-type]
    country: Country | None = None
    description: Text | None = None
    aliases: list[Name] = EMPTY
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


@seed_item(config=STRICT, slots=True, frozen=True, kw_only=True)
class DateSeed:
    """Exactly one rule, written as the source words it: see `timeline.dates`."""

    text: Text | None = None
    day: date | None = None
    week: date | Literal["last"] | None = None
    month: Month | None = None
    year: Annotated[int, Field(ge=1, le=9999)] | None = None
    weekday: Literal[dates.WEEKDAYS] | None = None  # type: ignore[valid-type]
    days_before: Annotated[int, Field(ge=1, le=MAX_DAYS)] | None = None
    days_after: Annotated[int, Field(ge=1, le=MAX_DAYS)] | None = None
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


@seed_item(config=STRICT, slots=True, frozen=True, kw_only=True)
class ActorRole:
    actor: Slug
    role: vocabulary(ROLES)  # type: ignore[valid-type]


@seed_item(config=STRICT, slots=True, frozen=True, kw_only=True)
class EvidenceSeed:
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


@seed_item(config=STRICT, slots=True, frozen=True, kw_only=True)
class RelationSeed:
    kind: vocabulary(RELATION_KINDS)  # type: ignore[valid-type]
    event: Slug


@seed_item(config=STRICT, slots=True, frozen=True, kw_only=True)
class EventSeed:
    slug: Slug
    title: Annotated[str, StringConstraints(min_length=1, max_length=TITLE_LENGTH)]
    type: vocabulary(EVENT_TYPES)  # type: ignore[valid-type]
    modality: vocabulary(MODALITIES) = "occurred"  # type: ignore[valid-type]
    summary: Text | None = None
    place: Name | None = None
    countries: list[Country] = EMPTY
    aliases: list[Name] = EMPTY
    date: DateSeed
    actors: list[ActorRole] = EMPTY
    evidence: Annotated[list[EvidenceSeed], Field(min_length=1)]
    relations: list[RelationSeed] = EMPTY


@seed_item(config=STRICT, slots=True, frozen=True, kw_only=True)
class CorroborationSeed:
    """Evidence, actors and relations for an event that another file owns."""

    event: Slug
    actors: list[ActorRole] = EMPTY
    evidence: list[EvidenceSeed] = EMPTY
    relations: list[RelationSeed] = EMPTY


@dataclass(slots=True)
class SeedFile:
    """A file's items; None stands for one that failed its checks."""

    id: Slug | None = None
    replaces: list[Slug] = EMPTY
    sources: list[SourceSeed | None] = EMPTY
    actors: list[ActorSeed | None] = EMPTY
    events: list[EventSeed | None] = EMPTY
    corroborates: list[CorroborationSeed | None] = EMPTY


@dataclass
class Parsed:
    """One file read: the items that passed (None where one did not, so indices stay
    the file's), the slugs of those that did not (so that references to them are not
    reported again), the lines of its values, and what is wrong with it."""

    seed: SeedFile
    path: Path
    name: str
    broken: set[tuple[str, str]] = field(default_factory=set)
    problems: list[FileInputError] = field(default_factory=list)
    _tree: Tree | None = None

    @property
    def tree(self) -> Tree:
        """The file read again with the line of every value, when an error needs one
        (the file is not kept meanwhile)."""
        if self._tree is None:
            self._tree = read_tree(read_bytes(self.path, self.name), self.name)
        return self._tree

    def error(self, name: str, path: tuple[int | str, ...], message: str) -> FileInputError:
        return FileInputError(name, location(path), message, line=self.tree.line(path))


SECTIONS: dict[str, TypeAdapter[Any]] = {
    "sources": TypeAdapter(SourceSeed),
    "actors": TypeAdapter(ActorSeed),
    "events": TypeAdapter(EventSeed),
    "corroborates": TypeAdapter(CorroborationSeed),
}
TOP_LEVEL = ("id", "replaces", *SECTIONS)


def parse(path: Path, name: str) -> Parsed:
    """Read and validate one seed file; `name` is how errors call it. A file that
    cannot be read or parsed at all raises; every other problem is collected."""
    content = read_bytes(path, name)
    if b"\x00" in content:
        raise FileInputError(name, None, "binary data, not YAML text")
    parsed = Parsed(SeedFile(), path, name)
    checked: dict[tuple[str, int], tuple[Any, list[FileInputError]]] = {}

    def on_item(section: str, index: int, item: Any) -> bool:
        """Validate an item as soon as it is read (so the file is not held twice)."""
        model = SECTIONS.get(section)
        if model is None:
            return False
        try:
            checked[section, index] = (model.validate_python(item), [])
        except ValidationError as exc:
            problems = _errors(parsed, name, (section, index), exc)
            checked[section, index] = (None, problems)
            slug = item.get("slug") if isinstance(item, dict) else None
            if isinstance(slug, str) and section != "corroborates":
                parsed.broken.add((section[:-1], slug))
        return True

    tree = read_tree(content, name, track=False, on_item=on_item)
    del content
    data = tree.data
    if data is None:
        raise FileInputError(name, None, "empty file: expected sources, actors and events")
    if not isinstance(data, dict):
        raise FileInputError(
            name, None, f"expected a mapping with sources, actors and events, not {_kind(data)}"
        )
    parsed.problems = list(tree.problems)
    for key in data:
        if key not in TOP_LEVEL:
            known = ", ".join(TOP_LEVEL)
            parsed.problems.append(parsed.error(name, (key,), f"unknown field; expected {known}"))
    values: dict[str, Any] = {}
    for key, adapter in (("id", _SLUG), ("replaces", _SLUGS)):
        if data.get(key) is not None:
            try:
                values[key] = adapter.validate_python(data[key])
            except ValidationError as exc:
                parsed.problems += _errors(parsed, name, (key,), exc)
    for section in SECTIONS:
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, list):
            message = f"expected a list of {section} (items starting with -), not {_kind(items)}"
            parsed.problems.append(parsed.error(name, (section,), message))
            continue
        values[section] = []
        for index in range(len(items)):
            model, problems = checked[section, index]
            values[section].append(model)
            parsed.problems += problems
    parsed.seed = SeedFile(**values)
    return parsed


_SLUG: TypeAdapter[str] = TypeAdapter(Slug)
_SLUGS: TypeAdapter[list[str]] = TypeAdapter(list[Slug])


def _errors(
    parsed: Parsed, name: str, prefix: tuple[int | str, ...], exc: ValidationError
) -> list[FileInputError]:
    return [
        parsed.error(name, (*prefix, *error["loc"]), message(error))
        for error in exc.errors(include_url=False)
    ]


def _kind(data: object) -> str:
    if isinstance(data, list):
        return "a list"
    return "text" if isinstance(data, str) else "a mapping" if isinstance(data, dict) else "empty"
