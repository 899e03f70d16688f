"""The assessment result printed, in headless Chromium: print media shows the index,
the causes, every factor's score with its reasons and the needs, under the print
header, and none of the menu, buttons or the 重新评估 form.

Browser, pages and the two-village world are fixtures of tests/conftest.py.
"""

import pytest

from jiuzhu.households import choices as c
from tests.factories import make_household, member_data
from tests.support.browser import log_in, print_button_prints, printed_text, shown_in_print

pytestmark = pytest.mark.browser


def test_the_printed_assessment_shows_scores_and_reasons_without_controls(
    live_server, desktop, world
):
    household = make_household(
        village=world["home"].code,
        housing_safety=c.HousingSafety.GRADE_D,
        members=[member_data(name="测试周甲", wage_income=0,
                             health_status=c.HealthStatus.SERIOUS)],
    )  # fmt: skip
    page, url = desktop, live_server.url
    log_in(page, url, world["clerk"])
    page.goto(f"{url}/assessment/households/{household.pk}/")
    page.locator("#radar[data-drawn='1']").wait_for()
    assert page.get_by_role("button", name="重新评估").is_visible()
    assert print_button_prints(page)

    assert shown_in_print(page) == []
    header = page.locator(".print-header").inner_text()
    assert "禄劝彝族苗族自治县民政局" in header and "综合评估结果" in header
    assert "打印人 测试县民政" in header
    text = printed_text(page)
    index = page.locator("#index").inner_text()
    for shown in (
        "困难指数",
        index,
        "因病",
        "因房",
        "各因子得分及依据",
        "需求清单",
        household.number,
    ):
        assert shown in text, shown
    assert "重新评估" not in text
    # The factor table prints with borders, and no row breaks across pages.
    cell = page.locator("#factors td").first
    assert cell.evaluate("el => getComputedStyle(el).borderTopStyle") == "solid"
    assert (
        page.locator("#factors tbody tr").first.evaluate("el => getComputedStyle(el).breakInside")
        == "avoid"
    )
    # The chart stays inside the printed page's width.
    fits = page.evaluate(
        "() => { const box = document.querySelector('main').getBoundingClientRect();"
        " const c = document.querySelector('#radar canvas, #radar svg').getBoundingClientRect();"
        " return c.right <= box.right + 1; }"
    )
    assert fits
