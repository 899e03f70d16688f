"""A clerk's pages walked in headless Chromium (Debian's package, driven by Playwright).

Village workers fill the home-visit form on a phone; the county reviews on a
desktop. These tests log in through the login page, search, open a household
file, edit it, and read the change back in its history, as those users would.
"""

import os
import re
from pathlib import Path

import pytest

from jiuzhu.accounts.models import Role
from jiuzhu.households import choices as c
from jiuzhu.households.models import Household, Member
from tests.factories import UserFactory, make_household, make_id_number, member_data

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
PASSWORD = "Test-pass-2024"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="浏览器测试需要 Debian 的 chromium(/usr/bin/chromium);make test 会安装它",
    ),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django
    # would then refuse ORM calls from the test body unless told it is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def desktop(browser):
    page = _new_page(browser, DESKTOP)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser):
    page = _new_page(browser, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def world(county):
    """Two villages in different townships, a household in each, and the people who work there."""
    home = county["villages"][0]
    away = next(v for v in county["villages"] if v.parent_id != home.parent_id)
    worker = UserFactory(
        username="cun", display_name="测试村信息员", role=Role.VILLAGE_WORKER, regions=[home.code]
    )
    clerk = UserFactory(
        username="xian",
        display_name="测试县民政",
        role=Role.COUNTY_STAFF,
        regions=[county["county"]],
    )
    spouse_id = make_id_number(sex="F")
    ours = make_household(
        village=home.code,
        members=[
            member_data(name="测试张甲", wage_income=6000),
            member_data(name="测试王乙", relation=c.Relation.SPOUSE, id_number=spouse_id),
        ],
    )
    theirs = make_household(
        village=away.code,
        members=[member_data(name="测试李丙"), member_data(name="测试赵丁", relation="spouse")],
    )
    return {
        "home": home,
        "away": away,
        "worker": worker,
        "clerk": clerk,
        "ours": ours,
        "theirs": theirs,
        "spouse_id": spouse_id,
    }


def _log_in(page, base_url: str, user) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/households/")


def _after_htmx_swap(page, action) -> None:
    """Do something that makes htmx fetch and swap the results, and wait until it has."""
    page.evaluate(
        "window.__swapped = false; document.body.addEventListener("
        "'htmx:afterSettle', () => { window.__swapped = true; }, {once: true})"
    )
    action()
    page.wait_for_function("window.__swapped === true")


def _search(page, text: str) -> None:
    # Typing is enough: the list searches as the clerk types, no button press.
    _after_htmx_swap(page, lambda: page.locator("#q").fill(text))


def _link_to(household) -> str:
    return f'#results a[href="/households/{household.pk}/"]'


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def test_a_village_worker_searches_edits_a_member_and_reads_the_change_in_the_history(
    live_server, desktop, world
):
    page, url = desktop, live_server.url
    _log_in(page, url, world["worker"])
    assert page.locator(_link_to(world["ours"])).count() == 1
    assert page.locator(_link_to(world["theirs"])).count() == 0

    # The search swaps the results in place (htmx): the page itself never reloads.
    page.evaluate("window.__samePage = true")
    _search(page, "测试张甲")
    assert page.evaluate("window.__samePage === true")
    assert page.locator("#results .count").inner_text() == "1"
    _search(page, world["spouse_id"])
    assert page.evaluate("window.__samePage === true")
    assert page.locator(_link_to(world["ours"])).count() == 1
    _search(page, "测试李丙")
    assert page.locator("#results .count").inner_text() == "0"

    _search(page, "测试张甲")
    page.locator(_link_to(world["ours"])).click()
    page.wait_for_url(f"{url}/households/{world['ours'].pk}/")
    assert world["ours"].number in page.locator("h1").inner_text()
    page.get_by_role("link", name="编辑(入户调查)").click()
    page.wait_for_url(f"{url}/households/{world['ours'].pk}/edit/")

    page.locator("#id_m-0-wage_income").fill("8000")
    page.locator("#id_m-1-health_status").select_option(label="患慢性病")
    page.locator("#save").click()
    page.wait_for_url(f"{url}/households/{world['ours'].pk}/")

    assert "已保存家庭档案" in page.locator(".messages").inner_text()
    history = page.locator("#history").inner_text()
    assert re.search(r"测试村信息员 修改 成员 测试张甲", history)
    assert re.search(r"工资性收入\(元/年\):\s*6000\.00\s*→\s*8000\.00", history)
    assert re.search(r"健康状况:\s*健康\s*→\s*患慢性病", history)
    head = Member.objects.get(household=world["ours"], relation=c.Relation.HEAD)
    assert head.wage_income == 8000

    # Another village's household answers like one that does not exist.
    response = page.goto(f"{url}/households/{world['theirs'].pk}/")
    assert response.status == 404


def test_a_county_clerk_finds_any_village_by_id_number_reveals_it_and_edits_the_household(
    live_server, desktop, world
):
    page, url = desktop, live_server.url
    _log_in(page, url, world["clerk"])
    assert page.locator(_link_to(world["theirs"])).count() == 1

    theirs = world["theirs"]
    head = theirs.members.get(relation=c.Relation.HEAD)
    from jiuzhu.households.crypto import decrypt

    full_number = decrypt(head.id_cipher)
    _search(page, full_number)
    assert page.locator("#results .count").inner_text() == "1"
    page.locator(_link_to(theirs)).click()
    page.wait_for_url(f"{url}/households/{theirs.pk}/")

    member_card = page.locator(f"#member-{head.pk}")
    assert full_number not in member_card.inner_text()
    member_card.get_by_role("button", name="查看完整号码").click()
    member_card.locator(".id-full").wait_for()
    assert member_card.locator(".id-full").inner_text() == full_number

    page.get_by_role("link", name="编辑(入户调查)").click()
    page.locator("#id_housing_safety").select_option(label="C级危房")
    page.locator("#id_assistance_received").get_by_label("临时救助").check()
    page.get_by_role("group", name=re.compile("测试赵丁")).get_by_label(
        re.compile("删除该成员")
    ).check()
    page.locator("#save").click()
    page.wait_for_url(f"{url}/households/{theirs.pk}/")
    assert list(theirs.members.values_list("name", flat=True)) == ["测试李丙"]
    history = page.locator("#history").inner_text()
    assert re.search(r"测试县民政 删除 成员 测试赵丁", history)
    assert re.search(r"测试县民政 修改 家庭信息", history)
    assert re.search(r"住房安全状况:\s*安全住房\s*→\s*C级危房", history)
    assert re.search(r"已享受救助帮扶:\s*—\s*→\s*临时救助", history)


def test_a_village_worker_registers_a_new_household_with_two_members(live_server, phone, world):
    page, url = phone, live_server.url
    _log_in(page, url, world["worker"])
    page.get_by_role("link", name="+ 入户登记").click()
    page.wait_for_url(f"{url}/households/new/")

    # The worker's only village is already chosen; the first member is the head.
    assert page.locator("#id_village").input_value() == world["home"].code
    assert page.locator("#id_m-0-relation").input_value() == c.Relation.HEAD
    page.locator("#id_address").fill("测试路8号")
    page.locator("#id_tag_dibao_edge").check()
    page.locator("#id_m-0-name").fill("测试孙戊")
    page.locator("#id_m-0-id_number").fill(make_id_number(sex="M"))
    page.locator("#id_m-0-wage_income").fill("4200")

    page.get_by_role("button", name="添加家庭成员").click()
    page.locator("#id_m-1-relation").select_option(label="子女")
    page.locator("#id_m-1-name").fill("测试孙己")
    page.locator("#id_m-1-id_number").fill(make_id_number(sex="F"))
    page.locator("#id_m-1-occupation").select_option(label="在校学生")
    page.locator("#id_m-1-school_stage").select_option(label="初中")
    page.locator("#id_m-1-education_expense").fill("1500")
    # A third box added by mistake and removed again is neither checked nor saved.
    page.get_by_role("button", name="添加家庭成员").click()
    page.locator("#id_m-2-name").fill("测试多余")
    page.get_by_role("group", name="家庭成员 3").get_by_role("button", name="移除这名成员").click()
    assert page.locator("#id_m-2-name").count() == 0
    page.locator("#save").click()
    page.wait_for_url(re.compile(r"/households/\d+/$"))

    household = Household.objects.get(address="测试路8号")
    assert household.village_id == world["home"].code
    assert household.tag_dibao_edge
    assert household.member_count == 2
    assert household.head_name == "测试孙戊"
    assert household.created_by == world["worker"]
    child = household.members.get(name="测试孙己")
    assert (child.relation, child.sex, child.school_stage) == ("child", "F", "junior")
    assert page.locator("h1").inner_text().startswith("测试孙戊户")
    assert "测试孙己" in page.locator(".member-cards").inner_text()


def test_a_bad_id_number_is_reported_next_to_its_box_and_in_the_summary_and_nothing_is_saved(
    live_server, desktop, world
):
    page, url = desktop, live_server.url
    _log_in(page, url, world["worker"])
    page.goto(f"{url}/households/new/")
    page.locator("#id_address").fill("测试路9号")
    page.locator("#id_m-0-name").fill("测试周庚")
    good = make_id_number()
    wrong_check = good[:17] + ("1" if good[17] != "1" else "2")
    page.locator("#id_m-0-id_number").fill(wrong_check)
    page.locator("#save").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    link = summary.get_by_role("link", name=re.compile("家庭成员 1.*身份证号"))
    assert link.get_attribute("href") == "#id_m-0-id_number"
    box = page.locator("label.field.has-error", has=page.locator("#id_m-0-id_number"))
    assert "身份证号无效" in box.locator(".field-error").inner_text()
    # What the clerk typed is still there to correct.
    assert page.locator("#id_m-0-name").input_value() == "测试周庚"
    assert not Household.objects.filter(address="测试路9号").exists()


def test_the_tag_filter_narrows_the_list_in_place_and_the_next_page_keeps_it(
    live_server, desktop, world
):
    actor = world["clerk"]
    for _ in range(22):
        make_household(village=world["home"].code, actor=actor, tag_tekun=True)
    page, url = desktop, live_server.url
    _log_in(page, url, world["worker"])
    assert page.locator("#results .count").inner_text() == "23"

    page.evaluate("window.__samePage = true")
    _after_htmx_swap(page, lambda: page.locator("#tag").select_option(label="特困人员"))
    assert "tag=tag_tekun" in page.url
    assert page.locator("#results .count").inner_text() == "22"
    _after_htmx_swap(
        page, lambda: page.locator(".pager").get_by_role("link", name="下一页").click()
    )
    assert page.evaluate("window.__samePage === true")
    assert "tag=tag_tekun" in page.url and "page=2" in page.url
    assert page.locator("#results .count").inner_text() == "22"
    assert page.locator("#results tbody tr").count() == 2
    assert page.locator(_link_to(world["ours"])).count() == 0


def test_on_a_phone_no_page_scrolls_sideways_and_the_save_button_stays_in_reach(
    live_server, phone, world
):
    page, url = phone, live_server.url
    _log_in(page, url, world["clerk"])
    assert _no_sideways_scroll(page), "家庭档案列表"

    page.goto(f"{url}/households/{world['ours'].pk}/")
    assert _no_sideways_scroll(page), "家庭档案页"
    page.goto(f"{url}/dashboard/")
    assert _no_sideways_scroll(page), "统计概览(表格在 .table-wrap 内横向滚动)"

    for path in [f"/households/{world['ours'].pk}/edit/", "/households/new/"]:
        page.goto(url + path)
        page.get_by_role("button", name="添加家庭成员").click()
        assert _no_sideways_scroll(page), path
        for where in ("top", "bottom"):
            if where == "bottom":
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            save = page.locator("#save")
            box = save.bounding_box()
            assert box is not None
            assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (path, where)
            save.click(trial=True)  # visible, enabled and not covered by anything
