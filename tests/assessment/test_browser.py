"""The assessment pages in headless Chromium: the radar chart is drawn, the
reasons are there to read out, a phone does not scroll sideways, and a county
officer takes a model change from draft through preview to activation.

Browser, pages and the two-village world are fixtures of tests/conftest.py.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from jiuzhu.assessment.models import Assessment, ElderlyAssessment, ModelVersion
from jiuzhu.engine.elderly import ITEMS
from jiuzhu.households import choices as c
from tests.factories import make_household, make_id_number, member_data
from tests.support.browser import PHONE, log_in, no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def hardship(world):
    """A household with an elder, a serious illness and a D-grade house, in the worker's village."""
    return make_household(
        village=world["home"].code,
        housing_safety=c.HousingSafety.GRADE_D,
        members=[
            member_data(name="测试钱甲", wage_income=2400),
            member_data(
                name="测试钱老",
                relation=c.Relation.PARENT,
                id_number=make_id_number(birth=dt.date(1941, 4, 2)),
                health_status=c.HealthStatus.SERIOUS,
                wage_income=0,
            ),
        ],
    )


def _chart_size(page, selector: str) -> dict:
    """The drawn surface (canvas or svg) inside a chart box, and the box itself."""
    return page.evaluate(
        """sel => {
            const box = document.querySelector(sel);
            const surface = box.querySelector('canvas, svg');
            const r = surface ? surface.getBoundingClientRect() : {width: 0, height: 0};
            return {width: r.width, height: r.height, box: box.getBoundingClientRect().width,
                    drawn: box.dataset.drawn === '1'};
        }""",
        selector,
    )


def _radar_has_ink(page) -> bool:
    """Some pixels of the radar canvas are not blank: ECharts really painted it."""
    return page.evaluate(
        """() => {
            const c = document.querySelector('#radar canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
            return false;
        }"""
    )


def test_a_village_worker_opens_the_assessment_and_sees_the_radar_chart_and_the_reasons(
    live_server, desktop, world, hardship
):
    page, url = desktop, live_server.url
    log_in(page, url, world["worker"])
    page.goto(f"{url}/households/{hardship.pk}/")
    page.get_by_role("link", name="综合评估", exact=True).click()
    page.wait_for_url(f"{url}/assessment/households/{hardship.pk}/")

    page.wait_for_function("() => document.querySelector('#radar')?.dataset.drawn === '1'")
    size = _chart_size(page, "#radar")
    assert size["width"] > 200 and size["height"] > 200
    assert _radar_has_ink(page)

    illness = page.locator("#factor-illness").inner_text()
    assert "因病" in illness and "患大病" in illness and "致困" in illness
    assert "D级危房" in page.locator("#factor-housing").inner_text()
    assert "月人均可支配收入" in page.locator("#economic-lines").inner_text()
    assert "住房" in page.locator("#needs").inner_text()
    row = Assessment.objects.latest_only().get(household=hardship)
    assert page.locator("#index").inner_text() == str(row.index)

    page.get_by_role("button", name="重新评估").click()
    page.wait_for_load_state()
    assert "已重新评估" in page.locator(".messages").inner_text()
    assert page.locator("#history tbody tr").count() == 2
    assert "测试村信息员 · 人工评估" in page.locator("#history tbody tr").first.inner_text()


def test_on_a_phone_the_assessment_fits_and_the_chart_follows_the_screen(
    live_server, phone, world, hardship
):
    page, url = phone, live_server.url
    log_in(page, url, world["worker"])
    page.goto(f"{url}/assessment/households/{hardship.pk}/")
    page.wait_for_function("() => document.querySelector('#radar')?.dataset.drawn === '1'")
    assert no_sideways_scroll(page)
    narrow = _chart_size(page, "#radar")
    assert 0 < narrow["width"] <= PHONE["width"]

    page.set_viewport_size({"width": 844, "height": 390})  # turned sideways
    page.wait_for_function(
        f"() => document.querySelector('#radar canvas').getBoundingClientRect().width > {narrow['width'] + 100}"
    )
    assert no_sideways_scroll(page)

    # Another village's assessment is not there at all.
    assert page.goto(f"{url}/assessment/households/{world['theirs'].pk}/").status == 404


def test_a_village_worker_records_an_elders_ability_on_a_phone(live_server, phone, world, hardship):
    page, url = phone, live_server.url
    elder = hardship.members.get(name="测试钱老")
    log_in(page, url, world["worker"])
    page.goto(f"{url}/households/{hardship.pk}/")
    page.locator(f"#member-{elder.pk}").get_by_role("link", name="老年人能力评估").click()
    page.wait_for_url(f"{url}/assessment/members/{elder.pk}/elderly/")
    assert no_sideways_scroll(page)

    # Every item at 1 point (each has one): a total of 26, level 4.
    for code in ITEMS:
        group = page.locator(f"#id_item_{code.replace('.', '_')}")
        group.get_by_role("radio", name=re.compile(r"^1分")).check()
    page.locator("#save").click()
    page.wait_for_url(f"{url}/assessment/members/{elder.pk}/elderly/")
    record = ElderlyAssessment.objects.get(member=elder)
    assert (record.total, record.level) == (26, 4)
    assert "4 级" in page.locator("#level").inner_text()
    latest = Assessment.objects.latest_only().get(household=hardship)
    assert "nursing" in [n["category"] for n in latest.needs]


def test_a_county_officer_drafts_previews_and_activates_a_model_change(
    live_server, desktop, world, hardship
):
    page, url = desktop, live_server.url
    log_in(page, url, world["clerk"])
    page.get_by_role("link", name="评估模型").click()
    page.wait_for_url(f"{url}/assessment/model/")
    page.get_by_role("link", name="修改参数(新建草稿)").click()

    # The running total of the weights turns red as soon as they stop adding up to 1
    # (static/js/model-edit.js, deferred: expect() waits for it to have run).
    expect(page.locator("#weight-sum")).to_have_text("1")
    page.get_by_label("因病权重").fill("0.3")
    expect(page.locator("#weight-sum")).to_have_text("1.1")
    expect(page.locator("#weight-sum")).to_have_class("sum-off")
    page.locator("#id_note").fill("测试:提高因病权重")
    page.locator("#save").click()
    page.wait_for_load_state()
    assert "九个因子的权重之和应为 1" in page.locator("#error-summary").inner_text()
    assert not ModelVersion.objects.filter(status="draft").exists()

    page.get_by_label("其他权重").fill("0")
    page.locator("#save").click()
    page.wait_for_url(re.compile(r"/assessment/model/v2/$"))
    diff = page.locator("#diff").inner_text()
    assert "因病权重" in diff and "其他权重" in diff

    page.get_by_role("button", name="预览对全县家庭的影响").click()
    page.wait_for_url(re.compile(r"/assessment/model/v2/"))
    page.wait_for_function("() => document.querySelector('#index-chart')?.dataset.drawn === '1'")
    assert _chart_size(page, "#index-chart")["width"] > 200
    assert page.locator("#preview-factors tbody tr").count() == 9
    page.get_by_label(re.compile("我已查看预览结果")).check()
    page.get_by_role("button", name="启用 v2").click()
    page.wait_for_load_state()
    assert "已启用 v2。已按现行模型 v2 重新评估" in page.locator(".messages").inner_text()
    assert ModelVersion.objects.get(version="v2").status == "active"
    assert Assessment.objects.latest_only().get(household=hardship).model_version.version == "v2"
