"""Writes to referrals and case conferences, one module per job: `sends` (the rules
of every new referral, referral_create, the sends of civil affairs), `transitions`
(a referral's moves), `conferences` (个案会商 and its guard on the case workflow) and
`push` (the quarterly push, set-based). Each service is atomic, takes the acting
user, locks the row it moves, checks the table in workflow.py and writes its
ReferralEvent in the same transaction.

Errors: IllegalTransition (a move the table forbids, HTTP 409), PermissionDenied
(wrong role, wrong department, or outside the actor's regions), ValidationError
{field: Chinese message}.
"""

from ..workflow import IllegalTransition, UnknownAction, WorkflowError
from .conferences import conference_create, conference_tasks_done, refuse_submit_while_tasks_open
from .push import quarter_parse, referral_push_quarter, referral_push_run, referral_push_start
from .sends import (
    case_refer_measures,
    referral_check,
    referral_create,
    referral_deadline,
    referral_need_of,
    referral_send,
)
from .transitions import referral_transition, referrals_accept

__all__ = [
    "IllegalTransition",
    "UnknownAction",
    "WorkflowError",
    "case_refer_measures",
    "conference_create",
    "conference_tasks_done",
    "quarter_parse",
    "referral_check",
    "referral_create",
    "referral_deadline",
    "referral_need_of",
    "referral_push_quarter",
    "referral_push_run",
    "referral_push_start",
    "referral_send",
    "referral_transition",
    "referrals_accept",
    "refuse_submit_while_tasks_open",
]
