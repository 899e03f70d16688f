"""Pages for referrals, case conferences and the inbox (待办). Each view checks
the role, calls one selector or service, and renders or redirects with a message.
A referral or household outside the user's scope answers 404."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import require_role
from jiuzhu.accounts.pages import bulk_report
from jiuzhu.accounts.pages import error_text as _error_text
from jiuzhu.cases import selectors as case_selectors
from jiuzhu.cases.models import Case
from jiuzhu.core.bulk import TooMany
from jiuzhu.policies.models import Department

from . import selectors, services
from . import workflow as wf
from .inbox import inbox
from .models import Referral

PAGE_SIZE = 20


def _referral(request, referral_id) -> Referral:
    return selectors.access_referral_by_id(user=request.user, referral_id=referral_id)


@login_required
def referral_list_view(request):
    require_role(request.user, roles.REFERRAL_READERS)
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.referral_list(user=request.user, status=status, overdue=overdue)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/list.html", {
        "page": page, "status": status, "overdue": overdue,
        "statuses": list(wf.STATUS_LABELS.items()),
    })  # fmt: skip


@login_required
def referral_detail_view(request, referral_id: int):
    referral = _referral(request, referral_id)
    return render(request, "referrals/detail.html", {
        "referral": referral,
        "events": selectors.referral_events(referral=referral),
        "actions": selectors.referral_actions(user=request.user, referral=referral),
        "can_see_case": roles.has_role(request.user, roles.CASE_READERS),
    })  # fmt: skip


@login_required
@require_POST
def referral_transition_view(request, referral_id: int):
    referral = _referral(request, referral_id)
    action = request.POST.get("action", "")
    try:
        referral = services.referral_transition(
            actor=request.user, referral=referral, action=action,
            note=request.POST.get("note", ""),
        )  # fmt: skip
    except (services.WorkflowError, ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc) or "您无权执行该操作")
    else:
        messages.success(request, f"已{wf.ACTION_VERBS[action]},转介现为“{referral.status_label}”")
    return redirect("referrals:detail", referral_id=referral.pk)


@login_required
@require_POST
def referrals_accept_view(request):
    """批量接收: accept the referrals ticked in the inbox."""
    require_role(request.user, roles.REFERRAL_HANDLERS)
    try:
        result = services.referrals_accept(
            actor=request.user, referral_ids=request.POST.getlist("referral")
        )
    except TooMany as exc:
        messages.error(request, str(exc))
    else:
        bulk_report(request, result, verb="接收")
    return redirect(f"{reverse('inbox')}#to-accept")


@login_required
def household_view(request, household_id: int):
    """A household as seen through the referrals the user may read (read-only)."""
    seen = selectors.access_referred_household_by_id(user=request.user, household_id=household_id)
    return render(request, "referrals/household.html", {"seen": seen})


@login_required
def inbox_view(request):
    box = inbox(user=request.user)

    def page_of(qs, name):
        return Paginator(qs, PAGE_SIZE).get_page(request.GET.get(name)) if qs is not None else None

    return render(request, "referrals/inbox.html", {
        "box": box, "today": timezone.localdate(),
        "to_accept": page_of(box.to_accept, "p1"), "in_hand": page_of(box.in_hand, "p2"),
        "cases": page_of(box.cases, "p3"), "to_close": page_of(box.to_close, "p4"),
    })  # fmt: skip


def _civil_affairs_case(request, case_id) -> Case:
    """A case in scope, for township or county civil affairs; 404 for anyone else."""
    require_role(request.user, roles.CIVIL_AFFAIRS)
    return case_selectors.access_case_by_id(user=request.user, case_id=case_id)


class ConferenceForm(forms.Form):
    held_on = forms.DateField(
        label="会商日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    departments = forms.ModelMultipleChoiceField(
        label="参会部门", queryset=Department.objects.all(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个部门"},
    )  # fmt: skip
    minutes = forms.CharField(label="会商纪要", widget=forms.Textarea(attrs={"rows": 6}),
                              max_length=5000)  # fmt: skip


@login_required
def conference_create_view(request, case_id: int):
    """个案会商: record the meeting and send each department its task."""
    case = _civil_affairs_case(request, case_id)
    form = ConferenceForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tasks = {d.pk: request.POST.get(f"task_{d.pk}", "") for d in data["departments"]}
        try:
            services.conference_create(
                actor=request.user, case=case, held_on=data["held_on"],
                departments=list(data["departments"]), minutes=data["minutes"], tasks=tasks,
            )  # fmt: skip
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except (services.WorkflowError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已登记个案会商,各部门任务已转介")
            return redirect("referrals:conferences", case_id=case.pk)
    return render(request, "referrals/conference_form.html", {"case": case, "form": form})


@login_required
@require_POST
def case_refer_view(request, case_id: int):
    """转介 from the case's 一户一策: one referral per ticked measure."""
    case = _civil_affairs_case(request, case_id)
    deadline = None
    raw = request.POST.get("deadline", "").strip()
    try:
        if raw:
            deadline = dt.date.fromisoformat(raw)
        made = services.case_refer_measures(
            actor=request.user, case=case, policy_codes=request.POST.getlist("policy"),
            deadline=deadline,
        )  # fmt: skip
    except ValueError:
        messages.error(request, "办理期限:请按 年-月-日 填写")
    except (ValidationError, services.WorkflowError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        names = "、".join(r.department.short_name or r.department.name for r in made)
        messages.success(request, f"已转介{len(made)}项措施:{names}")
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#plan")


@login_required
def conference_list_view(request, case_id: int):
    case = _civil_affairs_case(request, case_id)
    return render(request, "referrals/conferences.html", {
        "case": case, "conferences": selectors.case_conferences(case=case),
        "done": services.conference_tasks_done(case=case),
    })  # fmt: skip
