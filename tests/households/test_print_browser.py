"""The household file (一户一档) printed, in headless Chromium: print media shows the
file and its print header (bureau, title, time, who printed) and none of the screen's
menu, buttons or forms; a revealed ID number prints masked; the PDF has pages.

Browser, pages and the two-village world are fixtures of tests/conftest.py.
"""

import re

import pytest

from jiuzhu.core.idnumber import mask
from tests.support.browser import (
    log_in,
    pdf_page_count,
    print_button_prints,
    printed_text,
    shown_in_print,
)

pytestmark = pytest.mark.browser


def test_the_printed_household_file_shows_the_file_and_no_screen_controls(
    live_server, desktop, world
):
    page, url, ours = desktop, live_server.url, world["ours"]
    log_in(page, url, world["worker"])
    page.goto(f"{url}/households/{ours.pk}/")
    # On screen: the 打印 button, no print header.
    assert page.get_by_role("button", name="打印").is_visible()
    assert not page.locator(".print-header").is_visible()
    assert print_button_prints(page)

    assert shown_in_print(page) == []
    assert page.locator(".print-header").is_visible()
    header = page.locator(".print-header").inner_text()
    assert "禄劝彝族苗族自治县民政局" in header
    assert "家庭档案" in header and "打印人 测试村信息员" in header
    text = printed_text(page)
    for shown in ("测试张甲", "测试王乙", ours.number, "家庭成员", "财产状况", "变更记录"):
        assert shown in text, shown
    for hidden in ("编辑(入户调查)", "受理个案", "退出", "后台任务", "← 家庭档案"):
        assert hidden not in text, hidden
    # Every member card prints whole: none may break across a page.
    rules = page.evaluate(
        "Array.from(document.querySelectorAll('.member')).map(el => getComputedStyle(el).breakInside)"
    )
    assert rules and set(rules) == {"avoid"}


def test_a_revealed_id_number_is_printed_masked_and_never_in_full(live_server, desktop, world):
    page, url, ours = desktop, live_server.url, world["ours"]
    log_in(page, url, world["clerk"])
    page.goto(f"{url}/households/{ours.pk}/")
    spouse = page.locator("article.member", has_text="测试王乙")
    spouse.get_by_role("button", name="查看完整号码").click()
    spouse.locator(".id-full").wait_for()
    assert world["spouse_id"] in spouse.inner_text()  # on screen, after the reveal

    text = printed_text(page)
    assert world["spouse_id"] not in text
    assert mask(world["spouse_id"]) in spouse.inner_text()
    assert "本次查看已记入日志" not in text


def test_the_household_file_prints_to_a_pdf_of_a4_pages(live_server, desktop, world):
    page, url, ours = desktop, live_server.url, world["ours"]
    log_in(page, url, world["worker"])
    page.goto(f"{url}/households/{ours.pk}/")
    page.emulate_media(media="print")
    data = page.pdf(prefer_css_page_size=True)
    assert data.startswith(b"%PDF-") and len(data) > 5_000
    assert pdf_page_count(data) >= 1
    # A4 (595 × 842 points) as print.css's @page asks.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)
