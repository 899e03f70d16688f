"""Moving a referral by one row of its workflow table (referrals/workflow.py), one at
a time or several at once (accepting the ticked referrals of an inbox)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.pages import error_text
from jiuzhu.accounts.roles import role_of
from jiuzhu.core.bulk import BulkResult, check_count, run_each

from .. import workflow as wf
from ..models import Referral, ReferralEvent
from ..selectors import REFERRAL_NOT_FOUND, referral_scope
from ..workflow import UnknownAction, WorkflowError
from .common import clean_note, require_civil_affairs
from .sends import referral_deadline


def _require_role_for(actor, referral: Referral, action: str) -> None:
    role = role_of(actor)
    if action in wf.DEPARTMENT_ACTIONS:
        if role not in roles.REFERRAL_HANDLERS:
            raise PermissionDenied(f"只有接收转介的部门或社会组织可以{wf.ACTION_VERBS[action]}")
        if not actor.department or actor.department != referral.department_id:
            raise PermissionDenied("该转介不是转给您所在部门或机构的")
    else:
        require_civil_affairs(actor, referral.village_id, "该转介")


@transaction.atomic
def referral_transition(*, actor, referral: Referral, action: str, note: str = "") -> Referral:
    """Move a referral by one row of workflow.TRANSITIONS; return the moved referral."""
    if action not in wf.ACTION_NAMES:
        raise UnknownAction(f"未知的操作“{action}”")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_role_for(actor, referral, action)
    row = wf.transition_for(action=action, status=referral.status)
    if role_of(actor) not in row.roles:
        raise PermissionDenied(f"您的角色不能执行“{row.label}”")
    note = clean_note(note, label=row.note_label or "说明")
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
        referral.deadline = referral_deadline()
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, action=action, from_status=from_status, to_status=referral.status,
        actor=actor, note=note, at=now,
    )  # fmt: skip
    return referral


def _label(referral: Referral) -> str:
    return f"{referral.household.head_name or '(未填姓名)'}户(转介{referral.pk})"


@transaction.atomic
def referrals_accept(*, actor, referral_ids) -> BulkResult:
    """Accept the ticked referrals (批量接收), each by referral_transition (its checks, its
    event) in a savepoint of this one transaction; report per referral what was refused."""
    ids = check_count([int(i) for i in referral_ids if str(i).isdigit()], noun="转介")
    found = {r.pk: r for r in referral_scope(user=actor).filter(pk__in=ids)
             .select_related("household")}  # fmt: skip
    result = run_each(
        [found[pk] for pk in ids if pk in found],
        apply=lambda r: referral_transition(actor=actor, referral=r, action="accept"),
        label=_label, refusals=(WorkflowError, PermissionDenied, ValidationError),
        reason=error_text,
    )  # fmt: skip
    result.failed += [(f"转介{pk}", REFERRAL_NOT_FOUND) for pk in ids if pk not in found]
    return result
