"""Alembic environment: run by `timeline.migrate`, which hands over a connection
(foreign keys off on SQLite, so batch mode can rebuild tables)."""

from alembic import context
from sqlalchemy.engine import Connection

from timeline.db import make_engine
from timeline.tables import metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # the plain `alembic` command line, given a URL in the config
    engine = make_engine(context.config.attributes["url"], foreign_keys=False)
    with engine.begin() as fresh:
        run(fresh)
