"""Marking a case complex (复杂案件): its whole-process limit goes from 30 to 45 working
days (cases/deadlines.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jiuzhu.accounts import roles
from jiuzhu.accounts.roles import role_of

from .. import deadlines
from ..models import Case
from ..workflow import IllegalTransition
from .common import case_event, case_save, clean_note, region_of, require_scope


@transaction.atomic
def case_mark_complex(*, actor, case: Case, reason: str) -> Case:
    """Mark a case complex with its reason, before the county's decision (county staff)."""
    if role_of(actor) not in roles.CASE_COMPLEXITY_MARKERS:
        raise PermissionDenied("只有县民政局可以认定复杂案件")
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_scope(actor, region_of(case))
    if case.is_complex:
        raise IllegalTransition("该个案已认定为复杂案件")
    if case.status not in deadlines.BEFORE_DECISION:
        raise IllegalTransition("县级已作出审核决定或个案已办结,不能再认定为复杂案件")
    reason = clean_note(reason, label="认定复杂案件的理由")
    if not reason:
        raise ValidationError({"reason": "认定复杂案件的理由:请填写"})
    case.is_complex = True
    case.complex_reason = reason
    days = deadlines.limit_days(deadlines.TOTAL, is_complex=True)
    case_save(case, actor=actor, reason="认定为复杂案件")
    case_event(case, action="complex", from_status=case.status, actor=actor,
               note=f"办理总时限延长至{days}个工作日。理由:{reason}")  # fmt: skip
    return case
