"""一户一策 printed, in headless Chromium: print media shows the policies the household
is due with the reasons for each (closed 依据 print open), under the print header, and
none of the menu or buttons; on screen the 打印 button prints.

Browser, pages and the two-village world are fixtures of tests/conftest.py.
"""

import pytest

from jiuzhu.households import choices as c
from jiuzhu.policies.services import library_load
from tests.factories import make_household, member_data
from tests.support.browser import log_in, print_button_prints, printed_text, shown_in_print

pytestmark = pytest.mark.browser


def test_the_printed_household_plan_shows_policies_and_reasons_without_controls(
    live_server, desktop, world
):
    library_load()
    household = make_household(
        village=world["home"].code,
        housing_safety=c.HousingSafety.GRADE_D,
        members=[member_data(name="测试孙甲", wage_income=0),
                 member_data(name="测试孙乙", relation=c.Relation.SPOUSE, wage_income=0)],
    )  # fmt: skip
    page, url = desktop, live_server.url
    log_in(page, url, world["worker"])
    page.goto(f"{url}/policies/households/{household.pk}/")
    assert print_button_prints(page)
    # On screen the reasons of a policy one condition short are folded away.
    near = page.locator("#near details:not([open]) .tests li")
    folded = near.count()

    assert shown_in_print(page) == []
    header = page.locator(".print-header").inner_text()
    assert "禄劝彝族苗族自治县民政局" in header and "一户一策" in header
    assert "打印人 测试村信息员" in header
    text = printed_text(page)
    dibao = page.locator("#to-receive [data-policy='dibao']")
    assert dibao.is_visible()
    for shown in ("一户一策", household.number, "符合但尚未享受", dibao.locator("h3").inner_text()):
        assert shown in text, shown
    assert "← 家庭档案" not in text
    assert dibao.locator(".tests li").first.is_visible()
    if folded:
        assert near.first.is_visible()  # printed open
    rules = page.evaluate(
        "Array.from(document.querySelectorAll('article.match')).map(el => getComputedStyle(el).breakInside)"
    )
    assert rules and set(rules) == {"avoid"}
