"""No full identity number in any log. The household search posts its text (the URL
holds an opaque token), and every log handler masks anything shaped like an identity
number: Django's loggers, runserver's request lines (django.server) and gunicorn's
access log. Each test captures the real handlers' output and greps it for the number."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.utils.log import ServerFormatter

from jiuzhu.accounts.models import ApiToken, Role
from jiuzhu.core.idnumber import mask
from jiuzhu.logfilters import MaskIdNumbers
from tests.factories import UserFactory, make_household, make_id_number, member_data

pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parent.parent


def _configured_handlers() -> list[logging.Handler]:
    """Every handler the settings (and libraries) attached, pytest's own left out."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    handlers: list[logging.Handler] = []
    for logger in loggers:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest") or handler in handlers:
                continue
            if isinstance(handler, logging.NullHandler):  # a library's: it writes nothing
                continue
            handlers.append(handler)
    return handlers


@pytest.fixture
def log_output():
    """What every configured log handler writes during the test, in one buffer."""
    buffer = io.StringIO()
    handlers = [h for h in _configured_handlers() if isinstance(h, logging.StreamHandler)]
    assert handlers, "settings.LOGGING configures no handler"
    previous = [(h, h.setStream(buffer)) for h in handlers]
    yield buffer
    for handler, stream in previous:
        if stream is not None:
            handler.setStream(stream)


@pytest.fixture
def person(county):
    number = make_id_number()
    household = make_household(
        village=county["villages"][0].code, members=[member_data(name="测试查号", id_number=number)]
    )
    return household, number


def test_every_log_handler_masks_identity_numbers():
    handlers = _configured_handlers()
    assert any(isinstance(h.formatter, ServerFormatter) for h in handlers)  # runserver's lines
    for handler in handlers:
        assert any(isinstance(f, MaskIdNumbers) for f in handler.filters), handler


def test_the_mask_filter_masks_arguments_and_tracebacks(log_output):
    number = make_id_number()
    try:
        raise ValueError(f"bad {number}")
    except ValueError:
        logging.getLogger("django.request").exception("Failed: %s", f"/x/?q={number}")

    written = log_output.getvalue()
    assert number not in written
    assert f"/x/?q={mask(number)}" in written
    assert f"ValueError: bad {mask(number)}" in written


def test_the_search_form_posts_and_the_url_holds_only_a_token(county, person):
    household, number = person
    user = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    client = Client()
    client.force_login(user)

    page = client.get("/households/").content.decode()
    assert re.search(r'<form class="filters" method="post"', page)

    response = client.post("/households/", {"q": number, "tag": ""})
    assert response.status_code == 303
    location = response["Location"]
    assert number not in location
    assert re.fullmatch(r"/households/\?s=[\w-]+", location)

    found = client.get(location)
    body = found.content.decode()
    assert f'href="/households/{household.pk}/"' in body
    # No link on the page (paging, export, clear) carries the number.
    for href in re.findall(r'(?:href|hx-get|hx-post)="([^"]*)"', body):
        assert number not in href

    # htmx posts the same form and gets the results, with the token URL to show.
    swapped = client.post("/households/", {"q": number}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert f'href="/households/{household.pk}/"' in swapped.content.decode()
    assert swapped["HX-Push-Url"] == location  # the same search, the same token


def test_searches_by_name_household_number_and_village_still_work_and_page(county):
    village = county["villages"][0]
    user = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    households = [
        make_household(village=village.code, members=[member_data(name=f"测试翻页{i:02d}")])
        for i in range(25)
    ]
    client = Client()
    client.force_login(user)

    by_name = client.post("/households/", {"q": "测试翻页"}, follow=True)
    first = by_name.content.decode()
    assert '共 <strong class="count">25</strong> 户' in first
    next_link = re.search(r'href="(/households/\?s=[\w-]+&amp;page=2)"', first).group(1)
    second = client.get(next_link.replace("&amp;", "&")).content.decode()
    assert "第 2 / 2 页" in second
    assert "测试翻页" in second

    by_number = client.post("/households/", {"q": households[3].number}, follow=True)
    assert f'href="/households/{households[3].pk}/"' in by_number.content.decode()

    by_village = client.post("/households/", {"q": village.name}, follow=True)
    assert f'href="/households/{households[-1].pk}/"' in by_village.content.decode()


def test_a_token_from_another_session_finds_nothing_of_the_search(county, person):
    household, number = person
    user = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    mine, theirs = Client(), Client()
    mine.force_login(user)
    theirs.force_login(user)
    location = mine.post("/households/", {"q": number})["Location"]

    body = theirs.get(location).content.decode()

    assert "这次搜索已过期" in body
    assert number not in body


def test_an_export_of_an_id_search_logs_the_number_masked(county, person):
    from jiuzhu.accounts.models import AccessLog

    household, number = person
    user = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    client = Client()
    client.force_login(user)
    location = client.post("/households/", {"q": number})["Location"]
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["s"][0]

    response = client.get("/households/export.xlsx", {"s": token})

    assert response.status_code == 200
    detail = AccessLog.objects.filter(user=user).latest("id").detail
    assert "导出台账 1户" in detail
    assert mask(number) in detail
    assert number not in detail


# --- the real request logs: runserver's handler and gunicorn -----------------------


def _serve_with_runserver_handler():
    """Django's development server (runserver's request handler) on a free port."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from django.db import connections

    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler, ipv6=False)
    server.set_app(WSGIHandler())  # not get_wsgi_application(): it would set up logging anew

    def run():
        try:
            server.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # this thread's own database connections

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return server, thread


def test_runserver_request_lines_and_not_found_warnings_hold_no_id_number(
    transactional_db, county, person, log_output
):
    household, number = person
    user = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    session = Client()
    session.force_login(user)
    _, raw = ApiToken.issue(user=user)
    server, thread = _serve_with_runserver_handler()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    cookies = {"sessionid": session.cookies["sessionid"].value}

    def fetch(path: str, data: dict | None = None, headers: dict | None = None):
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        request = urllib.request.Request(  # noqa: S310 - loopback
            base + path,
            data=urllib.parse.urlencode(data).encode() if data else None,
            headers={"Cookie": cookie, **(headers or {})},
        )
        response = urllib.request.urlopen(request)  # noqa: S310 - loopback
        for line in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            cookies[name.strip()] = rest.split(";")[0]
        return response

    try:
        # An old bookmark with ?q=: moved off the URL at once.
        legacy = fetch(f"/households/?q={number}")
        assert number not in legacy.url
        page = legacy.read().decode()
        assert f'href="/households/{household.pk}/"' in page
        # The form, as the browser posts it.
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        posted = fetch("/households/", {"q": number, "csrfmiddlewaretoken": csrf})
        assert f'href="/households/{household.pk}/"' in posted.read().decode()
        assert number not in posted.url
        # A number pasted into a path: a 404, logged as "Not Found: /households/<number>/".
        with pytest.raises(urllib.error.HTTPError) as missing:
            fetch(f"/households/{number}/")
        assert missing.value.code == 404
        # The API searches by GET; its request line is masked.
        found = fetch(f"/api/households?q={number}", headers={"Authorization": f"Bearer {raw}"})
        assert json.loads(found.read())["count"] == 1
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    written = log_output.getvalue()
    assert f'"GET /households/?q={mask(number)} HTTP/1.1" 303' in written
    assert '"POST /households/ HTTP/1.1" 303' in written
    assert f"Not Found: /households/{mask(number)}/" in written
    assert f'"GET /api/households?q={mask(number)} HTTP/1.1" 200' in written
    assert number not in written


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_access_and_error_logs_hold_no_id_number(tmp_path):
    number = make_id_number()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIUZHU_")}
    env |= {
        "JIUZHU_PRODUCTION": "0",  # no keys needed: the requests below touch no data
        "JIUZHU_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "JIUZHU_BIND": f"127.0.0.1:{port}",
        "JIUZHU_WORKERS": "1",
        # Each log line reaches the pipe at once, even from a worker killed at shutdown.
        "PYTHONUNBUFFERED": "1",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(  # noqa: S603 - the project's own configuration
        [gunicorn, "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/app.css")  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        no_redirect = urllib.request.build_opener(_NoRedirect)
        for path in (
            f"/households/?q={number}",
            f"/no-such-page/{number}/",
            f"/api/households?q={number}",
        ):
            with contextlib.suppress(urllib.error.HTTPError):
                no_redirect.open(f"http://127.0.0.1:{port}{path}")
    finally:
        # SIGINT: gunicorn's quick shutdown (SIGTERM would wait for idle keep-alive sockets).
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)

    written = out + err
    assert f'"GET /households/?q={mask(number)} HTTP/1.1" 302' in written  # to the login page
    assert f'"GET /api/households?q={mask(number)} HTTP/1.1" 401' in written
    assert f"Not Found: /no-such-page/{mask(number)}/" in written
    assert number not in written


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
