"""The case workflow and the hotline ticket workflow as data: statuses, and one
table of allowed transitions each (jiuzhu.core.workflow). No database: the
services look a move up here, the pages ask it which buttons to show, and the
tests iterate it. The roles of each row are named in jiuzhu.accounts.roles.

A transition is keyed by (action, from status). The same action may appear in
several rows when its target or its roles depend on where the case stands
(`return` goes back one step, and who may send it back depends on the step).
"""

from __future__ import annotations

from enum import StrEnum

from jiuzhu.accounts.roles import COUNTY, HOTLINE_STAFF, TOWNSHIP, VILLAGE
from jiuzhu.core.workflow import (
    IllegalTransition,
    Transition,
    TransitionTable,
    UnknownAction,
    WorkflowError,
)
from jiuzhu.core.workflow import row as _t

__all__ = [
    "CaseError",
    "DuplicateCase",
    "IllegalTransition",
    "Transition",
    "TransitionTable",
    "UnknownAction",
]

# The case app's name for a refused workflow operation (the message is for the clerk).
CaseError = WorkflowError


class DuplicateCase(CaseError):
    """The household already has an open case."""

    def __init__(self, message: str, *, number: str):
        super().__init__(message)
        self.number = number


class Status(StrEnum):
    RECEIVED = "received"
    ASSESSING = "assessing"
    PLANNING = "planning"
    SUBMITTED = "submitted"
    REVIEWING = "reviewing"
    APPROVED = "approved"
    PUBLICISED = "publicised"
    IMPLEMENTING = "implementing"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    REJECTED = "rejected"
    # A public report that repeats an open case: kept for its receipt code, never worked on.
    MERGED = "merged"


STATUS_LABELS: dict[str, str] = {
    Status.RECEIVED: "已受理",
    Status.ASSESSING: "入户评估",
    Status.PLANNING: "拟定方案",
    Status.SUBMITTED: "乡镇审核提交",
    Status.REVIEWING: "县级审核",
    Status.APPROVED: "审核同意",
    Status.PUBLICISED: "公示",
    Status.IMPLEMENTING: "实施帮扶",
    Status.FOLLOW_UP: "跟踪回访",
    Status.CLOSED: "已结案",
    Status.REJECTED: "不予受理/不符合",
    Status.MERGED: "重复申请(已并入)",
}
TERMINAL = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED})
OPEN = frozenset(Status) - TERMINAL


S = Status
_PRE_TOWNSHIP = {S.RECEIVED, S.ASSESSING, S.PLANNING}
_AT_COUNTY = {S.SUBMITTED, S.REVIEWING}

# The case workflow (受理 → 入户评估 → 拟定方案 → 乡镇审核提交 → 县级审核 → 审核同意
# → 公示 → 实施 → 回访 → 结案). Read a row as: `action` takes a case in any of
# `sources` to `target`, done by one of `roles` within their regions.
TRANSITIONS: tuple[Transition, ...] = (
    _t("start_assessment", "开始入户评估", {S.RECEIVED}, S.ASSESSING, {VILLAGE, TOWNSHIP},
       stamp="assessment_started_at"),
    _t("plan", "评估完成,拟定方案", {S.ASSESSING}, S.PLANNING, {VILLAGE, TOWNSHIP},
       needs_household=True),
    _t("submit", "乡镇审核通过,提交县级", {S.PLANNING}, S.SUBMITTED, {TOWNSHIP},
       needs_household=True, needs_measures=True, stamp="submitted_at"),
    _t("review", "开始县级审核", {S.SUBMITTED}, S.REVIEWING, {COUNTY}),
    _t("approve", "审核同意", {S.REVIEWING}, S.APPROVED, {COUNTY}, stamp="decided_at",
       by_meeting=True),
    _t("publicise", "发布公示", {S.APPROVED}, S.PUBLICISED, {COUNTY}, stamp="publicised_at"),
    _t("implement", "公示期满无异议,实施帮扶", {S.PUBLICISED}, S.IMPLEMENTING, {COUNTY},
       after_publicity=True),
    _t("follow_up", "登记回访", {S.IMPLEMENTING}, S.FOLLOW_UP, {VILLAGE, TOWNSHIP, COUNTY},
       note_label="回访情况"),
    _t("close", "结案", {S.FOLLOW_UP}, S.CLOSED, {COUNTY}, stamp="closed_at"),
    # Rejection: the township before it submits, the county once it has the case.
    _t("reject", "不予受理/不符合", _PRE_TOWNSHIP, S.REJECTED, {TOWNSHIP, COUNTY},
       note_label="不予受理或不符合的理由", stamp="closed_at"),
    _t("reject", "审核不同意", _AT_COUNTY, S.REJECTED, {COUNTY},
       note_label="不同意的理由", stamp="closed_at", by_meeting=True),
    # Return paths: one step back, with a reason; the returned case goes forward again.
    _t("return", "退回补充评估", {S.PLANNING}, S.ASSESSING, {TOWNSHIP},
       note_label="退回原因"),
    _t("return", "退回乡镇修改方案", _AT_COUNTY, S.PLANNING, {COUNTY},
       note_label="退回原因", by_meeting=True),
    _t("return", "公示有异议,退回复核", {S.PUBLICISED}, S.REVIEWING, {COUNTY},
       note_label="公示异议及复核要求"),
)  # fmt: skip

# A case's measures can be referred to their departments once its plan exists and
# until it is closed (jiuzhu.referrals sends them).
REFERABLE = frozenset({
    S.PLANNING, S.SUBMITTED, S.REVIEWING, S.APPROVED, S.PUBLICISED, S.IMPLEMENTING, S.FOLLOW_UP,
})  # fmt: skip

# Timeline rows that are not moves of the table (the status stays or starts there).
EVENT_LABELS: dict[str, str] = {
    "open": "受理",
    "report": "群众申报",
    "merge": "重复申请并入",
    "link_household": "关联家庭档案",
    "measures": "修改帮扶措施",
    "agenda": "列入联席会议议程",
    "refer": "转介部门",
    "conference": "个案会商",
    "agenda_remove": "移出联席会议议程",
    "complex": "认定为复杂案件",
}
# One name per action for messages and the timeline (a row's label is its button).
ACTION_VERBS: dict[str, str] = {
    "start_assessment": "开始入户评估",
    "plan": "拟定方案",
    "submit": "提交县级审核",
    "review": "县级审核",
    "approve": "审核同意",
    "publicise": "公示",
    "implement": "实施帮扶",
    "follow_up": "回访",
    "close": "结案",
    "reject": "不予受理/不同意",
    "return": "退回",
}
ACTIONS: dict[str, str] = EVENT_LABELS | ACTION_VERBS
ACTION_NAMES = frozenset(t.action for t in TRANSITIONS)


CASES = TransitionTable(TRANSITIONS, noun="个案", labels=STATUS_LABELS, actions=ACTIONS)


def transition_for(*, action: str, status: str) -> Transition:
    return CASES.row_for(action=action, status=status)


def available(*, status: str, role: str) -> list[Transition]:
    return CASES.available(status=status, role=role)


# ---------------------------------------------------------------------------
# Hotline tickets (seed 004: 受理 → 办理/转办/答复 → 反馈, every step timed)


class TicketStatus(StrEnum):
    RECEIVED = "received"
    HANDLED = "handled"
    TRANSFERRED = "transferred"
    ANSWERED = "answered"
    FEEDBACK_GIVEN = "feedback_given"
    CLOSED = "closed"


TICKET_STATUS_LABELS: dict[str, str] = {
    TicketStatus.RECEIVED: "已受理",
    TicketStatus.HANDLED: "已办理",
    TicketStatus.TRANSFERRED: "已转办",
    TicketStatus.ANSWERED: "已答复",
    TicketStatus.FEEDBACK_GIVEN: "已反馈",
    TicketStatus.CLOSED: "已办结",
}

T = TicketStatus
_RESPONDED = {T.HANDLED, T.TRANSFERRED, T.ANSWERED}

TICKET_TRANSITIONS: tuple[Transition, ...] = (
    _t("handle", "本部门办理", {T.RECEIVED}, T.HANDLED, HOTLINE_STAFF,
       note_label="办理情况", stamp="responded_at"),
    _t("transfer", "转办部门", {T.RECEIVED}, T.TRANSFERRED, HOTLINE_STAFF,
       note_label="转办事项", stamp="responded_at"),
    _t("answer", "直接答复", {T.RECEIVED}, T.ANSWERED, HOTLINE_STAFF,
       note_label="答复内容", stamp="responded_at"),
    _t("give_feedback", "反馈来电人", _RESPONDED, T.FEEDBACK_GIVEN, HOTLINE_STAFF,
       note_label="反馈结果", stamp="feedback_at"),
    _t("close", "办结", {T.FEEDBACK_GIVEN}, T.CLOSED, HOTLINE_STAFF, stamp="closed_at"),
)  # fmt: skip

TICKET_ACTIONS: dict[str, str] = {"receive": "受理来电", "open_case": "转入个案"}
for _row in TICKET_TRANSITIONS:
    TICKET_ACTIONS.setdefault(_row.action, _row.label)

TICKET_ACTION_NAMES = frozenset(t.action for t in TICKET_TRANSITIONS)
TICKETS = TransitionTable(
    TICKET_TRANSITIONS, noun="工单", labels=TICKET_STATUS_LABELS, actions=TICKET_ACTIONS
)


def ticket_transition_for(*, action: str, status: str) -> Transition:
    return TICKETS.row_for(action=action, status=status)


def ticket_available(*, status: str, role: str) -> list[Transition]:
    return TICKETS.available(status=status, role=role)
