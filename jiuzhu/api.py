"""The public API (django-ninja); schema at /api/openapi.json.

Errors answer in Chinese and name the field: 422 {"detail": "...", "errors": {field: message}}.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jiuzhu.accounts.access import NotFound
from jiuzhu.accounts.api import router as accounts_router
from jiuzhu.api_schema import PARAM_LABELS
from jiuzhu.cases.api import router as cases_router
from jiuzhu.households.api import FieldError
from jiuzhu.households.api import router as households_router
from jiuzhu.households.models import Household, Member

api = NinjaAPI(
    title="救助帮扶综合评估平台 API",
    version="1.0",
    description=(
        "困难家庭档案等接口。先以用户名和密码调用 POST /api/token 取得令牌,"
        "再以 Authorization: Bearer <令牌> 调用其他接口。所有查询只返回令牌所属用户授权区划内的数据。"
    ),
    urls_namespace="api",
)
api.add_router("", accounts_router)
api.add_router("/households", households_router)
api.add_router("/households", "jiuzhu.assessment.api.router")  # GET /households/{id}/assessment
api.add_router("/cases", cases_router)
api.add_router("/referrals", "jiuzhu.referrals.api.router")

_PYDANTIC_MESSAGES = {
    "missing": "必填",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "date_from_datetime_parsing": "应为日期,格式 YYYY-MM-DD",
    "date_parsing": "应为日期,格式 YYYY-MM-DD",
    "date_type": "应为日期,格式 YYYY-MM-DD",
    "model_attributes_type": "格式不正确",
    "dict_type": "格式不正确",
    "json_invalid": "不是有效的 JSON",
    "int_parsing_size": "数值过大",
    "string_too_long": "过长",
    "missing_argument": "必填",
}
# Range errors carry their bound in ctx (the paging parameters' ge/le in jiuzhu.api_schema).
_RANGE_MESSAGES = {
    "greater_than_equal": "应不小于{ge}",
    "greater_than": "应大于{gt}",
    "less_than_equal": "应不大于{le}",
    "less_than": "应小于{lt}",
}


def _message(err: dict) -> str:
    kind = err.get("type", "")
    if kind in _RANGE_MESSAGES:
        try:
            return _RANGE_MESSAGES[kind].format(**(err.get("ctx") or {}))
        except (KeyError, IndexError):
            return "超出允许范围"
    return _PYDANTIC_MESSAGES.get(kind, "格式不正确")


def _label(name: str, in_member: bool) -> str:
    models = (Member, Household) if in_member else (Household, Member)
    for model in models:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: S112 - not a field of this model, try the next
            continue
    if name in PARAM_LABELS:
        return PARAM_LABELS[name]
    return {
        "members": "家庭成员",
        "id_number": "身份证号",
        "username": "用户名",
        "password": "密码",
    }.get(name, name)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors: dict[str, str] = {}
    for err in exc.errors:
        loc = [p for p in err.get("loc", ()) if p not in ("body", "payload", "query")]
        path = ".".join(str(p) for p in loc) or "请求"
        names = [p for p in loc if isinstance(p, str)]
        in_member = "members" in names
        field = names[-1] if names else "请求"
        label = _label(field, in_member)
        index = next((p for p in loc if isinstance(p, int)), None)
        prefix = f"第{index + 1}名成员 " if in_member and index is not None else ""
        errors[path] = f"{prefix}{label}:{_message(err)}"
    return api.create_response(
        request, {"detail": ";".join(errors.values()), "errors": errors}, status=422
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400:
        # ninja's only 400 is a body it cannot parse: one more invalid field, 422 in Chinese.
        message = "请求:内容不是有效的 JSON"
        return api.create_response(
            request, {"detail": message, "errors": {"请求": message}}, status=422
        )
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(FieldError)
def field_error(request, exc: FieldError):
    return api.create_response(request, {"detail": str(exc), "errors": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc: AuthenticationError):
    return api.create_response(
        request,
        {"detail": "未提供有效的接口令牌:请先调用 POST /api/token 取得令牌,过期后重新获取"},
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    # A record the caller may not see answers exactly like a missing one (NotFound's message).
    detail = exc.message if isinstance(exc, NotFound) else "接口或记录不存在"
    return api.create_response(request, {"detail": detail}, status=404)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": "无权访问此接口或记录"}, status=403)


@api.exception_handler(MultiPartParserError)
def unreadable_body(request, exc: MultiPartParserError):
    # A body that claims to be a form but is not one (a multipart type without its
    # boundary): what the client sent is wrong, so a 422 like any malformed body.
    return api.create_response(
        request,
        {"detail": "请求:格式不正确,请以 JSON 发送", "errors": {"请求": "格式不正确"}},
        status=422,
    )


@api.exception_handler(Exception)
def server_error(request, exc: Exception):
    """Anything unforeseen: the traceback goes to the log, the client gets Chinese JSON."""
    logging.getLogger("django.request").error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return api.create_response(
        request, {"detail": "服务器内部错误,已记录;请稍后重试,或联系系统管理员"}, status=500
    )
