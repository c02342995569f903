"""Imported event data: coordinates, flags and source-specific attributes.

- `events.latitude`, `events.longitude`: nullable numbers (double precision).
- `event_flags (event_id, flag)`: documented strings such as
  `date_year_before_report`, one row per flag, indexed by flag.
- Source-specific attributes as typed, nullable columns of `events` (GDELT's CAMEO
  codes as strings, `quad_class`, `goldstein_scale`, mention counts, `avg_tone`,
  `is_root_event`), not JSON: JSON is queried with different functions and operators
  on SQLite and PostgreSQL, while plain columns read, compare and index alike on both.
- The event types of the CAMEO root codes (`timeline.vocab.EVENT_TYPES`).
- `events_flat` gains `latitude`, `longitude` and `flags`.

Revision ID: 0004_imported_event_data
Revises: 0003_source_kind_dataset
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_imported_event_data"
down_revision: str | None = "0003_source_kind_dataset"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_TYPES = (
    "military_exercise",
    "airspace_incident",
    "troop_deployment",
    "diplomatic_visit",
    "diplomatic_relations",
    "meeting",
    "statement",
    "letter",
    "media_release",
    "observation",
    "prisoner_release",
    "sanctions_change",
    "agreement",
    "attack",
    "protest",
    "other",
)
NEW_TYPES = (
    "appeal",
    "cooperation",
    "aid",
    "concession",
    "investigation",
    "demand",
    "criticism",
    "rejection",
    "threat",
    "force_posture",
    "reduced_relations",
    "coercion",
    "fight",
    "mass_violence",
)
FLAGS = ("date_year_before_report", "date_month_before_report")
ATTRIBUTES = (
    ("cameo_code", sa.String(4)),
    ("cameo_base_code", sa.String(4)),
    ("cameo_root_code", sa.String(2)),
    ("quad_class", sa.SmallInteger()),
    ("goldstein_scale", sa.Double()),
    ("num_mentions", sa.Integer()),
    ("num_sources", sa.Integer()),
    ("num_articles", sa.Integer()),
    ("avg_tone", sa.Double()),
    ("is_root_event", sa.Boolean()),
)


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# The view of 0001, and the same with coordinates and flags at the end.
_SQLITE_VIEW = """
CREATE VIEW events_flat AS
SELECT e.slug, e.title, e.type, e.modality, e.start_date, e.end_date, e.precision,
       e.date_text, e.place,
       (SELECT group_concat(country_code, '; ') FROM (SELECT country_code FROM event_countries
         WHERE event_id = e.id ORDER BY country_code)) AS countries,
       (SELECT group_concat(alias, '; ') FROM (SELECT alias FROM event_aliases
         WHERE event_id = e.id ORDER BY alias)) AS aliases,
       (SELECT group_concat(item, '; ') FROM (SELECT a.slug || ':' || ea.role AS item
         FROM event_actors ea JOIN actors a ON a.id = ea.actor_id
         WHERE ea.event_id = e.id ORDER BY item)) AS actors,
       (SELECT group_concat(slug, '; ') FROM (SELECT DISTINCT s.slug FROM evidence ev
         JOIN sources s ON s.id = ev.source_id WHERE ev.event_id = e.id ORDER BY s.slug))
         AS sources,
       (SELECT count(*) FROM evidence ev WHERE ev.event_id = e.id) AS evidence_count,
       e.summary
FROM events e
"""
_POSTGRESQL_VIEW = """
CREATE VIEW events_flat AS
SELECT e.slug, e.title, e.type, e.modality, e.start_date, e.end_date, e.precision,
       e.date_text, e.place,
       (SELECT string_agg(country_code, '; ' ORDER BY country_code COLLATE "C")
         FROM event_countries WHERE event_id = e.id) AS countries,
       (SELECT string_agg(alias, '; ' ORDER BY alias COLLATE "C")
         FROM event_aliases WHERE event_id = e.id) AS aliases,
       (SELECT string_agg(a.slug || ':' || ea.role, '; '
                          ORDER BY (a.slug || ':' || ea.role) COLLATE "C")
         FROM event_actors ea JOIN actors a ON a.id = ea.actor_id
         WHERE ea.event_id = e.id) AS actors,
       (SELECT string_agg(slug, '; ' ORDER BY slug COLLATE "C") FROM (SELECT DISTINCT s.slug
         FROM evidence ev JOIN sources s ON s.id = ev.source_id WHERE ev.event_id = e.id) d)
         AS sources,
       (SELECT count(*) FROM evidence ev WHERE ev.event_id = e.id) AS evidence_count,
       e.summary
FROM events e
"""
OLD_VIEW = {"sqlite": _SQLITE_VIEW, "postgresql": _POSTGRESQL_VIEW}
_END = "       e.summary\nFROM events e\n"
_FLAGS = {
    "sqlite": "(SELECT group_concat(flag, '; ') FROM (SELECT flag FROM event_flags"
    " WHERE event_id = e.id ORDER BY flag))",
    "postgresql": "(SELECT string_agg(flag, '; ' ORDER BY flag COLLATE \"C\")"
    " FROM event_flags WHERE event_id = e.id)",
}
NEW_VIEW = {
    name: view.replace(
        _END,
        f"       e.summary, e.latitude, e.longitude,\n       {_FLAGS[name]} AS flags\n"
        "FROM events e\n",
    )
    for name, view in OLD_VIEW.items()
}


def _type_check(dialect: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Widen or narrow `ck_events_type`. SQLite cannot alter a constraint, and a batch
    rebuild of `events` would lose its generated column; since the rows satisfy both
    lists, the constraint's text is edited in the schema, as SQLite's documentation
    describes for changes that leave the stored format alone. The same edit keeps the
    VIRTUAL `span_class` (which is not stored) the last column, where SQLAlchemy's
    reflection, and so the migrations test, reads its expression right."""
    if dialect == "postgresql":
        op.drop_constraint(op.f("ck_events_type"), "events", type_="check")
        op.create_check_constraint(op.f("ck_events_type"), "events", one_of("type", new))
        return
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'"
    ).scalar_one()
    before, after = one_of("type", old), one_of("type", new)
    start = sql.find(", span_class INTEGER")
    end = sql.find(" VIRTUAL", start) + len(" VIRTUAL")
    last = "is_root_event BOOLEAN"
    if sql.count(before) != 1 or start < 0 or end < start:
        raise RuntimeError("events: the table is not the one this migration expects")
    span = sql[start:end]
    sql = (sql[:start] + sql[end:]).replace(before, after)
    if last in sql:  # upgrade: after the new columns; downgrade: they are gone already
        sql = sql.replace(last, last + span, 1)
    else:
        sql = sql.replace("origin VARCHAR(300) NOT NULL", "origin VARCHAR(300) NOT NULL" + span, 1)
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'events'", (sql,)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP VIEW events_flat")
    op.add_column("events", sa.Column("latitude", sa.Double()))
    op.add_column("events", sa.Column("longitude", sa.Double()))
    for name, type_ in ATTRIBUTES:
        op.add_column("events", sa.Column(name, type_))
    _type_check(dialect, OLD_TYPES, OLD_TYPES + NEW_TYPES)
    op.create_table(
        "event_flags",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(40), nullable=False),
        sa.CheckConstraint(one_of("flag", FLAGS), name=op.f("ck_event_flags_flag")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_flags_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "flag", name=op.f("pk_event_flags")),
    )
    op.create_index(op.f("ix_event_flags_flag"), "event_flags", ["flag"])
    op.execute(NEW_VIEW[dialect])


def downgrade() -> None:
    """Events of the new types become `other` (the old list has no place for them);
    coordinates, flags and attributes are dropped."""
    dialect = op.get_bind().dialect.name
    op.execute("DROP VIEW events_flat")
    op.drop_index(op.f("ix_event_flags_flag"), table_name="event_flags")
    op.drop_table("event_flags")
    op.execute(f"UPDATE events SET type = 'other' WHERE {one_of('type', NEW_TYPES)}")
    for name, _ in reversed(ATTRIBUTES):
        op.drop_column("events", name)
    op.drop_column("events", "longitude")
    op.drop_column("events", "latitude")
    _type_check(dialect, OLD_TYPES + NEW_TYPES, OLD_TYPES)
    op.execute(OLD_VIEW[dialect])
