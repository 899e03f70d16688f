"""Reads of cases and hotline tickets. Every function that takes a user applies
their role and region scope; a case outside it raises NotFound, exactly as a
case that does not exist. The public status lookup returns no personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import NotFound, pk_of
from jiuzhu.accounts.roles import role_of
from jiuzhu.accounts.scope import region_scope, user_scope_codes
from jiuzhu.households.models import Household
from jiuzhu.policies.models import Department, Policy
from jiuzhu.policies.selectors import household_matching
from jiuzhu.regions.models import Level, Region, under_codes_q

from . import deadlines, hooks
from . import workflow as wf
from .codes import RECEIPT_LENGTH, public_county, receipt_normalise
from .models import Case, CaseEvent, Channel, HotlineEvent, HotlineTicket

CASE_NOT_FOUND = "个案不存在"
TICKET_NOT_FOUND = "热线工单不存在"


def case_scope(*, user) -> QuerySet[Case]:
    """All cases the user may read: those in villages under the regions granted."""
    if role_of(user) not in roles.CASE_READERS:
        return Case.objects.none()
    return Case.objects.under_codes(user_scope_codes(user))


def _statuses_waiting_for(role: str) -> list[str]:
    return [s.value for s in wf.Status if wf.available(status=s, role=role)]


def cases_waiting(*, user) -> QuerySet[Case]:
    """Cases in scope whose next move is the user's (the inbox's 待我办理). A case in
    publicity waits for nobody until its period is over (then: 实施)."""
    return (
        case_scope(user=user)
        .filter(status__in=_statuses_waiting_for(role_of(user)))
        .exclude(status=wf.Status.PUBLICISED, publicised_at__gte=publicity_cutoff())
    )


def case_list(
    *, user, status: str = "", channel: str = "", q: str = "", overdue: bool = False,
    waiting: bool = False,
) -> QuerySet[Case]:  # fmt: skip
    """Cases in scope, newest first; merged duplicates only when asked for by status.
    `overdue`: past a running legal deadline (cases.deadlines); `waiting`: the user's move."""
    qs = (cases_waiting(user=user) if waiting else case_scope(user=user)).select_related(
        "household", "village"
    )
    if overdue:
        qs = qs.filter(deadlines.overdue_q())
    if status == "open":
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=wf.Status.MERGED)
    if channel:
        qs = qs.filter(channel=channel)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__contains=q)
            | Q(applicant_name__startswith=q)
            | Q(household__head_name__startswith=q)
            | Q(household__number__startswith=q)
        )
    return qs.order_by("-id")


def access_case_by_id(*, user, case_id) -> Case:
    """One case in the user's scope; NotFound when it is missing, outside the scope, or
    the user's role reads no cases (one answer for all three)."""
    pk = pk_of(case_id, message=CASE_NOT_FOUND)
    try:
        return case_scope(user=user).select_related(
            "household", "village", "village__parent", "duplicate_of", "created_by"
        ).get(pk=pk)
    except Case.DoesNotExist:
        raise NotFound(CASE_NOT_FOUND) from None


def case_events(*, case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor").order_by("at", "id"))


def case_actions(*, user, case: Case) -> list[wf.Transition]:
    """The moves this user may make on this case now (the buttons of its page)."""
    return wf.available(status=case.status, role=role_of(user))


def case_status_counts(*, user) -> dict[str, int]:
    rows = case_scope(user=user).values_list("status").annotate(n=Count("id")).order_by()
    return dict(rows)


def publicity_cutoff() -> dt.datetime:
    """Cases posted before this moment have finished their publicity period: it is the
    start of the first day whose postings are still running (Case.publicity_over)."""
    first_running = timezone.localdate() - dt.timedelta(days=settings.PUBLICITY_DAYS - 1)
    return timezone.make_aware(dt.datetime.combine(first_running, dt.time.min))


def case_agenda_meeting(*, case: Case):
    """The meeting whose open agenda holds the case, or None (hooks.agenda_meeting)."""
    return hooks.agenda_meeting.first(case=case)


def case_review_history(*, case: Case) -> list:
    """The case's joint reviews, oldest first (hooks.review_history)."""
    return [item for answer in hooks.review_history.results(case=case) for item in answer]


def household_open_case(*, household: Household) -> Case | None:
    return Case.objects.open().filter(household=household).first()


@dataclass(frozen=True)
class MeasureRow:
    policy: str
    department: str
    note: str
    policy_name: str
    department_name: str
    measure_label: str
    referral: Any = None  # the referral of this measure for the case, once sent


def measure_rows(*, case: Case) -> list[MeasureRow]:
    """The case's 一户一策 with the names of its policies and departments, and each
    measure's referral once sent (from the apps registered on hooks.measure_referrals)."""
    codes = [m.get("policy", "") for m in case.measures or []]
    policies = {p.code: p for p in Policy.objects.filter(code__in=codes)}
    departments = dict(Department.objects.values_list("code", "name"))
    referrals: dict = {}
    for answer in hooks.measure_referrals.results(case=case):
        referrals.update(answer)
    rows = []
    for m in case.measures or []:
        p = policies.get(m.get("policy", ""))
        rows.append(MeasureRow(
            policy=m.get("policy", ""), department=m.get("department", ""), note=m.get("note", ""),
            policy_name=p.name if p else m.get("policy", ""),
            department_name=departments.get(m.get("department", ""), m.get("department", "")),
            measure_label=p.get_measure_display() if p else "",
            referral=referrals.get(m.get("policy", "")),
        ))  # fmt: skip
    return rows


def case_plan_options(*, user, case: Case):
    """The household's policy matching (jiuzhu.policies), to choose measures from."""
    return household_matching(user=user, household_id=case.household_id)


# --- the public status page ------------------------------------------------------


@dataclass(frozen=True)
class PublicStep:
    on: datetime
    label: str


@dataclass(frozen=True)
class PublicStatus:
    """What a receipt code may show: the status and the dates of its steps, nothing personal."""

    code: str
    status_label: str
    is_open: bool
    received_at: datetime
    steps: list[PublicStep]
    merged: bool


_PUBLIC_STEP = {
    "open": "已受理",
    "report": "已收到申报",
    "start_assessment": "开始入户评估",
    "plan": "拟定帮扶方案",
    "submit": "乡镇审核,提交县级",
    "review": "县级审核",
    "approve": "县级审核同意",
    "publicise": "公示",
    "implement": "实施帮扶",
    "follow_up": "跟踪回访",
    "close": "已结案",
    "reject": "不予受理或不符合条件",
    "return": "退回补充材料或修改",
}


def case_public_status(*, receipt_code: str) -> PublicStatus | None:
    """The progress behind a receipt code, or None. A merged report shows its original."""
    code = receipt_normalise(receipt_code)
    if len(code) != RECEIPT_LENGTH:
        return None
    case = Case.objects.filter(receipt_code=code).select_related("duplicate_of").first()
    if case is None:
        return None
    merged = case.duplicate_of_id is not None
    shown = case.duplicate_of if merged else case
    events = CaseEvent.objects.filter(case=shown, action__in=_PUBLIC_STEP).order_by("at", "id")
    steps = [PublicStep(e.at, _PUBLIC_STEP[e.action]) for e in events.only("action", "at")]
    return PublicStatus(
        code=code,
        status_label=wf.STATUS_LABELS.get(shown.status, shown.status),
        is_open=shown.status in wf.OPEN,
        received_at=case.created_at,
        steps=steps,
        merged=merged,
    )


@dataclass(frozen=True)
class Receipt:
    """The receipt (回执) printed for whoever applied or reported: what was received,
    when, where, and the legal limits it runs under. The name is masked; no phone,
    address or description."""

    code: str
    village_code: str
    title: str
    received_at: datetime
    channel_label: str
    subject_label: str  # 申请人 or 被报告人
    name_masked: str
    place: str  # township and village
    limits: list[str]  # the legal deadlines (办理时限) in Chinese, with their last days
    merged: bool


def mask_name(name: str) -> str:
    """张三丰 → 张**: a receipt names the person by the first character only."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else ("*" if name else "—")


def _limit_lines(case) -> list[str]:
    lines = []
    for d in deadlines.case_deadlines(case):
        start = deadlines.STARTS[d.kind]
        line = f"{d.label}:自{start}之日起{d.days}个工作日内,最迟{d.due:%Y-%m-%d}"
        lines.append(line if d.running else f"{line}({d.state})")
    return lines


def case_receipt(*, receipt_code: str) -> Receipt | None:
    """The receipt behind a receipt code, or None. A merged report runs under its
    original's limits (the original is the case being handled)."""
    code = receipt_normalise(receipt_code)
    if len(code) != RECEIPT_LENGTH:
        return None
    case = (
        Case.objects.filter(receipt_code=code)
        .select_related("duplicate_of", "village__parent")
        .first()
    )
    if case is None:
        return None
    merged = case.duplicate_of_id is not None
    shown = case.duplicate_of if merged else case
    reported = case.channel == Channel.REPORT
    village = case.village
    township = village.parent.name if village.parent else ""
    return Receipt(
        code=code,
        village_code=village.code,
        title="困难情况报告回执" if reported else "社会救助申请受理回执",
        received_at=case.created_at,
        channel_label=case.get_channel_display(),
        subject_label="被报告人" if reported else "申请人",
        name_masked=mask_name(case.applicant_name),
        place=" ".join(n for n in (township, village.name) if n),
        limits=_limit_lines(shown) if shown.status in wf.OPEN else [],
        merged=merged,
    )


def public_villages() -> list[tuple[Region, list[Region]]]:
    """The public page's village picker: (township, its villages) of the public county."""
    prefix = public_county()[:6]
    townships = list(Region.objects.filter(level=Level.TOWNSHIP, code__startswith=prefix))
    villages = Region.objects.filter(level=Level.VILLAGE, code__startswith=prefix).order_by("code")
    by_parent: dict[str, list[Region]] = {}
    for v in villages:
        by_parent.setdefault(v.parent_id, []).append(v)
    return [(t, by_parent[t.code]) for t in townships if t.code in by_parent]


# --- hotline tickets ---------------------------------------------------------------


def ticket_scope(*, user) -> QuerySet[HotlineTicket]:
    if role_of(user) not in roles.HOTLINE_STAFF:
        return HotlineTicket.objects.none()
    return HotlineTicket.objects.filter(under_codes_q("region__code", user_scope_codes(user)))


def ticket_list(*, user, status: str = "") -> QuerySet[HotlineTicket]:
    qs = ticket_scope(user=user).select_related("region", "case")
    if status == "open":
        qs = qs.exclude(status=wf.TicketStatus.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def access_ticket_by_id(*, user, ticket_id) -> HotlineTicket:
    """One hotline ticket in the user's scope; NotFound otherwise (as for cases)."""
    pk = pk_of(ticket_id, message=TICKET_NOT_FOUND)
    try:
        return ticket_scope(user=user).select_related("region", "case", "received_by").get(pk=pk)
    except HotlineTicket.DoesNotExist:
        raise NotFound(TICKET_NOT_FOUND) from None


def ticket_events(*, ticket: HotlineTicket) -> list[HotlineEvent]:
    return list(ticket.events.select_related("actor").order_by("at", "id"))


def ticket_actions(*, user, ticket: HotlineTicket) -> list[wf.Transition]:
    return wf.ticket_available(status=ticket.status, role=role_of(user))


def ticket_regions(*, user) -> QuerySet[Region]:
    """Regions a ticket may be filed under: the user's, down to villages."""
    return (
        region_scope(user=user)
        .filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])
        .select_related("parent")
        .order_by("code")
    )
