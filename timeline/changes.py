"""What a load or an import changed: counts per table, and the one summary both print."""

from __future__ import annotations

from dataclasses import dataclass, field

from timeline.vocab import TABLES


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def no_counts() -> dict[str, Counts]:
    return {table: Counts() for table in TABLES}


@dataclass
class Changes:
    """The result of `load` or `import`: the files read, counts for every table (in
    `TABLES` order), and whether the database was created for it."""

    files: list[str]
    counts: dict[str, Counts] = field(default_factory=no_counts)
    created_database: bool = False
    dry_run: bool = False
    notes: list[str] = field(
        default_factory=list
    )  # what else was done or seen (a quote fixed; GDELT rows, flags)

    @property
    def changed(self) -> bool:
        return self.created_database or any(c.changed for c in self.counts.values())

    def summary_lines(self) -> list[str]:
        """A fixed-width table: one row per table, created / updated / removed / unchanged."""
        lines = [f"{'table':<18}{'created':>9}{'updated':>9}{'removed':>9}{'unchanged':>11}"]
        for table, c in self.counts.items():
            lines.append(f"{table:<18}{c.created:>9}{c.updated:>9}{c.removed:>9}{c.unchanged:>11}")
        return lines
