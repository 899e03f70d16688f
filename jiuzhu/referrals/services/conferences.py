"""Case conferences (个案会商): the meeting, one task (a referral) per department, and
the guard that keeps the case from being submitted while a task is open."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiuzhu.cases.models import Case
from jiuzhu.cases.services import case_log
from jiuzhu.policies.models import Department
from jiuzhu.validators import text_error

from .. import workflow as wf
from ..models import Conference, Referral, ReferralChannel
from ..workflow import IllegalTransition
from .common import clean_note, require_civil_affairs
from .sends import referral_create


def conference_tasks_done(*, case) -> bool:
    """Whether every conference task of the case has been fed back (or closed)."""
    return not (
        Referral.objects.filter(conference__case_id=case.pk)
        .exclude(status__in=wf.ANSWERED)
        .exists()
    )


def refuse_submit_while_tasks_open(*, case, row, meeting) -> None:
    """A guard on the case workflow (cases.hooks.transition_guards): a case may not be
    submitted to the county while a department has not fed its conference task back."""
    if row.action == "submit" and not conference_tasks_done(case=case):
        raise IllegalTransition("个案会商尚有部门任务未反馈,待各部门全部反馈后再提交县级审核")


@transaction.atomic
def conference_create(
    *,
    actor,
    case,
    held_on: dt.date,
    departments: list[Department],
    minutes: str,
    tasks: dict[str, str] | None = None,
    deadline: dt.date | None = None,
) -> Conference:
    """Record a case conference and send one task (a referral) to each department."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_civil_affairs(actor, case.village_id, "该个案")
    if not case.is_open:
        raise IllegalTransition("个案已办结,不能再召开个案会商")
    if case.household_id is None:
        raise IllegalTransition("尚未关联家庭档案:请先关联家庭档案,再召开个案会商")
    errors: dict[str, str] = {}
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        errors["departments"] = "参会部门:请至少选择一个部门"
    minutes = (minutes or "").strip()
    if not minutes:
        errors["minutes"] = "会商纪要:请填写"
    elif len(minutes) > 5000:
        errors["minutes"] = "会商纪要:不能超过5000字"
    elif problem := text_error(minutes, label="会商纪要"):
        errors["minutes"] = problem
    if held_on is None:
        errors["held_on"] = "会商日期:请填写"
    elif held_on > timezone.localdate():
        errors["held_on"] = "会商日期:不能晚于今天"
    if errors:
        raise ValidationError(errors)
    conference = Conference.objects.create(
        case=case, held_on=held_on, minutes=minutes, convened_by=actor
    )
    conference.departments.set(departments)
    tasks = tasks or {}
    for department in departments:
        task = clean_note(tasks.get(department.pk, ""), label=f"{department.name}的任务")
        referral_create(
            actor=actor, household=case.household, department=department,
            channel=ReferralChannel.CONFERENCE, note=task or f"个案会商任务:{minutes[:200]}",
            case=case, conference=conference, deadline=deadline,
            event_note=f"个案会商({held_on:%Y-%m-%d})任务",
        )  # fmt: skip
    names = "、".join(d.short_name or d.name for d in departments)
    case_log(actor=actor, case=case, action="conference",
             note=f"{held_on:%Y-%m-%d} 会商,参会部门:{names};各部门任务已转介")  # fmt: skip
    return conference
