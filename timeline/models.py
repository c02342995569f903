"""The schema: typed models, vocabularies, constraints and indexes. No sessions here.

Migrations in `migrations/` are the only thing that creates this schema; a test proves
they agree with these models on SQLite and PostgreSQL. The calendar checks on
`events.precision` (a week starts on Monday, a month is a whole month…) need date
functions that differ per backend, so they live in the migration only and are
tested directly.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement

from timeline.vocab import (
    ACTOR_KINDS,
    EVENT_TYPES,
    MODALITIES,
    NAME_LENGTH,
    ORIGIN_LENGTH,
    PRECISIONS,
    RELATION_KINDS,
    ROLES,
    SLUG_LENGTH,
    SOURCE_KINDS,
    SPAN_CLASSES,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def span_class_sql(days: str) -> str:
    """The CASE that gives the span class of `days`, an SQL expression of the span."""
    steps = " ".join(f"WHEN {days} < {4**k} THEN {k}" for k in range(SPAN_CLASSES - 1))
    return f"CASE {steps} ELSE {SPAN_CLASSES - 1} END"


class span_class_expression(ColumnElement[int]):
    """The generated `events.span_class`; the day count is written per backend."""

    inherit_cache = True


@compiles(span_class_expression, "sqlite")
def _span_class_sqlite(element: span_class_expression, compiler: SQLCompiler, **kw: object) -> str:
    return span_class_sql("julianday(end_date) - julianday(start_date)")


@compiles(span_class_expression, "postgresql")
def _span_class_postgresql(
    element: span_class_expression, compiler: SQLCompiler, **kw: object
) -> str:
    return span_class_sql("end_date - start_date")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Source(Base):
    """A document that supports events: an article, a report, a statement, a video."""

    __tablename__ = "sources"
    __table_args__ = (CheckConstraint(_one_of("kind", SOURCE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    kind: Mapped[str] = mapped_column(String(20))
    publisher: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(String(1000))
    published_on: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(ORIGIN_LENGTH))

    cites: Mapped[list[SourceCitation]] = relationship(
        foreign_keys="SourceCitation.citing_source_id", cascade="all, delete-orphan"
    )


class SourceCitation(Base):
    """Source A cites source B (UNN cites Reuters)."""

    __tablename__ = "source_citations"
    __table_args__ = (
        CheckConstraint("citing_source_id <> cited_source_id", name="not_self"),
        Index(None, "cited_source_id"),
    )

    citing_source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    cited_source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    origin: Mapped[str] = mapped_column(String(ORIGIN_LENGTH))


class Actor(Base):
    """A person, state, organisation, military unit or group."""

    __tablename__ = "actors"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ACTOR_KINDS), name="kind"),
        Index(None, "name_key"),
        Index(None, "affiliation_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_LENGTH))
    kind: Mapped[str] = mapped_column(String(20))
    country_code: Mapped[str | None] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(Text)
    affiliation_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(ORIGIN_LENGTH))

    aliases: Mapped[list[ActorAlias]] = relationship(
        cascade="all, delete-orphan", order_by="ActorAlias.alias"
    )


class ActorAlias(Base):
    """Another spelling of an actor's name (Lukashenko for Lukashenka)."""

    __tablename__ = "actor_aliases"
    __table_args__ = (Index(None, "alias_key"),)

    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(String(NAME_LENGTH), primary_key=True)
    alias_key: Mapped[str] = mapped_column(String(NAME_LENGTH))


class Event(Base):
    """Something a source says happened (or was announced, planned, claimed), with an
    honest date: an interval, its precision, the source's wording and its anchor."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("start_date <= end_date", name="start_before_end"),
        CheckConstraint(_one_of("precision", PRECISIONS), name="precision"),
        CheckConstraint("precision <> 'day' OR start_date = end_date", name="day_is_one_day"),
        CheckConstraint(_one_of("type", EVENT_TYPES), name="type"),
        CheckConstraint(_one_of("modality", MODALITIES), name="modality"),
        # "events by date": the default order is start, end, slug.
        Index(None, "start_date", "end_date", "slug"),
        Index(None, "end_date"),
        Index(None, "span_class", "start_date"),
        Index(None, "type", "start_date"),
        Index(None, "anchor_event_id"),
        Index(None, "anchor_source_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(1000))
    type: Mapped[str] = mapped_column(String(40))
    modality: Mapped[str] = mapped_column(String(20), server_default="occurred")
    summary: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    precision: Mapped[str] = mapped_column(String(10))
    # Stored on PostgreSQL (an index needs it there), virtual on SQLite (its index
    # stores it): the migration chooses per backend.
    span_class: Mapped[int] = mapped_column(
        Integer, Computed(span_class_expression(), persisted=True)
    )
    date_text: Mapped[str | None] = mapped_column(String(1000))
    anchor_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    anchor_source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    origin: Mapped[str] = mapped_column(String(ORIGIN_LENGTH))

    countries: Mapped[list[EventCountry]] = relationship(
        cascade="all, delete-orphan", order_by="EventCountry.country_code"
    )
    aliases: Mapped[list[EventAlias]] = relationship(
        cascade="all, delete-orphan", order_by="EventAlias.alias"
    )


class EventCountry(Base):
    """A country involved in an event (ISO 3166-1 alpha-3)."""

    __tablename__ = "event_countries"
    __table_args__ = (Index(None, "country_code"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    country_code: Mapped[str] = mapped_column(String(3), primary_key=True)


class EventAlias(Base):
    """Another name of an event (Zapad-2025 for West-2025)."""

    __tablename__ = "event_aliases"
    __table_args__ = (Index(None, "alias_key"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(String(NAME_LENGTH), primary_key=True)
    alias_key: Mapped[str] = mapped_column(String(NAME_LENGTH))


class EventActor(Base):
    """An actor's role in an event."""

    __tablename__ = "event_actors"
    __table_args__ = (
        CheckConstraint(_one_of("role", ROLES), name="role"),
        # "events of one actor by date": actor first, the event id as the tie-breaker.
        Index(None, "actor_id", "event_id"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    origin: Mapped[str] = mapped_column(String(ORIGIN_LENGTH))


class Evidence(Base):
    """A source supporting an event, with the verbatim quote and its offsets in the
    source text, in Unicode code points of the text exactly as stored."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(
            "(quote IS NULL AND quote_start IS NULL AND quote_end IS NULL)"
            " OR (quote IS NOT NULL AND quote_start IS NOT NULL AND quote_end IS NOT NULL"
            " AND quote_start >= 0"
            " AND quote_end = quote_start + length(quote))",
            name="quote_offsets",
        ),
        Index(None, "event_id", "source_id"),
        Index(None, "source_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    quote: Mapped[str | None] = mapped_column(Text)
    quote_start: Mapped[int | None] = mapped_column(Integer)
    quote_end: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(ORIGIN_LENGTH))


class EventRelation(Base):
    """A typed, directed link: subject `kind` object (the relief in_response_to the release)."""

    __tablename__ = "event_relations"
    __table_args__ = (
        CheckConstraint(_one_of("kind", RELATION_KINDS), name="kind"),
        CheckConstraint("subject_event_id <> object_event_id", name="not_self"),
        Index(None, "object_event_id"),
    )

    subject_event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    object_event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    origin: Mapped[str] = mapped_column(String(ORIGIN_LENGTH))
