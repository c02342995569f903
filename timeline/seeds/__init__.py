"""Seed files into the database: parse and check everything first (slugs, references,
quotes against the stored text, dates), then write in one transaction.

Every row remembers the file it came from (`origin`). Reloading a file updates its
rows by slug and removes what it created but no longer lists; rows of other files and
imports are left alone, and a slug another file owns is refused.

`format` reads and validates one file, `plan` checks them all together, `write`
applies the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from timeline import db, migrate
from timeline.changes import Changes, Counts
from timeline.errors import DatabaseError
from timeline.lock import DEFAULT_WAIT, Notice, check_wait, writer_engine
from timeline.resources import bundled_dir
from timeline.seeds.format import parse
from timeline.seeds.plan import SeedInput, Stored, build_plan
from timeline.seeds.write import apply

__all__ = ["bundled_paths", "load_paths", "read_inputs"]


def bundled_paths() -> list[Path]:
    return sorted(bundled_dir("seeds").glob("*.yaml"))


def read_inputs(paths: Sequence[Path] | None) -> list[SeedInput]:
    """Parse every file (the bundled seeds when `paths` is None or empty)."""
    if not paths:
        return [
            SeedInput(f"seeds/{p.name}", f"seeds/{p.name}", p.parent, parse(p, f"seeds/{p.name}"))
            for p in bundled_paths()
        ]
    inputs = []
    for path in paths:
        name = str(path)
        seed = parse(path, name)
        inputs.append(SeedInput(name, str(path.resolve()), path.resolve().parent, seed))
    return inputs


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run's writes."""


def load_paths(
    url: URL,
    paths: Sequence[Path] | None,
    *,
    dry_run: bool = False,
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
    inputs = read_inputs(paths)
    with ExitStack() as stack:
        creating = _needs_creating(url)
        if creating:
            build_plan(inputs, Stored(None))  # every check that needs no database
            if dry_run:
                scratch = Path(stack.enter_context(TemporaryDirectory()))
                url = URL.create("sqlite", database=str(scratch / "dry-run.db"))
            # Another writer may have created it meanwhile: then it is not new.
            creating = migrate.upgrade(url, wait=wait, notice=notice) is None
        engine = writer_engine(url, wait=wait, notice=notice)
        stack.callback(engine.dispose)
        counts: dict[str, Counts] = {}
        try:
            with Session(engine) as session, session.begin():
                db.require_revision(db.revision_of(session.connection()), url)
                counts = apply(session, build_plan(inputs, Stored(session)), inputs)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except DBAPIError as exc:
            raise DatabaseError(f"database {db.display_url(url)}: {db.first_line(exc)}") from exc
    return Changes([item.name for item in inputs], counts, creating, dry_run)


def _needs_creating(url: URL) -> bool:
    if db.is_sqlite(url):
        return db.sqlite_state(url) in ("missing", "empty")
    engine = db.make_engine(url)
    try:
        return db.stored_revision(engine) is None
    finally:
        engine.dispose()
