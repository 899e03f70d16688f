"""Assessment pages of a household: its assessment (what a clerk reads to the family)
and the elderly-ability form on a member. The model settings and the 低保 standard
are views_model.py, the statistics views_stats.py.

Each view checks the role, calls selectors and one service, and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import NotFound, require_role
from jiuzhu.accounts.roles import can_edit_households
from jiuzhu.engine.elderly import DIMENSIONS, ITEMS
from jiuzhu.engine.model import FACTOR_LABELS, FACTORS
from jiuzhu.households.selectors import access_household_by_id, access_member_by_id

from . import selectors, services
from .forms import (
    ElderlyForm,
    errors_as_list,
)


def _require_reader(user) -> None:
    require_role(user, roles.HOUSEHOLD_READERS)


# ---- A household's assessment ----------------------------------------------


@login_required
def household_assessment_view(request, household_id: int):
    _require_reader(request.user)
    assessment = selectors.assessment_current(user=request.user, household_id=household_id)
    household = assessment.household
    data = selectors.assessment_data(assessment=assessment)
    reasons = selectors.assessment_reasons(assessment=assessment)
    rows = selectors.factor_rows(assessment=assessment, reasons=reasons["factors"])
    threshold = float(assessment.model_version.data.get("cause_threshold", 2))
    chart = {
        "indicators": [{"name": FACTOR_LABELS[f], "max": 5} for f in FACTORS],
        "scores": [float(getattr(assessment, f)) for f in FACTORS],
        "threshold": threshold,
        "version": assessment.model_version.version,
    }
    history = list(selectors.assessment_history(user=request.user, household_id=household.pk)[:50])
    for row in history:
        row.trigger_label = selectors.TRIGGER_LABELS.get(row.trigger, row.trigger)
    context = {
        "h": household,
        "a": assessment,
        "data": data,
        "rows": rows,
        "reasons": reasons,
        "chart": chart,
        "threshold": threshold,
        "cause_labels": assessment.cause_labels,
        "primary_label": assessment.primary_cause_label,
        "history": history,
        "trigger_label": selectors.TRIGGER_LABELS.get(assessment.trigger, assessment.trigger),
        "can_run": can_edit_households(request.user),
        "active_version": services.active_model_version(),
    }
    return render(request, "assessment/household.html", context)


@login_required
@require_POST
def household_assessment_run_view(request, household_id: int):
    _require_reader(request.user)
    household = access_household_by_id(user=request.user, household_id=household_id)
    try:
        row = services.assessment_run(actor=request.user, household=household, trigger="manual")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"已重新评估:困难指数 {row.index},模型版本 {row.model_version.version}"
        )
    return redirect("assessment:household", household_id=household.pk)


# ---- Elderly ability --------------------------------------------------------------


@login_required
def elderly_view(request, member_id: int):
    _require_reader(request.user)
    member = access_member_by_id(user=request.user, member_id=member_id)
    can_edit = can_edit_households(request.user)
    previous = list(selectors.elderly_assessments(member=member)[:20])
    latest = previous[0] if previous else None
    if request.method == "POST":
        if not can_edit:
            raise NotFound
        form = ElderlyForm(request.POST)
        if form.is_valid():
            try:
                record = services.elderly_assessment_record(
                    actor=request.user, member=member, **form.values()
                )
            except ValueError as exc:
                form.add_error(None, str(exc))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"已保存{member.name}的老年人能力评估:{record.level} 级 {record.level_name};家庭已重新评估",
                )
                return redirect("assessment:elderly", member_id=member.pk)
    else:
        form = ElderlyForm(initial=latest.items if latest else None, latest=latest)
    return render(
        request,
        "assessment/elderly.html",
        {
            "member": member,
            "h": member.household,
            "form": form,
            "dimensions": form.by_dimension(),
            "latest": latest,
            "previous": previous,
            "errors": errors_as_list(form),
            "can_edit": can_edit,
            "dimension_names": DIMENSIONS,
            "item_count": len(ITEMS),
        },
    )
