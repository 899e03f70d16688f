"""jiuzhu.core.workdays: working days of China's calendar (holidays and adjusted working
days) with a weekends-only fallback, and the arithmetic of limits in working days."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.core import workdays
from jiuzhu.core.workdays import (
    ChineseCalendar,
    WeekendCalendar,
    add_workdays,
    nth_workday_before,
    workdays_left,
)

pytestmark = pytest.mark.core

CN = ChineseCalendar()
WEEKENDS = WeekendCalendar()
D = dt.date


def test_the_national_day_week_is_off_and_the_adjusted_saturday_is_worked():
    assert not CN.is_workday(D(2026, 10, 1)) and not CN.is_workday(D(2026, 10, 7))
    assert CN.is_workday(D(2026, 10, 10))  # a Saturday, worked in exchange (调休)
    assert CN.is_workday(D(2026, 9, 20))  # a Sunday, likewise
    assert WEEKENDS.is_workday(D(2026, 10, 1)) and not WEEKENDS.is_workday(D(2026, 10, 10))


def test_three_working_days_from_the_eve_of_national_day_end_on_the_adjusted_saturday():
    # Accepted on Wednesday 30 September: 8, 9 and 10 October are the three working days.
    assert add_workdays(D(2026, 9, 30), 3, calendar=CN) == D(2026, 10, 10)
    assert add_workdays(D(2026, 9, 30), 3, calendar=WEEKENDS) == D(2026, 10, 5)


def test_a_year_the_package_does_not_know_counts_weekends_only():
    assert not workdays.knows_year(2027) and workdays.knows_year(2026)
    # 1 January 2027 will be a holiday, but its arrangement is not published yet.
    assert CN.is_workday(D(2027, 1, 1))
    assert not CN.is_workday(D(2027, 1, 2))
    assert add_workdays(D(2027, 1, 1), 3, calendar=CN) == D(2027, 1, 6)
    # Across the turn of the year: 2026's last days by the calendar, 2027's by weekdays.
    assert add_workdays(D(2026, 12, 30), 3, calendar=CN) == D(2027, 1, 4)


def test_the_start_day_does_not_count_and_a_limit_needs_a_day():
    assert add_workdays(D(2026, 12, 7), 1, calendar=WEEKENDS) == D(2026, 12, 8)  # Mon → Tue
    assert add_workdays(D(2026, 12, 5), 1, calendar=WEEKENDS) == D(2026, 12, 7)  # Sat → Mon
    with pytest.raises(ValueError):
        add_workdays(D(2026, 12, 7), 0, calendar=WEEKENDS)


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (D(2026, 12, 7), 3),  # Monday: Tue, Wed, Thu to go
        (D(2026, 12, 9), 1),
        (D(2026, 12, 10), 0),  # the last day
        (D(2026, 12, 11), -1),  # Friday: one working day late
        (D(2026, 12, 12), -1),  # Saturday: still one
        (D(2026, 12, 14), -2),  # Monday after
    ],
)
def test_working_days_left_count_down_to_the_due_day_and_below(today, left):
    assert workdays_left(today, D(2026, 12, 10), calendar=WEEKENDS) == left


@given(
    start=st.dates(D(2025, 9, 1), D(2027, 3, 1)),
    today=st.dates(D(2025, 9, 1), D(2027, 6, 1)),
    days=st.sampled_from([1, 3, 10, 30, 45]),
)
def test_started_before_the_nth_working_day_before_today_is_exactly_past_due(start, today, days):
    due = add_workdays(start, days, calendar=CN)
    assert (due < today) == (start < nth_workday_before(today, days, calendar=CN))
    assert (workdays_left(today, due, calendar=CN) < 0) == (due < today)
