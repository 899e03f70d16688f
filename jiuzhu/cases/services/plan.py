"""The plan of a case: the household file a report is matched to, and 一户一策 (the
measures chosen from the household's policy matching)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jiuzhu.accounts import roles
from jiuzhu.accounts.roles import role_of
from jiuzhu.households.models import Household
from jiuzhu.policies.models import Policy
from jiuzhu.validators import text_error

from .. import workflow as wf
from ..models import (
    Case,
)
from ..workflow import IllegalTransition
from .common import (
    case_event,
    case_save,
    open_case_of,
    refuse_duplicate,
    region_of,
    require_scope,
)

MEASURES_MAX = 30


@transaction.atomic
def case_link_household(*, actor, case: Case, household: Household) -> Case:
    """Match a report to the household file made for it at the home visit."""
    if role_of(actor) not in roles.CASE_OPENERS:
        raise PermissionDenied("您的角色不能关联家庭档案")
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_scope(actor, case.village_id)
    require_scope(actor, household.village_id, "该家庭")
    if case.status not in wf.OPEN:
        raise IllegalTransition("个案已办结,不能再关联家庭档案")
    if case.household_id is not None:
        raise IllegalTransition(f"个案已关联家庭档案 {case.household.number}")
    household = Household.objects.select_for_update().get(pk=household.pk)
    existing = open_case_of(household.pk, excluding=case.pk)
    if existing is not None:
        refuse_duplicate(existing)
    case.household = household
    case.village_id = household.village_id
    case_save(case, actor=actor, reason="关联家庭档案")
    case_event(case, action="link_household", from_status=case.status, actor=actor,
           note=f"户编号 {household.number}")  # fmt: skip
    return case


def _clean_measures(measures: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[str]]:
    """The measures as stored, and the policies' names for the timeline."""
    if len(measures) > MEASURES_MAX:
        raise ValidationError({"measures": f"帮扶措施:最多{MEASURES_MAX}项"})
    codes = [str(m.get("policy", "")).strip() for m in measures]
    policies = {p.code: p for p in Policy.objects.filter(code__in=codes)}
    cleaned: list[dict[str, str]] = []
    names: list[str] = []
    seen: set[str] = set()
    for i, (code, m) in enumerate(zip(codes, measures, strict=True)):
        where = f"第{i + 1}项措施"
        policy = policies.get(code)
        if policy is None:
            raise ValidationError(
                {f"measures[{i}].policy": f"{where}:政策“{code}”不在政策一本通中"}
            )
        department = str(m.get("department") or policy.department_id)
        if department != policy.department_id:
            raise ValidationError(
                {f"measures[{i}].department": f"{where}:责任部门应为{policy.department.name}"}
            )
        note = str(m.get("note") or "").strip()
        if len(note) > 200:
            raise ValidationError({f"measures[{i}].note": f"{where}:说明不能超过200字"})
        if problem := text_error(note, label=f"{where}说明"):
            raise ValidationError({f"measures[{i}].note": problem})
        if code in seen:
            continue
        seen.add(code)
        cleaned.append({"policy": code, "department": department, "note": note})
        names.append(policy.name)
    return cleaned, names


@transaction.atomic
def case_measures_save(*, actor, case: Case, measures: list[dict[str, Any]]) -> Case:
    """Set the case's 一户一策: the measures chosen from the household's matching."""
    if role_of(actor) not in roles.PLAN_EDITORS:
        raise PermissionDenied("您的角色不能拟定帮扶方案")
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_scope(actor, region_of(case))
    if case.status != wf.Status.PLANNING:
        label = wf.STATUS_LABELS.get(case.status, case.status)
        raise IllegalTransition(f"个案当前状态为“{label}”,只有“拟定方案”环节可以修改帮扶措施")
    cleaned, names = _clean_measures(measures)
    case.measures = cleaned
    case_save(case, actor=actor, reason="修改帮扶措施")
    names = "、".join(names) or "无"
    case_event(case, action="measures", from_status=case.status, actor=actor,
           note=f"选定{len(cleaned)}项:{names}")  # fmt: skip
    return case
