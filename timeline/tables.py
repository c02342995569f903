"""The schema as SQLAlchemy Core tables: columns, keys, constraints and indexes.

One definition serves everything: the ORM models map onto these tables, the read path
queries them without importing the ORM (whose import costs more than a small
command's query), and `migrations/env.py` compares them with the migrations (a test
runs Alembic's autogenerate on both backends and expects no difference). The calendar
checks on `events.precision` (a week starts on Monday, a month is a whole month…)
need date functions that differ per backend, so they live in the migration only and
are tested directly.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement

from timeline.vocab import (
    ACTOR_KINDS,
    EVENT_TYPES,
    FLAGS,
    LANGUAGE_LENGTH,
    MODALITIES,
    NAME_LENGTH,
    ORIGIN_LENGTH,
    PRECISIONS,
    RELATION_KINDS,
    ROLES,
    SLUG_LENGTH,
    SOURCE_KINDS,
    SPAN_CLASSES,
    TITLE_LENGTH,
    URL_LENGTH,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING_CONVENTION)


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


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _slug() -> Column[str]:
    return Column("slug", String(SLUG_LENGTH), nullable=False, unique=True)


def _origin() -> Column[str]:
    """Where the row came from (a seed file, an import), so a reload knows what it owns."""
    return Column("origin", String(ORIGIN_LENGTH), nullable=False)


def _link(name: str, table: str, *, ondelete: str = "CASCADE") -> Column[int]:
    return Column(name, ForeignKey(f"{table}.id", ondelete=ondelete), primary_key=True)


sources = Table(
    "sources",
    metadata,
    _id(),
    _slug(),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("publisher", String(NAME_LENGTH)),
    Column("url", String(URL_LENGTH)),
    Column("title", String(TITLE_LENGTH)),
    Column("published_on", Date),
    Column("language", String(LANGUAGE_LENGTH)),
    Column("text", Text),
    _origin(),
    CheckConstraint(_one_of("kind", SOURCE_KINDS), name="kind"),
)

source_citations = Table(
    "source_citations",
    metadata,
    _link("citing_source_id", "sources"),
    _link("cited_source_id", "sources"),
    _origin(),
    CheckConstraint("citing_source_id <> cited_source_id", name="not_self"),
    Index(None, "cited_source_id"),
)

actors = Table(
    "actors",
    metadata,
    _id(),
    _slug(),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("name_key", String(NAME_LENGTH), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("country_code", String(3)),
    Column("description", Text),
    Column("affiliation_id", ForeignKey("actors.id", ondelete="SET NULL")),
    _origin(),
    CheckConstraint(_one_of("kind", ACTOR_KINDS), name="kind"),
    Index(None, "name_key"),
    Index(None, "affiliation_id"),
)

actor_aliases = Table(
    "actor_aliases",
    metadata,
    _link("actor_id", "actors"),
    Column("alias", String(NAME_LENGTH), primary_key=True),
    Column("alias_key", String(NAME_LENGTH), nullable=False),
    Index(None, "alias_key"),
)

events = Table(
    "events",
    metadata,
    _id(),
    _slug(),
    Column("title", String(TITLE_LENGTH), nullable=False),
    Column("type", String(40), nullable=False),
    Column("modality", String(20), nullable=False, server_default="occurred"),
    Column("summary", Text),
    Column("place", String(NAME_LENGTH)),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("precision", String(10), nullable=False),
    # Stored on PostgreSQL (an index needs it there), virtual on SQLite (its index
    # stores it): the migration chooses per backend.
    Column(
        "span_class", Integer, Computed(span_class_expression(), persisted=True), nullable=False
    ),
    Column("date_text", String(TITLE_LENGTH)),
    Column("anchor_event_id", ForeignKey("events.id")),
    Column("anchor_source_id", ForeignKey("sources.id")),
    _origin(),
    # Imported data (migration 0003): coordinates, and source-specific attributes as
    # typed columns, which read alike in SQL on both backends (JSON does not).
    Column("latitude", Double),
    Column("longitude", Double),
    Column("cameo_code", String(4)),
    Column("cameo_base_code", String(4)),
    Column("cameo_root_code", String(2)),
    Column("quad_class", SmallInteger),
    Column("goldstein_scale", Double),
    Column("num_mentions", Integer),
    Column("num_sources", Integer),
    Column("num_articles", Integer),
    Column("avg_tone", Double),
    Column("is_root_event", Boolean),
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

event_countries = Table(
    "event_countries",
    metadata,
    _link("event_id", "events"),
    Column("country_code", String(3), primary_key=True),
    Index(None, "country_code"),
)

event_aliases = Table(
    "event_aliases",
    metadata,
    _link("event_id", "events"),
    Column("alias", String(NAME_LENGTH), primary_key=True),
    Column("alias_key", String(NAME_LENGTH), nullable=False),
    Index(None, "alias_key"),
)

event_actors = Table(
    "event_actors",
    metadata,
    _link("event_id", "events"),
    _link("actor_id", "actors"),
    Column("role", String(20), primary_key=True),
    _origin(),
    CheckConstraint(_one_of("role", ROLES), name="role"),
    # "events of one actor by date": actor first, the event id as the tie-breaker.
    Index(None, "actor_id", "event_id"),
)

evidence = Table(
    "evidence",
    metadata,
    _id(),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("quote", Text),
    Column("quote_start", Integer),
    Column("quote_end", Integer),
    _origin(),
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

event_relations = Table(
    "event_relations",
    metadata,
    _link("subject_event_id", "events"),
    Column("kind", String(20), primary_key=True),
    _link("object_event_id", "events"),
    _origin(),
    CheckConstraint(_one_of("kind", RELATION_KINDS), name="kind"),
    CheckConstraint("subject_event_id <> object_event_id", name="not_self"),
    Index(None, "object_event_id"),
)

event_flags = Table(
    "event_flags",
    metadata,
    _link("event_id", "events"),
    Column("flag", String(40), primary_key=True),
    CheckConstraint(_one_of("flag", FLAGS), name="flag"),
    Index(None, "flag"),
)
