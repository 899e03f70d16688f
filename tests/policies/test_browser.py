"""The policy pages in headless Chromium: a village worker on a phone goes from a
household to its 一户一策 and reads why a policy is due; a county officer finds the
households a policy misses (政策找人) and downloads the list.

Browser, pages and the two-village world are fixtures of tests/conftest.py.
"""

import io

import pytest
from openpyxl import load_workbook

from jiuzhu.households import choices as c
from jiuzhu.policies.services import library_load
from tests.factories import make_household, member_data
from tests.support.browser import log_in, no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def poor_in_a_bad_house(world):
    library_load()
    return make_household(
        village=world["home"].code,
        housing_safety=c.HousingSafety.GRADE_D,
        members=[member_data(name="测试孙甲", wage_income=0),
                 member_data(name="测试孙乙", relation=c.Relation.SPOUSE, wage_income=0)],
    )  # fmt: skip


def test_a_village_worker_on_a_phone_reads_which_policies_a_household_is_due_and_why(
    live_server, phone, world, poor_in_a_bad_house
):
    page, url = phone, live_server.url
    log_in(page, url, world["worker"])
    page.goto(f"{url}/households/{poor_in_a_bad_house.pk}/")
    page.get_by_role("link", name="一户一策").click()
    page.wait_for_url(f"{url}/policies/households/{poor_in_a_bad_house.pk}/")
    due = page.locator("#to-receive")
    assert due.locator("[data-policy='dibao']").count() == 1
    assert due.locator("article").count() >= 2
    reasons = due.locator("[data-policy='dibao'] .tests li").all_inner_texts()
    assert any(line.startswith("✓") and "月人均收入" in line and "低于低保标准" in line
               for line in reasons), reasons  # fmt: skip
    assert not any("✗" in line for line in reasons), reasons  # met: nothing crossed under it
    assert no_sideways_scroll(page)
    # The library itself, filtered by a need, on the same phone.
    page.goto(f"{url}/policies/?need=housing")
    titles = page.locator("article.policy h3").all_inner_texts()
    assert titles and all("住房" in t or "房" in t or "住" in t for t in titles), titles
    assert no_sideways_scroll(page)


def test_a_county_officer_finds_who_misses_a_policy_and_downloads_the_list(
    live_server, desktop, world, poor_in_a_bad_house
):
    page, url = desktop, live_server.url
    log_in(page, url, world["clerk"])
    page.get_by_role("link", name="政策一本通").click()
    page.get_by_role("link", name="政策找人").click()
    row = page.locator("#find-table tr[data-policy='dibao'] td.missing")
    assert int(row.inner_text()) >= 1
    page.locator("#find-table").get_by_role("link", name="民政", exact=True).click()
    assert page.locator("#find-rows").get_by_text(poor_in_a_bad_house.number).count() >= 1
    with page.expect_download() as download:
        page.locator("#export").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    numbers = [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert poor_in_a_bad_house.number in numbers
