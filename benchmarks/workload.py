"""What both sides of the query comparison are asked: the three queries by name, the
actor of the first one and the windows of the other two.

Apart from the rest so that the hand-written SQL and `timeline.queries` take their
arguments from one place and cannot drift apart.
"""

from __future__ import annotations

from datetime import date
from typing import Any

QUERIES = ("actor_first_50", "week_window", "type_month_counts")
WEEK = (date(2020, 6, 1), date(2020, 6, 7))  # a Monday to Sunday
YEAR = (date(2020, 1, 1), date(2020, 12, 31))


def busiest_actor(connection: Any) -> str:
    """The actor of the most events, on the bare driver."""
    cursor = connection.cursor()
    cursor.execute(
        "SELECT a.slug FROM actors a JOIN event_actors ea ON ea.actor_id = a.id "
        "GROUP BY a.id, a.slug ORDER BY count(*) DESC, a.slug LIMIT 1"
    )
    return str(cursor.fetchone()[0])
