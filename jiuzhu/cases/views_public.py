"""The public pages, without login: a resident applies or reports someone in
hardship, gets a receipt code, and later looks up progress with it.

No CAPTCHA (out of scope): a honeypot field stops naive bots, and a throttle
per browser session and per address (REMOTE_ADDR, so behind a reverse proxy
set it from the proxy's header) stops floods. The address limit is generous:
a whole village or township office may share one address.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import selectors, services
from .codes import receipt_display, receipt_normalise
from .forms import PublicReportForm, add_service_errors

# (how many, within seconds)
REPORTS_PER_SESSION = (3, 600)
REPORTS_PER_ADDRESS = (30, 3600)
LOOKUP_MISSES_PER_SESSION = (10, 600)
LOOKUP_MISSES_PER_ADDRESS = (60, 3600)
THROTTLED = "提交过于频繁,请稍后再试;情况紧急请直接拨打社会救助热线或到村(社区)、乡镇(街道)窗口申请"


def _session_full(request, key: str, limit: tuple[int, int]) -> bool:
    count, window = limit
    now = time.time()
    recent = [t for t in request.session.get(key, []) if now - t < window]
    request.session[key] = recent
    return len(recent) >= count


def _session_count(request, key: str) -> None:
    request.session[key] = [*request.session.get(key, []), time.time()]


def _address_key(request, name: str) -> str:
    return f"cases:{name}:{request.META.get('REMOTE_ADDR', '')}"


def _address_full(request, name: str, limit: tuple[int, int]) -> bool:
    return (cache.get(_address_key(request, name)) or 0) >= limit[0]


def _address_count(request, name: str, limit: tuple[int, int]) -> None:
    key = _address_key(request, name)
    if not cache.add(key, 1, timeout=limit[1]):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limit[1])


@never_cache
def apply_view(request):
    villages = selectors.public_villages()
    form = PublicReportForm(request.POST or None, villages=villages)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            # A bot filled the hidden box: say nothing useful, save nothing.
            form = PublicReportForm({}, villages=villages)
            form.is_valid()
            form.add_error(None, "提交失败,请刷新页面后重试")
            status = 400
        elif _session_full(request, "apply_reports", REPORTS_PER_SESSION) or _address_full(
            request, "apply", REPORTS_PER_ADDRESS
        ):
            form.add_error(None, THROTTLED)
            status = 429
        else:
            try:
                case = services.case_report_public(
                    name=data["name"], phone=data["phone"], village_code=data["village"],
                    description=data["description"], about_self=data["about"] != "other",
                    address=data["address"],
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _session_count(request, "apply_reports")
                _address_count(request, "apply", REPORTS_PER_ADDRESS)
                request.session["apply_receipt"] = case.receipt_code
                return redirect("apply:receipt")
    return render(request, "cases/apply.html", {"form": form}, status=status)


@never_cache
def receipt_view(request):
    code = request.session.get("apply_receipt")
    if not code:
        return redirect("apply:form")
    return render(request, "cases/apply_receipt.html", {
        "code": code, "display": receipt_display(code),
        "receipt": selectors.case_receipt(receipt_code=code),
    })  # fmt: skip


@never_cache
def status_view(request):
    """Only the status and the dates of its steps: never a name, phone or address."""
    raw = request.GET.get("code", "")
    code = receipt_normalise(raw)
    result, error, status = None, "", 200
    if raw:
        if _session_full(request, "status_misses", LOOKUP_MISSES_PER_SESSION) or _address_full(
            request, "status", LOOKUP_MISSES_PER_ADDRESS
        ):
            error, status = "查询过于频繁,请稍后再试", 429
        else:
            result = selectors.case_public_status(receipt_code=code)
            if result is None:
                _session_count(request, "status_misses")
                _address_count(request, "status", LOOKUP_MISSES_PER_ADDRESS)
                error = "未找到该回执码,请核对后重新输入(回执码为10位字母和数字)"
    return render(request, "cases/apply_status.html", {
        "raw": raw, "result": result, "error": error,
        "display": receipt_display(code) if result else "",
    }, status=status)  # fmt: skip
