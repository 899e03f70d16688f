"""Reads of referrals, conferences and the inbox (待办). Every function that takes
a user applies their scope: a department officer sees only the referrals sent
to their department, civil affairs those of households in their regions. A
referral or household outside the scope raises NotFound, exactly as one that
does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import NotFound, pk_of
from jiuzhu.accounts.roles import role_of
from jiuzhu.accounts.scope import user_scope_codes
from jiuzhu.assessment.models import Assessment
from jiuzhu.cases.models import Case
from jiuzhu.cases.selectors import case_scope
from jiuzhu.households.models import Household, Member
from jiuzhu.households.selectors import HOUSEHOLD_NOT_FOUND
from jiuzhu.regions.models import Level, level_of, prefix_of, under_codes_q

from . import workflow as wf
from .models import Conference, Referral, ReferralEvent

REFERRAL_NOT_FOUND = "转介不存在"
CONFERENCE_NOT_FOUND = "个案会商不存在"


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


def access_referral_by_id(*, user, referral_id) -> Referral:
    """One referral in the user's scope; NotFound when it is missing, sent to another
    department, outside the user's regions, or the role reads no referrals."""
    pk = pk_of(referral_id, message=REFERRAL_NOT_FOUND)
    try:
        return (
            referral_scope(user=user)
            .select_related(
                "household", "household__village", "department", "policy", "case",
                "conference", "sent_by",
            )  # fmt: skip
            .get(pk=pk)
        )
    except Referral.DoesNotExist:
        raise NotFound(REFERRAL_NOT_FOUND) from None


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


def access_referred_household_by_id(*, user, household_id) -> ReferredHousehold:
    """A household the user reaches through a referral in scope (read-only view).

    A department officer reaches only households referred to their department;
    any other raises NotFound, as a missing one does. This does not widen
    households.selectors: the household list and pages stay closed to them.
    """
    pk = pk_of(household_id, message=HOUSEHOLD_NOT_FOUND)
    referrals = referral_scope(user=user).filter(household_id=pk)
    try:
        household = (
            Household.objects.filter(Exists(referrals.filter(household_id=OuterRef("pk"))))
            .select_related("village", "village__parent")
            .get(pk=pk)
        )
    except Household.DoesNotExist:
        raise NotFound(HOUSEHOLD_NOT_FOUND) from None
    return ReferredHousehold(
        household=household,
        members=list(household.members.order_by("id")),
        referrals=list(referrals.select_related("department", "policy").order_by("-id")),
        assessment=Assessment.objects.latest_only().filter(household_id=pk).first(),
    )


# --- what the apps below read through their hooks (registered in apps.py) ------------


def case_measure_referrals(*, case: Case) -> dict[str, Referral]:
    """Each 一户一策 measure's referral for the case, by policy code (the case page)."""
    codes = [m.get("policy", "") for m in case.measures or []]
    return {
        r.policy.code: r
        for r in Referral.objects.filter(case=case, policy__code__in=codes)
        .select_related("policy")
        .order_by("id")
    }


def delivered_codes(*, household_id: int) -> set[str]:
    """Codes of the policies a department has delivered to the household by referral
    (policies.hooks.received_policy_codes: 一户一策 counts them as received)."""
    return set(
        Referral.objects.filter(
            household_id=household_id, status__in=wf.DELIVERED, policy__isnull=False
        ).values_list("policy__code", flat=True)
    )


def delivered_pairs(*, code: str | None) -> pl.DataFrame:
    """(household_id, policy) for each policy delivered by referral to a household
    under `code` (all when None), each pair once: one query
    (policies.hooks.received_policy_pairs: 政策找人 and the quarterly push)."""
    referrals = Referral.objects.filter(status__in=wf.DELIVERED, policy__isnull=False)
    if code and level_of(code) == Level.GROUP:
        referrals = referrals.filter(household__group_id=code)
    elif code:
        referrals = referrals.filter(household__village__code__startswith=prefix_of(code))
    rows = list(referrals.order_by().values_list("household_id", "policy__code").distinct())
    return pl.DataFrame(rows, schema={"household_id": pl.Int64, "policy": pl.String}, orient="row")


# --- conferences ---------------------------------------------------------------------


def case_conferences(*, case: Case) -> list[Conference]:
    return list(
        Conference.objects.filter(case=case).prefetch_related("departments", "tasks__department")
    )


def access_conference_by_id(*, user, conference_id) -> Conference:
    """A conference of a case in the user's scope; NotFound otherwise."""
    pk = pk_of(conference_id, message=CONFERENCE_NOT_FOUND)
    try:
        return Conference.objects.select_related("case", "convened_by").get(
            pk=pk, case__in=case_scope(user=user)
        )
    except Conference.DoesNotExist:
        raise NotFound(CONFERENCE_NOT_FOUND) from None
