"""The initial schema: sources, actors, events, their links, and the flattened view.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRECISIONS = ("day", "week", "month", "year", "range")
MODALITIES = ("occurred", "announced", "planned", "claimed")
EVENT_TYPES = (
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
ACTOR_KINDS = ("person", "state", "organization", "military", "group")
ROLES = (
    "initiator",
    "target",
    "participant",
    "host",
    "observer",
    "speaker",
    "recipient",
    "mediator",
    "subject",
)
SOURCE_KINDS = ("article", "agency_report", "statement", "video", "interview")
RELATION_KINDS = ("in_response_to", "follows", "part_of", "context_for")

# A precision must match its interval: a week runs Monday to Sunday, a month and a
# year are whole calendar units. Date arithmetic differs per backend.
CALENDAR_CHECK = {
    "sqlite": (
        "precision IN ('day', 'range')"
        " OR (precision = 'week' AND strftime('%w', start_date) = '1'"
        " AND end_date = date(start_date, '+6 days'))"
        " OR (precision = 'month' AND strftime('%d', start_date) = '01'"
        " AND end_date = date(start_date, '+1 month', '-1 day'))"
        " OR (precision = 'year' AND strftime('%m-%d', start_date) = '01-01'"
        " AND end_date = date(start_date, '+1 year', '-1 day'))"
    ),
    "postgresql": (
        "precision IN ('day', 'range')"
        " OR (precision = 'week' AND extract(isodow FROM start_date) = 1"
        " AND end_date = start_date + 6)"
        " OR (precision = 'month' AND extract(day FROM start_date) = 1"
        " AND end_date = CAST(start_date + interval '1 month' - interval '1 day' AS date))"
        " OR (precision = 'year' AND extract(doy FROM start_date) = 1"
        " AND end_date = CAST(start_date + interval '1 year' - interval '1 day' AS date))"
    ),
}

# One row per event; actors as `slug:role` and sources as slugs, each sorted
# byte-wise and joined with '; '. SQLite before 3.44 has no ORDER BY inside
# group_concat, so it aggregates an ordered subquery.
FLAT_VIEW = {
    "sqlite": """
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
""",
    "postgresql": """
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
""",
}


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def origin() -> sa.Column[str]:
    return sa.Column("origin", sa.String(300), nullable=False)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("publisher", sa.String(300), nullable=True),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("title", sa.String(1000), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        origin(),
        sa.CheckConstraint(one_of("kind", SOURCE_KINDS), name=op.f("ck_sources_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("slug", name=op.f("uq_sources_slug")),
    )
    op.create_table(
        "source_citations",
        sa.Column("citing_source_id", sa.Integer(), nullable=False),
        sa.Column("cited_source_id", sa.Integer(), nullable=False),
        origin(),
        sa.CheckConstraint(
            "citing_source_id <> cited_source_id", name=op.f("ck_source_citations_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["citing_source_id"],
            ["sources.id"],
            name=op.f("fk_source_citations_citing_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cited_source_id"],
            ["sources.id"],
            name=op.f("fk_source_citations_cited_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "citing_source_id", "cited_source_id", name=op.f("pk_source_citations")
        ),
    )
    op.create_index(
        op.f("ix_source_citations_cited_source_id"), "source_citations", ["cited_source_id"]
    )

    op.create_table(
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("country_code", sa.String(3), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("affiliation_id", sa.Integer(), nullable=True),
        origin(),
        sa.CheckConstraint(one_of("kind", ACTOR_KINDS), name=op.f("ck_actors_kind")),
        sa.ForeignKeyConstraint(
            ["affiliation_id"],
            ["actors.id"],
            name=op.f("fk_actors_affiliation_id_actors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("slug", name=op.f("uq_actors_slug")),
    )
    op.create_index(op.f("ix_actors_name_key"), "actors", ["name_key"])
    op.create_index(op.f("ix_actors_affiliation_id"), "actors", ["affiliation_id"])
    op.create_table(
        "actor_aliases",
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(300), nullable=False),
        sa.Column("alias_key", sa.String(300), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_aliases_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("actor_id", "alias", name=op.f("pk_actor_aliases")),
    )
    op.create_index(op.f("ix_actor_aliases_alias_key"), "actor_aliases", ["alias_key"])

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("modality", sa.String(20), server_default="occurred", nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("place", sa.String(300), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("precision", sa.String(10), nullable=False),
        sa.Column("date_text", sa.String(1000), nullable=True),
        sa.Column("anchor_event_id", sa.Integer(), nullable=True),
        sa.Column("anchor_source_id", sa.Integer(), nullable=True),
        origin(),
        sa.CheckConstraint("start_date <= end_date", name=op.f("ck_events_start_before_end")),
        sa.CheckConstraint(one_of("precision", PRECISIONS), name=op.f("ck_events_precision")),
        sa.CheckConstraint(
            "precision <> 'day' OR start_date = end_date", name=op.f("ck_events_day_is_one_day")
        ),
        sa.CheckConstraint(CALENDAR_CHECK[dialect], name=op.f("ck_events_precision_calendar")),
        sa.CheckConstraint(one_of("type", EVENT_TYPES), name=op.f("ck_events_type")),
        sa.CheckConstraint(one_of("modality", MODALITIES), name=op.f("ck_events_modality")),
        sa.ForeignKeyConstraint(
            ["anchor_event_id"], ["events.id"], name=op.f("fk_events_anchor_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["anchor_source_id"], ["sources.id"], name=op.f("fk_events_anchor_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_events_slug")),
    )
    op.create_index(
        op.f("ix_events_start_date_end_date_slug"), "events", ["start_date", "end_date", "slug"]
    )
    op.create_index(op.f("ix_events_end_date"), "events", ["end_date"])
    op.create_index(op.f("ix_events_type_start_date"), "events", ["type", "start_date"])
    op.create_index(op.f("ix_events_anchor_event_id"), "events", ["anchor_event_id"])
    op.create_index(op.f("ix_events_anchor_source_id"), "events", ["anchor_source_id"])

    op.create_table(
        "event_countries",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(3), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_countries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "country_code", name=op.f("pk_event_countries")),
    )
    op.create_index(op.f("ix_event_countries_country_code"), "event_countries", ["country_code"])
    op.create_table(
        "event_aliases",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(300), nullable=False),
        sa.Column("alias_key", sa.String(300), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_aliases_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "alias", name=op.f("pk_event_aliases")),
    )
    op.create_index(op.f("ix_event_aliases_alias_key"), "event_aliases", ["alias_key"])
    op.create_table(
        "event_actors",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        origin(),
        sa.CheckConstraint(one_of("role", ROLES), name=op.f("ck_event_actors_role")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_actors_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_event_actors_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "actor_id", "role", name=op.f("pk_event_actors")),
    )
    op.create_index(
        op.f("ix_event_actors_actor_id_event_id"), "event_actors", ["actor_id", "event_id"]
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("quote_start", sa.Integer(), nullable=True),
        sa.Column("quote_end", sa.Integer(), nullable=True),
        origin(),
        sa.CheckConstraint(
            "(quote IS NULL AND quote_start IS NULL AND quote_end IS NULL)"
            " OR (quote IS NOT NULL AND quote_start IS NOT NULL AND quote_end IS NOT NULL"
            " AND quote_start >= 0"
            " AND quote_end = quote_start + length(quote))",
            name=op.f("ck_evidence_quote_offsets"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_evidence_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_evidence_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    op.create_index(op.f("ix_evidence_event_id_source_id"), "evidence", ["event_id", "source_id"])
    op.create_index(op.f("ix_evidence_source_id"), "evidence", ["source_id"])
    op.create_table(
        "event_relations",
        sa.Column("subject_event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("object_event_id", sa.Integer(), nullable=False),
        origin(),
        sa.CheckConstraint(one_of("kind", RELATION_KINDS), name=op.f("ck_event_relations_kind")),
        sa.CheckConstraint(
            "subject_event_id <> object_event_id", name=op.f("ck_event_relations_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["subject_event_id"],
            ["events.id"],
            name=op.f("fk_event_relations_subject_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["object_event_id"],
            ["events.id"],
            name=op.f("fk_event_relations_object_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "subject_event_id", "kind", "object_event_id", name=op.f("pk_event_relations")
        ),
    )
    op.create_index(
        op.f("ix_event_relations_object_event_id"), "event_relations", ["object_event_id"]
    )
    op.execute(FLAT_VIEW[dialect])


def downgrade() -> None:
    op.execute("DROP VIEW events_flat")
    for table in (
        "event_relations",
        "evidence",
        "event_actors",
        "event_aliases",
        "event_countries",
        "events",
        "actor_aliases",
        "actors",
        "source_citations",
        "sources",
    ):
        op.drop_table(table)
