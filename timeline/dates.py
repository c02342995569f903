"""The date model: an inclusive interval, its precision, the source's wording and what
it was resolved against; and the rules that turn "on Friday", "last week" or "two days
after <event>" into such an interval without making anything more precise than the
source.

Rules (the anchor is a publication date, or another event's interval):
- `day`, `week` (a Monday), `month`, `year`: absolute. `between`: explicit bounds,
  a `range` unless they are said to form a calendar unit (which is then checked).
- `weekday`: the last such weekday on or before the anchor, so "on Monday" in an
  article of Monday 15 Sep 2025 is that Monday.
- `last_week`: the Monday–Sunday week before the anchor's week.
- `days_before` / `days_after`: an event's interval shifted; a shifted day stays a day,
  anything else becomes a `range` (two days after "last week" is no calendar week).
- `same_as`: the anchor event's interval and precision ("the same day as").
- `after`: from the anchor event's start to `until` (default: the publication date),
  precision `range`: a claim with no date of its own.

`weekday` and `last_week` need a single-day anchor; anything else would invent
precision. A missing or circular anchor is an error.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from timeline.errors import InputError
from timeline.vocab import PRECISIONS

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ABSOLUTE_RULES = ("day", "week", "month", "year", "between")
PUBLICATION_RULES = ("weekday", "last_week")
EVENT_RULES = ("days_before", "days_after", "same_as", "after")
RULES = ABSOLUTE_RULES + PUBLICATION_RULES + EVENT_RULES


def _unit_end(precision: str, start: date) -> date | None:
    """The last day of the calendar unit that begins on `start`, or None if no such
    unit begins there (a week begins on Monday, a month on the 1st, a year on 1 Jan)."""
    if precision == "day":
        return start
    if precision == "week":
        return start + timedelta(days=6) if start.weekday() == 0 else None
    if precision == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return start.replace(day=last) if start.day == 1 else None
    if precision == "year":
        return date(start.year, 12, 31) if (start.month, start.day) == (1, 1) else None
    return None


@dataclass(frozen=True, slots=True)
class Interval:
    """Inclusive bounds and their precision; the precision must fit the bounds."""

    start: date
    end: date
    precision: str

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        if self.precision != "range" and _unit_end(self.precision, self.start) != self.end:
            raise ValueError(f"{self.start}..{self.end} is not one {self.precision}")

    def shifted(self, days: int) -> Interval:
        """The interval moved by whole days: a day stays a day, anything else is a range."""
        delta = timedelta(days=days)
        return Interval(
            self.start + delta, self.end + delta, "day" if self.precision == "day" else "range"
        )


def day(value: date) -> Interval:
    return Interval(value, value, "day")


def week(monday: date) -> Interval:
    if monday.weekday() != 0:
        raise ValueError(f"a week starts on a Monday; {monday} is a {WEEKDAYS[monday.weekday()]}")
    return Interval(monday, monday + timedelta(days=6), "week")


def month(year_: int, month_: int) -> Interval:
    last = calendar.monthrange(year_, month_)[1]
    return Interval(date(year_, month_, 1), date(year_, month_, last), "month")


def year(year_: int) -> Interval:
    return Interval(date(year_, 1, 1), date(year_, 12, 31), "year")


def between(start: date, end: date) -> Interval:
    return Interval(start, end, "range")


def weekday_on_or_before(anchor: date, weekday: str) -> Interval:
    """The last `weekday` on or before `anchor` (the anchor's own weekday is itself)."""
    back = (anchor.weekday() - WEEKDAYS.index(weekday)) % 7
    return day(anchor - timedelta(days=back))


def week_before(anchor: date) -> Interval:
    """The Monday–Sunday week before the anchor's week."""
    return week(anchor - timedelta(days=anchor.weekday() + 7))


@dataclass(frozen=True, slots=True)
class DateRule:
    """One event's date as a source words it, before resolution.

    `value` is what the rule needs: a date for `day`/`week`, (year, month) for `month`,
    a year, (start, end, precision) for `between`, a weekday name, a number of days, or an
    optional `until` date for `after`. `anchor_event` names the event it is relative to;
    `publication` is the publication date relative rules count from.
    """

    rule: str
    value: object = None
    text: str | None = None
    anchor_event: str | None = None
    publication: date | None = None


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    interval: Interval
    text: str | None
    anchor_event: str | None
    uses_publication: bool


class DateResolutionError(InputError):
    """A rule cannot be resolved; `slug` says whose date, `field` which part."""

    def __init__(self, slug: str, field: str, message: str) -> None:
        self.slug = slug
        self.field = field
        super().__init__(message)


def resolve_all(
    rules: Mapping[str, DateRule],
    known: Callable[[str], Interval | None] = lambda _: None,
    *,
    on_error: Callable[[DateResolutionError], None] | None = None,
    failed: Iterable[str] = (),
) -> dict[str, ResolvedDate]:
    """Resolve every event's rule, following chains of anchors; `known` gives the
    interval of an anchor event that is not among `rules` (one already stored).

    The first error is raised, or, with `on_error`, each is passed to it and the rest
    resolved; an event anchored on one that failed (or on one of `failed`, events with
    errors of their own) is left out without a second error.
    """
    resolved: dict[str, ResolvedDate] = {}
    broken = set(failed)

    def report(error: DateResolutionError) -> None:
        broken.add(error.slug)
        if on_error is None:
            raise error
        on_error(error)

    def visit(slug: str, path: tuple[str, ...]) -> Interval | None:
        if slug in resolved:
            return resolved[slug].interval
        if slug in broken:
            return None
        rule = rules[slug]
        anchor: Interval | None = None
        if rule.anchor_event is not None:
            target = rule.anchor_event
            if target == slug or target in path:
                chain = (
                    (*path[path.index(target) :], slug, target)
                    if target in path
                    else (slug, target)
                )
                report(
                    DateResolutionError(
                        slug, "anchor", f"circular date anchors: {' → '.join(chain)}"
                    )
                )
                return None
            if target in broken:
                broken.add(slug)
                return None
            if target in rules:
                anchor = visit(target, (*path, slug))  # noqa: F821 (deleted once done)
                if anchor is None:
                    broken.add(slug)
                    return None
            else:
                anchor = known(target)
                if anchor is None:
                    report(DateResolutionError(slug, "anchor", f"unknown anchor event {target!r}"))
                    return None
        try:
            interval, uses_publication = _apply(rule, anchor)
        except ValueError as exc:
            report(DateResolutionError(slug, "", str(exc)))
            return None
        except OverflowError:
            report(DateResolutionError(slug, "", "the date falls outside the years 1 to 9999"))
            return None
        resolved[slug] = ResolvedDate(interval, rule.text, rule.anchor_event, uses_publication)
        return interval

    try:
        for slug in rules:
            visit(slug, ())
    finally:
        # `visit` refers to itself, a cycle that would keep every rule and all it refers
        # to alive while the cyclic collector is paused (as a seed load does).
        del visit
    return resolved


def _apply(rule: DateRule, anchor: Interval | None) -> tuple[Interval, bool]:
    """One rule against its (already resolved) anchor event, if any."""
    kind, value = rule.rule, rule.value
    if kind in ABSOLUTE_RULES:
        if kind == "day" and isinstance(value, date):
            return day(value), False
        if kind == "week" and isinstance(value, date):
            return week(value), False
        if kind == "month" and isinstance(value, tuple):
            return month(*value), False
        if kind == "year" and isinstance(value, int):
            return year(value), False
        if kind == "between" and isinstance(value, tuple):
            return Interval(*value), False
        raise ValueError(f"bad value for {kind}: {value!r}")
    if kind in PUBLICATION_RULES:
        point = _single_day(anchor, kind) if anchor is not None else rule.publication
        if point is None:
            raise ValueError(f"{kind} needs an anchor: a publication date or an event")
        if kind == "weekday":
            return weekday_on_or_before(point, str(value)), anchor is None
        return week_before(point), anchor is None
    if anchor is None:
        raise ValueError(f"{kind} needs an anchor event")
    if kind == "days_before" and isinstance(value, int):
        return anchor.shifted(-value), False
    if kind == "days_after" and isinstance(value, int):
        return anchor.shifted(value), False
    if kind == "same_as":
        return anchor, False
    if kind == "after":
        until = value if isinstance(value, date) else rule.publication
        if until is None:
            raise ValueError("after needs an end: `until` or a publication date")
        if until < anchor.start:
            raise ValueError(f"the anchor event starts {anchor.start}, after the end {until}")
        return between(anchor.start, until), not isinstance(value, date)
    raise ValueError(f"unknown date rule {kind!r}")


def _single_day(anchor: Interval, kind: str) -> date:
    if anchor.precision != "day":
        raise ValueError(
            f"{kind} needs a single-day anchor; the anchor event is a {anchor.precision}"
        )
    return anchor.start
