"""Headless Chromium (Debian's package, driven by Playwright): how pages are opened and
the steps every browser test takes. The fixtures (browser, desktop, phone) are in
tests/conftest.py."""

from __future__ import annotations

import re
from pathlib import Path

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SKIP_REASON = "浏览器测试需要 Debian 的 chromium(/usr/bin/chromium);make test 会安装它"


def new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def log_in(page, base_url: str, user, *, lands_on: str | None = "/households/") -> None:
    """Log in through the login page as `user` (forgetting whoever was logged in before);
    wait for `lands_on`, or (None) for any page other than the login page."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    if lands_on is not None:
        page.wait_for_url(f"{base_url}{lands_on}")
        return
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.locator(".error-summary").all_inner_texts()


def after_htmx_swap(page, action) -> None:
    """Do something that makes htmx fetch and swap the results, and wait until it has."""
    page.evaluate(
        "window.__swapped = false; document.body.addEventListener("
        "'htmx:afterSettle', () => { window.__swapped = true; }, {once: true})"
    )
    action()
    page.wait_for_function("() => window.__swapped === true")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


# --- print (static/css/print.css) ------------------------------------------------------

# What a printed page must not show: the menu, buttons, forms and their controls, htmx
# controls, flash messages and the footer.
SCREEN_ONLY = (
    ".topbar, nav, footer, .messages, button, .button, form, input, select, textarea, "
    "[hx-get], [hx-post]"
)


def shown_in_print(page, selector: str = SCREEN_ONLY) -> list[str]:
    """Switch the page to print media; return (the start of) every element matching
    `selector` that would still be printed — none, for a page laid out for print."""
    page.emulate_media(media="print")
    return page.evaluate(
        """sel => Array.from(document.querySelectorAll(sel))
            .filter(el => el.checkVisibility())
            .map(el => el.outerHTML.slice(0, 120))""",
        selector,
    )


def printed_text(page) -> str:
    """The text a print of the page shows (print media: what print.css hides is gone)."""
    page.emulate_media(media="print")
    return page.locator("body").inner_text()


def pdf_page_count(data: bytes) -> int:
    """The pages of a PDF Chromium printed (its page objects; Chromium writes them plain)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def print_button_prints(page) -> bool:
    """Click the page's 打印 button with window.print replaced by a recorder (headless
    Chromium has no print dialog); True when the click asked to print."""
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    page.locator("[data-print]").click()
    return page.evaluate("window.__printed") == 1
