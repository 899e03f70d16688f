"""The referral workflow as data (单一需求转介, seed 002): statuses and one table of
allowed transitions (jiuzhu.core.workflow), in the style of cases/workflow.py.

A referral has its own lifecycle, separate from the case it may belong to:
民政 sends it (发送), the department accepts or returns it with a reason, reviews
(复核), assists (帮扶), gives feedback (反馈), and civil affairs closes it (结案).
A returned referral goes back to the department after civil affairs changes it.
"""

from __future__ import annotations

from enum import StrEnum

from jiuzhu.accounts.roles import CIVIL_AFFAIRS, REFERRAL_HANDLERS
from jiuzhu.core.workflow import (
    IllegalTransition,
    Transition,
    TransitionTable,
    UnknownAction,
    WorkflowError,
)
from jiuzhu.core.workflow import row as _t

__all__ = [
    "IllegalTransition",
    "Transition",
    "UnknownAction",
    "WorkflowError",
]


class Status(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    REVIEWED = "reviewed"
    ASSISTED = "assisted"
    FEEDBACK_GIVEN = "feedback_given"
    DONE = "done"


STATUS_LABELS: dict[str, str] = {
    Status.SENT: "待接收",
    Status.ACCEPTED: "已接收",
    Status.RETURNED: "已退回",
    Status.REVIEWED: "已复核",
    Status.ASSISTED: "已帮扶",
    Status.FEEDBACK_GIVEN: "已反馈",
    Status.DONE: "已结案",
}
TERMINAL = frozenset({Status.DONE})
# The department has answered: a conference task counts as finished from here on.
ANSWERED = frozenset({Status.FEEDBACK_GIVEN, Status.DONE})
# Waiting for the department (its inbox); the deadline runs while a referral is here.
WITH_DEPARTMENT = frozenset({Status.SENT, Status.ACCEPTED, Status.REVIEWED, Status.ASSISTED})
# Waiting for civil affairs: returned (change and re-send) or fed back (close).
WITH_CIVIL_AFFAIRS = frozenset({Status.RETURNED, Status.FEEDBACK_GIVEN})
# The department has delivered the help: the household receives the referral's policy
# (jiuzhu.policies counts it as received, through policies.hooks).
DELIVERED = frozenset({Status.ASSISTED, Status.FEEDBACK_GIVEN, Status.DONE})
# Past its deadline and not yet answered: overdue (a returned one too, until re-sent).
OVERDUE_STATUSES = frozenset(Status) - ANSWERED


S = Status
_DEPT = REFERRAL_HANDLERS

TRANSITIONS: tuple[Transition, ...] = (
    _t("accept", "接收转介", {S.SENT}, S.ACCEPTED, _DEPT, stamp="accepted_at"),
    _t("return", "退回民政", {S.SENT}, S.RETURNED, _DEPT, note_label="退回原因"),
    _t("review", "复核完成", {S.ACCEPTED}, S.REVIEWED, _DEPT),
    _t("assist", "登记帮扶", {S.REVIEWED}, S.ASSISTED, _DEPT, note_label="帮扶内容"),
    _t("feedback", "反馈民政", {S.ASSISTED}, S.FEEDBACK_GIVEN, _DEPT,
       note_label="反馈意见", stamp="feedback_at"),
    _t("close", "结案", {S.FEEDBACK_GIVEN}, S.DONE, CIVIL_AFFAIRS, stamp="closed_at"),
    _t("resend", "修改后重新转介", {S.RETURNED}, S.SENT, CIVIL_AFFAIRS,
       note_label="修改说明"),
)  # fmt: skip

ACTION_VERBS: dict[str, str] = {
    "accept": "接收",
    "return": "退回",
    "review": "复核",
    "assist": "帮扶",
    "feedback": "反馈",
    "close": "结案",
    "resend": "重新转介",
}
# Timeline rows that are not moves of the table.
EVENT_LABELS: dict[str, str] = {"send": "发送转介", "push": "季度推送"}
ACTIONS: dict[str, str] = EVENT_LABELS | ACTION_VERBS
ACTION_NAMES = frozenset(t.action for t in TRANSITIONS)
DEPARTMENT_ACTIONS = frozenset(t.action for t in TRANSITIONS if t.roles & REFERRAL_HANDLERS)

REFERRALS = TransitionTable(TRANSITIONS, noun="转介", labels=STATUS_LABELS, actions=ACTIONS)


def transition_for(*, action: str, status: str) -> Transition:
    return REFERRALS.row_for(action=action, status=status)


def available(*, status: str, role: str) -> list[Transition]:
    return REFERRALS.available(status=status, role=role)


DEADLINE_DAYS = 15  # a department's period to answer a referral, in calendar days
