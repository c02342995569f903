"""`timeline events`, `counts`, `event`, `actors`, `actor`, `sources`, `info`: the
chronological views.

Every command opens the database read-only with `open_database` (which never creates a
file and refuses an old schema), asks `timeline.queries` and hands the result to
`timeline.render`. Library modules are imported inside the functions, and shell
completion runs one light query, so that `timeline --help` and completion stay fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from timeline.cli import app, options

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from timeline.queries import EventFilters

FORMATS_HELP = "Output format: table, json, ndjson, csv or markdown."


@contextmanager
def _connect(ctx: typer.Context) -> Iterator[Connection]:
    from timeline.db import open_database

    engine = open_database(options(ctx).url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _completion_connection(ctx: typer.Context) -> Any:
    """A read-only engine on the database named by `--db` on the command line being
    completed (the callback has not run yet, so read the parsed parameters)."""
    from timeline.db import database_url, open_database

    db = ctx.find_root().params.get("db")
    return open_database(database_url(db))


def complete_actor(ctx: typer.Context, incomplete: str) -> list[str]:
    """Actor slugs, and one-word names and aliases, that start with what was typed.
    Values only: a help text per value makes Typer import rich (~100 ms) to render it.
    Completion must never fail loudly: any problem completes nothing."""
    try:
        from timeline.queries import complete_actors

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
        from timeline.queries import complete_event_slugs

        engine = _completion_connection(ctx)
        try:
            with engine.connect() as connection:
                return complete_event_slugs(connection, incomplete)
        finally:
            engine.dispose()
    except Exception:
        return []


Format = Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help=FORMATS_HELP)]


# The filters of `timeline events`, shared with `timeline export`.
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
EventType = Annotated[
    str | None, typer.Option("--type", metavar="TYPE", help="Events of this type.")
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


def event_filters(
    date_from: str | None,
    date_to: str | None,
    actor: list[str] | None,
    event_type: str | None,
    source: str | None,
    search: str | None,
    **more: Any,
) -> EventFilters:
    """The options above (and `more`, such as --limit) as validated filters."""
    from timeline import queries

    return queries.event_filters(
        date_from=date_from,
        date_to=date_to,
        actors=actor or (),
        type=event_type,
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
    event_type: EventType = None,
    source: SourceFilter = None,
    search: Search = None,
    limit: Annotated[
        int | None, typer.Option("--limit", metavar="N", help="At most N events.")
    ] = None,
    desc: Annotated[bool, typer.Option("--desc", help="Newest first (the exact reverse).")] = False,
    fmt: Format = "table",
) -> None:
    """List events in order of date (start, end, slug), filtered.

    An event is in the --from/--to window when its interval overlaps it.
    """
    from timeline import queries, render

    render.check_format(fmt)
    filters = event_filters(
        date_from, date_to, actor, event_type, source, search, limit=limit, desc=desc
    )
    with _connect(ctx) as connection:
        records = queries.iter_event_records(connection, filters)
        count = render.write_events(records, fmt, sys.stdout)
    if not count and fmt == "table":
        typer.echo("No events match.", err=True)


@app.command("counts")
def counts_command(
    ctx: typer.Context,
    per: Annotated[
        str, typer.Option("--per", metavar="PERIOD", help="day, week, month or year.")
    ] = "month",
    date_from: DateFrom = None,
    date_to: DateTo = None,
    actor: Actors = None,
    event_type: EventType = None,
    source: SourceFilter = None,
    search: Search = None,
    fmt: Format = "table",
) -> None:
    """Count events per period and type, filtered as `timeline events`.

    An event counts in a period only when its whole interval lies inside it; events
    whose dates span more (a year, a range) are counted in a last row with no period.
    """
    from timeline import queries, render
    from timeline.errors import InputError

    render.check_format(fmt)
    if per not in queries.PERIODS:
        raise InputError(f"--per must be one of {', '.join(queries.PERIODS)}, not {per!r}")
    filters = event_filters(date_from, date_to, actor, event_type, source, search)
    with _connect(ctx) as connection:
        rows = queries.event_counts(connection, filters, per)
    if fmt == "table":
        rows = [(f"longer than a {per}" if p is None else p, t, n) for p, t, n in rows]
    render.write_rows((per, "type", "events"), rows, fmt, sys.stdout)
    if not rows and fmt == "table":
        typer.echo("No events match.", err=True)


@app.command("event")
def event_command(
    ctx: typer.Context,
    slug: Annotated[
        str, typer.Argument(metavar="SLUG", help="The event's slug.", autocompletion=complete_event)
    ],
    fmt: Format = "table",
) -> None:
    """Show one event: its date and wording, actors, sources with quotes, related events."""
    from timeline import queries, render

    render.check_format(fmt)
    with _connect(ctx) as connection:
        record = queries.event_record(connection, slug)
        if fmt == "table":
            anchors = queries.anchors(connection, record)
            related = queries.event_summaries(connection, [r["slug"] for r in record["relations"]])
            render.write_event_detail(record, anchors, related, sys.stdout)
        elif fmt in ("json", "ndjson"):
            sys.stdout.write(render.dumps(record) + "\n")
        else:
            render.write_events([record], fmt, sys.stdout)


ACTOR_COLUMNS = ("slug", "name", "kind", "country", "events", "first", "last")


@app.command("actors")
def actors_command(ctx: typer.Context, fmt: Format = "table") -> None:
    """List actors with their event counts and the span of their events
    (first: the earliest start; last: the latest end)."""
    from timeline import queries, render

    render.check_format(fmt)
    with _connect(ctx) as connection:
        rows = queries.actor_rows(connection)
    if fmt == "table":
        render.write_actors(rows, sys.stdout)
    else:
        render.write_rows(
            ACTOR_COLUMNS, [[r[c] for c in ACTOR_COLUMNS] for r in rows], fmt, sys.stdout
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
    fmt: Format = "table",
) -> None:
    """Show an actor's profile and its chronology, with its role in each event.

    json and ndjson: one object, the profile and `events`; csv and markdown: the events.
    """
    from timeline import queries, render

    render.check_format(fmt)
    with _connect(ctx) as connection:
        profile = queries.actor_profile(connection, name)
        events = queries.iter_actor_events(connection, profile["slug"])
        if fmt == "table":
            render.write_actor(profile, list(events), sys.stdout)
        elif fmt in ("json", "ndjson"):
            render.write_object_with_items(profile, "events", events, sys.stdout)
        else:
            render.write_events(events, fmt, sys.stdout, actor=profile["slug"])


SOURCE_COLUMNS = ("slug", "name", "kind", "publisher", "published", "cites", "events", "quotes")


@app.command("sources")
def sources_command(ctx: typer.Context, fmt: Format = "table") -> None:
    """List sources: what each cites, how many events and quotes it supports."""
    from timeline import queries, render

    render.check_format(fmt)
    with _connect(ctx) as connection:
        rows = queries.source_rows(connection)
    if fmt == "table":
        render.write_sources(rows, sys.stdout)
        return
    if fmt not in ("json", "ndjson"):
        rows = [{**r, "cites": "; ".join(r["cites"])} for r in rows]
    render.write_rows(
        SOURCE_COLUMNS, [[r[c] for c in SOURCE_COLUMNS] for r in rows], fmt, sys.stdout
    )


@app.command("info")
def info_command(ctx: typer.Context, fmt: Format = "table") -> None:
    """Show the database (password hidden), its schema revision and rows per table.

    csv and markdown: the rows per table.
    """
    from timeline import queries, render
    from timeline.db import display_url, open_database, stored_revision

    render.check_format(fmt)
    url = options(ctx).url
    engine = open_database(url)
    try:
        revision = stored_revision(engine)
        with engine.connect() as connection:
            counts = queries.table_counts(connection)
    finally:
        engine.dispose()
    info = {
        "database": display_url(url),
        "backend": engine.dialect.name,
        "revision": revision,
        "tables": counts,
    }
    if fmt == "table":
        render.write_info(info, sys.stdout)
    elif fmt in ("json", "ndjson"):
        sys.stdout.write(render.dumps(info) + "\n")
    else:
        render.write_rows(["table", "rows"], list(counts.items()), fmt, sys.stdout)
