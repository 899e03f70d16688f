"""Pages of the hotline (热线工单): the list, a new call, a ticket and its moves, and
turning a call into a case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import require_role as _require
from jiuzhu.accounts.pages import error_text as _error_text
from jiuzhu.households.forms import household_from_picker
from jiuzhu.policies.models import Department

from . import selectors, services
from . import workflow as wf
from .forms import TicketForm, add_service_errors
from .models import HotlineTicket

PAGE_SIZE = 20


def _ticket(request, ticket_id) -> HotlineTicket:
    return selectors.access_ticket_by_id(user=request.user, ticket_id=ticket_id)


@login_required
def ticket_list_view(request):
    _require(request.user, roles.HOTLINE_STAFF)
    status = request.GET.get("status", "")
    page = Paginator(selectors.ticket_list(user=request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/hotline_list.html", {
        "page": page, "status": status, "statuses": list(wf.TICKET_STATUS_LABELS.items()),
    })  # fmt: skip


@login_required
def ticket_create_view(request):
    _require(request.user, roles.HOTLINE_STAFF)
    regions = selectors.ticket_regions(user=request.user)
    form = TicketForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=request.user, kind=data["kind"], region_code=data["region"],
                content=data["content"], caller_name=data["caller_name"],
                caller_phone=data["caller_phone"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已受理来电,工单编号 {ticket.number}")
            return redirect("cases:hotline_detail", ticket_id=ticket.pk)
    return render(request, "cases/hotline_new.html", {"form": form})


@login_required
def ticket_detail_view(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    return render(request, "cases/hotline_detail.html", {
        "t": ticket, "events": selectors.ticket_events(ticket=ticket),
        "actions": selectors.ticket_actions(user=request.user, ticket=ticket),
        "departments": Department.objects.all(),
        "department": Department.objects.filter(code=ticket.department).first(),
        "can_open_case": ticket.case_id is None
        and ticket.status in (wf.TicketStatus.RECEIVED, wf.TicketStatus.HANDLED),
    })  # fmt: skip


@login_required
@require_POST
def ticket_transition_view(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    action = request.POST.get("action", "")
    try:
        ticket = services.ticket_transition(
            actor=request.user, ticket=ticket, action=action,
            note=request.POST.get("note", ""), department=request.POST.get("department", ""),
        )  # fmt: skip
    except (services.CaseError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"工单现为“{wf.TICKET_STATUS_LABELS[ticket.status]}”")
    return redirect("cases:hotline_detail", ticket_id=ticket.pk)


@login_required
@require_POST
def ticket_open_case_view(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    # No household chosen: the case is opened from the caller's details.
    household, error = household_from_picker(user=request.user, data=request.POST)
    if error:
        messages.error(request, error)
        return redirect("cases:hotline_detail", ticket_id=ticket.pk)
    try:
        case = services.ticket_open_case(actor=request.user, ticket=ticket, household=household)
    except (services.CaseError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("cases:hotline_detail", ticket_id=ticket.pk)
    messages.success(request, f"已转入个案 {case.number}")
    return redirect("cases:detail", case_id=case.pk)
