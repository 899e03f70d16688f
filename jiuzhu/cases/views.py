"""Pages a clerk uses for cases (the hotline's are views_hotline.py, the public's
views_public.py). Each view fetches through an access helper, calls one selector or
service, and renders or redirects with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import NotFound
from jiuzhu.accounts.access import require_role as _require
from jiuzhu.accounts.pages import error_text as _error_text
from jiuzhu.accounts.roles import role_of as _role
from jiuzhu.households import selectors as household_selectors
from jiuzhu.households.forms import household_from_picker

from . import deadlines, selectors, services
from . import workflow as wf
from .codes import receipt_display
from .forms import CaseOpenForm, add_service_errors
from .models import Case, Channel

PAGE_SIZE = 20


def _case(request, case_id) -> Case:
    return selectors.access_case_by_id(user=request.user, case_id=case_id)


# --- cases ---------------------------------------------------------------------


@login_required
def case_list_view(request):
    _require(request.user, roles.CASE_READERS)
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    q = request.GET.get("q", "").strip()
    overdue = request.GET.get("overdue") == "1"
    waiting = request.GET.get("waiting") == "1"
    qs = selectors.case_list(user=request.user, status=status, channel=channel, q=q,
                             overdue=overdue, waiting=waiting)  # fmt: skip
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.case_status_counts(user=request.user)
    return render(request, "cases/list.html", {
        "page": page, "status": status, "channel": channel, "q": q, "channels": Channel.choices,
        "overdue": overdue, "waiting": waiting,
        "statuses": [(code, label, counts[code]) for code, label in wf.STATUS_LABELS.items()
                     if code in counts],
        "can_hotline": _role(request.user) in roles.HOTLINE_STAFF,
    })  # fmt: skip


@login_required
def case_detail_view(request, case_id: int):
    case = _case(request, case_id)
    role = _role(request.user)
    actions = selectors.case_actions(user=request.user, case=case)
    measures = selectors.measure_rows(case=case)
    agenda_meeting = (
        selectors.case_agenda_meeting(case=case) if case.status == wf.Status.REVIEWING else None
    )
    if agenda_meeting is not None:
        # The meeting decides: its page carries these moves out when it concludes.
        actions = [t for t in actions if not t.by_meeting]
    return render(request, "cases/detail.html", {
        "case": case,
        "events": selectors.case_events(case=case),
        "actions": actions,
        "agenda_meeting": agenda_meeting,
        "reviews": selectors.case_review_history(case=case),
        "measures": measures,
        "measures_unreferred": any(m.referral is None for m in measures),
        "receipt": receipt_display(case.receipt_code),
        "duplicates": case.duplicates.order_by("id"),
        "tickets": case.hotline_tickets.order_by("id"),
        "can_plan": role in roles.PLAN_EDITORS and case.status == wf.Status.PLANNING
        and case.household_id is not None,
        "can_link": role in roles.CASE_OPENERS and case.is_open and case.household_id is None,
        "can_refer": role in roles.CIVIL_AFFAIRS and case.household_id is not None
        and case.status in wf.REFERABLE,
        "can_mark_complex": role in roles.CASE_COMPLEXITY_MARKERS and not case.is_complex
        and case.status in deadlines.BEFORE_DECISION,
    })  # fmt: skip


@login_required
@require_POST
def case_transition_view(request, case_id: int):
    case = _case(request, case_id)
    action = request.POST.get("action", "")
    try:
        case = services.case_transition(
            actor=request.user, case=case, action=action, note=request.POST.get("note", "")
        )
    except (services.CaseError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        label = wf.STATUS_LABELS[case.status]
        messages.success(request, f"已{wf.ACTION_VERBS[action]},个案现为“{label}”")
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def case_complex_view(request, case_id: int):
    """认定复杂案件: the whole-process limit becomes 45 working days (county staff)."""
    case = _case(request, case_id)
    try:
        services.case_mark_complex(actor=request.user, case=case,
                                   reason=request.POST.get("reason", ""))  # fmt: skip
    except (services.CaseError, ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        days = deadlines.limit_days(deadlines.TOTAL, is_complex=True)
        messages.success(request, f"已认定为复杂案件,办理总时限延长至{days}个工作日")
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#deadlines")


@login_required
def case_open_view(request, household_id: int):
    """受理: open a case for a household at a window or in the village."""
    _require(request.user, roles.CASE_OPENERS)
    household = household_selectors.access_household_by_id(
        user=request.user, household_id=household_id
    )
    existing = selectors.household_open_case(household=household)
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                actor=request.user, household=household, channel=form.cleaned_data["channel"],
                proxy=form.cleaned_data["proxy"] or "", note=form.cleaned_data["note"],
            )  # fmt: skip
        except services.DuplicateCase as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"已受理,个案编号 {case.number},回执码 {receipt_display(case.receipt_code)}"
                "(请告知申请人,可凭回执码查询办理进度)",
            )
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/open.html", {"h": household, "form": form, "existing": existing})


@login_required
def case_plan_view(request, case_id: int):
    """一户一策: choose the case's measures from the household's policy matching."""
    case = _case(request, case_id)
    if (_role(request.user) not in roles.PLAN_EDITORS or case.status != wf.Status.PLANNING
            or case.household_id is None):  # fmt: skip
        raise NotFound
    if request.method == "POST":
        chosen = request.POST.getlist("policy")
        measures = [{"policy": code, "note": request.POST.get(f"note-{code}", "")}
                    for code in chosen]  # fmt: skip
        try:
            services.case_measures_save(actor=request.user, case=case, measures=measures)
        except (services.CaseError, ValidationError) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"已保存一户一策,共{len(measures)}项措施")
            return redirect("cases:detail", case_id=case.pk)
    matching = selectors.case_plan_options(user=request.user, case=case)
    chosen = {m["policy"]: m.get("note", "") for m in case.measures or []}

    def rows(matches):
        return [(x, x.policy.code in chosen, chosen.get(x.policy.code, "")) for x in matches]

    return render(request, "cases/plan.html", {
        "case": case, "h": matching.household, "to_receive": rows(matching.to_receive),
        "near": rows(matching.near), "receiving": rows(matching.receiving),
    })  # fmt: skip


@login_required
@require_POST
def case_link_view(request, case_id: int):
    """Match a report to a household file chosen in the picker (or typed by its number)."""
    case = _case(request, case_id)
    _require(request.user, roles.CASE_OPENERS)
    household, error = household_from_picker(user=request.user, data=request.POST)
    if household is None:
        messages.error(
            request, error or "关联家庭档案:请输入户主姓名或户编号,并从搜索结果中选择一户"
        )
        return redirect("cases:detail", case_id=case.pk)
    try:
        services.case_link_household(actor=request.user, case=case, household=household)
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已关联家庭档案 {household.number}")
    return redirect("cases:detail", case_id=case.pk)
