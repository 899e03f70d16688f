"""Writes to cases and hotline tickets. Each service is atomic, takes the acting
user (None only for the public), locks the row it moves, checks the table in
workflow.py, and writes its timeline row and history in the same transaction.

Errors: IllegalTransition (a move the table forbids, HTTP 409), DuplicateCase,
PermissionDenied (wrong role or region), ValidationError {field: Chinese message}.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.households.models import Household
from jiuzhu.households.selectors import code_in_scope
from jiuzhu.regions.models import Level, Region
from jiuzhu.validators import text_error

from . import workflow as wf
from .codes import RECEIPT_ALPHABET, RECEIPT_LENGTH, public_county
from .models import (
    PUBLIC_CHANNELS,
    STAFF_CHANNELS,
    Case,
    CaseEvent,
    Channel,
    HotlineEvent,
    HotlineTicket,
    Proxy,
    TicketKind,
)
from .workflow import CaseError, DuplicateCase, IllegalTransition, UnknownAction

__all__ = [
    "CaseError",
    "DuplicateCase",
    "IllegalTransition",
    "UnknownAction",
    "case_link_household",
    "case_log",
    "case_measures_save",
    "case_open",
    "case_report_public",
    "case_transition",
    "ticket_create",
    "ticket_open_case",
    "ticket_transition",
]

DUPLICATE_DAYS = 30  # a public report repeating an open case this recent is merged into it
PHONE_DAILY_LIMIT = 3  # public reports per phone number in 24 hours
NOTE_MAX = 1000
DESCRIPTION_MIN, DESCRIPTION_MAX = 5, 500
MEASURES_MAX = 30
_PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


# --- helpers -------------------------------------------------------------------


def _role(actor) -> str:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return ""
    return actor.role


def _region_of(case: Case) -> str:
    return case.household.village_id if case.household_id else case.village_id


def _require_scope(actor, code: str, what: str = "该个案") -> None:
    # Pages and the API fetch through selectors already (a 404 outside the scope);
    # checking here too keeps scripts and later callers inside the actor's regions.
    if not code_in_scope(user=actor, code=code or ""):
        raise PermissionDenied(f"{what}不在您的管辖范围内")


def _next_number(model, letters: str, village_code: str) -> str:
    """AJ530128-2026-000123: letters, county code, year, sequence within county and year."""
    county = village_code[:6]
    # Lock the county row so that two windows never take the same number.
    list(Region.objects.select_for_update().filter(pk=county + "000000"))
    prefix = f"{letters}{county}-{timezone.localdate().year}-"
    last = (
        model.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:06d}"


def receipt_code_new() -> str:
    """A random receipt code no case has yet (31^10 ≈ 8×10^14 codes)."""
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
        if not Case.objects.filter(receipt_code=code).exists():
            return code


def _event(case: Case, *, action: str, from_status: str, actor, note: str = "", at=None):
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=from_status,
        to_status=case.status,
        actor=actor if _role(actor) else None,
        note=note,
        at=at or timezone.now(),
    )


def _save(case: Case, *, actor, reason: str) -> None:
    case._history_user = actor if _role(actor) else None
    case._change_reason = reason
    case.save()


def _clean_note(note: str, *, label: str = "说明") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"{label}:不能超过{NOTE_MAX}字"})
    problem = text_error(note, label=label)
    if problem:
        raise ValidationError({"note": problem})
    return note


def _open_case_of(household_id: int, *, excluding: int | None = None) -> Case | None:
    qs = Case.objects.open().filter(household_id=household_id)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.first()


def _refuse_duplicate(existing: Case) -> None:
    label = wf.STATUS_LABELS.get(existing.status, existing.status)
    raise DuplicateCase(
        f"该户已有在办个案 {existing.number}(当前状态:{label}),不能重复受理",
        number=existing.number,
    )


# --- intake --------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor,
    household: Household,
    channel: str = Channel.WINDOW,
    proxy: str = Proxy.IN_PERSON,
    note: str = "",
) -> Case:
    """Open a case for a household at a window, in the village, or from the hotline."""
    if _role(actor) not in wf.CASE_OPENERS:
        raise PermissionDenied("您的角色不能受理个案")
    _require_scope(actor, household.village_id, "该家庭")
    if channel not in STAFF_CHANNELS:
        raise ValidationError({"channel": "受理渠道:请选择窗口受理、村级代办、热线或主动发现"})
    if channel in (Channel.WINDOW, Channel.VILLAGE):
        if proxy not in Proxy.values:
            raise ValidationError({"proxy": "办理方式:请选择本人申请、代办或陪办"})
    else:
        proxy = ""
    note = _clean_note(note, label="受理说明")
    # Lock the household: two windows opening a case for it queue here.
    household = Household.objects.select_for_update().get(pk=household.pk)
    existing = _open_case_of(household.pk)
    if existing is not None:
        _refuse_duplicate(existing)
    case = Case(
        number=_next_number(Case, "AJ", household.village_id),
        receipt_code=receipt_code_new(),
        household=household,
        village_id=household.village_id,
        channel=channel,
        proxy=proxy,
        note=note,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            _save(case, actor=actor, reason="受理")
    except IntegrityError:
        existing = _open_case_of(household.pk)
        if existing is None:
            raise
        _refuse_duplicate(existing)
    _event(case, action="open", from_status="", actor=actor, note=note, at=case.created_at)
    return case


def _public_errors(*, name: str, phone: str, village_code: str, description: str,
                   address: str) -> tuple[dict[str, str], Region | None]:  # fmt: skip
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "姓名:请填写"
    elif len(name) > 32:
        errors["name"] = "姓名:不能超过32个字"
    elif problem := text_error(name, label="姓名", name=True):
        errors["name"] = problem
    if not phone:
        errors["phone"] = "联系电话:请填写"
    elif not _PHONE.match(phone):
        errors["phone"] = "联系电话:请填写11位手机号或带区号的固定电话"
    village = None
    if not village_code:
        errors["village"] = "所在村(社区):请选择"
    else:
        prefix = public_county()[:6]
        village = Region.objects.filter(
            pk=village_code, level=Level.VILLAGE, code__startswith=prefix
        ).first()
        if village is None:
            errors["village"] = "所在村(社区):请从列表中选择本县的村(社区)"
    if len(address) > 128:
        errors["address"] = "住址:不能超过128个字"
    elif problem := text_error(address, label="住址", multiline=False):
        errors["address"] = problem
    if len(description) < DESCRIPTION_MIN:
        errors["description"] = f"困难情况:请至少写{DESCRIPTION_MIN}个字,说明遇到了什么困难"
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = f"困难情况:不能超过{DESCRIPTION_MAX}字"
    elif problem := text_error(description, label="困难情况"):
        errors["description"] = problem
    return errors, village


def _recent_report_match(*, name: str, phone: str, village: Region) -> Case | None:
    """An open, recent case the report repeats: same phone, or same name in the same village."""
    since = timezone.now() - timedelta(days=DUPLICATE_DAYS)
    same_person = (
        Q(applicant_phone=phone)
        | Q(household__phone=phone)
        | Q(village=village, applicant_name=name)
        | Q(village=village, household__head_name=name)
        | Q(village=village, household__members__name=name)
    )
    return (
        Case.objects.open()
        .filter(duplicate_of__isnull=True, created_at__gte=since)
        .filter(same_person)
        .order_by("created_at", "id")
        .first()
    )


@transaction.atomic
def case_report_public(
    *,
    name: str,
    phone: str,
    village_code: str,
    description: str,
    about_self: bool,
    address: str = "",
) -> Case:
    """Register a report from the public page (no login); return it with its receipt code.

    A report that repeats a recent open case is kept, merged into that case, and
    its receipt code shows the original's progress.
    """
    name, phone, address = (name or "").strip(), (phone or "").strip(), (address or "").strip()
    description = (description or "").strip()
    errors, village = _public_errors(
        name=name, phone=phone, village_code=village_code, description=description,
        address=address,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    # Lock the village: two reports of the same family at once are compared in turn.
    village = Region.objects.select_for_update().get(pk=village.pk)
    day_ago = timezone.now() - timedelta(hours=24)
    if (
        Case.objects.filter(applicant_phone=phone, created_by__isnull=True, created_at__gte=day_ago)
        .filter(channel__in=PUBLIC_CHANNELS)
        .count()
        >= PHONE_DAILY_LIMIT
    ):
        raise ValidationError(
            {"phone": "联系电话:该号码24小时内已提交多次,请勿重复提交;情况紧急请拨打社会救助热线"}
        )
    original = _recent_report_match(name=name, phone=phone, village=village)
    case = Case(
        number=_next_number(Case, "AJ", village.code),
        receipt_code=receipt_code_new(),
        village=village,
        applicant_name=name,
        applicant_phone=phone,
        applicant_address=address,
        description=description,
        channel=Channel.SELF if about_self else Channel.REPORT,
        status=wf.Status.MERGED if original else wf.Status.RECEIVED,
        duplicate_of=original,
    )
    _save(case, actor=None, reason="群众申报")
    _event(case, action="report", from_status="", actor=None, at=case.created_at)
    if original is not None:
        CaseEvent.objects.create(
            case=original,
            action="merge",
            from_status=original.status,
            to_status=original.status,
            note=f"群众再次申报({case.get_channel_display()},{case.number}),已并入本案",
        )
    return case


# --- the workflow --------------------------------------------------------------


@transaction.atomic
def case_transition(*, actor, case: Case, action: str, note: str = "", meeting=None) -> Case:
    """Move a case by one row of workflow.TRANSITIONS; return the moved case.

    `meeting` is the county joint review (reviews.ReviewMeeting) whose decision this
    move carries out; while a case is on an undecided agenda, only that meeting
    may approve, reject or return it.
    """
    role = _role(actor)
    if action not in wf.ACTION_NAMES:
        raise UnknownAction(f"未知的操作“{action}”")
    if not any(role in t.roles for t in wf.TRANSITIONS if t.action == action):
        raise PermissionDenied(f"您的角色不能执行“{wf.ACTION_VERBS[action]}”")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_scope(actor, _region_of(case))
    row = wf.transition_for(action=action, status=case.status)
    if role not in row.roles:
        raise PermissionDenied(f"您的角色不能在当前环节执行“{row.label}”")
    note = _clean_note(note, label=row.note_label or "说明")
    if row.note_required and not note:
        raise ValidationError({"note": f"{row.note_label}:请填写"})
    if row.needs_household and case.household_id is None:
        raise IllegalTransition("尚未关联家庭档案:请先入户登记,再在个案页关联家庭档案")
    if row.needs_measures and not case.measures:
        raise IllegalTransition("一户一策尚未选定帮扶措施,请先拟定方案")
    if row.by_meeting and meeting is None:
        from jiuzhu.reviews.selectors import open_agenda_meeting

        pending = open_agenda_meeting(case=case)
        if pending is not None:
            raise IllegalTransition(
                f"本案已列入{pending.title}议程,请在联席会议中作出决定(或先移出议程)"
            )
    if row.after_publicity and not case.publicity_over:
        ends = case.publicity_ends_on
        until = f",至{ends:%Y年%m月%d日}期满" if ends else ""
        raise IllegalTransition(
            f"公示期{settings.PUBLICITY_DAYS}天{until};期满无异议后方可实施帮扶"
        )
    if action == "submit":
        from jiuzhu.referrals.services import conference_tasks_done

        if not conference_tasks_done(case=case):
            raise IllegalTransition("个案会商尚有部门任务未反馈,待各部门全部反馈后再提交县级审核")
    now = timezone.now()
    from_status = case.status
    case.status = row.target
    case.is_returned = action == "return"
    case.status_changed_at = now
    if row.stamp:
        setattr(case, row.stamp, now)
    _save(case, actor=actor, reason=row.label)
    _event(case, action=action, from_status=from_status, actor=actor, note=note, at=now)
    return case


def case_log(*, actor, case: Case, action: str, note: str = "") -> CaseEvent:
    """Add a timeline row that does not move the case (an EVENT_LABELS action)."""
    if action not in wf.EVENT_LABELS:
        raise UnknownAction(f"未知的记录类型“{action}”")
    return _event(case, action=action, from_status=case.status, actor=actor, note=note)


@transaction.atomic
def case_link_household(*, actor, case: Case, household: Household) -> Case:
    """Match a report to the household file made for it at the home visit."""
    if _role(actor) not in wf.CASE_OPENERS:
        raise PermissionDenied("您的角色不能关联家庭档案")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_scope(actor, case.village_id)
    _require_scope(actor, household.village_id, "该家庭")
    if case.status not in wf.OPEN:
        raise IllegalTransition("个案已办结,不能再关联家庭档案")
    if case.household_id is not None:
        raise IllegalTransition(f"个案已关联家庭档案 {case.household.number}")
    household = Household.objects.select_for_update().get(pk=household.pk)
    existing = _open_case_of(household.pk, excluding=case.pk)
    if existing is not None:
        _refuse_duplicate(existing)
    case.household = household
    case.village_id = household.village_id
    _save(case, actor=actor, reason="关联家庭档案")
    _event(case, action="link_household", from_status=case.status, actor=actor,
           note=f"户编号 {household.number}")  # fmt: skip
    return case


def _clean_measures(measures: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[str]]:
    """The measures as stored, and the policies' names for the timeline."""
    from jiuzhu.policies.models import Policy

    if len(measures) > MEASURES_MAX:
        raise ValidationError({"measures": f"帮扶措施:最多{MEASURES_MAX}项"})
    codes = [str(m.get("policy", "")).strip() for m in measures]
    policies = {p.code: p for p in Policy.objects.filter(code__in=codes)}
    cleaned: list[dict[str, str]] = []
    names: list[str] = []
    seen: set[str] = set()
    for i, (code, m) in enumerate(zip(codes, measures, strict=True)):
        where = f"第{i + 1}项措施"
        policy = policies.get(code)
        if policy is None:
            raise ValidationError(
                {f"measures[{i}].policy": f"{where}:政策“{code}”不在政策一本通中"}
            )
        department = str(m.get("department") or policy.department_id)
        if department != policy.department_id:
            raise ValidationError(
                {f"measures[{i}].department": f"{where}:责任部门应为{policy.department.name}"}
            )
        note = str(m.get("note") or "").strip()
        if len(note) > 200:
            raise ValidationError({f"measures[{i}].note": f"{where}:说明不能超过200字"})
        if problem := text_error(note, label=f"{where}说明"):
            raise ValidationError({f"measures[{i}].note": problem})
        if code in seen:
            continue
        seen.add(code)
        cleaned.append({"policy": code, "department": department, "note": note})
        names.append(policy.name)
    return cleaned, names


@transaction.atomic
def case_measures_save(*, actor, case: Case, measures: list[dict[str, Any]]) -> Case:
    """Set the case's 一户一策: the measures chosen from the household's matching."""
    if _role(actor) not in wf.PLAN_EDITORS:
        raise PermissionDenied("您的角色不能拟定帮扶方案")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_scope(actor, _region_of(case))
    if case.status != wf.Status.PLANNING:
        label = wf.STATUS_LABELS.get(case.status, case.status)
        raise IllegalTransition(f"个案当前状态为“{label}”,只有“拟定方案”环节可以修改帮扶措施")
    cleaned, names = _clean_measures(measures)
    case.measures = cleaned
    _save(case, actor=actor, reason="修改帮扶措施")
    names = "、".join(names) or "无"
    _event(case, action="measures", from_status=case.status, actor=actor,
           note=f"选定{len(cleaned)}项:{names}")  # fmt: skip
    return case


# --- hotline tickets -----------------------------------------------------------


def _ticket_event(ticket: HotlineTicket, *, action: str, from_status: str, actor, note: str,
                  at) -> HotlineEvent:  # fmt: skip
    return HotlineEvent.objects.create(
        ticket=ticket, action=action, from_status=from_status, to_status=ticket.status,
        actor=actor, note=note, at=at,
    )  # fmt: skip


def _require_hotline(actor) -> None:
    if _role(actor) not in wf.HOTLINE_STAFF:
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
    if caller_phone and not _PHONE.match(caller_phone):
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
        number=_next_number(HotlineTicket, "RX", region.code),
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
    from jiuzhu.policies.models import Department

    _require_hotline(actor)
    ticket = HotlineTicket.objects.select_for_update().get(pk=ticket.pk)
    _require_scope(actor, ticket.region_id, "该工单")
    row = wf.ticket_transition_for(action=action, status=ticket.status)
    if _role(actor) not in row.roles:
        raise PermissionDenied(f"您的角色不能执行“{row.label}”")
    note = _clean_note(note, label=row.note_label or "说明")
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
    if _role(actor) not in wf.CASE_OPENERS:
        raise PermissionDenied("您的角色不能受理个案")
    ticket = HotlineTicket.objects.select_for_update().get(pk=ticket.pk)
    _require_scope(actor, ticket.region_id, "该工单")
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
        case = Case(
            number=_next_number(Case, "AJ", ticket.region_id),
            receipt_code=receipt_code_new(),
            village_id=ticket.region_id,
            applicant_name=ticket.caller_name,
            applicant_phone=ticket.caller_phone,
            description=ticket.content,
            channel=Channel.HOTLINE,
            note=f"热线工单 {ticket.number}",
            created_by=actor,
        )
        _save(case, actor=actor, reason="热线转入")
        _event(case, action="open", from_status="", actor=actor, note=case.note,
               at=case.created_at)  # fmt: skip
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
