"""The model settings a county officer edits, previews and activates, the county-wide
re-assessment, and the county's 低保 standard (with their histories). County staff
and administrators only; anyone else gets a 404.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import NotFound, require_role
from jiuzhu.accounts.scope import user_scope_codes
from jiuzhu.engine.model import FACTORS, ModelError
from jiuzhu.engine.needs import CIRCLE_LABELS
from jiuzhu.regions.models import Level, Region

from . import preview as preview_mod
from . import selectors, services
from .forms import (
    SECTION_HINTS,
    SECTION_LABELS,
    EconomicStandardForm,
    ModelJsonForm,
    ModelParamsForm,
    display_value,
    errors_as_list,
    flatten,
    label_of,
    model_diff,
    section_of,
)
from .models import EconomicStandard, ModelStatus
from .reassess import assessment_reassess_start

REASSESS_HINT = "启用后全县家庭将在后台按新版本重新评估;完成前已保存的评估仍按原版本显示。"
STANDARD_HINT = "修改后请运行批量重新评估:已保存的评估仍按原标准核对,不会自动改变。"


def _require_model_editor(user) -> None:
    # Others get a 404, not a 403: the page's existence is not their business.
    require_role(user, roles.MODEL_EDITORS)


# ---- Model settings -----------------------------------------------------------


def _readable(data: dict) -> list[dict]:
    """The model's parameters grouped by section, each as (label, value) for reading."""
    sections: dict[str, dict] = {
        key: {"key": key, "label": SECTION_LABELS[key], "hint": SECTION_HINTS[key], "items": []}
        for key in ("general", "weights", *FACTORS)
    }
    for path, value in flatten(data).items():
        block = isinstance(value, list) and bool(value) and isinstance(value[0], list)
        sections[section_of(path)]["items"].append(
            (label_of(path), display_value(path, value), block)
        )
    return [s for s in sections.values() if s["items"]]


@login_required
def model_view(request):
    _require_model_editor(request.user)
    active = services.active_model_version()
    versions = list(selectors.model_versions())
    return render(
        request,
        "assessment/model.html",
        {"active": active, "versions": versions, "sections": _readable(active.data)},
    )


@login_required
def model_new_view(request):
    """A draft from the active version (or ?from=<version>), one box per parameter."""
    _require_model_editor(request.user)
    active = services.active_model_version()
    base_version = active
    source = request.GET.get("from") or request.POST.get("from")
    if source:
        base_version = selectors.access_model_version(user=request.user, version=source)
    mode = request.POST.get("mode", "form")
    initial = {"name": base_version.data.get("name", base_version.name)}
    form = ModelParamsForm(base=base_version.data, initial=initial)
    json_form = ModelJsonForm(initial={**initial, "raw": _pretty(base_version.data)}, prefix="json")
    if request.method == "POST":
        if mode == "json":
            json_form = ModelJsonForm(request.POST, prefix="json")
            bound, data = json_form, None
            if json_form.is_valid():
                data = json_form.cleaned_data["raw"]
                data["name"] = json_form.cleaned_data["name"]
        else:
            form = ModelParamsForm(request.POST, base=base_version.data)
            bound, data = form, None
            if form.is_valid():
                data = form.data_out()
        if data is not None:
            try:
                version = services.model_version_create(
                    actor=request.user,
                    data=data,
                    name=bound.cleaned_data["name"],
                    note=bound.cleaned_data["note"],
                )
            except ModelError as exc:
                bound.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"已保存草稿 {version.version}。请先预览它对全县家庭的影响,再决定是否启用。",
                )
                return redirect("assessment:model_version", version=version.version)
    errors = errors_as_list(form) if mode != "json" else errors_as_list(json_form)
    return render(
        request,
        "assessment/model_new.html",
        {
            "form": form,
            "json_form": json_form,
            "mode": mode,
            "errors": errors,
            "base": base_version,
            "active": active,
            "sections": form.bound_sections(),
        },
    )


def _pretty(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@login_required
def model_version_view(request, version: str):
    _require_model_editor(request.user)
    v = selectors.access_model_version(user=request.user, version=version)
    active = services.active_model_version()
    preview = v.preview
    context = {
        "v": v,
        "active": active,
        "diff": model_diff(active.data, v.data) if v.pk != active.pk else [],
        "sections": _readable(v.data),
        "preview": preview,
        "sample": preview_mod.sample_rows(user=request.user, preview=preview) if preview else [],
        "preview_factors": preview["factors"] if preview else [],
        "circle_labels": CIRCLE_LABELS,
        "reassess_hint": REASSESS_HINT,
    }
    if preview:
        context["circle_rows"] = [
            (
                CIRCLE_LABELS[c],
                preview["circle_before"].get(str(c), 0),
                preview["circle_after"].get(str(c), 0),
            )
            for c in CIRCLE_LABELS
        ]
        context["index_rows"] = list(
            zip(
                preview["index_bins"],
                preview["index_hist_before"],
                preview["index_hist_after"],
                strict=True,
            )
        )
        context["index_chart"] = {
            "bins": preview["index_bins"],
            "before": preview["index_hist_before"],
            "after": preview["index_hist_after"],
            "before_name": f"现行 {preview['active_version']}",
            "after_name": f"草稿 {preview['version']}",
        }
    return render(request, "assessment/model_version.html", context)


@login_required
@require_POST
def model_version_preview_view(request, version: str):
    _require_model_editor(request.user)
    v = selectors.access_model_version(user=request.user, version=version)
    if v.status != ModelStatus.DRAFT:
        messages.error(request, "只能预览草稿状态的模型版本")
        return redirect("assessment:model_version", version=v.version)
    active = services.active_model_version()
    result = preview_mod.model_preview(user=request.user, version=v, active=active)
    services.model_version_preview_save(actor=request.user, version=v, preview=result)
    messages.success(request, f"已完成预览:{result['total']} 户,用时 {result['seconds']} 秒")
    return redirect(reverse("assessment:model_version", kwargs={"version": v.version}) + "#preview")


@login_required
@require_POST
def model_version_activate_view(request, version: str):
    _require_model_editor(request.user)
    v = selectors.access_model_version(user=request.user, version=version)
    if v.status != ModelStatus.DRAFT:
        messages.error(request, "只能启用草稿状态的模型版本")
    elif v.previewed_at is None:
        # The rule of the page: nobody switches the county's model blind.
        messages.error(request, "请先预览该版本对全县家庭的影响,再启用")
    elif (v.preview or {}).get("active_version") != services.active_model_version().version:
        messages.error(request, "预览之后现行模型已经变更,请重新预览后再启用")
    elif request.POST.get("confirm") != "yes":
        messages.error(request, "请勾选“我已查看预览结果,确认启用”")
    else:
        try:
            services.model_version_activate(actor=request.user, version=v)
        except ModelError as exc:
            messages.error(request, str(exc))
        else:
            # The county follows its model: its re-assessment starts at once, as a job.
            started = _reassess_counties(request, request.user)
            if started:
                messages.success(request, f"已启用 {v.version}。{started}")
            return redirect(
                reverse("assessment:model_version", kwargs={"version": v.version}) + "#reassess"
            )
    return redirect("assessment:model_version", version=v.version)


@login_required
@require_POST
def model_version_discard_view(request, version: str):
    """废弃草稿, once the officer has ticked the confirmation."""
    _require_model_editor(request.user)
    v = selectors.access_model_version(user=request.user, version=version)
    if request.POST.get("confirm") != "yes":
        messages.error(request, f"请勾选“确认废弃 {v.version}”")
        return redirect(reverse("assessment:model_version", kwargs={"version": v.version}) + "#discard")
    try:
        services.model_version_discard(actor=request.user, version=v)
    except ModelError as exc:
        messages.error(request, str(exc))
        return redirect("assessment:model_version", version=v.version)
    messages.success(request, f"已废弃草稿 {v.version},版本记录中仍可查看")
    return redirect("assessment:model")


def _user_counties(user) -> list[Region]:
    """Counties the user was granted, or that contain a region they were granted."""
    codes = {code[:6] + "000000" for code in user_scope_codes(user)}
    return list(Region.objects.filter(code__in=codes, level=Level.COUNTY).order_by("code"))


@login_required
@require_POST
def model_reassess_view(request):
    """Re-assess every household of the officer's county with the active model."""
    _require_model_editor(request.user)
    counties = _user_counties(request.user)
    back = request.POST.get("next") or reverse("assessment:model")
    if not back.startswith("/"):
        back = reverse("assessment:model")
    if not counties:
        messages.error(request, "您的账户没有授权到县(区),无法批量重新评估")
        return redirect(back)

    started = _reassess_counties(request, request.user)
    if started:
        messages.success(request, started)
    return redirect(back)


def _reassess_counties(request, user) -> str:
    """Start the re-assessment job of each of the user's counties; the page's message
    (empty when one could not start, whose reason is already on the page)."""
    jobs = []
    for county in _user_counties(user):
        try:
            job, _ = assessment_reassess_start(actor=user, county=county.code)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return ""
        jobs.append(job)
    if not jobs:
        messages.error(request, "您的账户没有授权到县(区),无法批量重新评估")
        return ""
    if all(job.status == "done" for job in jobs):  # ran at once (no separate worker)
        version = jobs[0].result["model_version"]
        done = ",".join(f"{j.result['county_name']} {j.result['written']:,} 户" for j in jobs)
        return f"已按现行模型 {version} 重新评估:" + done
    failed = [j.error for j in jobs if j.status == "failed" and j.error]
    if failed:
        messages.error(request, "重新评估未能完成:" + ";".join(failed))
        return ""
    return "已开始按现行模型重新评估全县家庭,在后台执行,进度见「批量重新评估」。"


# ---- Economic standard ---------------------------------------------------------


@login_required
def standard_view(request):
    _require_model_editor(request.user)
    counties = _user_counties(request.user)
    if not counties:
        raise NotFound
    code = request.GET.get("county") or request.POST.get("county") or counties[0].code
    county = next((c for c in counties if c.code == code), None)
    if county is None:
        raise NotFound("区划不存在")
    current = EconomicStandard.objects.filter(county=county).first()
    instance = current or EconomicStandard(county=county)
    if request.method == "POST":
        form = EconomicStandardForm(request.POST, instance=instance)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.economic_standard_save(actor=request.user, county=county, fields=fields)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"已保存{county.name}的低保标准与核对规则。{STANDARD_HINT}"
                )
                return redirect(reverse("assessment:standard") + f"?county={county.code}")
    else:
        form = EconomicStandardForm(instance=instance)
    return render(
        request,
        "assessment/standard.html",
        {
            "form": form,
            "county": county,
            "counties": counties,
            "current": current,
            "history": _standard_history(county),
            "errors": errors_as_list(form),
            "reassess_hint": STANDARD_HINT,
        },
    )


def _standard_history(county: Region) -> list[dict]:
    records = list(
        EconomicStandard.history.filter(county_id=county.code)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:50]
    )
    names = EconomicStandardForm.Meta.fields
    out = []
    for i, rec in enumerate(records):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes = []
        for name in names:
            new = getattr(rec, name)
            old = getattr(prev, name) if prev is not None else None
            if prev is None or old != new:
                label = EconomicStandard._meta.get_field(name).verbose_name
                changes.append((label, _fmt(old) if prev is not None else "—", _fmt(new)))
        out.append(
            {
                "at": rec.history_date,
                "who": str(rec.history_user) if rec.history_user else "系统",
                "kind": {"+": "设定", "~": "修改", "-": "删除"}[rec.history_type],
                "changes": changes,
            }
        )
    return out


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "—"
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)
