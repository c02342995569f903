"""`timeline events`, `counts`, `event`, `actors`, `actor`, `sources`, `info`: the
chronological views.

Each command asks `timeline.api.Timeline`, which opens the database read-only (never
creating a file, refusing an old schema), and hands the result to `timeline.output`.
Library modules are imported inside the functions, and shell completion runs one light
query, so that `timeline --help` and completion stay fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from timeline import output
from timeline.cli import app, database_option, timeline
from timeline.output import writers
from timeline.vocab import EVENT_TYPES, FLAGS, MODALITIES, PERIODS, PRECISIONS

if TYPE_CHECKING:
    from timeline.queries import EventFilters

    # The choices are made from the registries at run time; to mypy they are enums.
    ListingFormat = Enum
    EventType = Enum
    Precision = Enum
    Period = Enum
    Flag = Enum
    Modality = Enum
else:
    ListingFormat = output.choices("ListingFormat", output.LISTING)
    EventType = output.choices("EventType", EVENT_TYPES)
    Precision = output.choices("Precision", PRECISIONS)
    Period = output.choices("Period", PERIODS)
    Flag = output.choices("Flag", FLAGS)
    Modality = output.choices("Modality", MODALITIES)


def _completion_connection(ctx: typer.Context) -> Any:
    """A read-only engine on the database named by `--db` on the command line being
    completed (the callback has not run yet, so read the parsed parameters)."""
    from timeline.db import database_url, open_database

    return open_database(database_url(database_option(ctx)))


def complete_actor(ctx: typer.Context, incomplete: str) -> list[str]:
    """Actor slugs, and one-word names and aliases, that start with what was typed.
    Values only: a help text per value makes Typer import rich (~100 ms) to render it.
    Completion must never fail loudly: any problem completes nothing."""
    try:
        from timeline.queries.complete import complete_actors

        engine = _completion_connection(ctx)
        try:
            with engine.connect() as connection:
                return [value for value, _name in complete_actors(connection, incomplete)]
        finally:
            engine.dispose()
    except Exception:
        return []


def complete_event(ctx: typer.Context, incomplete: str) -> list[str]:
    """Event slugs that start with what was typed."""
    try:
        from timeline.queries.complete import complete_event_slugs

        engine = _completion_connection(ctx)
        try:
            with engine.connect() as connection:
                return complete_event_slugs(connection, incomplete)
        finally:
            engine.dispose()
    except Exception:
        return []


Format = Annotated[
    ListingFormat,
    typer.Option("--format", "-f", help=output.formats_help(output.LISTING)),
]
TABLE: Any = ListingFormat("table")


# The filters of `timeline events`, shared with `counts` and `export`.
DateFrom = Annotated[
    str | None,
    typer.Option(
        "--from",
        metavar="DATE",
        help="Events that end on or after this day; YYYY-MM-DD, YYYY-MM or YYYY "
        "(the period's first day).",
    ),
]
DateTo = Annotated[
    str | None,
    typer.Option(
        "--to",
        metavar="DATE",
        help="Events that start on or before this day; YYYY-MM-DD, YYYY-MM or YYYY "
        "(the period's last day).",
    ),
]
Actors = Annotated[
    list[str] | None,
    typer.Option(
        "--actor",
        metavar="ACTOR",
        help="Events involving this actor (slug, name or alias; repeat to require all).",
        autocompletion=complete_actor,
    ),
]
Types = Annotated[
    list[EventType] | None,
    typer.Option("--type", help="Events of this type (repeat for any of several)."),
]
Precisions = Annotated[
    list[Precision] | None,
    typer.Option("--precision", help="Events dated to this precision (repeat for any of several)."),
]
SourceFilter = Annotated[
    str | None,
    typer.Option("--source", metavar="SOURCE", help="Events this source (slug or name) supports."),
]
Search = Annotated[
    str | None,
    typer.Option(
        "--search",
        metavar="TEXT",
        help="Text in the title, summary, an alias of the event or a quote.",
    ),
]

Countries = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        metavar="CODE",
        help="Events involving this country, ISO 3166-1 alpha-3 (repeat for any of several).",
    ),
]
Flags = Annotated[
    list[Flag] | None,
    typer.Option("--flag", help="Events marked with this flag (repeat for any of several)."),
]
NoFlags = Annotated[
    list[Flag] | None,
    typer.Option("--no-flag", help="Events not marked with this flag (repeatable)."),
]


def marks(
    country: list[str] | None, flag: list[Any] | None, no_flag: list[Any] | None
) -> dict[str, Any]:
    """--country, --flag and --no-flag as filter options."""
    return {
        "countries": country or (),
        "flags": [f.value for f in flag or ()],
        "no_flags": [f.value for f in no_flag or ()],
    }


def event_filters(
    ctx: typer.Context,
    date_from: str | None,
    date_to: str | None,
    actor: list[str] | None,
    event_type: list[Any] | None,
    precision: list[Any] | None,
    source: str | None,
    search: str | None,
    **more: Any,
) -> EventFilters:
    """The options above (and `more`, such as --limit) as validated filters."""
    return timeline(ctx).filters(
        date_from=date_from,
        date_to=date_to,
        actors=actor or (),
        types=[t.value for t in event_type or ()],
        precisions=[p.value for p in precision or ()],
        source=source,
        search=search,
        **more,
    )


@app.command("events")
def events_command(
    ctx: typer.Context,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    actor: Actors = None,
    event_type: Types = None,
    precision: Precisions = None,
    source: SourceFilter = None,
    search: Search = None,
    country: Countries = None,
    flag: Flags = None,
    no_flag: NoFlags = None,
    limit: Annotated[
        int | None, typer.Option("--limit", metavar="N", help="At most N events.")
    ] = None,
    desc: Annotated[bool, typer.Option("--desc", help="Newest first (the exact reverse).")] = False,
    modality: Annotated[
        list[Modality] | None,
        typer.Option("--modality", help="Events of this modality (repeat for any of several)."),
    ] = None,
    fmt: Format = TABLE,
) -> None:
    """List events in order of date (start, end, slug), filtered.

    An event is in the --from/--to window when its interval overlaps it.

    Example: timeline events --actor Lukashenka --from 2025-09 --precision day
    """
    filters = event_filters(
        ctx,
        date_from,
        date_to,
        actor,
        event_type,
        precision,
        source,
        search,
        limit=limit,
        desc=desc,
        modalities=[m.value for m in modality or ()],
        **marks(country, flag, no_flag),
    )
    records = timeline(ctx).events(filters)
    count = output.write_events(records, fmt.value, sys.stdout)
    if not count and fmt.value == "table":
        typer.echo("No events match.", err=True)


@app.command("counts")
def counts_command(
    ctx: typer.Context,
    per: Annotated[Period, typer.Option("--per", help="The period to count in.")] = Period("month"),
    date_from: DateFrom = None,
    date_to: DateTo = None,
    actor: Actors = None,
    event_type: Types = None,
    precision: Precisions = None,
    source: SourceFilter = None,
    search: Search = None,
    country: Countries = None,
    flag: Flags = None,
    no_flag: NoFlags = None,
    fmt: Format = TABLE,
) -> None:
    """Count events per period and type, filtered as `timeline events`.

    An event counts in a period only when its whole interval lies inside it; events
    whose dates span more (a year, a range) are counted in a last row with no period.

    Example: timeline counts --per week --from 2025-09
    """
    filters = event_filters(
        ctx,
        date_from,
        date_to,
        actor,
        event_type,
        precision,
        source,
        search,
        **marks(country, flag, no_flag),
    )
    rows = timeline(ctx).counts(per.value, filters)
    if fmt.value == "table":
        rows = [(f"longer than a {per.value}" if p is None else p, t, n) for p, t, n in rows]
    writers.write_rows((per.value, "type", "events"), rows, fmt.value, sys.stdout)
    if not rows and fmt.value == "table":
        typer.echo("No events match.", err=True)


@app.command("event")
def event_command(
    ctx: typer.Context,
    slug: Annotated[
        str, typer.Argument(metavar="SLUG", help="The event's slug.", autocompletion=complete_event)
    ],
    fmt: Format = TABLE,
) -> None:
    """Show one event: its date and wording, actors, sources with quotes, related events.

    Example: timeline event coale-visits-minsk
    """
    tl = timeline(ctx)
    record = tl.event(slug)
    if fmt.value == "table":
        from timeline.output.views import write_event_detail

        anchors, related = tl.event_context(record)
        write_event_detail(record, anchors, related, sys.stdout)
    elif fmt.value in ("json", "ndjson"):
        sys.stdout.write(writers.dumps(record) + "\n")
    else:
        output.write_events([record], fmt.value, sys.stdout)


ACTOR_COLUMNS = ("slug", "name", "kind", "country", "events", "first", "last")


@app.command("actors")
def actors_command(ctx: typer.Context, fmt: Format = TABLE) -> None:
    """List actors with their event counts and the span of their events
    (first: the earliest start; last: the latest end).

    Example: timeline actors --format csv
    """
    rows = timeline(ctx).actors()
    if fmt.value == "table":
        from timeline.output.views import write_actors

        write_actors(rows, sys.stdout)
    else:
        writers.write_rows(
            ACTOR_COLUMNS, [[r[c] for c in ACTOR_COLUMNS] for r in rows], fmt.value, sys.stdout
        )


@app.command("actor")
def actor_command(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="Slug, name or alias of the actor.", autocompletion=complete_actor
        ),
    ],
    fmt: Format = TABLE,
) -> None:
    """Show an actor's profile and its chronology, with its role in each event.

    json and ndjson: one object, the profile and `events`; csv and markdown: the events.

    Example: timeline actor Lukashenko
    """
    tl = timeline(ctx)
    profile = tl.actor(name)
    events = tl.actor_events(profile["slug"])
    if fmt.value == "table":
        from timeline.output.views import write_actor

        write_actor(profile, list(events), sys.stdout)
    elif fmt.value in ("json", "ndjson"):
        writers.write_object_with_items(profile, "events", events, sys.stdout)
    else:
        output.write_events(events, fmt.value, sys.stdout, actor=profile["slug"])


SOURCE_COLUMNS = (
    "slug", "name", "kind", "publisher", "url", "published", "cites", "events", "quotes"
)  # fmt: skip


@app.command("sources")
def sources_command(ctx: typer.Context, fmt: Format = TABLE) -> None:
    """List sources: what each cites, how many events and quotes it supports.

    Example: timeline sources --format json
    """
    rows = timeline(ctx).sources()
    if fmt.value == "table":
        from timeline.output.views import write_sources

        write_sources(rows, sys.stdout)
        return
    if fmt.value not in ("json", "ndjson"):
        rows = [{**r, "cites": "; ".join(r["cites"])} for r in rows]
    writers.write_rows(
        SOURCE_COLUMNS, [[r[c] for c in SOURCE_COLUMNS] for r in rows], fmt.value, sys.stdout
    )


@app.command("info")
def info_command(ctx: typer.Context, fmt: Format = TABLE) -> None:
    """Show the database (password hidden), its schema revision and rows per table.

    csv and markdown: the rows per table.

    Example: timeline --db postgresql://localhost/timeline info
    """
    info = timeline(ctx).info()
    if fmt.value == "table":
        from timeline.output.views import write_info

        write_info(info, sys.stdout)
    elif fmt.value in ("json", "ndjson"):
        sys.stdout.write(writers.dumps(info) + "\n")
    else:
        writers.write_rows(["table", "rows"], list(info["tables"].items()), fmt.value, sys.stdout)
