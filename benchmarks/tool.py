"""The timeline side of the query comparison: the three results through
`timeline.queries`, on a connection of `timeline.db`, as the commands get them.

Apart from the hand-written SQL so that each side reads as what it is: this one is
only calls into the package.
"""

from __future__ import annotations

from typing import Any

from workload import WEEK, YEAR


class Tool:
    """The same three results through `timeline.queries` (SQLAlchemy Core)."""

    def __init__(self, url: str) -> None:
        from timeline import db

        self.engine = db.open_database(db.database_url(url))
        self.connection = self.engine.connect()

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()

    def actor_first_50(self, actor: str) -> list[dict[str, Any]]:
        from timeline import queries

        filters = queries.EventFilters(actors=(actor,), limit=50)
        return list(queries.iter_event_records(self.connection, filters))

    def week_window(self) -> list[dict[str, Any]]:
        from timeline import queries

        filters = queries.EventFilters(date_from=WEEK[0], date_to=WEEK[1])
        return list(queries.iter_event_records(self.connection, filters))

    def type_month_counts(self) -> list[tuple[str | None, str, int]]:
        from timeline import queries

        filters = queries.EventFilters(date_from=YEAR[0], date_to=YEAR[1])
        return queries.event_counts(self.connection, filters, "month")
