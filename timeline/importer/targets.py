"""Where staged rows go: each parent table (sources, actors, events) with the columns an
upsert compares and the slugs it resolves, and each table of rows that belong to a
parent (aliases, countries, citations, roles, evidence, relations) with how its staged
rows become real ones. The merge is written once over these declarations."""

from __future__ import annotations

from dataclasses import dataclass

from timeline.vocab import ATTRIBUTES


@dataclass(frozen=True)
class Parent:
    table: str
    kind: str
    columns: tuple[str, ...]  # besides slug, as staged under the same names
    refs: tuple[tuple[str, str, str], ...] = ()  # (column, staged slug column, table)


SOURCES = Parent(
    "sources",
    "source",
    ("name", "kind", "publisher", "url", "title", "published_on", "language", "text"),
)
ACTORS = Parent(
    "actors",
    "actor",
    ("name", "name_key", "kind", "country_code", "description"),
    (("affiliation_id", "affiliation", "actors"),),
)
EVENTS = Parent(
    "events",
    "event",
    (
        "title",
        "type",
        "modality",
        "summary",
        "place",
        "start_date",
        "end_date",
        "precision",
        "date_text",
        "latitude",
        "longitude",
        *ATTRIBUTES,
    ),
    (
        ("anchor_event_id", "anchor_event", "events"),
        ("anchor_source_id", "anchor_source", "sources"),
    ),
)


@dataclass(frozen=True)
class Link:
    """Rows that belong to a parent record: its aliases, countries, citations, roles,
    evidence, relations. `values` are over the staged row `c` and the `joins`, which
    resolve slugs (an unknown slug drops out of the inner join)."""

    table: str
    staged: str
    parent: Parent
    fk: str
    columns: tuple[str, ...]
    values: tuple[str, ...]
    key: tuple[str, ...]  # the columns (after fk) that identify a row
    joins: str = ""
    where: str = "1 = 1"
    origin: bool = True
    ref: tuple[str, str, str, str] | None = None  # staged column, table, field, kind


LINKS = (
    Link(
        "source_citations",
        "st_citations",
        SOURCES,
        "citing_source_id",
        ("cited_source_id",),
        ("r.id",),
        ("cited_source_id",),
        joins="JOIN sources r ON r.slug = c.cited",
        ref=("cited", "sources", "cites", "source"),
    ),
    Link(
        "actor_aliases",
        "st_actor_aliases",
        ACTORS,
        "actor_id",
        ("alias", "alias_key"),
        ("c.alias", "c.alias_key"),
        ("alias",),
        origin=False,
    ),
    Link(
        "event_countries",
        "st_event_countries",
        EVENTS,
        "event_id",
        ("country_code",),
        ("c.country_code",),
        ("country_code",),
        origin=False,
    ),
    Link(
        "event_flags",
        "st_event_flags",
        EVENTS,
        "event_id",
        ("flag",),
        ("c.flag",),
        ("flag",),
        origin=False,
    ),
    Link(
        "event_aliases",
        "st_event_aliases",
        EVENTS,
        "event_id",
        ("alias", "alias_key"),
        ("c.alias", "c.alias_key"),
        ("alias",),
        origin=False,
    ),
    Link(
        "event_actors",
        "st_event_actors",
        EVENTS,
        "event_id",
        ("actor_id", "role"),
        ("r.id", "c.role"),
        ("actor_id", "role"),
        joins="JOIN actors r ON r.slug = c.actor",
        ref=("actor", "actors", "actors", "actor"),
    ),
    Link(
        "evidence",
        "st_evidence",
        EVENTS,
        "event_id",
        ("source_id", "quote", "quote_start", "quote_end"),
        ("r.id", "c.quote", "c.quote_start", "c.quote_end"),
        ("source_id", "quote", "quote_start"),
        joins="JOIN sources r ON r.slug = c.source",
        where="(c.quote IS NULL"
        " OR substr(r.text, c.quote_start + 1, c.quote_end - c.quote_start) = c.quote)",
        ref=("source", "sources", "sources", "source"),
    ),
    Link(
        "event_relations",
        "st_relations",
        EVENTS,
        "subject_event_id",
        ("kind", "object_event_id"),
        ("c.kind", "r.id"),
        ("kind", "object_event_id"),
        joins="JOIN events r ON r.slug = c.other",
        where="c.incoming = 0",
        ref=("other", "events", "relations", "event"),
    ),
)
NULLABLE_KEYS = {"quote", "quote_start"}
