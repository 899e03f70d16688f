"""Moving a case by one row of its workflow table (cases/workflow.py), one case or the
ticked cases of a list (implementing those past publicity), and the timeline rows that
do not move it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts.pages import error_text
from jiuzhu.accounts.roles import role_of
from jiuzhu.core.bulk import BulkResult, check_count, run_each

from .. import hooks
from .. import workflow as wf
from ..models import (
    Case,
    CaseEvent,
)
from ..selectors import CASE_NOT_FOUND, case_scope
from ..workflow import IllegalTransition, UnknownAction
from .common import (
    case_event,
    case_save,
    clean_note,
    region_of,
    require_scope,
)


@transaction.atomic
def case_transition(*, actor, case: Case, action: str, note: str = "", meeting=None) -> Case:
    """Move a case by one row of workflow.TRANSITIONS; return the moved case.

    `meeting` is the county joint review (reviews.ReviewMeeting) whose decision this
    move carries out; while a case is on an undecided agenda, only that meeting
    may approve, reject or return it (a guard reviews registers on
    hooks.transition_guards, as referrals does for open conference tasks).
    """
    role = role_of(actor)
    if action not in wf.ACTION_NAMES:
        raise UnknownAction(f"未知的操作“{action}”")
    if not any(role in t.roles for t in wf.TRANSITIONS if t.action == action):
        raise PermissionDenied(f"您的角色不能执行“{wf.ACTION_VERBS[action]}”")
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_scope(actor, region_of(case))
    row = wf.transition_for(action=action, status=case.status)
    if role not in row.roles:
        raise PermissionDenied(f"您的角色不能在当前环节执行“{row.label}”")
    note = clean_note(note, label=row.note_label or "说明")
    if row.note_required and not note:
        raise ValidationError({"note": f"{row.note_label}:请填写"})
    if row.needs_household and case.household_id is None:
        raise IllegalTransition("尚未关联家庭档案:请先入户登记,再在个案页关联家庭档案")
    if row.needs_measures and not case.measures:
        raise IllegalTransition("一户一策尚未选定帮扶措施,请先拟定方案")
    if row.after_publicity and not case.publicity_over:
        ends = case.publicity_ends_on
        until = f",至{ends:%Y年%m月%d日}期满" if ends else ""
        raise IllegalTransition(
            f"公示期{settings.PUBLICITY_DAYS}天{until};期满无异议后方可实施帮扶"
        )
    # The rules of the apps above (conference tasks, the joint review's agenda).
    hooks.transition_guards.run(case=case, row=row, meeting=meeting)
    now = timezone.now()
    from_status = case.status
    case.status = row.target
    case.is_returned = action == "return"
    case.status_changed_at = now
    if row.stamp:
        setattr(case, row.stamp, now)
    case_save(case, actor=actor, reason=row.label)
    case_event(case, action=action, from_status=from_status, actor=actor, note=note, at=now)
    return case


@transaction.atomic
def cases_implement(*, actor, case_ids, note: str = "公示期满无异议,批量实施帮扶") -> BulkResult:
    """Implement the ticked cases past their publicity (批量实施), each by case_transition
    (its checks: the period over, the role, the scope; its timeline row) in a savepoint of
    this one transaction; report per case what was refused."""
    ids = check_count([int(i) for i in case_ids if str(i).isdigit()], noun="个案")
    found = {c.pk: c for c in case_scope(user=actor).filter(pk__in=ids)
             .select_related("household")}  # fmt: skip
    result = run_each(
        [found[pk] for pk in ids if pk in found],
        apply=lambda c: case_transition(actor=actor, case=c, action="implement", note=note),
        label=lambda c: f"{c.subject_name or '(未填姓名)'}({c.number})",
        refusals=(wf.CaseError, PermissionDenied, ValidationError), reason=error_text,
    )  # fmt: skip
    result.failed += [(f"个案{pk}", CASE_NOT_FOUND) for pk in ids if pk not in found]
    return result


def case_log(*, actor, case: Case, action: str, note: str = "") -> CaseEvent:
    """Add a timeline row that does not move the case (an EVENT_LABELS action)."""
    if action not in wf.EVENT_LABELS:
        raise UnknownAction(f"未知的记录类型“{action}”")
    return case_event(case, action=action, from_status=case.status, actor=actor, note=note)
