"""What a load or an import changed: counts per table, and the summary both print."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def summary_lines(counts: Mapping[str, Counts]) -> list[str]:
    """A fixed-width table: one row per table, created / updated / removed / unchanged."""
    lines = [f"{'table':<18}{'created':>9}{'updated':>9}{'removed':>9}{'unchanged':>11}"]
    for table, c in counts.items():
        lines.append(f"{table:<18}{c.created:>9}{c.updated:>9}{c.removed:>9}{c.unchanged:>11}")
    return lines
