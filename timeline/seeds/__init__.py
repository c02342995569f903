"""Seed files into the database: parse and check everything first (slugs, references,
quotes against the stored text, dates), then write in one transaction.

Every row remembers the file it came from (`origin`: `seed:ID`, the file's primary
source or `id:`, so a moved file is still itself). Reloading a file updates its rows by
slug and removes what it created but no longer lists; rows of other files and imports
are left alone, and a slug another file owns is refused. Every problem of a run is
reported at once (`InputErrors`).

`reader` turns YAML into data, `format` validates one file, `plan` checks them all
together, `write` applies the plan; `quotes` and `scaffold` serve the authors.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from timeline import db, migrate
from timeline.changes import Changes, Counts
from timeline.errors import DatabaseError, FileInputError
from timeline.lock import DEFAULT_WAIT, Notice, check_wait, writer_engine
from timeline.resources import bundled_dir
from timeline.seeds.format import parse
from timeline.seeds.plan import SeedErrors, Stored, build_plan
from timeline.seeds.quotes import rewrite_quotes
from timeline.seeds.rows import Plan, SeedInput
from timeline.seeds.write import apply
from timeline.vocab import ORIGIN_LENGTH

__all__ = ["bundled_paths", "check_paths", "load_paths", "read_inputs"]


def bundled_paths() -> list[Path]:
    return sorted(bundled_dir("seeds").glob("*.yaml"))


def read_inputs(paths: Sequence[Path] | None) -> list[SeedInput]:
    """Parse every file (the bundled seeds when `paths` is None or empty).

    A file is identified by its `id:` or else its first source's slug, not by its
    path: its rows record `seed:ID`, so a moved file, or the bundled seed loaded by
    its path, is still itself. Rows recorded under its path (before identities, or a
    file with no source) and under the ids it `replaces` are taken over.
    """
    if not paths:
        files = [(f"seeds/{p.name}", p, f"seeds/{p.name}") for p in bundled_paths()]
    else:
        files = [(str(p), p.resolve(), str(p.resolve())) for p in paths]
    bundled = {p.resolve() for p in bundled_paths()}
    inputs: list[SeedInput] = []
    problems: list[FileInputError] = []
    claimed: dict[str, str] = {}
    for name, path, legacy in files:
        parsed = parse(path, name)
        seed = parsed.seed
        identity = seed.id or next((s.slug for s in seed.sources if s is not None), None)
        previous = {legacy, *(f"seed:{old}" for old in seed.replaces)}
        if path.resolve() in bundled:
            previous.add(f"seeds/{path.name}")
        origin = f"seed:{identity}" if identity else legacy[:ORIGIN_LENGTH]
        if origin in claimed:
            where = ("id",) if seed.id else ("sources", 0, "slug")
            message = f"{name} and {claimed[origin]} are the same seed file (id {identity!r})"
            problems.append(parsed.error(name, where, message))
        claimed.setdefault(origin, name)
        previous.discard(origin)
        inputs.append(SeedInput(name, origin, path, parsed, tuple(sorted(previous))))
    for item in inputs:
        item.parsed.problems[:0] = [p for p in problems if p.file == item.name]
    return inputs


def check_paths(url: URL, paths: Sequence[Path], *, fix_quotes: bool = False) -> Changes:
    """`timeline seed check`: every check of `load --dry-run`, against the database
    when it exists (so references to its rows count), without creating one."""
    return load_paths(url, paths, dry_run=True, fix_quotes=fix_quotes, check_only=True)


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run's writes."""


def load_paths(
    url: URL,
    paths: Sequence[Path] | None,
    *,
    dry_run: bool = False,
    fix_quotes: bool = False,
    check_only: bool = False,
    wait: float = DEFAULT_WAIT,
    notice: Notice | None = None,
) -> Changes:
    """Parse and check every file, then write all of it in one transaction, or nothing.

    A database that does not exist yet (an SQLite file that is missing or empty, a
    PostgreSQL database without the schema) is created and migrated first, but only
    once the files have passed every check that needs no database; a dry run migrates
    a throwaway copy instead. An out-of-date schema is refused with the upgrade hint.
    Both the migration and the write wait up to `wait` seconds for another writer.
    """
    check_wait(wait)
    notes: list[str] = []
    with ExitStack() as stack:
        stack.enter_context(_collector_paused())
        inputs = read_inputs(paths)
        creating = _needs_creating(url)
        if creating:
            plan = _checked(inputs, Stored(None), fix_quotes, notes)  # no database needed
            if check_only:
                return Changes([item.name for item in inputs], dry_run=True, notes=notes)
            if dry_run:
                scratch = Path(stack.enter_context(TemporaryDirectory()))
                url = URL.create("sqlite", database=str(scratch / "dry-run.db"))
        engine = writer_engine(url, wait=wait, notice=notice)
        stack.callback(engine.dispose)
        counts: dict[str, Counts] = {}
        try:
            with Session(engine) as session, session.begin():
                # Under the writer lock, in the transaction that writes the rows: a
                # database another writer created meanwhile is not new, and a kill
                # leaves no schema without its rows.
                revision = db.revision_of(session.connection())
                planned, creating = creating, creating and revision is None
                if creating:
                    migrate.upgrade_in(session.connection(), url)
                else:
                    db.require_revision(revision, url)
                    if planned:  # created meanwhile: the plan let its items go
                        inputs = read_inputs(paths)
                    plan = _checked(inputs, Stored(session), fix_quotes, notes)
                counts = apply(session, plan, inputs)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except DBAPIError as exc:
            raise DatabaseError(f"database {db.display_url(url)}: {db.first_line(exc)}") from exc
    return Changes([item.name for item in inputs], counts, creating, dry_run, notes)


def _checked(inputs: list[SeedInput], stored: Stored, fix_quotes: bool, notes: list[str]) -> Plan:
    """The plan, with the quotes `--fix-quotes` could fix rewritten in their files."""
    try:
        plan = build_plan(inputs, stored, fix_quotes=fix_quotes)
    except SeedErrors as exc:
        exc.notes = rewrite_quotes(exc.fixes)
        raise
    notes += rewrite_quotes(plan.fixes)
    return plan


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a load reads, checks and writes.

    A load makes millions of objects that live until it ends (the items, the plan), and
    the collector would walk them again and again: over a third of the time. The cost is
    that cycles made meanwhile wait for the end; the load makes few (its data is trees),
    and the collector runs again, as before, once it is over, even on an error."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _needs_creating(url: URL) -> bool:
    if db.is_sqlite(url):
        return db.sqlite_state(url) in ("missing", "empty")
    engine = db.make_engine(url)
    try:
        return db.stored_revision(engine) is None
    finally:
        engine.dispose()
