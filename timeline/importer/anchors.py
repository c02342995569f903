"""The import's date-anchor checks, run once every row of the file is in: anchors
agree with the dates as the seed loader's rules make them agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from timeline.queries.records import iso
from timeline.vocab import PRECISIONS

if TYPE_CHECKING:
    from timeline.importer.merge import Merger

# A stored event that this file does not hold (the reverse side of the checks).
_NOT_IN_FILE = "NOT EXISTS (SELECT 1 FROM st_events t WHERE t.slug = e.slug)"


def check_anchors(merger: Merger) -> None:
    """A date resolved against something must agree with it, as the seed loader's
    rules make it agree: no circular anchors, no date more precise than the event
    it was resolved against, none later than the publication it was resolved
    against (every relative wording a seed can give ends on or before it). Either
    side may be in the file; the other side is only looked for among stored
    events when there were any before the import."""
    stored_before = merger.stager.bases["events"] > 0
    if merger.first("SELECT 1 FROM st_events WHERE anchor_event IS NOT NULL LIMIT 1"):
        _circular(merger)
    forward = (
        "SELECT s.line, 0, s.precision, a.slug, a.precision FROM st_events s JOIN events a "
        f"ON a.slug = s.anchor_event WHERE s.anchor_event IS NOT NULL AND {_finer('s', 'a')}"
    )
    reverse = (
        " UNION ALL SELECT s.line, 1, a.precision, e.slug, e.precision FROM st_events s "
        "JOIN events a ON a.slug = s.slug JOIN events e ON e.anchor_event_id = a.id "
        f"WHERE {_finer('e', 'a')} AND {_NOT_IN_FILE}"
    )
    row = merger.first(f"{forward}{reverse if stored_before else ''} ORDER BY 1 LIMIT 1")
    if row:
        line, reverse_side, precision, other, known = row
        raise merger.fail(
            line,
            f"precision: a {precision}, less precise than event {other!r} (a {known}), "
            "whose date was resolved against this one"
            if reverse_side
            else f"anchor_event: the date is a {precision}, more precise than its anchor "
            f"{other!r}, which is a {known}",
        )
    forward = (
        "SELECT s.line, 0, r.slug, r.published_on, s.end_date FROM st_events s JOIN sources r "
        f"ON r.slug = s.anchor_source WHERE s.anchor_source IS NOT NULL AND {_later('s')}"
    )
    reverse = (
        " UNION ALL SELECT s.line, 1, e.slug, r.published_on, e.end_date FROM st_sources s "
        "JOIN sources r ON r.slug = s.slug JOIN events e ON e.anchor_source_id = r.id "
        f"WHERE {_later('e')} AND {_NOT_IN_FILE}"
    )
    row = merger.first(f"{forward}{reverse if stored_before else ''} ORDER BY 1 LIMIT 1")
    if row:
        line, reverse_side, other, published, end = row
        if reverse_side:
            message = f"published: event {other!r}, dated against this source, ends {iso(end)}" + (
                f", after {iso(published)}" if published else "; a date is needed"
            )
        elif published is None:
            message = f"anchor_source: source {other!r} has no publication date"
        else:
            message = (
                f"anchor_source: the date ends {iso(end)}, after source {other!r} was "
                f"published ({iso(published)})"
            )
        raise merger.fail(line, message)


def _circular(merger: Merger) -> None:
    """A cycle of anchors goes through an event of this file (the stored ones have
    none): follow each file event's chain of anchors until it ends or comes back."""
    row = merger.first(
        "WITH RECURSIVE chain(origin, here, line) AS ("
        "SELECT e.id, e.anchor_event_id, s.line FROM st_events s JOIN events e "
        "ON e.slug = s.slug WHERE s.anchor_event IS NOT NULL UNION "
        "SELECT c.origin, e.anchor_event_id, c.line FROM chain c JOIN events e "
        "ON e.id = c.here WHERE e.anchor_event_id IS NOT NULL) "
        "SELECT c.line, e.slug FROM chain c JOIN events e ON e.id = c.origin "
        "WHERE c.here = c.origin ORDER BY c.line LIMIT 1"
    )
    if row:
        line, slug = row
        chain = [slug]
        while len(chain) == 1 or chain[-1] != slug:
            chain.append(
                merger.first(
                    "SELECT a.slug FROM events e JOIN events a ON a.id = e.anchor_event_id "
                    "WHERE e.slug = :slug",
                    slug=chain[-1],
                )[0]
            )
        raise merger.fail(line, f"anchor_event: circular date anchors: {' → '.join(chain)}")


def _finer(event: str, anchor: str) -> str:
    """SQL: `event`'s date is more precise than `anchor`'s (day < week < … < range)."""
    rank = " ".join(f"WHEN '{p}' THEN {n}" for n, p in enumerate(PRECISIONS))
    return f"CASE {event}.precision {rank} END < CASE {anchor}.precision {rank} END"


def _later(event: str) -> str:
    """SQL: `event` ends after source `r` was published, or `r` has no date."""
    return f"(r.published_on IS NULL OR {event}.end_date > r.published_on)"
