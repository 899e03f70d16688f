"""The quarterly push page (季度推送): county staff choose the quarter and an optional
cap per department, start the push as a background job and watch its progress."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from jiuzhu.accounts.access import require_role
from jiuzhu.accounts.pages import error_text
from jiuzhu.accounts.roles import PUSH_STARTERS
from jiuzhu.jobs import selectors as job_selectors

from . import services


class PushForm(forms.Form):
    quarter = forms.CharField(label="季度", max_length=6, help_text="如 2026Q4")
    limit_per_department = forms.IntegerField(
        label="每个部门上限", required=False, min_value=1, max_value=1_000_000,
        help_text="每个部门本季度至多推送多少条(含已推送的),困难指数高的家庭优先;不限请留空",
    )  # fmt: skip


def _this_quarter() -> str:
    today = timezone.localdate()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@login_required
def push_view(request):
    require_role(request.user, PUSH_STARTERS)
    form = PushForm(request.POST or None, initial={"quarter": _this_quarter()})
    if request.method == "POST" and form.is_valid():
        try:
            job, created = services.referral_push_start(
                actor=request.user,
                quarter=form.cleaned_data["quarter"],
                limit_per_department=form.cleaned_data["limit_per_department"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            if created:
                messages.success(
                    request,
                    f"已开始 {job.params['quarter']} 季度推送,可离开本页,稍后回来查看结果。",
                )
            else:
                messages.error(request, "该季度的推送正在进行中,不能重复发起;进度见下方。")
            return redirect("referrals:push")
    jobs = job_selectors.job_list(user=request.user, kind="push", limit=6)
    return render(
        request,
        "referrals/push.html",
        {"form": form, "latest": jobs[0] if jobs else None, "earlier": jobs[1:]},
    )
