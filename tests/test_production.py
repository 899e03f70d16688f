"""Production defaults: DEBUG off, Chinese error pages (JSON under /api/), security
headers and the Content-Security-Policy, HTTPS settings, production mode's refusal to
start without its keys."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from jiuzhu import production
from jiuzhu.accounts.models import ApiToken, Role
from tests.factories import UserFactory, make_household

pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parent.parent
# What Django's technical pages show and ours must not.
DEBUG_MARKS = (
    "Page not found",
    "URLconf",
    "urlpatterns",
    "Traceback",
    "Request Method",
    "DEBUG = True",
    "Server Error",
    "Forbidden",
)


def fresh_settings():
    """Execute jiuzhu/settings.py anew under the current environment."""
    import jiuzhu.settings as loaded

    spec = importlib.util.spec_from_file_location("jiuzhu_settings_fresh", loaded.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- test-only URLs (tests.test_production as ROOT_URLCONF) ------------------------


def _forbidden(request):
    raise PermissionDenied("内部原因 internal-reason-530128")


def _boom(request):
    raise RuntimeError("secret-boom-530128 local detail")


from jiuzhu.urls import handler400, handler403, handler404, handler500  # noqa: E402, F401
from jiuzhu.urls import urlpatterns as _site  # noqa: E402

urlpatterns = [
    path("test-only/forbidden/", _forbidden),
    path("test-only/boom/", _boom),
    *_site,
]


# --- DEBUG ---------------------------------------------------------------------------


def test_debug_is_off_unless_jiuzhu_debug_is_1(monkeypatch):
    monkeypatch.delenv("JIUZHU_DEBUG", raising=False)
    assert fresh_settings().DEBUG is False
    monkeypatch.setenv("JIUZHU_DEBUG", "1")
    assert fresh_settings().DEBUG is True


# --- error pages ---------------------------------------------------------------------

ROLES = [
    Role.VILLAGE_WORKER,
    Role.TOWNSHIP_STAFF,
    Role.COUNTY_STAFF,
    Role.DEPARTMENT_OFFICER,
    Role.SERVICE_ORG,
    Role.LEADER,
    Role.ADMIN,
    None,  # not logged in
]


def _client(role, county) -> Client:
    client = Client()
    if role is None:
        return client
    village = county["villages"][0]
    region = {
        Role.VILLAGE_WORKER: village.code,
        Role.TOWNSHIP_STAFF: village.parent_id,
    }.get(role, county["county"])
    user = UserFactory(
        role=role,
        regions=[region],
        department={Role.DEPARTMENT_OFFICER: "yibao", Role.SERVICE_ORG: "shegong"}.get(role, ""),
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    client.force_login(user)
    return client


def _assert_plain_chinese_page(response, heading: str) -> str:
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="zh-Hans">' in body
    assert f"<h1>{heading}" in body
    assert 'href="/static/css/app.css"' in body  # the site's layout
    for mark in DEBUG_MARKS:
        assert mark not in body, mark
    return body


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_a_404_is_the_chinese_page_for_every_role(county, role):
    client = _client(role, county)

    response = client.get("/no-such-page/households/assessment/")

    assert response.status_code == 404
    body = _assert_plain_chinese_page(response, "页面不存在")
    assert "/no-such-page/" not in body  # the path is not echoed, nor any URL pattern
    assert "admin/" not in body.replace('href="/admin/"', "")
    if role is not None:
        assert "退出" in body  # a logged-in user keeps the site's menu


def test_a_missing_household_is_the_chinese_404_page(county):
    response = _client(Role.COUNTY_STAFF, county).get("/households/987654321/")

    assert response.status_code == 404
    _assert_plain_chinese_page(response, "页面不存在")


@pytest.mark.urls("tests.test_production")
def test_a_permission_denied_is_the_chinese_403_page_without_its_internal_reason(county):
    response = _client(Role.VILLAGE_WORKER, county).get("/test-only/forbidden/")

    assert response.status_code == 403
    body = _assert_plain_chinese_page(response, "无权访问")
    assert "internal-reason-530128" not in body


@pytest.mark.urls("tests.test_production")
def test_an_unhandled_error_is_the_chinese_500_page_without_a_traceback(county, caplog):
    client = _client(Role.COUNTY_STAFF, county)
    client.raise_request_exception = False

    response = client.get("/test-only/boom/")

    assert response.status_code == 500
    body = _assert_plain_chinese_page(response, "服务器出错")
    assert "secret-boom-530128" not in body
    assert "RuntimeError" not in body
    assert "File " not in body
    # The traceback goes to the log, for whoever runs the server.
    assert any("secret-boom-530128" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_an_error_inside_the_household_list_is_the_500_page(county, monkeypatch):
    from jiuzhu.households import selectors

    def broken(**kwargs):
        raise RuntimeError("secret-boom-530128")

    monkeypatch.setattr(selectors, "household_list", broken)
    client = _client(Role.COUNTY_STAFF, county)
    client.raise_request_exception = False

    response = client.get("/households/")

    assert response.status_code == 500
    body = _assert_plain_chinese_page(response, "服务器出错")
    assert "secret-boom-530128" not in body


def test_an_error_inside_the_api_answers_chinese_json_500(county, monkeypatch):
    from jiuzhu.households import selectors

    user = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    _, raw = ApiToken.issue(user=user)

    def broken(**kwargs):
        raise RuntimeError("secret-boom-530128")

    monkeypatch.setattr(selectors, "household_list", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/api/households", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert "服务器内部错误" in detail
    assert "secret-boom-530128" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.COUNTY_STAFF, None], ids=["county", "anonymous"])
def test_an_unknown_api_path_answers_chinese_json_404(county, role):
    response = _client(role, county).get("/api/no-such-endpoint")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "接口或记录不存在"}


def test_a_form_posted_without_its_csrf_token_gets_the_chinese_expired_page(county):
    user = UserFactory(role=Role.VILLAGE_WORKER, regions=[county["villages"][0].code])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/households/", {"q": "测试"})

    assert response.status_code == 403
    body = _assert_plain_chinese_page(response, "页面已过期")
    assert "CSRF verification failed" not in body
    assert "本次提交未保存任何内容" in body


# --- headers ------------------------------------------------------------------------


def test_every_page_carries_the_security_headers_and_a_strict_csp(county):
    client = _client(Role.COUNTY_STAFF, county)
    household = make_household(village=county["villages"][0].code)

    for url in ("/accounts/login/", "/households/", f"/households/{household.pk}/", "/nope/"):
        response = client.get(url)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        policy = dict(
            (part.split()[0], part.split()[1:])
            for part in response["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
        assert policy["style-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]


def test_static_files_are_served_with_debug_off(client, settings):
    assert settings.DEBUG is False
    for asset in ("css/app.css", "js/app.js", "vendor/htmx.min.js", "vendor/echarts.min.js"):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content)


TEMPLATES = sorted((ROOT / "jiuzhu").rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style", re.I)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_an_inline_script_handler_or_style(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to jiuzhu/static/js"
    assert not INLINE_HANDLER.search(text), "inline event handler: use a data attribute"
    assert not INLINE_STYLE.search(text), "inline style: use a class in static/css"
    assert "javascript:" not in text


def test_https_turns_on_secure_cookies_hsts_and_the_proxy_header(monkeypatch):
    monkeypatch.delenv("JIUZHU_HTTPS", raising=False)
    plain = fresh_settings()
    assert plain.SESSION_COOKIE_SECURE is False
    assert not getattr(plain, "SECURE_HSTS_SECONDS", 0)
    assert getattr(plain, "SECURE_PROXY_SSL_HEADER", None) is None

    monkeypatch.setenv("JIUZHU_HTTPS", "1")
    secure = fresh_settings()
    assert secure.SESSION_COOKIE_SECURE is True
    assert secure.CSRF_COOKIE_SECURE is True
    assert secure.SECURE_HSTS_SECONDS >= 180 * 24 * 3600
    assert secure.SECURE_SSL_REDIRECT is True
    assert secure.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


# --- production mode ----------------------------------------------------------------


def test_production_mode_names_every_missing_key():
    lines = production.problems({"DATABASE_URL": "sqlite:///x.sqlite3", "JIUZHU_DEBUG": "1"})
    text = "\n".join(lines)
    for name in (
        "JIUZHU_SECRET_KEY",
        "JIUZHU_FIELD_KEY",
        "JIUZHU_HASH_KEY",
        "JIUZHU_ALLOWED_HOSTS",
    ):
        assert name in text
    assert "PostgreSQL" in text
    assert "JIUZHU_DEBUG" in text
    key = "k" * 48
    complete = {
        "DATABASE_URL": "postgres://u@h:5432/d",
        "JIUZHU_SECRET_KEY": key,
        "JIUZHU_FIELD_KEY": key,
        "JIUZHU_HASH_KEY": key,
        "JIUZHU_ALLOWED_HOSTS": "jiuzhu.example",
    }
    assert production.problems(complete) == []
    assert production.problems({**complete, "JIUZHU_HASH_KEY": "short"}) != []


def _environment_without_keys(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIUZHU_")}
    env.pop("DATABASE_URL", None)
    return env | {"JIUZHU_VAR_DIR": str(tmp_path)}


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "manage.py", "check"],
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--check-config"],
    ],
    ids=["manage.py", "gunicorn"],
)
def test_the_production_server_refuses_to_start_without_its_keys(tmp_path, command):
    env = _environment_without_keys(tmp_path) | {"JIUZHU_PRODUCTION": "1"}

    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603

    assert done.returncode != 0
    for name in production.REQUIRED:
        assert name in done.stderr
    assert "生产模式无法启动" in done.stderr
    assert "Production mode cannot start" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())  # no demo key was made up on the way


def test_the_error_json_is_utf8_chinese_not_escaped(county):
    response = _client(None, county).get("/api/nothing-here")
    assert "接口或记录不存在".encode() in response.content
    assert json.loads(response.content)["detail"] == "接口或记录不存在"
