"""events.span_class: a date window reads one bounded index range per span class.

An event of span class k has end_date - start_date < 4**k days, so an event that
overlaps a window starting on day F starts on or after F - (4**k - 1). Without it, the only
bound on an overlap is the window's end: a window in the middle of ten years read
every event that starts before it.

Revision ID: 0002_event_span_class
Revises: 0001_initial
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_event_span_class"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SPAN_CLASSES = 12
# The span in days; SQLite keeps dates as ISO text.
DAYS = {
    "sqlite": "julianday(end_date) - julianday(start_date)",
    "postgresql": "end_date - start_date",
}


def span_class(days: str) -> str:
    steps = " ".join(f"WHEN {days} < {4**k} THEN {k}" for k in range(SPAN_CLASSES - 1))
    return f"CASE {steps} ELSE {SPAN_CLASSES - 1} END"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # SQLite can add only a VIRTUAL generated column (its index stores the value).
    # PostgreSQL can index only a STORED one: adding it rewrites the table (about 25 s
    # for a million events), then ANALYZE gives the planner the new column's statistics.
    computed = sa.Computed(span_class(DAYS[dialect]), persisted=dialect == "postgresql")
    op.add_column("events", sa.Column("span_class", sa.Integer(), computed, nullable=False))
    op.create_index(op.f("ix_events_span_class_start_date"), "events", ["span_class", "start_date"])
    if dialect == "postgresql":
        op.execute("ANALYZE events")


def downgrade() -> None:
    op.drop_index(op.f("ix_events_span_class_start_date"), table_name="events")
    # SQLite 3.35+ drops a column in place (a batch rebuild would break events_flat).
    op.drop_column("events", "span_class")
