"""Making referrals: the rules every new referral follows, and the sends of civil
affairs (one need to one department; a case's 一户一策 measures, one referral each)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiuzhu.cases import workflow as case_wf
from jiuzhu.cases.models import Case
from jiuzhu.cases.services import case_log
from jiuzhu.engine.needs import NEED_LABELS
from jiuzhu.households.models import Household
from jiuzhu.policies.models import Department, Policy

from .. import workflow as wf
from ..models import Conference, Referral, ReferralChannel, ReferralEvent, default_deadline
from ..workflow import IllegalTransition
from .common import clean_note, require_civil_affairs


def referral_deadline() -> dt.date:
    """A new (or re-sent) referral's deadline: DEADLINE_DAYS calendar days from today
    (the same rule as the model's default)."""
    return default_deadline()


def referral_need_of(policy: Policy) -> str:
    """The need a referral for this policy answers: the policy's first need category."""
    return next((n for n in policy.needs or [] if n in NEED_LABELS), "")


def referral_check(
    *, household: Household, department: Department, need: str = "",
    policy: Policy | None = None, case=None, deadline: dt.date | None = None,
) -> None:  # fmt: skip
    """Raise ValidationError {field: Chinese message} unless a referral with these values
    may be made (the push builds its rows from policies, so it meets these by construction)."""
    if need and need not in NEED_LABELS:
        raise ValidationError({"need": "需求类别:请从列表中选择"})
    if policy is not None and policy.department_id != department.pk:
        raise ValidationError({"policy": f"对应政策:该政策的责任部门不是{department.name}"})
    if case is not None and case.household_id != household.pk:
        raise ValidationError({"case": "个案:与转介的家庭不一致"})
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": "办理期限:不能早于今天"})


@transaction.atomic
def referral_create(
    *,
    actor,
    household: Household,
    department: Department,
    channel: str = ReferralChannel.MANUAL,
    need: str = "",
    policy: Policy | None = None,
    note: str = "",
    case=None,
    conference: Conference | None = None,
    deadline: dt.date | None = None,
    event_note: str | None = None,
) -> Referral:
    """Make one referral and its 发送 timeline row: the one way a referral is created by a
    person — sent by civil affairs (referral_send, case_refer_measures) or as a case
    conference's task (conference_create). The quarterly push, set-based, writes its
    rows with the same rules: referral_deadline, referral_need_of, its channel."""
    require_civil_affairs(actor, household.village_id)
    referral_check(household=household, department=department, need=need, policy=policy,
                   case=case, deadline=deadline)  # fmt: skip
    note = clean_note(note, label="转介说明")
    referral = Referral.objects.create(
        case=case, conference=conference, household=household, village_id=household.village_id,
        department=department, policy=policy, need=need, channel=channel, note=note,
        deadline=deadline or referral_deadline(), sent_by=actor,
    )  # fmt: skip
    ReferralEvent.objects.create(
        referral=referral, action="send", from_status="", to_status=referral.status,
        actor=actor, note=note if event_note is None else event_note, at=referral.created_at,
    )  # fmt: skip
    return referral


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
    return referral_create(
        actor=actor, household=household, department=department, need=need, policy=policy,
        note=note, case=case, deadline=deadline,
    )  # fmt: skip


@transaction.atomic
def case_refer_measures(
    *, actor, case, policy_codes: list[str], deadline: dt.date | None = None
) -> list[Referral]:
    """Send the chosen measures of a case's 一户一策 to their departments, one referral
    each (单一需求转介). A measure already referred for this case is refused."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_civil_affairs(actor, case.village_id, "该个案")
    if case.household_id is None:
        raise IllegalTransition("尚未关联家庭档案:请先关联家庭档案,再转介")
    if case.status not in case_wf.REFERABLE:
        label = case_wf.STATUS_LABELS.get(case.status, case.status)
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
    made = []
    for code in codes:
        p = policies[code]
        note = chosen[code].get("note") or f"个案 {case.number} 一户一策:{p.name}"
        made.append(referral_create(
            actor=actor, household=case.household, department=p.department,
            need=referral_need_of(p), policy=p, note=note, case=case, deadline=deadline,
        ))  # fmt: skip
    sent_to = "、".join(
        f"{r.department.short_name or r.department.name}({r.policy.name})" for r in made
    )
    case_log(actor=actor, case=case, action="refer", note=f"转介{len(made)}项:{sent_to}")
    return made
