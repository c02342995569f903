"""The date resolver: weekday rules, weeks, months, offsets, chains, cycles."""

from __future__ import annotations

from datetime import date

import pytest

from timeline import dates
from timeline.dates import DateResolutionError, DateRule, Interval

MONDAY = date(2025, 9, 15)  # the article's publication date


def one(rule: DateRule, **others: DateRule) -> Interval:
    return dates.resolve_all({"it": rule, **others})["it"].interval


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [
        ("monday", date(2025, 9, 15)),  # the anchor's own weekday is the anchor itself
        ("sunday", date(2025, 9, 14)),
        ("friday", date(2025, 9, 12)),
        ("tuesday", date(2025, 9, 9)),
    ],
)
def test_weekday_is_the_last_such_day_on_or_before_the_anchor(weekday: str, expected: date) -> None:
    assert one(DateRule("weekday", weekday, publication=MONDAY)) == dates.day(expected)


def test_weekday_crosses_month_and_year_boundaries() -> None:
    new_year = date(2025, 1, 1)  # a Wednesday
    assert one(DateRule("weekday", "friday", publication=new_year)) == dates.day(date(2024, 12, 27))
    assert one(DateRule("weekday", "monday", publication=date(2025, 3, 2))) == dates.day(
        date(2025, 2, 24)
    )


@pytest.mark.parametrize(
    ("anchor", "monday"),
    [
        (date(2025, 9, 15), date(2025, 9, 8)),  # Monday: the week before this one
        (date(2025, 9, 21), date(2025, 9, 8)),  # Sunday of the same week: the same answer
        (date(2025, 1, 1), date(2024, 12, 23)),  # across a year boundary
        (date(2024, 3, 4), date(2024, 2, 26)),  # across a leap February
    ],
)
def test_last_week_is_the_monday_to_sunday_week_before_the_anchors_week(
    anchor: date, monday: date
) -> None:
    interval = one(DateRule("last_week", publication=anchor))
    assert (interval.start, interval.end, interval.precision) == (
        monday,
        date.fromordinal(monday.toordinal() + 6),
        "week",
    )


def test_months_and_years_are_whole_calendar_units() -> None:
    assert one(DateRule("month", (2022, 2))) == Interval(
        date(2022, 2, 1), date(2022, 2, 28), "month"
    )
    assert one(DateRule("month", (2024, 2))).end == date(2024, 2, 29)  # leap year
    assert one(DateRule("month", (2025, 12))).end == date(2025, 12, 31)
    assert one(DateRule("year", 2022)) == Interval(date(2022, 1, 1), date(2022, 12, 31), "year")


def test_days_before_a_day_is_a_day_even_across_a_leap_day() -> None:
    anchor = DateRule("day", date(2024, 3, 1))
    assert one(DateRule("days_before", 1, anchor_event="a"), a=anchor) == dates.day(
        date(2024, 2, 29)
    )
    anchor = DateRule("day", date(2025, 3, 1))
    assert one(DateRule("days_before", 2, anchor_event="a"), a=anchor) == dates.day(
        date(2025, 2, 27)
    )
    assert one(DateRule("days_after", 31, anchor_event="a"), a=anchor) == dates.day(
        date(2025, 4, 1)
    )


def test_an_offset_from_a_week_is_a_range_not_a_week() -> None:
    week = DateRule("last_week", publication=MONDAY)
    interval = one(DateRule("days_after", 2, anchor_event="w"), w=week)
    assert interval == Interval(date(2025, 9, 10), date(2025, 9, 16), "range")


def test_same_as_inherits_interval_and_precision() -> None:
    week = DateRule("last_week", publication=MONDAY)
    assert one(DateRule("same_as", anchor_event="w"), w=week) == dates.week(date(2025, 9, 8))


def test_after_runs_from_the_anchor_start_to_publication_or_until() -> None:
    week = DateRule("last_week", publication=MONDAY)
    after = DateRule("after", None, anchor_event="w", publication=MONDAY)
    assert one(after, w=week) == Interval(date(2025, 9, 8), MONDAY, "range")
    until = DateRule("after", date(2025, 9, 20), anchor_event="w")
    assert one(until, w=week) == Interval(date(2025, 9, 8), date(2025, 9, 20), "range")


def test_after_an_end_before_the_anchor_is_an_error() -> None:
    anchor = DateRule("day", date(2025, 9, 20))
    with pytest.raises(DateResolutionError, match="starts 2025-09-20, after the end 2025-09-15"):
        one(DateRule("after", None, anchor_event="a", publication=MONDAY), a=anchor)


def test_chains_of_anchors_resolve_in_any_order() -> None:
    rules = {
        "c": DateRule("same_as", anchor_event="b"),
        "b": DateRule("days_before", 2, anchor_event="a"),
        "a": DateRule("weekday", "friday", "on Friday", publication=MONDAY),
    }
    resolved = dates.resolve_all(rules)
    assert resolved["a"].interval == dates.day(date(2025, 9, 12))
    assert resolved["a"].uses_publication is True
    assert resolved["c"].interval == dates.day(date(2025, 9, 10))
    assert (resolved["c"].anchor_event, resolved["c"].uses_publication) == ("b", False)


def test_a_cycle_is_an_error_naming_it() -> None:
    rules = {
        "a": DateRule("same_as", anchor_event="b"),
        "b": DateRule("days_after", 1, anchor_event="c"),
        "c": DateRule("same_as", anchor_event="a"),
    }
    with pytest.raises(DateResolutionError, match="circular date anchors: a → b → c → a"):
        dates.resolve_all(rules)
    with pytest.raises(DateResolutionError, match="circular date anchors: x → x"):
        dates.resolve_all({"x": DateRule("same_as", anchor_event="x")})


def test_a_missing_anchor_is_an_error() -> None:
    with pytest.raises(DateResolutionError, match="unknown anchor event 'nowhere'") as caught:
        dates.resolve_all({"a": DateRule("same_as", anchor_event="nowhere")})
    assert (caught.value.slug, caught.value.field) == ("a", "anchor")


def test_a_stored_anchor_is_used_when_not_among_the_rules() -> None:
    stored = {"old": dates.day(date(2025, 1, 10))}
    resolved = dates.resolve_all({"a": DateRule("days_after", 1, anchor_event="old")}, stored.get)
    assert resolved["a"].interval == dates.day(date(2025, 1, 11))


def test_weekday_needs_a_single_day_anchor() -> None:
    week = DateRule("last_week", publication=MONDAY)
    with pytest.raises(DateResolutionError, match="needs a single-day anchor"):
        one(DateRule("weekday", "friday", anchor_event="w"), w=week)
    with pytest.raises(DateResolutionError, match="needs an anchor"):
        one(DateRule("weekday", "friday"))


@pytest.mark.parametrize(
    ("start", "end", "precision"),
    [
        (date(2025, 9, 9), date(2025, 9, 15), "week"),  # a Tuesday
        (date(2025, 9, 8), date(2025, 9, 15), "week"),  # eight days
        (date(2025, 2, 1), date(2025, 2, 27), "month"),
        (date(2025, 1, 2), date(2025, 12, 31), "year"),
        (date(2025, 9, 8), date(2025, 9, 9), "day"),
        (date(2025, 9, 9), date(2025, 9, 8), "range"),
        (date(2025, 9, 8), date(2025, 9, 8), "fortnight"),
    ],
)
def test_an_interval_must_fit_its_precision(start: date, end: date, precision: str) -> None:
    with pytest.raises(ValueError):
        Interval(start, end, precision)


def test_explicit_bounds_may_claim_a_unit_that_fits() -> None:
    rule = DateRule("between", (date(2025, 9, 8), date(2025, 9, 14), "week"))
    assert one(rule) == dates.week(date(2025, 9, 8))
    with pytest.raises(DateResolutionError, match="is not one week"):
        one(DateRule("between", (date(2025, 9, 9), date(2025, 9, 15), "week")))
