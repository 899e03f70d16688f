"""Every role's main pages pass the Content-Security-Policy, in headless Chromium.

The demo county (a small one: its casework gives every role something to open) is
loaded; each demo user logs in through the login page and opens its menu, the first
items of each list, a household file with its assessment chart, the statistics
charts and the htmx search. The page records every `securitypolicyviolation` event
and console error mentioning the policy, and every uncaught script error: there
must be none, and the charts and the search must still work.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from tests.support.browser import DESKTOP, new_page

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Csp-test-2026"
USERS = ["cun", "zhen", "xian", "lingdao", "yibao", "jiaoyu", "shegong", "admin"]
PAGES_PER_ROLE = 14
# Pages worth opening from a list: files, cases, referrals, meetings, policies.
DETAIL = re.compile(
    r"^/(households/\d+/|assessment/(households/\d+/|stats/|af/|model/)|cases/(\d+/|hotline/)"
    r"|referrals/\d+/|reviews/\d+/|policies/[\w-]+/|inbox/|dashboard/|admin/\w+/\w+/)$"
)

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || location.pathname}:${e.lineNumber}`);
});
"""


@pytest.fixture
def demo(transactional_db, county, monkeypatch):
    monkeypatch.setenv("JIUZHU_DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("demo_county", households=300, seed=530128, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def watched(browser):
    page = new_page(browser, DESKTOP)
    page.add_init_script(WATCH)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console: {m.text}")
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    yield page, problems
    page.context.close()


def _violations(page) -> list[str]:
    return page.evaluate("window.__violations || []")


def _log_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url


def _links(page, scope: str) -> list[str]:
    hrefs = page.locator(f"{scope} a[href]").evaluate_all(
        "els => els.filter(e => !e.hasAttribute('download')).map(e => e.getAttribute('href'))"
    )
    return [h for h in hrefs if h.startswith("/") and not re.search(r"\.(xlsx|docx|csv)$", h)]


def _open(page, url: str, path: str, seen: dict[str, list[str]]) -> None:
    page.goto(url + path)
    page.wait_for_load_state("networkidle")
    # Charts: hover so that ECharts draws its tooltip too.
    for chart in page.locator("#radar, #factor-chart, #circle-chart, #index-chart").all():
        chart.hover()
        page.wait_for_timeout(150)
    seen[path] = _violations(page)


def _walk(page, url: str, username: str) -> dict[str, list[str]]:
    """The landing page, the menu, and from each menu page its first few detail pages."""
    _log_in(page, url, username)
    seen: dict[str, list[str]] = {}
    landing = page.url.removeprefix(url)
    seen[landing] = _violations(page)
    menu = [h for h in _links(page, "header nav") if h not in seen]
    queue = list(dict.fromkeys([landing, *menu]))
    for path in queue:
        if len(seen) >= PAGES_PER_ROLE:
            break
        if path not in seen:
            _open(page, url, path, seen)
        for link in [h for h in _links(page, "main") if DETAIL.match(h)][:3]:
            if link not in seen and link not in queue:
                queue.append(link)
    return seen


@pytest.mark.parametrize("username", USERS)
def test_every_page_of_a_role_passes_the_content_security_policy(
    live_server, demo, watched, username
):
    page, problems = watched

    seen = _walk(page, live_server.url, username)

    assert len(seen) >= 2, seen
    blocked = {path: found for path, found in seen.items() if found}
    assert not blocked, blocked
    assert not problems, problems


def test_the_charts_and_the_htmx_search_work_under_the_policy(live_server, demo, watched):
    from jiuzhu.households.models import Household

    page, problems = watched
    url = live_server.url
    _log_in(page, url, "xian")

    household = Household.objects.order_by("id").first()
    page.goto(f"{url}/assessment/households/{household.pk}/")
    page.wait_for_function("() => document.querySelector('#radar')?.dataset.drawn === '1'")
    page.locator("#radar").hover()
    page.goto(f"{url}/assessment/stats/")
    page.wait_for_function("() => document.querySelector('#factor-chart canvas') !== null")
    page.locator("#factor-chart").hover()

    page.goto(f"{url}/households/")
    page.evaluate(
        "window.__swapped = false; document.body.addEventListener("
        "'htmx:afterSettle', () => { window.__swapped = true; }, {once: true})"
    )
    page.locator("#q").fill(household.number)
    page.wait_for_function("() => window.__swapped === true")
    assert page.locator(f'#results a[href="/households/{household.pk}/"]').count() == 1
    assert "?s=" in page.url and household.number not in page.url  # the token, not the text

    page.locator("select#tag").select_option("tag_dibao")
    page.wait_for_function("() => document.querySelector('#results .result-count') !== null")
    assert _violations(page) == []
    assert not problems, problems
