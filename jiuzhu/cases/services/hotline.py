"""Hotline tickets (热线工单, seed 004): 受理 → 办理/转办/答复 → 反馈 → 办结, every step
timed; a call can become a case."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.roles import role_of
from jiuzhu.accounts.scope import code_in_scope
from jiuzhu.households.models import Household
from jiuzhu.policies.models import Department
from jiuzhu.regions.models import Level, Region
from jiuzhu.validators import text_error

from .. import workflow as wf
from ..models import (
    Case,
    Channel,
    HotlineEvent,
    HotlineTicket,
    TicketKind,
)
from ..workflow import IllegalTransition
from .common import (
    NOTE_MAX,
    PHONE,
    clean_note,
    next_number,
    require_scope,
)
from .intake import case_create, case_open


def _ticket_event(ticket: HotlineTicket, *, action: str, from_status: str, actor, note: str,
                  at) -> HotlineEvent:  # fmt: skip
    return HotlineEvent.objects.create(
        ticket=ticket, action=action, from_status=from_status, to_status=ticket.status,
        actor=actor, note=note, at=at,
    )  # fmt: skip


def _require_hotline(actor) -> None:
    if role_of(actor) not in roles.HOTLINE_STAFF:
        raise PermissionDenied("您的角色不能办理热线工单")


@transaction.atomic
def ticket_create(
    *,
    actor,
    kind: str,
    region_code: str,
    content: str,
    caller_name: str = "",
    caller_phone: str = "",
) -> HotlineTicket:
    """Receive a hotline call (受理) and time it."""
    _require_hotline(actor)
    errors: dict[str, str] = {}
    content = (content or "").strip()
    caller_name, caller_phone = (caller_name or "").strip(), (caller_phone or "").strip()
    if kind not in TicketKind.values:
        errors["kind"] = "来电类型:请选择"
    if not content:
        errors["content"] = "来电诉求:请填写"
    elif len(content) > NOTE_MAX:
        errors["content"] = f"来电诉求:不能超过{NOTE_MAX}字"
    elif problem := text_error(content, label="来电诉求"):
        errors["content"] = problem
    if len(caller_name) > 32:
        errors["caller_name"] = "来电人:不能超过32个字"
    elif problem := text_error(caller_name, label="来电人", name=True):
        errors["caller_name"] = problem
    if caller_phone and not PHONE.match(caller_phone):
        errors["caller_phone"] = "来电号码:请填写11位手机号或带区号的固定电话"
    region = Region.objects.filter(pk=region_code or "").first()
    if region is None:
        errors["region"] = "所属区划:请选择"
    elif not code_in_scope(user=actor, code=region.code):
        errors["region"] = "所属区划:不在您的管辖范围内"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    ticket = HotlineTicket(
        number=next_number(HotlineTicket, "RX", region.code),
        kind=kind, region=region, content=content, caller_name=caller_name,
        caller_phone=caller_phone, received_by=actor, received_at=now,
    )  # fmt: skip
    ticket._history_user = actor
    ticket.save()
    _ticket_event(ticket, action="receive", from_status="", actor=actor, note="", at=now)
    return ticket


def _ticket_move(ticket: HotlineTicket, row: wf.Transition, *, actor, note: str) -> None:
    now = timezone.now()
    from_status = ticket.status
    ticket.status = row.target
    if row.stamp:
        setattr(ticket, row.stamp, now)
    ticket._history_user = actor
    ticket._change_reason = row.label
    ticket.save()
    _ticket_event(ticket, action=row.action, from_status=from_status, actor=actor, note=note,
                  at=now)  # fmt: skip


@transaction.atomic
def ticket_transition(
    *, actor, ticket: HotlineTicket, action: str, note: str = "", department: str = ""
) -> HotlineTicket:
    """Move a ticket by one row of workflow.TICKET_TRANSITIONS, stamping the step."""
    _require_hotline(actor)
    ticket = HotlineTicket.objects.select_for_update().get(pk=ticket.pk)
    require_scope(actor, ticket.region_id, "该工单")
    row = wf.ticket_transition_for(action=action, status=ticket.status)
    if role_of(actor) not in row.roles:
        raise PermissionDenied(f"您的角色不能执行“{row.label}”")
    note = clean_note(note, label=row.note_label or "说明")
    if row.note_required and not note:
        raise ValidationError({"note": f"{row.note_label}:请填写"})
    if action == "transfer":
        dept = Department.objects.filter(code=department or "").first()
        if dept is None:
            raise ValidationError({"department": "转办部门:请选择"})
        ticket.department = dept.code
        note = f"转{dept.name}:{note}"
    _ticket_move(ticket, row, actor=actor, note=note)
    return ticket


@transaction.atomic
def ticket_open_case(*, actor, ticket: HotlineTicket, household: Household | None = None) -> Case:
    """Open a case from a hotline call; a ticket not yet handled is handled by it."""
    _require_hotline(actor)
    if role_of(actor) not in roles.CASE_OPENERS:
        raise PermissionDenied("您的角色不能受理个案")
    ticket = HotlineTicket.objects.select_for_update().get(pk=ticket.pk)
    require_scope(actor, ticket.region_id, "该工单")
    if ticket.case_id is not None:
        raise IllegalTransition(f"该工单已转入个案 {ticket.case.number}")
    if ticket.status not in (wf.TicketStatus.RECEIVED, wf.TicketStatus.HANDLED):
        label = wf.TICKET_STATUS_LABELS[ticket.status]
        raise IllegalTransition(f"工单当前状态为“{label}”,不能再转入个案")
    if household is not None:
        case = case_open(actor=actor, household=household, channel=Channel.HOTLINE,
                         note=f"热线工单 {ticket.number}:{ticket.content}"[:NOTE_MAX])  # fmt: skip
    else:
        if ticket.region.level != Level.VILLAGE:
            raise ValidationError({"region": "所属区划:转入个案前请先确定来电人所在的村(社区)"})
        case = case_create(
            actor=actor, village_code=ticket.region_id, applicant_name=ticket.caller_name,
            applicant_phone=ticket.caller_phone, description=ticket.content,
            channel=Channel.HOTLINE, note=f"热线工单 {ticket.number}", reason="热线转入",
        )  # fmt: skip
    ticket.case = case
    note = f"转入个案 {case.number}"
    if ticket.status == wf.TicketStatus.RECEIVED:
        # Opening a case is how civil affairs handles the call: the table's "handle" row.
        row = wf.ticket_transition_for(action="handle", status=ticket.status)
        _ticket_move(ticket, row, actor=actor, note=note)
    else:
        ticket._history_user = actor
        ticket._change_reason = note
        ticket.save()
        _ticket_event(ticket, action="open_case", from_status=ticket.status, actor=actor,
                      note=note, at=timezone.now())  # fmt: skip
    return case
