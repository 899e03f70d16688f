"""The inbox (待办): what waits for each role, oldest first — a department officer's
referrals to accept and to handle, civil affairs' cases whose next move is theirs,
referrals to close, and conferences with open tasks — and the nav badge's count.
It lives in referrals, the highest app whose records it lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.roles import role_of
from jiuzhu.cases import deadlines as case_deadlines
from jiuzhu.cases.models import Case
from jiuzhu.cases.selectors import case_scope, cases_waiting

from . import workflow as wf
from .models import Conference, Referral
from .selectors import referral_scope


@dataclass
class Inbox:
    to_accept: QuerySet[Referral] | None = None  # department: sent, awaiting acceptance
    in_hand: QuerySet[Referral] | None = None  # department: accepted … assisted, to feed back
    overdue: int = 0  # referrals past their deadline
    cases: QuerySet[Case] | None = None  # civil affairs: cases whose next step is theirs
    cases_overdue: int = 0  # of those, past a legal deadline (cases.deadlines)
    to_close: QuerySet[Referral] | None = None  # civil affairs: returned or fed back
    conferences: list[Conference] | None = None  # civil affairs: conferences with open tasks


def _department_waiting(user) -> QuerySet[Referral]:
    return referral_scope(user=user).filter(status__in=wf.WITH_DEPARTMENT)


def _civil_waiting(user) -> QuerySet[Referral]:
    return referral_scope(user=user).filter(status__in=wf.WITH_CIVIL_AFFAIRS)


def _open_conferences(user) -> QuerySet[Conference]:
    unfinished = Referral.objects.filter(conference=OuterRef("pk")).exclude(status__in=wf.ANSWERED)
    return Conference.objects.filter(case__in=case_scope(user=user)).filter(Exists(unfinished))


def inbox(*, user) -> Inbox:
    """What waits for the user, oldest deadline first (querysets: the page paginates)."""
    role = role_of(user)
    today = timezone.localdate()
    box = Inbox()
    if role in roles.REFERRAL_HANDLERS:
        waiting = _department_waiting(user).select_related("household", "policy", "village")
        box.to_accept = waiting.filter(status=wf.Status.SENT).order_by("deadline", "id")
        box.in_hand = waiting.exclude(status=wf.Status.SENT).order_by("deadline", "id")
        box.overdue = _department_waiting(user).filter(deadline__lt=today).count()
        return box
    if role in (roles.VILLAGE, *roles.CIVIL_AFFAIRS):
        waiting = cases_waiting(user=user)
        box.cases = waiting.select_related("household", "village").order_by(
            "status_changed_at", "id"
        )
        box.cases_overdue = waiting.filter(case_deadlines.overdue_q()).count()
    if role in roles.CIVIL_AFFAIRS:
        box.to_close = (
            _civil_waiting(user)
            .select_related("household", "department", "policy")
            .order_by("status_changed_at", "id")
        )
        box.overdue = (
            referral_scope(user=user)
            .filter(status__in=wf.OVERDUE_STATUSES, deadline__lt=today)
            .count()
        )
        box.conferences = list(
            _open_conferences(user).select_related("case", "case__household").order_by("held_on")
        )
    return box


def inbox_count(*, user) -> int:
    """The nav badge: how many items wait for the user (a few COUNT queries)."""
    role = role_of(user)
    if role in roles.REFERRAL_HANDLERS:
        return _department_waiting(user).count()
    n = 0
    if role in (roles.VILLAGE, *roles.CIVIL_AFFAIRS):
        n += cases_waiting(user=user).count()
    if role in roles.CIVIL_AFFAIRS:
        n += _civil_waiting(user).count()
    return n
