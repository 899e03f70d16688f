"""A case's legal deadlines (办理时限), in working days (最低生活保障审核确认办法):

- 入户调查: the household survey starts within 3 working days of accepting the
  application (created_at → assessment_started_at, the 开始入户评估 move);
- 县级审核确认: the county decides within 10 working days of the township's
  submission (submitted_at → decided_at, or the county's refusal);
- 办理总时限: the whole process, from acceptance to the county's decision, takes at
  most 30 working days, 45 for a case county staff marked complex (复杂案件).

Nothing is stored: each deadline is computed from the case's stamped times, so old
cases need no back-filling and a change of the limits (settings CASE_*_DAYS) or of
the calendar (WORKDAY_CALENDAR) applies to every case at once. A deadline runs while
its step is open; overdue means today is past its last day.

Lists filter overdue cases in SQL without computing a date per row: a limit of n
working days that started before the n-th working day before today has ended
(jiuzhu.core.workdays.nth_workday_before), so "overdue" is one comparison of a
stamped time with one date per limit — an index range, the same answer as the
per-case computation (tests/cases/test_deadlines.py checks both agree).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from jiuzhu.core import workdays

from . import workflow as wf

S = wf.Status
# Waiting for the county's decision (the township has submitted).
AT_COUNTY = frozenset({S.SUBMITTED, S.REVIEWING})
# Before the county's decision: the whole-process limit runs.
BEFORE_DECISION = frozenset({S.RECEIVED, S.ASSESSING, S.PLANNING, S.SUBMITTED, S.REVIEWING})

SURVEY, COUNTY, TOTAL = "survey", "county", "total"
LABELS = {SURVEY: "入户调查", COUNTY: "县级审核确认", TOTAL: "办理总时限"}
STARTS = {SURVEY: "受理", COUNTY: "乡镇提交", TOTAL: "受理"}


@lru_cache(maxsize=4)
def _calendar_of(path: str) -> workdays.Calendar:
    return import_string(path)()


def calendar() -> workdays.Calendar:
    """The working-day calendar in force (settings.WORKDAY_CALENDAR)."""
    return _calendar_of(settings.WORKDAY_CALENDAR)


def limit_days(kind: str, *, is_complex: bool = False) -> int:
    if kind == SURVEY:
        return settings.CASE_SURVEY_DAYS
    if kind == COUNTY:
        return settings.CASE_COUNTY_DAYS
    return settings.CASE_COMPLEX_DAYS if is_complex else settings.CASE_TOTAL_DAYS


@dataclass(frozen=True)
class Deadline:
    """One limit of one case: when it started, its last day, and where it stands."""

    kind: str
    start: dt.date
    days: int  # the limit, in working days
    due: dt.date  # its last day
    running: bool  # the step is still open
    done_on: dt.date | None = None  # when the step was done (None: running, or not known)
    left: int | None = None  # working days left while running (negative: overdue)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def overdue(self) -> bool:
        return self.running and self.left is not None and self.left < 0

    @property
    def late(self) -> bool:
        """Done after its last day."""
        return self.done_on is not None and self.done_on > self.due

    @property
    def state(self) -> str:
        """Where it stands, in Chinese: for the case page, the list and the API."""
        if self.running:
            if self.left < 0:
                return f"已逾期{-self.left}个工作日"
            return "今日到期" if self.left == 0 else f"剩余{self.left}个工作日"
        if self.done_on is None:
            return "已完成"
        return f"逾期完成({self.done_on:%Y-%m-%d})" if self.late else f"按时完成({self.done_on:%Y-%m-%d})"


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _deadline(kind, start, *, days, running, done_on, today, cal) -> Deadline:
    due = workdays.add_workdays(start, days, calendar=cal)
    left = workdays.workdays_left(today, due, calendar=cal) if running else None
    return Deadline(kind=kind, start=start, days=days, due=due, running=running,
                    done_on=done_on, left=left)  # fmt: skip


def case_deadlines(case, *, today: dt.date | None = None) -> list[Deadline]:
    """The case's deadlines that apply (a merged report has none; a step the case never
    took, or left by a refusal or a return, drops out), in the order of the process."""
    if case.status == S.MERGED:
        return []
    today = today or timezone.localdate()
    cal = calendar()
    accepted = _day(case.created_at)
    refused = _day(case.closed_at) if case.status == S.REJECTED else None
    out = []
    # The survey: open while the case waits at 已受理.
    started = _day(case.assessment_started_at)
    if case.status == S.RECEIVED or started is not None:
        out.append(_deadline(SURVEY, accepted, days=limit_days(SURVEY),
                             running=case.status == S.RECEIVED, done_on=started,
                             today=today, cal=cal))  # fmt: skip
    # The county's decision: open while the case is with the county (a return to the
    # township stops it; the next submission starts it again).
    decided = _day(case.decided_at) or (refused if case.submitted_at else None)
    if case.submitted_at is not None and (case.status in AT_COUNTY or decided is not None):
        out.append(_deadline(COUNTY, _day(case.submitted_at), days=limit_days(COUNTY),
                             running=case.status in AT_COUNTY, done_on=decided,
                             today=today, cal=cal))  # fmt: skip
    # The whole process, to the county's decision (or a refusal on the way).
    ended = _day(case.decided_at) or refused
    if case.status in BEFORE_DECISION or ended is not None:
        out.append(_deadline(TOTAL, accepted,
                             days=limit_days(TOTAL, is_complex=case.is_complex),
                             running=case.status in BEFORE_DECISION, done_on=ended,
                             today=today, cal=cal))  # fmt: skip
    return out


def _cutoff(days: int, today: dt.date, cal) -> dt.datetime:
    """The start of the n-th working day before today: a limit of `days` that started
    before this moment has ended before today."""
    day = workdays.nth_workday_before(today, days, calendar=cal)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def overdue_q(*, today: dt.date | None = None) -> Q:
    """Cases past a running deadline, as one filter (the list's 已逾期, the inbox counts)."""
    today = today or timezone.localdate()
    cal = calendar()
    total = _cutoff(limit_days(TOTAL), today, cal)
    complex_ = _cutoff(limit_days(TOTAL, is_complex=True), today, cal)
    return (
        Q(status=S.RECEIVED, created_at__lt=_cutoff(limit_days(SURVEY), today, cal))
        | Q(status__in=AT_COUNTY, submitted_at__lt=_cutoff(limit_days(COUNTY), today, cal))
        | Q(status__in=BEFORE_DECISION, is_complex=False, created_at__lt=total)
        | Q(status__in=BEFORE_DECISION, is_complex=True, created_at__lt=complex_)
    )
