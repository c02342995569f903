"""Migrations are the only schema source: they run up and down on both backends, agree
with the models, and the package knows their head without importing Alembic."""

from __future__ import annotations

import gc
import warnings

import pytest
from sqlalchemy import Column, MetaData, String, create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from timeline import migrate
from timeline.db import SCHEMA_REVISION
from timeline.models import Base
from timeline.vocab import FLAT_VIEW

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
    "event_flags",
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


@pytest.fixture
def no_garbage_of_earlier_tests() -> None:
    """Collect what earlier tests left to the garbage collector before warnings become
    errors: a test's own engine that it did not dispose of would otherwise warn in
    whichever test is running when the collector frees it (timeline itself disposes of
    every engine it makes, `open_database` included when it refuses a database)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.mark.read_only
@pytest.mark.filterwarnings("error")  # Alembic only warns when a generated column differs
@pytest.mark.usefixtures("no_garbage_of_earlier_tests")
def test_models_and_migrations_agree(db_url: URL) -> None:
    assert differences(db_url) == []


@pytest.mark.read_only
def test_autogenerate_would_notice_a_drift(db_url: URL) -> None:
    """The comparison above can fail: a column the migrations lack is reported."""
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["events"].append_column(Column("extra_note", String(10)))
    assert any("extra_note" in str(item) for item in differences(db_url, drifted))


def test_upgrading_a_filled_0001_database_classifies_its_events(empty_url: URL) -> None:
    """A database made by the first release keeps its rows through 0002, whose
    generated span_class is computed for them (and dropped again on downgrade)."""
    migrate.upgrade(empty_url, "0001_initial")
    insert = text(
        "INSERT INTO events (id, slug, title, type, modality, start_date, end_date, precision,"
        " origin) VALUES (:id, :slug, 'T', 'statement', 'occurred', :start, :end, :precision,"
        " 'test')"
    )
    spans = {"one-day": ("2025-09-12", "2025-09-12", "day", 0),
             "a-week": ("2025-09-08", "2025-09-14", "week", 2),
             "a-month": ("2022-02-01", "2022-02-28", "month", 3),
             "a-year": ("2024-01-01", "2024-12-31", "year", 5),
             "since-1991": ("1991-08-24", "2025-09-15", "range", 7)}  # fmt: skip
    engine = create_engine(empty_url, poolclass=NullPool)
    with engine.begin() as connection:
        for n, (slug, (start, end, precision, _)) in enumerate(spans.items(), 1):
            values = {"id": n, "slug": slug, "start": start, "end": end, "precision": precision}
            connection.execute(insert, values)
    migrate.upgrade(empty_url)
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT slug, span_class FROM events")).all())
    assert found == {slug: expected[3] for slug, expected in spans.items()}
    migrate.downgrade(empty_url, "0001_initial")
    columns = {c["name"] for c in inspect(engine).get_columns("events")}
    assert "span_class" not in columns and "precision" in columns
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar() == len(spans)
    engine.dispose()


def test_0003_allows_dataset_sources_and_its_downgrade_removes_them(seeded_url: URL) -> None:
    """0003 rebuilds `sources` on SQLite (the view is put back as it was): the rows and
    the view stay; a `dataset` source is allowed, and refused again after a downgrade,
    which removes the dataset sources and their evidence."""
    engine = create_engine(seeded_url, poolclass=NullPool)
    view = "SELECT count(*) FROM events_flat"
    with engine.begin() as connection:
        before = connection.execute(text(view)).scalar()
        connection.execute(
            text(
                "INSERT INTO sources (slug, name, kind, origin)"
                " VALUES ('sheet-csv', 'A sheet', 'dataset', 'test')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO evidence (event_id, source_id, origin) SELECT min(e.id), s.id,"
                " 'test' FROM events e, sources s WHERE s.slug = 'sheet-csv' GROUP BY s.id"
            )
        )
    migrate.downgrade(seeded_url, "0002_event_span_class")
    with engine.begin() as connection:
        assert connection.execute(text(view)).scalar() == before
        assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 25
        assert connection.execute(text("SELECT count(*) FROM sources")).scalar() == 5
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text("INSERT INTO sources (slug, name, kind, origin) VALUES ('x', 'X', 'dataset', 't')")
        )
    migrate.upgrade(seeded_url)
    with engine.connect() as connection:
        assert connection.execute(text(view)).scalar() == before
    engine.dispose()


def test_0004_keeps_the_events_and_widens_the_types(empty_url: URL) -> None:
    """0004 adds coordinates, attributes and flags to a filled database and admits the
    CAMEO types; its downgrade turns events of those types into `other` (the old check
    has no place for them) and drops what it added."""
    migrate.upgrade(empty_url, "0002_event_span_class")
    insert = text(
        "INSERT INTO events (id, slug, title, type, modality, start_date, end_date, precision,"
        " origin) VALUES (:id, :slug, 'T', :type, 'occurred', '2025-08-07', '2025-08-07', 'day',"
        " 'test')"
    )
    engine = create_engine(empty_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(insert, {"id": 1, "slug": "curated", "type": "statement"})
    migrate.upgrade(empty_url)
    with engine.begin() as connection:
        connection.execute(insert, {"id": 2, "slug": "gdelt-1", "type": "fight"})
        connection.execute(
            text("UPDATE events SET latitude = 31.5, cameo_code = '190' WHERE id = 2")
        )
        connection.execute(text("INSERT INTO event_flags VALUES (2, 'date_month_before_report')"))
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT slug, type, latitude, cameo_code, span_class FROM events ORDER BY id")
        ).all()
    assert [tuple(row) for row in found] == [
        ("curated", "statement", None, None, 0),
        ("gdelt-1", "fight", 31.5, "190", 0),
    ]
    migrate.downgrade(empty_url, "0002_event_span_class")
    columns = {c["name"] for c in inspect(engine).get_columns("events")}
    assert "latitude" not in columns and "span_class" in columns
    assert "event_flags" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        types = connection.execute(text("SELECT slug, type FROM events ORDER BY id")).all()
    assert [tuple(row) for row in types] == [("curated", "statement"), ("gdelt-1", "other")]
    with pytest.raises(Exception, match="ck_events_type"), engine.begin() as connection:
        connection.execute(insert, {"id": 3, "slug": "again", "type": "fight"})
    engine.dispose()
    migrate.upgrade(empty_url)
    assert differences(empty_url) == []
