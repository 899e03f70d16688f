"""Pages of the policy library: 一本通, one household's matching, 政策找人 and its export."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from jiuzhu.accounts.access import require_role
from jiuzhu.accounts.models import AccessAction
from jiuzhu.accounts.roles import HOUSEHOLD_READERS
from jiuzhu.accounts.services import access_log_write
from jiuzhu.assessment import stats
from jiuzhu.core import cells, downloads
from jiuzhu.engine.needs import NEED_LABELS

from . import selectors
from .describe import condition_lines
from .models import Department, Measure, Policy

FIND_LIMIT = 500  # rows listed on the page; the export has all


def _decorate(policy: Policy) -> Policy:
    policy.condition_lines = condition_lines(policy.condition)
    policy.need_labels = [NEED_LABELS.get(n, n) for n in policy.needs or []]
    return policy


@login_required
@require_GET
def library_view(request):
    """政策一本通: every policy in force, by department, searchable by need."""
    q = request.GET.get("q", "").strip()
    need = request.GET.get("need", "")
    department = request.GET.get("department", "")
    measure = request.GET.get("measure", "")
    policies = [_decorate(p) for p in selectors.policy_list(
        q=q, need=need, department=department, measure=measure)]  # fmt: skip
    groups: dict[Department, list[Policy]] = {}
    for p in policies:
        groups.setdefault(p.department, []).append(p)
    return render(request, "policies/library.html", {
        "groups": list(groups.items()), "count": len(policies), "q": q, "need": need,
        "department": department, "measure": measure, "needs": NEED_LABELS.items(),
        "departments": Department.objects.all(), "measures": Measure.choices,
    })  # fmt: skip


@login_required
@require_GET
def policy_view(request, code: str):
    policy = _decorate(selectors.access_policy_by_code(user=request.user, code=code))
    history = list(policy.history.select_related("history_user").order_by("-history_date")[:20])
    return render(request, "policies/detail.html", {"p": policy, "history": history})


@login_required
@require_GET
def household_view(request, household_id: int):
    """一户一策: what this household is eligible for, has, nearly meets, or should be reviewed for."""
    require_role(request.user, HOUSEHOLD_READERS)
    matching = selectors.household_matching(user=request.user, household_id=household_id)
    return render(request, "policies/household.html", {"m": matching, "h": matching.household})


def _find(request):
    return selectors.policy_find(user=request.user, region=request.GET.get("region") or None)


@login_required
@require_GET
def find_view(request):
    """政策找人: households eligible for a policy they do not receive, per department."""
    result = _find(request)
    department = request.GET.get("department", "")
    rows = selectors.find_rows(result=result, department=department, limit=FIND_LIMIT)
    by_department: dict = {}
    for row in result.rows:
        by_department.setdefault(row["policy"].department, []).append(row)
    return render(request, "policies/find.html", {
        "result": result, "groups": list(by_department.items()), "rows": rows,
        "limit": FIND_LIMIT, "department": department, "regions": stats.region_options(user=request.user),
        "picked": request.GET.get("region", ""),
        "total_missing": sum(r["missing"] for r in result.rows),
        "departments": Department.objects.all(),
        "picked_department": Department.objects.filter(code=department).first() if department else None,
    })  # fmt: skip


@login_required
@require_GET
def find_xlsx_view(request):
    """The 政策找人 list as .xlsx (all rows, one department or all), logged as an export."""
    result = _find(request)
    department = request.GET.get("department", "")
    rows = selectors.find_rows(result=result, department=department)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("政策找人")
    name = Department.objects.filter(code=department).first() if department else None
    # Household, village and policy texts were typed by people: never formulas.
    sheet.append(cells.xlsx_row(sheet, [f"{result.regions_label}应享未享名单({name or '全部部门'})",
                  f"生成时间 {timezone.localtime():%Y-%m-%d %H:%M}"]))  # fmt: skip
    sheet.append(["户编号", "户主姓名", "所在村(居)", "家庭人口", "责任部门", "政策名称",
                  "措施类型", "办理方式"])  # fmt: skip
    for r in rows:
        h, p = r["household"], r["policy"]
        sheet.append(cells.xlsx_row(sheet, [h.number, h.head_name, r["village"], h.member_count,
                     p.department.name, p.name, p.get_measure_display(), p.how_to_apply]))  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    access_log_write(
        user=request.user, action=AccessAction.EXPORT, object_type="policy_find",
        object_id=department or "all",
        detail=f"政策找人名单:{result.regions_label},{name or '全部部门'},{len(rows)}条"[:255],
    )  # fmt: skip
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    who = name.short_name if name else "全部部门"
    return downloads.attachment(
        response, f"{result.regions_label}应享未享名单_{who}_{timezone.localdate():%Y%m%d}.xlsx"
    )
