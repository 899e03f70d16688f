"""Reads of referrals, conferences and the inbox (待办). Every function that takes
a user applies their scope: a department officer sees only the referrals sent
to their department, civil affairs those of households in their regions. A
referral or household outside the scope raises DoesNotExist, exactly as one
that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.roles import role_of
from jiuzhu.accounts.scope import user_scope_codes
from jiuzhu.cases import workflow as case_wf
from jiuzhu.cases.models import Case
from jiuzhu.cases.selectors import case_scope
from jiuzhu.households.models import Household, Member
from jiuzhu.regions.models import under_codes_q

from . import workflow as wf
from .models import Conference, Referral, ReferralEvent


def referral_scope(*, user) -> QuerySet[Referral]:
    """All referrals the user may read."""
    role = role_of(user)
    if role in roles.REFERRAL_HANDLERS:
        if not user.department:
            return Referral.objects.none()
        return Referral.objects.filter(department_id=user.department)
    if role in roles.CIVIL_AFFAIRS:
        return Referral.objects.filter(under_codes_q("village__code", user_scope_codes(user)))
    return Referral.objects.none()


def referral_list(*, user, status: str = "", overdue: bool = False) -> QuerySet[Referral]:
    """Referrals in scope, soonest deadline first; one query per page (no N+1)."""
    qs = referral_scope(user=user).select_related("household", "department", "policy", "village")
    if status == "open":
        qs = qs.exclude(status=wf.Status.DONE)
    elif status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=wf.OVERDUE_STATUSES, deadline__lt=timezone.localdate())
    return qs.order_by("deadline", "id")


def referral_get(*, user, referral_id) -> Referral:
    """Fetch one referral in scope; raise Referral.DoesNotExist otherwise."""
    try:
        pk = int(referral_id)
    except (TypeError, ValueError):
        raise Referral.DoesNotExist from None
    return (
        referral_scope(user=user)
        .select_related(
            "household",
            "household__village",
            "department",
            "policy",
            "case",
            "conference",
            "sent_by",
        )  # fmt: skip
        .get(pk=pk)
    )


def referral_events(*, referral: Referral) -> list[ReferralEvent]:
    return list(referral.events.select_related("actor").order_by("at", "id"))


def referral_actions(*, user, referral: Referral) -> list[wf.Transition]:
    """The moves this user may make on this referral now (the buttons of its page)."""
    role = role_of(user)
    if role in roles.REFERRAL_HANDLERS and user.department != referral.department_id:
        return []
    return wf.available(status=referral.status, role=role)


# --- a household seen through a referral ---------------------------------------------


@dataclass(frozen=True)
class ReferredHousehold:
    household: Household
    members: list[Member]
    referrals: list[Referral]  # those sent to the viewer's department (or all in scope)
    assessment: object | None  # the latest stored Assessment, if any


def household_via_referral(*, user, household_id) -> ReferredHousehold:
    """A household the user reaches through a referral in scope (read-only view).

    A department officer reaches only households referred to their department;
    any other raises Household.DoesNotExist, as a missing one does. This does not
    widen households.selectors: the household list and pages stay closed to them.
    """
    from jiuzhu.assessment.models import Assessment

    try:
        pk = int(household_id)
    except (TypeError, ValueError):
        raise Household.DoesNotExist from None
    referrals = referral_scope(user=user).filter(household_id=pk)
    household = (
        Household.objects.filter(Exists(referrals.filter(household_id=OuterRef("pk"))))
        .select_related("village", "village__parent")
        .get(pk=pk)
    )
    return ReferredHousehold(
        household=household,
        members=list(household.members.order_by("id")),
        referrals=list(referrals.select_related("department", "policy").order_by("-id")),
        assessment=Assessment.objects.latest_only().filter(household_id=pk).first(),
    )


# --- conferences ---------------------------------------------------------------------


def case_conferences(*, case: Case) -> list[Conference]:
    return list(
        Conference.objects.filter(case=case).prefetch_related("departments", "tasks__department")
    )


def conference_get(*, user, conference_id) -> Conference:
    """A conference of a case in the user's scope; Conference.DoesNotExist otherwise."""
    try:
        pk = int(conference_id)
    except (TypeError, ValueError):
        raise Conference.DoesNotExist from None
    return Conference.objects.select_related("case", "convened_by").get(
        pk=pk, case__in=case_scope(user=user)
    )


# --- the inbox (待办) -----------------------------------------------------------------


@dataclass
class Inbox:
    to_accept: QuerySet[Referral] | None = None  # department: sent, awaiting acceptance
    in_hand: QuerySet[Referral] | None = None  # department: accepted … assisted, to feed back
    overdue: int = 0
    cases: QuerySet[Case] | None = None  # civil affairs: cases whose next step is theirs
    to_close: QuerySet[Referral] | None = None  # civil affairs: returned or fed back
    conferences: list[Conference] | None = None  # civil affairs: conferences with open tasks


def _case_statuses_for(role: str) -> list[str]:
    return [s.value for s in case_wf.Status if case_wf.available(status=s, role=role)]


def _department_waiting(user) -> QuerySet[Referral]:
    return referral_scope(user=user).filter(status__in=wf.WITH_DEPARTMENT)


def _civil_waiting(user) -> QuerySet[Referral]:
    return referral_scope(user=user).filter(status__in=wf.WITH_CIVIL_AFFAIRS)


def _cases_waiting(user) -> QuerySet[Case]:
    from jiuzhu.reviews.selectors import publicity_cutoff

    # A case in publicity waits for nobody until its period is over (then: 实施).
    return (
        case_scope(user=user)
        .filter(status__in=_case_statuses_for(role_of(user)))
        .exclude(status=case_wf.Status.PUBLICISED, publicised_at__gte=publicity_cutoff())
    )


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
        box.cases = (
            _cases_waiting(user)
            .select_related("household", "village")
            .order_by("status_changed_at", "id")
        )
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
        n += _cases_waiting(user).count()
    if role in roles.CIVIL_AFFAIRS:
        n += _civil_waiting(user).count()
    return n
