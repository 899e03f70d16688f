"""Case API: read a case with its timeline, and move it by the action names of
workflow.TRANSITIONS.

POST /api/cases/{id}/transitions answers 200 with the new status; 409 when the
table does not allow the action from the current status; 422 for an unknown
action or a missing reason (errors name the field); 403 for a role that may not
take the action; 404 for a case outside the caller's regions.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema
from ninja.errors import HttpError

from jiuzhu.accounts.api import BearerAuth
from jiuzhu.api_schema import responses
from jiuzhu.households.api import FieldError

from . import selectors, services
from . import workflow as wf

router = Router(tags=["个案"], auth=BearerAuth())


class TransitionIn(Schema):
    action: str
    note: str = ""


class EventOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    to_label: str
    actor: str | None
    note: str
    at: dt.datetime


class MeasureOut(Schema):
    policy: str
    department: str
    note: str


class ActionOut(Schema):
    action: str
    label: str
    target: str
    note_required: bool


class DeadlineOut(Schema):
    kind: str  # survey | county | total
    label: str
    start: dt.date
    days: int  # the limit, in working days
    due: dt.date  # its last day
    running: bool
    working_days_left: int | None  # while running; negative: overdue by that many
    overdue: bool
    done_on: dt.date | None
    state: str


class CaseOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    is_returned: bool
    channel: str
    proxy: str
    household_id: int | None
    village: str
    created_at: dt.datetime
    status_changed_at: dt.datetime
    measures: list[MeasureOut]
    is_complex: bool
    complex_reason: str
    overdue: bool
    deadlines: list[DeadlineOut]
    allowed_actions: list[ActionOut]
    events: list[EventOut]


class TransitionOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    event: EventOut


def _event_out(e) -> dict:
    return {
        "action": e.action, "action_label": e.action_label, "from_status": e.from_status,
        "to_status": e.to_status, "to_label": e.to_label,
        "actor": str(e.actor) if e.actor_id else None, "note": e.note, "at": e.at,
    }  # fmt: skip


@router.get(
    "/{case_id}", response=responses(CaseOut, 401, 404, 422),
    summary="查看一个个案(状态、帮扶措施、办理时限、流转记录)",
    description=(
        "deadlines:法定办理时限(工作日),survey 入户调查(受理后3个工作日内开始)、"
        "county 县级审核确认(乡镇提交后10个工作日内)、total 办理总时限(受理至县级决定,"
        "30个工作日,复杂案件45个);overdue 表示有正在计算的时限已过截止日期。"
    ),
)  # fmt: skip
def case_detail(request, case_id: int):
    case = selectors.access_case_by_id(user=request.user, case_id=case_id)
    return {
        "id": case.pk, "number": case.number, "status": case.status,
        "status_label": wf.STATUS_LABELS[case.status], "is_returned": case.is_returned,
        "channel": case.channel, "proxy": case.proxy, "household_id": case.household_id,
        "village": case.village_id, "created_at": case.created_at,
        "status_changed_at": case.status_changed_at, "measures": case.measures or [],
        "is_complex": case.is_complex, "complex_reason": case.complex_reason,
        "overdue": case.is_overdue,
        "deadlines": [
            {"kind": d.kind, "label": d.label, "start": d.start, "days": d.days, "due": d.due,
             "running": d.running, "working_days_left": d.left, "overdue": d.overdue,
             "done_on": d.done_on, "state": d.state}
            for d in case.legal_deadlines
        ],
        "allowed_actions": [
            {"action": t.action, "label": t.label, "target": t.target,
             "note_required": t.note_required}
            for t in selectors.case_actions(user=request.user, case=case)
        ],
        "events": [_event_out(e) for e in selectors.case_events(case=case)],
    }  # fmt: skip


@contextmanager
def transition_errors():
    """A workflow service's refusals as HTTP: unknown action or bad field 422, a move
    the table forbids 409, wrong role or department 403 (every message Chinese)."""
    try:
        yield
    except services.UnknownAction as exc:
        raise FieldError({"action": f"操作:{exc}"}) from None
    except services.CaseError as exc:
        raise HttpError(409, str(exc)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "您无权执行该操作") from None
    except ValidationError as exc:
        raise FieldError({k: ";".join(v) for k, v in exc.message_dict.items()}) from None


@router.post(
    "/{case_id}/transitions",
    response=responses(TransitionOut, 401, 403, 404, 409, 422),
    summary="个案流转:按操作名推进、退回或不予受理",
    description=(
        "action 取值:start_assessment(开始入户评估)、plan(拟定方案)、submit(乡镇提交县级)、"
        "review(县级审核)、approve(审核同意)、publicise(公示)、implement(实施)、"
        "follow_up(回访,须填 note)、close(结案)、reject(不予受理/不同意,须填 note)、"
        "return(退回上一环节,须填 note)。当前状态不允许该操作时返回 409。"
    ),
)
def case_transition(request, case_id: int, payload: TransitionIn):
    case = selectors.access_case_by_id(user=request.user, case_id=case_id)
    with transition_errors():
        case = services.case_transition(
            actor=request.user, case=case, action=payload.action, note=payload.note
        )
    event = case.events.order_by("-at", "-id").select_related("actor").first()
    return {
        "id": case.pk, "number": case.number, "status": case.status,
        "status_label": wf.STATUS_LABELS[case.status], "event": _event_out(event),
    }  # fmt: skip
