"""Statistics pages: seed 002's factor × score table (page and .xlsx) and Alkire–Foster.

Aggregates only — no names — for the roles that see dashboards (township and
county staff, leaders, administrators), within their granted regions. A region
outside the grants is answered like one that does not exist (404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiuzhu.accounts.roles import can_view_dashboard
from jiuzhu.core import downloads
from jiuzhu.engine.model import FACTOR_LABELS, FACTORS
from jiuzhu.engine.needs import CIRCLE_LABELS

from . import stats


def _forbidden(request):
    return render(
        request,
        "assessment/stats_forbidden.html",
        {"title": "统计分析"},
        status=403,
    )


@login_required
@require_GET
def stats_view(request):
    """致困原因统计表 for the picked region, with a chart and counts by place."""
    if not can_view_dashboard(request.user):
        return _forbidden(request)
    region = request.GET.get("region") or None
    table = stats.factor_table(user=request.user, region=region)
    chart = {
        "factors": [r["label"] for r in table.rows],
        "scores": list(stats.SCORE_LABELS),
        "counts": [r["counts"] for r in table.rows],
        "threshold": table.threshold,
        "places": [p["name"] for p in table.places],
        "circle_labels": [CIRCLE_LABELS[c] for c in (1, 2, 3, 0)],
        "circles": [p["circle_list"] for p in table.places],
    }
    return render(
        request,
        "assessment/stats.html",
        {
            "table": table,
            "scores": stats.SCORE_LABELS,
            # the columns at or above the cause line are shaded
            "cause_from": next((i for i, s in enumerate(stats.SCORES) if s >= table.threshold), 11),
            "regions": stats.region_options(user=request.user),
            "picked": region or "",
            "chart": chart,
            "factor_labels": [FACTOR_LABELS[f] for f in FACTORS],
            "circle_labels": chart["circle_labels"],
            "totals": stats.place_totals(table.places),
        },
    )


@login_required
@require_GET
def stats_xlsx_view(request):
    """The same table as an .xlsx laid out like seed 002's, titled with the region and date."""
    if not can_view_dashboard(request.user):
        return _forbidden(request)
    table = stats.factor_table(user=request.user, region=request.GET.get("region") or None)
    response = HttpResponse(
        stats.table_xlsx(table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return downloads.attachment(
        response, f"{table.regions_label}致困原因统计表_{table.as_of:%Y%m%d}.xlsx"
    )


def _k(value: str | None) -> float:
    try:
        k = float(value) if value else stats.AF_DEFAULT_K
    except ValueError:
        return stats.AF_DEFAULT_K
    return k if 0 < k <= 1 else stats.AF_DEFAULT_K


@login_required
@require_GET
def af_view(request):
    """多维贫困 (Alkire–Foster) of the registry in scope, by township: H, A, M0, contributions."""
    if not can_view_dashboard(request.user):
        return _forbidden(request)
    region = request.GET.get("region") or None
    n = len(stats.AF_INDICATORS)
    k = _k(request.GET.get("k"))
    data = stats.af_registry(user=request.user, region=region, k=k)
    whole = data["whole"]
    rows = []
    for p in data["places"]:
        g = p["result"]
        rows.append({"name": p["name"], "n": g.n, "poor": g.poor_count, "H": g.H, "A": g.A,
                     "M0": g.M0, "share": g.share, "H_pct": f"{g.H:.1%}", "A_pct": f"{g.A:.1%}",
                     "M0_text": f"{g.M0:.4f}", "share_pct": f"{g.share:.1%}",
                     "contribution": [f"{g.contribution[i]:.1%}" for i in range(n)]})  # fmt: skip
    indicators = [
        {"i": i, "dimension": ind.dimension, "label": ind.label, "criterion": ind.criterion,
         "weight": f"1/{n}",
         "uncensored": f"{whole.uncensored_headcount[i]:.1%}" if whole else "",
         "censored": f"{whole.censored_headcount[i]:.1%}" if whole else "",
         "contribution_value": float(whole.contribution[i]) if whole else 0.0,
         "contribution": f"{whole.contribution[i]:.1%}" if whole else ""}
        for i, ind in enumerate(stats.AF_INDICATORS)
    ]  # fmt: skip
    chart = {
        "indicators": [ind.label for ind in stats.AF_INDICATORS],
        "contribution": [round(x["contribution_value"] * 100, 2) for x in indicators],
        "places": [r["name"] for r in rows],
        "m0": [round(r["M0"], 4) for r in rows],
        "h": [round(r["H"] * 100, 2) for r in rows],
    }
    k_choices = [(f"{j}/{n}", j / n) for j in range(1, n + 1)]
    return render(
        request,
        "assessment/af.html",
        {
            "data": data,
            "whole": whole,
            "summary": {
                "H": f"{whole.H:.1%}",
                "A": f"{whole.A:.1%}",
                "M0": f"{whole.M0:.4f}",
                "poor": whole.poor_count,
                "n": whole.n,
            }
            if whole
            else None,  # fmt: skip
            "rows": rows,
            "indicators": indicators,
            "k": k,
            "k_steps": round(k * n, 2),
            "k_choices": k_choices,
            "regions": stats.region_options(user=request.user),
            "picked": region or "",
            "chart": chart,
        },
    )
