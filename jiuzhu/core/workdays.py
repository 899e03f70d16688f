"""Working days (工作日): the calendars that say which days count, and the date
arithmetic of limits counted in them ("within 3 working days of accepting").

Pure Python, no Django. A calendar is anything with `is_workday(day) -> bool`:

- `ChineseCalendar` follows the State Council's public holidays and adjusted
  working days (调休) through the `chinesecalendar` package, which knows the years
  it has been published for (2004–2026 in its 1.11 release) and raises
  NotImplementedError for others; for those years this calendar falls back to
  weekends only, so a deadline in an unknown year is still a date, never an error
  (update the package when the next year's arrangement is published);
- `WeekendCalendar` counts Monday to Friday.

The project picks one by a setting (cases.deadlines reads `WORKDAY_CALENDAR`).

A limit of n working days from a start date ends on the n-th working day after it
(the start day itself does not count): accepted on a Monday, a 3-day limit ends on
Thursday, and the case is overdue from Friday on.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Protocol

import chinese_calendar

_DAY = dt.timedelta(days=1)


class Calendar(Protocol):
    def is_workday(self, day: dt.date) -> bool: ...


class WeekendCalendar:
    """Monday to Friday are working days; no holidays."""

    def is_workday(self, day: dt.date) -> bool:
        return day.weekday() < 5


class ChineseCalendar:
    """China's public holidays and adjusted working days; weekends only for the years the
    published arrangement does not cover yet."""

    def is_workday(self, day: dt.date) -> bool:
        return _chinese_workday(day)


@lru_cache(maxsize=8192)
def _chinese_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no arrangement for
        return day.weekday() < 5


def knows_year(year: int) -> bool:
    """Whether the holiday arrangement of `year` is known (else weekends only)."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def add_workdays(start: dt.date, n: int, *, calendar: Calendar) -> dt.date:
    """The n-th working day after `start` (n ≥ 1): the last day of an n-day limit."""
    if n < 1:
        raise ValueError("a limit counts at least one working day")
    day, counted = start, 0
    while counted < n:
        day += _DAY
        if calendar.is_workday(day):
            counted += 1
    return day


def nth_workday_before(today: dt.date, n: int, *, calendar: Calendar) -> dt.date:
    """The n-th working day before `today` (n ≥ 1). A limit of n working days that
    started before this date has ended before today: started on it or later, it has not.
    The overdue filters of a list are this one date compared with a stamped time."""
    if n < 1:
        raise ValueError("a limit counts at least one working day")
    day, counted = today, 0
    while counted < n:
        day -= _DAY
        if calendar.is_workday(day):
            counted += 1
    return day


def workdays_left(today: dt.date, due: dt.date, *, calendar: Calendar) -> int:
    """Working days from today to the due day: those after today up to and including
    `due` (0 on the due day itself, or when only non-working days remain); negative
    when the due day has passed: minus the working days after it up to today."""
    if due >= today:
        return _count(today, due, calendar)
    return -max(_count(due, today, calendar), 1)


def _count(after: dt.date, until: dt.date, calendar: Calendar) -> int:
    """Working days in (after, until]."""
    n, day = 0, after
    while day < until:
        day += _DAY
        if calendar.is_workday(day):
            n += 1
    return n
