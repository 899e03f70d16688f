"""The public receipt (回执) printed, in headless Chromium: after applying on the public
page, the receipt is a document — title, number, date, what was received, the legal
limits with their last days, signature and stamp lines — and prints without the form,
buttons or links of the screen.

Browser, pages and the two-village world are fixtures of tests/conftest.py.
"""

import pytest
from django.utils import timezone

from jiuzhu.cases.deadlines import case_deadlines
from jiuzhu.cases.models import Case
from tests.support.browser import print_button_prints, printed_text, shown_in_print

pytestmark = pytest.mark.browser


def _apply(page, url, village, *, about="为自己或家人申请救助", name="测试吴甲") -> None:
    page.goto(f"{url}/apply/")
    page.get_by_label(about).check()
    page.get_by_label("姓名").fill(name)
    page.get_by_label("联系电话").fill("13800004321")
    page.get_by_label("所在村(社区)").select_option(village.code)
    page.get_by_label("遇到的困难").fill("本人长期患病,没有收入")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{url}/apply/receipt/")


def test_the_printed_receipt_is_a_document_with_limits_and_signature_lines(
    live_server, phone, world
):
    page, url = phone, live_server.url
    _apply(page, url, world["home"])
    case = Case.objects.get(applicant_phone="13800004321")
    code = page.locator("#receipt-code").inner_text().strip()
    assert code.replace("-", "") == case.receipt_code
    # On screen: the 打印回执 button; the signature lines are for paper only.
    assert page.get_by_role("button", name="打印回执").is_visible()
    assert not page.locator(".signatures").is_visible()
    assert print_button_prints(page)

    assert shown_in_print(page) == []
    header = page.locator(".print-header").inner_text()
    assert "禄劝彝族苗族自治县民政局" in header and "打印人" not in header
    text = printed_text(page)
    survey, total = (d for d in case_deadlines(case) if d.kind in ("survey", "total"))
    for shown in (
        "社会救助申请受理回执", code, timezone.localtime(case.created_at).strftime("%Y年%-m月%-d日"),
        "社会救助申请(本人申请)", "测***", world["home"].name,
        f"入户调查:自受理之日起3个工作日内,最迟{survey.due:%Y-%m-%d}",
        f"办理总时限:自受理之日起30个工作日内,最迟{total.due:%Y-%m-%d}",
        "受理单位(盖章)", "经办人(签字)", "/apply/status/",
    ):  # fmt: skip
        assert shown in text, shown
    assert "测试吴甲" not in text and "13800004321" not in text
    for hidden in ("再提交一份", "已提交"):
        assert hidden not in text, hidden
    assert not page.get_by_role("link", name="查询办理进度").is_visible()


def test_a_report_about_someone_else_gets_a_report_receipt(live_server, phone, world):
    page, url = phone, live_server.url
    _apply(page, url, world["home"], about="报告身边需要帮助的人", name="测试郑乙")
    text = printed_text(page)
    assert "困难情况报告回执" in text and "困难情况报告(代他人报告)" in text
    assert "被报告人" in text and "测***" in text and "测试郑乙" not in text
