"""Writes to referrals and case conferences. Each service is atomic, takes the
acting user, locks the row it moves, checks the table in workflow.py and writes
its ReferralEvent in the same transaction.

Errors: IllegalTransition (a move the table forbids, HTTP 409), PermissionDenied
(wrong role, wrong department, or outside the actor's regions), ValidationError
{field: Chinese message}.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jiuzhu.households.models import Household
from jiuzhu.households.selectors import code_in_scope
from jiuzhu.policies.models import Department, Policy

from . import workflow as wf
from .models import NEED_CHOICES, Conference, Referral, ReferralChannel, ReferralEvent
from .workflow import CaseError, IllegalTransition, UnknownAction

__all__ = [
    "CaseError",
    "IllegalTransition",
    "UnknownAction",
    "case_refer_measures",
    "conference_create",
    "conference_tasks_done",
    "referral_push_quarter",
    "referral_send",
    "referral_transition",
]

NOTE_MAX = 1000
_QUARTER = re.compile(r"^(20\d\d)Q([1-4])$")


def _role(actor) -> str:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return ""
    return actor.role


def _clean_note(note: str, *, label: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"{label}:不能超过{NOTE_MAX}字"})
    return note


def _require_civil_affairs(actor, village_code: str, what: str = "该家庭") -> None:
    if _role(actor) not in wf.CIVIL_AFFAIRS:
        raise PermissionDenied("只有乡镇或县民政部门可以转介、重新转介和结案")
    if not code_in_scope(user=actor, code=village_code or ""):
        raise PermissionDenied(f"{what}不在您的管辖范围内")


def _deadline() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=wf.DEADLINE_DAYS)


@transaction.atomic
def referral_send(
    *,
    actor,
    household: Household,
    department: Department,
    need: str = "",
    policy: Policy | None = None,
    note: str = "",
    case=None,
    deadline: dt.date | None = None,
) -> Referral:
    """Refer one need of a household to one department (单一需求转介)."""
    _require_civil_affairs(actor, household.village_id)
    if need and need not in dict(NEED_CHOICES):
        raise ValidationError({"need": "需求类别:请从列表中选择"})
    if policy is not None and policy.department_id != department.pk:
        raise ValidationError({"policy": f"对应政策:该政策的责任部门不是{department.name}"})
    if case is not None and case.household_id != household.pk:
        raise ValidationError({"case": "个案:与转介的家庭不一致"})
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": "办理期限:不能早于今天"})
    note = _clean_note(note, label="转介说明")
    referral = Referral.objects.create(
        case=case, household=household, village_id=household.village_id, department=department,
        policy=policy, need=need, note=note, deadline=deadline or _deadline(), sent_by=actor,
    )  # fmt: skip
    ReferralEvent.objects.create(
        referral=referral, action="send", from_status="", to_status=referral.status,
        actor=actor, note=note, at=referral.created_at,
    )  # fmt: skip
    return referral


# A case's measures can be referred once its plan exists and until it is closed.
REFERABLE_CASE_STATUSES = frozenset({
    "planning", "submitted", "reviewing", "approved", "publicised", "implementing", "follow_up",
})  # fmt: skip


@transaction.atomic
def case_refer_measures(
    *, actor, case, policy_codes: list[str], deadline: dt.date | None = None
) -> list[Referral]:
    """Send the chosen measures of a case's 一户一策 to their departments, one referral
    each (单一需求转介). A measure already referred for this case is refused."""
    from jiuzhu.cases.models import Case
    from jiuzhu.cases.workflow import STATUS_LABELS

    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_civil_affairs(actor, case.village_id, "该个案")
    if case.household_id is None:
        raise IllegalTransition("尚未关联家庭档案:请先关联家庭档案,再转介")
    if case.status not in REFERABLE_CASE_STATUSES:
        label = STATUS_LABELS.get(case.status, case.status)
        raise IllegalTransition(f"个案当前状态为“{label}”:拟定方案后、结案前方可转介")
    codes = list(dict.fromkeys(c for c in policy_codes if c))
    if not codes:
        raise ValidationError({"policy": "帮扶措施:请勾选要转介的措施"})
    chosen = {m.get("policy"): m for m in case.measures or []}
    policies = {
        p.code: p for p in Policy.objects.filter(code__in=codes).select_related("department")
    }
    for code in codes:
        if code not in chosen or code not in policies:
            raise ValidationError({"policy": f"帮扶措施:“{code}”不是本案一户一策中的措施"})
    sent = dict(
        Referral.objects.filter(case=case, policy__code__in=codes).values_list(
            "policy__code", "status"
        )
    )
    for code in codes:
        if code in sent:
            p = policies[code]
            raise ValidationError({
                "policy": f"帮扶措施:“{p.name}”已转介{p.department.short_name or p.department.name}"
                f"({wf.STATUS_LABELS.get(sent[code], sent[code])}),不能重复转介"
            })  # fmt: skip
    needs = dict(NEED_CHOICES)
    made = []
    for code in codes:
        p = policies[code]
        need = next((n for n in p.needs or [] if n in needs), "")
        note = chosen[code].get("note") or f"个案 {case.number} 一户一策:{p.name}"
        made.append(referral_send(
            actor=actor, household=case.household, department=p.department, need=need,
            policy=p, note=note, case=case, deadline=deadline,
        ))  # fmt: skip
    return made


def _require_role_for(actor, referral: Referral, action: str) -> None:
    role = _role(actor)
    if action in wf.DEPARTMENT_ACTIONS:
        if role != wf.DEPARTMENT:
            raise PermissionDenied(f"只有接收部门的经办员可以{wf.ACTION_VERBS[action]}")
        if not actor.department or actor.department != referral.department_id:
            raise PermissionDenied("该转介不是转给您所在部门的")
    else:
        _require_civil_affairs(actor, referral.village_id, "该转介")


@transaction.atomic
def referral_transition(*, actor, referral: Referral, action: str, note: str = "") -> Referral:
    """Move a referral by one row of workflow.TRANSITIONS; return the moved referral."""
    if action not in wf.ACTION_NAMES:
        raise UnknownAction(f"未知的操作“{action}”")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_role_for(actor, referral, action)
    row = wf.transition_for(action=action, status=referral.status)
    if _role(actor) not in row.roles:
        raise PermissionDenied(f"您的角色不能执行“{row.label}”")
    note = _clean_note(note, label=row.note_label or "说明")
    if row.note_required and not note:
        raise ValidationError({"note": f"{row.note_label}:请填写"})
    now = timezone.now()
    from_status = referral.status
    referral.status = row.target
    referral.status_changed_at = now
    if row.stamp:
        setattr(referral, row.stamp, now)
    if action == "return":
        referral.return_reason = note
    elif action == "assist":
        referral.assistance = note
    elif action == "feedback":
        referral.feedback = note
    elif action == "resend":
        # The department gets a fresh period for the changed referral.
        referral.deadline = _deadline()
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, action=action, from_status=from_status, to_status=referral.status,
        actor=actor, note=note, at=now,
    )  # fmt: skip
    return referral


# --- case conferences (个案会商) ---------------------------------------------------------


def conference_tasks_done(*, case) -> bool:
    """Whether every conference task of the case has been fed back (or closed)."""
    return not (
        Referral.objects.filter(conference__case_id=case.pk)
        .exclude(status__in=wf.ANSWERED)
        .exists()
    )


@transaction.atomic
def conference_create(
    *,
    actor,
    case,
    held_on: dt.date,
    departments: list[Department],
    minutes: str,
    tasks: dict[str, str] | None = None,
    deadline: dt.date | None = None,
) -> Conference:
    """Record a case conference and send one task (a referral) to each department."""
    from jiuzhu.cases.models import Case

    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_civil_affairs(actor, case.village_id, "该个案")
    if not case.is_open:
        raise IllegalTransition("个案已办结,不能再召开个案会商")
    if case.household_id is None:
        raise IllegalTransition("尚未关联家庭档案:请先关联家庭档案,再召开个案会商")
    errors: dict[str, str] = {}
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        errors["departments"] = "参会部门:请至少选择一个部门"
    minutes = (minutes or "").strip()
    if not minutes:
        errors["minutes"] = "会商纪要:请填写"
    elif len(minutes) > 5000:
        errors["minutes"] = "会商纪要:不能超过5000字"
    if held_on is None:
        errors["held_on"] = "会商日期:请填写"
    elif held_on > timezone.localdate():
        errors["held_on"] = "会商日期:不能晚于今天"
    if errors:
        raise ValidationError(errors)
    conference = Conference.objects.create(
        case=case, held_on=held_on, minutes=minutes, convened_by=actor
    )
    conference.departments.set(departments)
    tasks = tasks or {}
    for department in departments:
        task = _clean_note(tasks.get(department.pk, ""), label=f"{department.name}的任务")
        referral = Referral.objects.create(
            case=case, conference=conference, household_id=case.household_id,
            village_id=case.household.village_id, department=department,
            channel=ReferralChannel.CONFERENCE, note=task or f"个案会商任务:{minutes[:200]}",
            deadline=deadline or _deadline(), sent_by=actor,
        )  # fmt: skip
        ReferralEvent.objects.create(
            referral=referral, action="send", from_status="", to_status=referral.status,
            actor=actor, note=f"个案会商({held_on:%Y-%m-%d})任务", at=referral.created_at,
        )  # fmt: skip
    return conference


# --- the quarterly push (seed 002: 每季度末向各部门推送符合条件的家庭) ---------------------------


def quarter_parse(quarter: str) -> tuple[int, int]:
    """(year, quarter) of "2026Q4"; ValidationError for anything else."""
    match = _QUARTER.match((quarter or "").strip().upper())
    if not match:
        raise ValidationError({"quarter": "季度:格式应为 2026Q4"})
    return int(match.group(1)), int(match.group(2))


@transaction.atomic
def referral_push_quarter(*, quarter: str, region: str | None = None, match=None) -> dict[str, int]:
    """Send each department the households eligible for its policies and not receiving them.

    One referral per (household, policy) per quarter: run again, it sends only
    what is new. Returns the number sent per department code. `match` may be a
    RegionMatch already computed (tests, benches); by default the whole registry
    is matched at once (jiuzhu.policies.matching, vectorised).
    """
    from jiuzhu.policies.matching import match_region

    year, q = quarter_parse(quarter)
    quarter = f"{year}Q{q}"
    match = match if match is not None else match_region(region)
    policies = {p.code: p for p in match.policies}
    missing = match.missing(list(policies)).join(match.households, on="household_id")
    if missing.is_empty():
        return {}
    already = set(
        Referral.objects.filter(quarter=quarter).values_list("household_id", "policy__code")
    )
    deadline = _deadline()
    now = timezone.now()
    rows: list[Referral] = []
    for household_id, code, village_id in missing.select(
        "household_id", "policy", "village_id"
    ).iter_rows():
        if (household_id, code) in already:
            continue
        policy = policies[code]
        rows.append(Referral(
            household_id=household_id, village_id=village_id, department_id=policy.department_id,
            policy=policy, need=(policy.needs or [""])[0], channel=ReferralChannel.QUARTERLY,
            quarter=quarter, note=f"{quarter} 季度推送:符合“{policy.name}”条件,尚未享受",
            deadline=deadline, created_at=now, status_changed_at=now,
        ))  # fmt: skip
    created = Referral.objects.bulk_create(rows, batch_size=5000)
    ReferralEvent.objects.bulk_create(
        [ReferralEvent(referral_id=r.pk, action="push", to_status=r.status, at=now)
         for r in created],
        batch_size=5000,
    )  # fmt: skip
    counts = pl.DataFrame({"department": [r.department_id for r in created]})
    if counts.is_empty():
        return {}
    return dict(counts.group_by("department").len().iter_rows())
