"""The household list and the household picker in headless Chromium: a county clerk
sorts the list by the hardship index and jumps to a page; a village worker on a phone
links a reported case to its household file by typing part of the name."""

import re

import pytest

from jiuzhu.assessment.models import LatestAssessment
from jiuzhu.households import choices as c
from tests.factories import CaseFactory, make_household, member_data
from tests.support.browser import after_htmx_swap, log_in, no_sideways_scroll

pytestmark = pytest.mark.browser


def _indexes(page) -> list[float]:
    cells = page.locator('#results td.detail[data-label="困难指数"]').all_inner_texts()
    return [float(t) for t in cells]


def test_a_county_clerk_sorts_by_hardship_index_and_jumps_to_a_page(live_server, desktop, world):
    page, url = desktop, live_server.url
    ill = {"health_status": c.HealthStatus.SERIOUS, "disease": c.Disease.KIDNEY, "wage_income": 0}
    for i in range(58):  # with the world's two: three pages of 20
        make_household(village=world["home"].code,
                       members=[member_data(**(ill if i % 3 == 0 else {}))])  # fmt: skip
    log_in(page, url, world["clerk"])
    after_htmx_swap(page, lambda: page.locator("#sort").select_option(label="排序:困难指数 高→低"))
    assert "sort=index_desc" in page.url
    shown = _indexes(page)
    assert len(shown) == 20 and shown == sorted(shown, reverse=True)
    top = LatestAssessment.objects.order_by("-index").values_list("index", flat=True)[0]
    assert shown[0] == float(top)

    # Jump to the last page by number: the sort stays, the lowest indexes are there.
    page.locator("#page-jump").fill("3")
    after_htmx_swap(page, lambda: page.get_by_role("button", name="跳转").click())
    assert re.search(r"page=3", page.url) and "sort=index_desc" in page.url
    assert "第 3 / 3 页" in page.locator("#results .result-count").inner_text()
    last = _indexes(page)
    assert len(last) == 20 and last == sorted(last, reverse=True) and last[0] <= shown[-1]
    # The numbered links: back to the first page.
    after_htmx_swap(page, lambda: page.get_by_role("link", name="第 1 页(首页)").click())
    assert "第 1 / 3 页" in page.locator("#results .result-count").inner_text()
    assert _indexes(page) == shown


def test_a_village_worker_on_a_phone_links_a_report_by_part_of_the_name(
    live_server, phone, world
):
    page, url = phone, live_server.url
    case = CaseFactory(household=None, village=world["home"].code, status="assessing")
    log_in(page, url, world["worker"])
    page.goto(f"{url}/cases/{case.pk}/")
    box = page.locator("[data-household-picker] .picker-q")
    # Part of the head's name: 测试张甲's household; 测试李丙 lives in another township.
    after_htmx_swap(page, lambda: box.fill("测试张"))
    choices = page.locator(".picker-choice")
    assert choices.count() == 1
    assert "*" in choices.first.inner_text()  # the ID number masked
    assert no_sideways_scroll(page)
    choices.first.click()
    assert page.locator("[data-household-picker] .picker-value").input_value() == str(world["ours"].pk)
    assert "已选择" in page.locator(".picker-chosen").inner_text()
    page.get_by_role("button", name="关联").click()
    page.wait_for_load_state()
    assert f"已关联家庭档案 {world['ours'].number}" in page.locator(".messages").inner_text()
    case.refresh_from_db()
    assert case.household_id == world["ours"].pk
