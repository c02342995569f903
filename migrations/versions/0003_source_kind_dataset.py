"""sources.kind may be `dataset`: an imported file (a TimelineJS sheet) is the source
its events cite.

SQLite cannot change a CHECK constraint in place: the table is rebuilt (batch mode),
with the view that reads it dropped first and put back from its own stored text.
A downgrade removes what this revision allowed: the `dataset` sources and the
evidence that cites them (foreign keys are off while migrating: deleted explicitly).

Revision ID: 0003_source_kind_dataset
Revises: 0002_event_span_class
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_source_kind_dataset"
down_revision: str | None = "0002_event_span_class"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("article", "agency_report", "statement", "video", "interview")
AFTER = (*BEFORE, "dataset")


def _kinds(kinds: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def _set_kinds(kinds: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_sources_kind"), "sources", type_="check")
        op.create_check_constraint(op.f("ck_sources_kind"), "sources", _kinds(kinds))
        return
    view = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'events_flat'"
    ).scalar_one()
    op.execute("DROP VIEW events_flat")
    with op.batch_alter_table("sources", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_sources_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_sources_kind"), _kinds(kinds))
    op.execute(view)


def upgrade() -> None:
    _set_kinds(AFTER)


def downgrade() -> None:
    dataset = "SELECT id FROM sources WHERE kind = 'dataset'"
    op.execute(f"DELETE FROM evidence WHERE source_id IN ({dataset})")
    op.execute(
        f"DELETE FROM source_citations WHERE citing_source_id IN ({dataset})"
        f" OR cited_source_id IN ({dataset})"
    )
    op.execute(f"UPDATE events SET anchor_source_id = NULL WHERE anchor_source_id IN ({dataset})")
    op.execute("DELETE FROM sources WHERE kind = 'dataset'")
    _set_kinds(BEFORE)
