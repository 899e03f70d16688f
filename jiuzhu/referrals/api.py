"""Referral API: the caller's referrals (scoped, paginated) and their moves.

POST /api/referrals/{id}/transitions answers 200 with the new status; 409 when
the table does not allow the action from the current status; 422 for an unknown
action or a missing note; 403 for a wrong role or department; 404 for a
referral outside the caller's scope.
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate

from jiuzhu.accounts.api import BearerAuth
from jiuzhu.api_schema import BoundedLimitOffset, responses
from jiuzhu.cases.api import transition_errors

from . import selectors, services
from .models import Referral

router = Router(tags=["转介"], auth=BearerAuth())


class TransitionIn(Schema):
    action: str
    note: str = ""


class ReferralOut(Schema):
    id: int
    household_id: int
    case_id: int | None
    conference_id: int | None
    department: str
    policy: str | None
    need: str
    channel: str
    status: str
    status_label: str
    deadline: dt.date
    is_overdue: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_department(obj) -> str:
        return obj["department"] if isinstance(obj, dict) else obj.department_id

    @staticmethod
    def resolve_policy(obj) -> str | None:
        if isinstance(obj, dict):
            return obj["policy"]
        return obj.policy.code if obj.policy_id else None


def _out(r: Referral) -> dict:
    return {
        "id": r.pk, "household_id": r.household_id, "case_id": r.case_id,
        "conference_id": r.conference_id, "department": r.department_id,
        "policy": r.policy.code if r.policy_id else None, "need": r.need, "channel": r.channel,
        "status": r.status, "status_label": r.status_label, "deadline": r.deadline,
        "is_overdue": r.is_overdue, "created_at": r.created_at,
    }  # fmt: skip


@router.get(
    "",
    response=responses(list[ReferralOut], 401, 422),
    summary="我可见的转介(部门经办员只见本部门的)",
)
@paginate(BoundedLimitOffset)
def referral_list(request, status: str = "", overdue: bool = False):
    # A queryset: the paginator slices it in the database (100k referrals per department).
    return selectors.referral_list(user=request.user, status=status, overdue=overdue)


@router.post(
    "/{referral_id}/transitions",
    response=responses(ReferralOut, 401, 403, 404, 409, 422),
    summary="转介流转:接收、退回、复核、帮扶、反馈、结案、重新转介",
    description=(
        "action 取值:accept(接收)、return(退回,须填 note)、review(复核)、assist(帮扶,须填 note)、"
        "feedback(反馈,须填 note)、close(结案,民政)、resend(重新转介,须填 note,民政)。"
        "当前状态不允许时返回 409;非本部门返回 403。"
    ),
)
def referral_transition(request, referral_id: int, payload: TransitionIn):
    referral = selectors.access_referral_by_id(user=request.user, referral_id=referral_id)
    with transition_errors():
        referral = services.referral_transition(
            actor=request.user, referral=referral, action=payload.action, note=payload.note
        )
    return _out(referral)
