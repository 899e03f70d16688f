"""What a user sees when a request goes wrong: 400, 403, 404, 500 and a failed CSRF
check, in Chinese and in the site's layout, naming no URL pattern, path or traceback
(DEBUG is off). Under /api/ they answer JSON, as the API's own errors do."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"

API_MESSAGES = {
    400: "请求格式不正确",
    403: "无权访问此接口或记录",
    404: "接口或记录不存在",
    500: "服务器内部错误,已记录;请稍后重试,或联系系统管理员",
}


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, detail: str | None = None) -> JsonResponse:
    return JsonResponse(
        {"detail": detail or API_MESSAGES[status]},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _page(request, template: str, status: int) -> HttpResponse:
    if _is_api(request):
        return api_error(status)
    return render(request, template, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _page(request, "errors/400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page(request, "errors/403.html", 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _page(request, "errors/404.html", 404)


def server_error(request):
    """The 500 page, rendered without the request: no session, user or database."""
    if _is_api(request):
        return api_error(500)
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)


@requires_csrf_token
def csrf_failure(request, reason: str = ""):
    # `reason` says which check failed, in English: for the log, not for the page.
    if _is_api(request):
        return api_error(403, "安全校验失败,请重新获取页面或令牌后再提交")
    return render(request, "errors/403_csrf.html", status=403)
