"""Moving a referral by one row of its workflow table (referrals/workflow.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.roles import role_of

from .. import workflow as wf
from ..models import Referral, ReferralEvent
from ..workflow import UnknownAction
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
