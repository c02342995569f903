"""The ORM classes, typed, mapped onto the Core tables of `timeline.tables` (which hold
the columns, constraints and indexes). The seed loader writes through them; the read
path and the importer use the tables directly. No sessions here."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from timeline import tables


class Base(DeclarativeBase):
    metadata = tables.metadata


class Source(Base):
    """A document that supports events: an article, a report, a statement, a video."""

    __table__ = tables.sources

    id: Mapped[int]
    slug: Mapped[str]
    name: Mapped[str]
    kind: Mapped[str]
    publisher: Mapped[str | None]
    url: Mapped[str | None]
    title: Mapped[str | None]
    published_on: Mapped[date | None]
    language: Mapped[str | None]
    text: Mapped[str | None]
    origin: Mapped[str]

    cites: Mapped[list[SourceCitation]] = relationship(
        foreign_keys="SourceCitation.citing_source_id", cascade="all, delete-orphan"
    )


class SourceCitation(Base):
    """Source A cites source B (UNN cites Reuters)."""

    __table__ = tables.source_citations

    citing_source_id: Mapped[int]
    cited_source_id: Mapped[int]
    origin: Mapped[str]


class Actor(Base):
    """A person, state, organisation, military unit or group."""

    __table__ = tables.actors

    id: Mapped[int]
    slug: Mapped[str]
    name: Mapped[str]
    name_key: Mapped[str]
    kind: Mapped[str]
    country_code: Mapped[str | None]
    description: Mapped[str | None]
    affiliation_id: Mapped[int | None]
    origin: Mapped[str]

    aliases: Mapped[list[ActorAlias]] = relationship(
        cascade="all, delete-orphan", order_by="ActorAlias.alias"
    )


class ActorAlias(Base):
    """Another spelling of an actor's name (Lukashenko for Lukashenka)."""

    __table__ = tables.actor_aliases

    actor_id: Mapped[int]
    alias: Mapped[str]
    alias_key: Mapped[str]


class Event(Base):
    """Something a source says happened (or was announced, planned, claimed), with an
    honest date: an interval, its precision, the source's wording and its anchor."""

    __table__ = tables.events

    id: Mapped[int]
    slug: Mapped[str]
    title: Mapped[str]
    type: Mapped[str]
    modality: Mapped[str]
    summary: Mapped[str | None]
    place: Mapped[str | None]
    start_date: Mapped[date]
    end_date: Mapped[date]
    precision: Mapped[str]
    span_class: Mapped[int]
    date_text: Mapped[str | None]
    anchor_event_id: Mapped[int | None]
    anchor_source_id: Mapped[int | None]
    origin: Mapped[str]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    cameo_code: Mapped[str | None]
    cameo_base_code: Mapped[str | None]
    cameo_root_code: Mapped[str | None]
    quad_class: Mapped[int | None]
    goldstein_scale: Mapped[float | None]
    num_mentions: Mapped[int | None]
    num_sources: Mapped[int | None]
    num_articles: Mapped[int | None]
    avg_tone: Mapped[float | None]
    is_root_event: Mapped[bool | None]

    countries: Mapped[list[EventCountry]] = relationship(
        cascade="all, delete-orphan", order_by="EventCountry.country_code"
    )
    aliases: Mapped[list[EventAlias]] = relationship(
        cascade="all, delete-orphan", order_by="EventAlias.alias"
    )


class EventCountry(Base):
    """A country involved in an event (ISO 3166-1 alpha-3)."""

    __table__ = tables.event_countries

    event_id: Mapped[int]
    country_code: Mapped[str]


class EventFlag(Base):
    """A documented mark on an imported event (`date_year_before_report`)."""

    __table__ = tables.event_flags

    event_id: Mapped[int]
    flag: Mapped[str]


class EventAlias(Base):
    """Another name of an event (Zapad-2025 for West-2025)."""

    __table__ = tables.event_aliases

    event_id: Mapped[int]
    alias: Mapped[str]
    alias_key: Mapped[str]


class EventActor(Base):
    """An actor's role in an event."""

    __table__ = tables.event_actors

    event_id: Mapped[int]
    actor_id: Mapped[int]
    role: Mapped[str]
    origin: Mapped[str]


class Evidence(Base):
    """A source supporting an event, with the verbatim quote and its offsets in the
    source text, in Unicode code points of the text exactly as stored."""

    __table__ = tables.evidence

    id: Mapped[int]
    event_id: Mapped[int]
    source_id: Mapped[int]
    quote: Mapped[str | None]
    quote_start: Mapped[int | None]
    quote_end: Mapped[int | None]
    origin: Mapped[str]


class EventRelation(Base):
    """A typed, directed link: subject `kind` object (the relief in_response_to the release)."""

    __table__ = tables.event_relations

    subject_event_id: Mapped[int]
    kind: Mapped[str]
    object_event_id: Mapped[int]
    origin: Mapped[str]
