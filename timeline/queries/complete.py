"""Shell completion: one light query per value being completed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from timeline.queries.sqlfuncs import bytewise, starts_with
from timeline.tables import actor_aliases, actors, events
from timeline.vocab import normalize_name


def complete_event_slugs(connection: Connection, prefix: str, limit: int = 100) -> list[str]:
    """Event slugs that start with `prefix` (a range on the unique slug index)."""
    query = select(events.c.slug).where(starts_with(events.c.slug, prefix))
    return list(connection.execute(query.order_by(bytewise(events.c.slug)).limit(limit)).scalars())


def complete_actors(connection: Connection, prefix: str, limit: int = 100) -> list[tuple[str, str]]:
    """(value, actor name) for what can follow `--actor`: slugs that start with
    `prefix`, and one-word names and aliases whose normalized form does (a shell
    splits a value with a space in it), as written or else in their normalized form,
    since Typer keeps only values that start with `prefix` as typed."""
    key = normalize_name(prefix)
    by_slug = select(actors.c.slug, actors.c.slug, actors.c.name).where(
        starts_with(actors.c.slug, prefix)
    )
    by_name = select(actors.c.name, actors.c.name_key, actors.c.name).where(
        starts_with(actors.c.name_key, key)
    )
    by_alias = (
        select(actor_aliases.c.alias, actor_aliases.c.alias_key, actors.c.name)
        .join_from(actor_aliases, actors, actors.c.id == actor_aliases.c.actor_id)
        .where(starts_with(actor_aliases.c.alias_key, key))
    )
    found: dict[str, str] = {}
    for statement in (by_slug, by_name, by_alias):
        for text, text_key, name in connection.execute(statement.limit(limit)):
            value = text if text.startswith(prefix) else text_key
            if value.startswith(prefix) and len(value.split()) == 1:
                found.setdefault(value, name)
    return sorted(found.items())[:limit]
