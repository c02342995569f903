"""The plan of rows a load writes, as `plan` builds it and `write` applies it, and the
parsed file it comes from (`SeedInput`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from timeline.errors import FileInputError
from timeline.seeds.format import Parsed, SeedFile
from timeline.seeds.quotes import QuoteFix


@dataclass
class SeedInput:
    """One parsed file: how errors name it, what its rows record as origin (and the
    origins it takes over), its directory and content."""

    name: str
    origin: str
    path: Path
    parsed: Parsed
    previous: tuple[str, ...] = ()

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def seed(self) -> SeedFile:
        return self.parsed.seed

    def error(self, path: tuple[int | str, ...], message: str) -> FileInputError:
        return self.parsed.error(self.name, path, message)


SOURCE_COLUMNS = ("name", "kind", "publisher", "url", "title", "published_on", "language", "text")
ACTOR_COLUMNS = ("name", "name_key", "kind", "country_code", "description")
EVENT_COLUMNS = ("title", "type", "modality", "summary", "place")
DATE_COLUMNS = ("start_date", "end_date", "precision", "date_text")  # once resolved
TEXT, PUBLISHED = SOURCE_COLUMNS.index("text"), SOURCE_COLUMNS.index("published_on")

# The plan is compact (slots, tuples of column values in the order above, tuples for
# the links): it holds every row of the files at once, and its items are let go of
# as it is built.


@dataclass(slots=True)
class RowPlan:
    """A row to write: where the file says it (for an error found while writing it)
    and its column values."""

    item: SeedInput
    index: int
    values: tuple[Any, ...]

    SECTION: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()

    @property
    def where(self) -> tuple[SeedInput, tuple[str, int]]:
        return self.item, (self.SECTION, self.index)

    @property
    def origin(self) -> str:
        return self.item.origin


@dataclass(slots=True)
class SourcePlan(RowPlan):
    cites: tuple[str, ...]

    SECTION: ClassVar[str] = "sources"
    COLUMNS: ClassVar[tuple[str, ...]] = SOURCE_COLUMNS


@dataclass(slots=True)
class ActorPlan(RowPlan):
    aliases: tuple[str, ...]
    affiliation: str | None

    SECTION: ClassVar[str] = "actors"
    COLUMNS: ClassVar[tuple[str, ...]] = ACTOR_COLUMNS


@dataclass(slots=True)
class Links:
    """What a file says about an event: its actors, evidence and relations."""

    actors: tuple[tuple[str, str], ...]
    evidence: tuple[tuple[str, str | None, int | None], ...]
    relations: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class EventPlan(RowPlan):
    anchor_event: str | None
    anchor_source: str | None
    countries: tuple[str, ...]
    aliases: tuple[str, ...]
    links: Links

    SECTION: ClassVar[str] = "events"
    COLUMNS: ClassVar[tuple[str, ...]] = EVENT_COLUMNS + DATE_COLUMNS


@dataclass(slots=True)
class ExtraPlan:
    """Evidence, actors and relations a file adds to an event another file owns."""

    event: str
    links: Links
    origin: str


@dataclass
class Plan:
    sources: dict[str, SourcePlan] = field(default_factory=dict)
    actors: dict[str, ActorPlan] = field(default_factory=dict)
    events: dict[str, EventPlan] = field(default_factory=dict)
    extras: list[ExtraPlan] = field(default_factory=list)
    fixes: list[QuoteFix] = field(default_factory=list)
