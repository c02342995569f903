"""The chronological views: filters, the ordered event query, full event records,
actors, sources and database facts. Returns rows and dicts, never text. Each concern
is a module of its own; this package's face is what the library and the CLI call.

Speed: queries use the Core tables of `timeline.tables`, not the ORM models, whose
import costs more than a small command's query. Records are built in batches of event
ids while the ordered event query streams, so memory stays flat however many events
match.

Order, identical on SQLite and PostgreSQL:
- events: start, end, slug, the slug byte-wise (COLLATE "C" on PostgreSQL; SQLite's
  default collation already is); `desc` reverses all three.
- inside a record (sorted in Python, whose string order is the UTF-8 byte order):
  countries and aliases; actors by slug, then role; sources by slug, then quote
  offset (evidence without a quote first), then quote; relations by direction
  (`incoming` before `outgoing`), kind, slug.
"""

from timeline.queries.complete import complete_actors, complete_event_slugs
from timeline.queries.filters import EventFilters, FilterOptions, event_filters, parse_period
from timeline.queries.listings import (
    actor_profile,
    actor_rows,
    event_counts,
    iter_actor_events,
    source_details,
    source_rows,
    table_counts,
)
from timeline.queries.records import (
    anchors,
    build_record,
    event_record,
    event_summaries,
    events_statement,
    iter_event_records,
)
from timeline.queries.resolve import ActorRef, resolve_actor, resolve_source

__all__ = [
    "ActorRef",
    "EventFilters",
    "FilterOptions",
    "actor_profile",
    "actor_rows",
    "anchors",
    "build_record",
    "complete_actors",
    "complete_event_slugs",
    "event_counts",
    "event_filters",
    "event_record",
    "event_summaries",
    "events_statement",
    "iter_actor_events",
    "iter_event_records",
    "parse_period",
    "resolve_actor",
    "resolve_source",
    "source_details",
    "source_rows",
    "table_counts",
]
