"""Writes for the county joint review (月度联席会议). Every service is atomic,
checks that the actor is county staff of the meeting's county, and leaves the
history (who, when) through simple_history and the cases' timelines.

Errors: PermissionDenied (role or county), ValidationError {field: Chinese message},
cases.workflow.IllegalTransition (a case or the meeting is not where the move needs it).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.pages import error_text
from jiuzhu.accounts.roles import role_of
from jiuzhu.accounts.scope import code_in_scope
from jiuzhu.cases import services as case_services
from jiuzhu.cases import workflow as case_wf
from jiuzhu.cases.models import Case
from jiuzhu.cases.workflow import IllegalTransition
from jiuzhu.core.bulk import BulkResult, check_count, run_each
from jiuzhu.core.workflow import WorkflowError
from jiuzhu.policies.models import Department
from jiuzhu.regions.models import Level, Region
from jiuzhu.validators import text_error

from . import selectors
from .models import CASE_ACTION, Decision, MeetingStatus, ReviewItem, ReviewMeeting

__all__ = [
    "agenda_add",
    "agenda_remove",
    "item_decide",
    "items_decide",
    "meeting_conclude",
    "meeting_create",
    "publicise_approved",
]

REASON_MAX = 1000
MINUTES_MAX = 5000


def _require_county(actor, county_code: str) -> None:
    if role_of(actor) not in roles.REVIEW_EDITORS:
        raise PermissionDenied("只有县民政局可以组织联席会议审核")
    if not code_in_scope(user=actor, code=county_code):
        raise PermissionDenied("该县不在您的管辖范围内")


def _require_draft(meeting: ReviewMeeting) -> None:
    if not meeting.is_draft:
        raise IllegalTransition(f"{meeting.title}已形成纪要,不能再修改")


def _lock(meeting: ReviewMeeting, actor) -> ReviewMeeting:
    meeting = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    _require_county(actor, meeting.county_id)
    return meeting


def _text(value: str, *, field: str, label: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}:请填写"})
    if len(value) > limit:
        raise ValidationError({field: f"{label}:不能超过{limit}字"})
    problem = text_error(value, label=label)
    if problem:
        raise ValidationError({field: problem})
    return value


@transaction.atomic
def meeting_create(
    *,
    actor,
    county: Region,
    month: dt.date,
    held_on: dt.date,
    chair: str,
    departments: list[Department],
    place: str = "",
    recorder: str = "",
    attendees: str = "",
    with_agenda: bool = True,
) -> ReviewMeeting:
    """Draft the month's meeting; by default every case waiting for the county is on its agenda."""
    _require_county(actor, county.code)
    errors: dict[str, str] = {}
    if county.level != Level.COUNTY:
        errors["county"] = "县(区):请选择县级区划"
    if month is None:
        errors["month"] = "会议月份:请填写"
    if held_on is None:
        errors["held_on"] = "会议日期:请填写"
    elif month is not None and (held_on.year, held_on.month) != (month.year, month.month):
        errors["held_on"] = f"会议日期:应在{month:%Y年%m月}内"
    chair = (chair or "").strip()
    if not chair:
        errors["chair"] = "主持人:请填写"
    elif len(chair) > 32:
        errors["chair"] = "主持人:不能超过32个字"
    if len((place or "").strip()) > 64:
        errors["place"] = "会议地点:不能超过64个字"
    if len((recorder or "").strip()) > 32:
        errors["recorder"] = "记录人:不能超过32个字"
    if len((attendees or "").strip()) > 2000:
        errors["attendees"] = "参会人员:不能超过2000字"
    for field, label, value, multiline in (
        ("chair", "主持人", chair, False), ("place", "会议地点", place, False),
        ("recorder", "记录人", recorder, False), ("attendees", "参会人员", attendees, True),
    ):  # fmt: skip
        problem = text_error(value, label=label, multiline=multiline)
        if problem and field not in errors:
            errors[field] = problem
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        errors["departments"] = "参会部门:请至少选择一个部门"
    if errors:
        raise ValidationError(errors)
    month = month.replace(day=1)
    existing = ReviewMeeting.objects.filter(county=county, month=month).first()
    if existing is not None:
        raise ValidationError({"month": f"会议月份:{existing.title}已经登记,请在原会议中办理"})
    meeting = ReviewMeeting(
        county=county, month=month, held_on=held_on, chair=chair, place=(place or "").strip(),
        recorder=(recorder or "").strip(), attendees=(attendees or "").strip(), created_by=actor,
    )  # fmt: skip
    meeting._history_user = actor
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        raise ValidationError({"month": "会议月份:本月联席会议已经登记"}) from None
    meeting.departments.set(departments)
    if with_agenda:
        agenda_add(actor=actor, meeting=meeting, cases=list(selectors.candidates(meeting=meeting)))
    return meeting


@transaction.atomic
def agenda_add(*, actor, meeting: ReviewMeeting, cases: list[Case]) -> list[ReviewItem]:
    """Put cases on a draft agenda. A submitted case enters county review (开始县级审核)."""
    meeting = _lock(meeting, actor)
    _require_draft(meeting)
    waiting = {c.pk for c in selectors.candidates(meeting=meeting)}
    last = meeting.items.aggregate(n=Max("position"))["n"] or 0
    added = []
    for case in cases:
        if case.pk not in waiting:
            label = case_wf.STATUS_LABELS.get(case.status, case.status)
            raise IllegalTransition(
                f"个案 {case.number}(当前状态:{label})不在待县级审核之列,或已列入其他会议议程"
            )
        if case.status == case_wf.Status.SUBMITTED:
            case = case_services.case_transition(
                actor=actor, case=case, action="review", note=f"列入{meeting.title}议程"
            )
        else:
            case_services.case_log(
                actor=actor, case=case, action="agenda", note=f"列入{meeting.title}议程"
            )
        last += 1
        item = ReviewItem(meeting=meeting, case=case, position=last)
        item._history_user = actor
        item.save()
        added.append(item)
    return added


@transaction.atomic
def agenda_remove(*, actor, item: ReviewItem) -> None:
    """Take a case off a draft agenda; it stays in county review for a later meeting."""
    meeting = _lock(item.meeting, actor)
    _require_draft(meeting)
    item = ReviewItem.objects.select_related("case").get(pk=item.pk)
    case_services.case_log(
        actor=actor, case=item.case, action="agenda_remove", note=f"移出{meeting.title}议程"
    )
    item._history_user = actor
    item.delete()


@transaction.atomic
def item_decide(*, actor, item: ReviewItem, decision: str, reason: str = "") -> ReviewItem:
    """Record the meeting's decision on one case (carried out when the meeting concludes)."""
    meeting = _lock(item.meeting, actor)
    _require_draft(meeting)
    item = ReviewItem.objects.select_for_update().select_related("case").get(pk=item.pk)
    where = f"第{item.position}项({item.case.number})"
    if decision not in Decision.values:
        raise ValidationError({"decision": f"{where}会议决定:请选择同意、不同意或修改"})
    reason = _text(reason, field="reason", label=f"{where}理由或修改意见", limit=REASON_MAX)
    if decision == Decision.REJECT and not reason:
        raise ValidationError({"reason": f"{where}不同意的理由:请填写"})
    if decision == Decision.MODIFY and not reason:
        raise ValidationError({"reason": f"{where}修改意见:请写明需要乡镇修改的内容"})
    item.decision = decision
    item.reason = reason
    item.decided_by = actor
    item.decided_at = timezone.now()
    item._history_user = actor
    item._change_reason = f"会议决定:{item.get_decision_display()}"
    item.save()
    return item


@transaction.atomic
def items_decide(
    *, actor, meeting: ReviewMeeting, item_ids, decision: str, reason: str = ""
) -> BulkResult:
    """Record one decision on the ticked items of a draft agenda (批量登记), each by
    item_decide (its checks, its history) in a savepoint of this one transaction; report
    per item what was refused. 不同意 and 修改 still need their reason (one for all)."""
    meeting = _lock(meeting, actor)
    _require_draft(meeting)
    if decision not in Decision.values:
        raise ValidationError({"decision": "会议决定:请选择同意、不同意或修改"})
    if decision in (Decision.REJECT, Decision.MODIFY) and not (reason or "").strip():
        label = "不同意的理由" if decision == Decision.REJECT else "修改意见"
        raise ValidationError({"reason": f"{label}:请填写(将登记到所勾选的每一项)"})
    ids = check_count([int(i) for i in item_ids if str(i).isdigit()], noun="议程事项")
    found = {it.pk: it for it in meeting.items.filter(pk__in=ids).select_related("case")}
    result = run_each(
        [found[pk] for pk in ids if pk in found],
        apply=lambda it: item_decide(actor=actor, item=it, decision=decision, reason=reason),
        label=lambda it: f"第{it.position}项({it.case.number})",
        refusals=(ValidationError, PermissionDenied, WorkflowError), reason=error_text,
    )  # fmt: skip
    result.failed += [(f"议程事项{pk}", "不在本次会议议程中") for pk in ids if pk not in found]
    return result


@transaction.atomic
def meeting_conclude(*, actor, meeting: ReviewMeeting, minutes: str = "") -> ReviewMeeting:
    """Fix the minutes and carry every decision out on its case, all or nothing:
    同意 → 审核同意, 不同意 → 审核不同意 (closed), 修改 → 退回乡镇修改方案."""
    meeting = _lock(meeting, actor)
    _require_draft(meeting)
    minutes = _text(minutes, field="minutes", label="其他议定事项", limit=MINUTES_MAX)
    if meeting.held_on > timezone.localdate():
        raise ValidationError(
            {"held_on": f"会议日期{meeting.held_on:%Y-%m-%d}还未到,会后再形成纪要"}
        )
    items = list(meeting.items.select_related("case").order_by("position", "id"))
    if not items:
        raise ValidationError({"items": "议程为空:请先将待审核的个案列入议程"})
    undecided = [f"第{it.position}项({it.case.number})" for it in items if not it.decision]
    if undecided:
        raise ValidationError({"decision": "尚未作出会议决定:" + "、".join(undecided)})
    for it in items:
        verdict = it.get_decision_display()
        note = f"{meeting.title}决定:{verdict}" + (f"。{it.reason}" if it.reason else "")
        try:
            case_services.case_transition(
                actor=actor, case=it.case, action=CASE_ACTION[it.decision], note=note,
                meeting=meeting,
            )  # fmt: skip
        except IllegalTransition as exc:
            raise IllegalTransition(f"第{it.position}项({it.case.number}):{exc}") from None
    meeting.minutes = minutes
    meeting.status = MeetingStatus.CONCLUDED
    meeting.concluded_by = actor
    meeting.concluded_at = timezone.now()
    meeting._history_user = actor
    meeting._change_reason = "形成会议纪要"
    meeting.save()
    return meeting


@transaction.atomic
def publicise_approved(*, actor, meeting: ReviewMeeting) -> int:
    """Start the publicity period (公示) of every case this meeting approved that is not yet
    publicised; return how many started."""
    meeting = _lock(meeting, actor)
    if meeting.is_draft:
        raise IllegalTransition(f"{meeting.title}尚未形成纪要,不能发布公示")
    n = 0
    for item in meeting.items.filter(decision=Decision.APPROVE).select_related("case"):
        if item.case.status == case_wf.Status.APPROVED:
            case_services.case_transition(
                actor=actor, case=item.case, action="publicise",
                note=f"依据{meeting.title}决定发布公示",
            )  # fmt: skip
            n += 1
    return n
