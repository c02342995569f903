"""Names typed by a user, resolved to actors and sources (slug, name or alias, in
normalized form), with suggestions when nothing matches."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from timeline.errors import InputError
from timeline.queries.sqlfuncs import bytewise
from timeline.tables import actor_aliases, actors, sources
from timeline.vocab import normalize_name


@dataclass(frozen=True)
class ActorRef:
    id: int
    slug: str
    name: str


def resolve_actor(connection: Connection, text: str) -> ActorRef:
    """The one actor whose slug, name or alias is `text` (compared in normalized form)."""
    raw, key = text.strip(), normalize_name(text)
    if not key:
        raise InputError("an actor name cannot be empty")
    by_alias = select(actor_aliases.c.actor_id).where(actor_aliases.c.alias_key == key)
    rows = connection.execute(
        select(actors.c.id, actors.c.slug, actors.c.name)
        .where(
            or_(
                actors.c.slug.in_([raw, key]),
                actors.c.name_key == key,
                actors.c.id.in_(by_alias),
            )
        )
        .order_by(bytewise(actors.c.slug))
    ).all()
    exact = [row for row in rows if row.slug == raw]
    if exact or len(rows) == 1:
        found = (exact or rows)[0]
        return ActorRef(found.id, found.slug, found.name)
    if rows:
        names = ", ".join(f"{row.slug} ({row.name})" for row in rows)
        raise InputError(f"{text!r} matches several actors: {names}; use a slug")
    suggestion = did_you_mean(key, _actor_names(connection), "actors")
    raise InputError(f"no actor matches {text!r}{suggestion}")


def _actor_names(connection: Connection) -> dict[str, str]:
    """Each actor's name by the normalized forms of its name, slug and aliases: what a
    suggestion can offer, one name per actor."""
    names: dict[str, str] = {}
    for actor in connection.execute(select(actors.c.name_key, actors.c.name, actors.c.slug)):
        names.setdefault(actor.name_key, actor.name)
        names.setdefault(actor.slug, actor.name)
    aliases = select(actor_aliases.c.alias_key, actors.c.name).join_from(
        actor_aliases, actors, actors.c.id == actor_aliases.c.actor_id
    )
    for alias in connection.execute(aliases):
        names.setdefault(alias.alias_key, alias.name)
    return names


def resolve_source(connection: Connection, text: str) -> int:
    """The id of the source whose slug or name is `text` (names compared normalized)."""
    raw = text.strip()
    row = connection.execute(
        select(sources.c.id).where(sources.c.slug == raw).limit(1)
    ).scalar_one_or_none()
    if row is not None:
        return int(row)
    key = normalize_name(raw)
    candidates: dict[str, str] = {}
    found: list[int] = []
    for source in connection.execute(select(sources.c.id, sources.c.slug, sources.c.name)):
        if normalize_name(source.name) == key:
            found.append(source.id)
        candidates.setdefault(source.slug, source.slug)
        candidates.setdefault(normalize_name(source.name), source.slug)
    if len(found) == 1:
        return found[0]
    if found:
        raise InputError(f"{text!r} names several sources; use a slug")
    raise InputError(f"no source matches {text!r}" + did_you_mean(key, candidates, "sources"))


def did_you_mean(key: str, candidates: dict[str, str], listing: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(candidates), n=3, cutoff=0.75)
    shown = list(dict.fromkeys(candidates[k] for k in close))
    if shown:
        return f"; did you mean: {', '.join(shown)}"
    return f" (see `timeline {listing}`)"
