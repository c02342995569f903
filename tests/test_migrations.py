"""Migrations are the only schema source: they run up and down on both backends, agree
with the models, and the package knows their head without importing Alembic."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String, create_engine, inspect
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from timeline import migrate
from timeline.db import SCHEMA_REVISION
from timeline.models import FLAT_VIEW, Base

TABLES = {
    "sources",
    "source_citations",
    "actors",
    "actor_aliases",
    "events",
    "event_countries",
    "event_aliases",
    "event_actors",
    "evidence",
    "event_relations",
}


def schema_of(url: URL) -> tuple[set[str], set[str]]:
    engine = create_engine(url, poolclass=NullPool)
    inspector = inspect(engine)
    tables, views = set(inspector.get_table_names()), set(inspector.get_view_names())
    engine.dispose()
    return tables - {"alembic_version"}, views


def differences(url: URL, metadata: MetaData = Base.metadata) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return list(diff)


def test_head_revision_constant_matches_the_migrations() -> None:
    assert migrate.head_revision() == SCHEMA_REVISION


def test_empty_to_head_to_base_to_head(empty_url: URL) -> None:
    migrate.upgrade(empty_url)
    assert schema_of(empty_url) == (TABLES, {FLAT_VIEW})
    assert migrate.current(empty_url) == SCHEMA_REVISION

    migrate.downgrade(empty_url, "base")
    assert schema_of(empty_url) == (set(), set())
    assert migrate.current(empty_url) is None

    migrate.upgrade(empty_url)
    assert schema_of(empty_url) == (TABLES, {FLAT_VIEW})
    assert migrate.current(empty_url) == SCHEMA_REVISION


def test_models_and_migrations_agree(db_url: URL) -> None:
    assert differences(db_url) == []


def test_autogenerate_would_notice_a_drift(db_url: URL) -> None:
    """The comparison above can fail: a column the migrations lack is reported."""
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["events"].append_column(Column("extra_note", String(10)))
    assert any("extra_note" in str(item) for item in differences(db_url, drifted))
