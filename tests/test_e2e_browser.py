"""One household from a public self-report to closure, in headless Chromium,
logging in as each role in turn (issue 4's end-to-end walk):

resident on a phone (no login) → village worker: assessment and plan → township:
case conference with 医保, 教育 and the social-work centre (社工中心), submission → each
department officer: the task from acceptance to feedback, and nothing of any other
household → the social organisation: lands on its inbox, ticks its task and accepts it
(批量接收), works it to feedback → county: the monthly joint review, its minutes,
publicity, implementation, closure → the resident reads "已结案" with the receipt code.

Browser, pages and the two-village world are fixtures of tests/conftest.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from jiuzhu.cases.models import Case
from jiuzhu.households import choices as c
from jiuzhu.policies.services import library_load
from jiuzhu.referrals.models import Referral
from tests.factories import UserFactory, make_household, member_data
from tests.support.browser import after_htmx_swap, log_in

pytestmark = pytest.mark.browser

HEAD = "测试孙甲"


@pytest.fixture
def people(world, county):
    """The household the resident speaks for, and everyone who will handle its case."""
    library_load()
    home = world["home"]
    household = make_household(
        village=home.code,
        housing_safety=c.HousingSafety.GRADE_D,
        members=[
            member_data(name=HEAD, wage_income=0, health_status=c.HealthStatus.CHRONIC,
                        disease="高血压"),
            member_data(name="测试孙乙", relation=c.Relation.SPOUSE, wage_income=0),
        ],
    )  # fmt: skip
    return {
        "household": household,
        "worker": world["worker"],
        "township": UserFactory.township_staff(home, username="zhen", display_name="测试乡镇民政"),
        "county": world["clerk"],
        "yibao": UserFactory.department_officer("yibao", username="yibao",
                                                display_name="测试医保经办"),
        "jiaoyu": UserFactory.department_officer("jiaoyu", username="jiaoyu",
                                                 display_name="测试教育经办"),
        "shegong": UserFactory.social_organisation("shegong", username="shegong",
                                                   display_name="测试社工"),
    }  # fmt: skip


def _log_in(page, url: str, user) -> None:
    """Log in as the next person in the walk, wherever their role lands."""
    log_in(page, url, user, lands_on=None)


def _press(page, name: str, *, note: str = "") -> None:
    """Press a step's button on a case or referral page, writing its note first."""
    form = page.locator("form").filter(has=page.get_by_role("button", name=name, exact=True))
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def _flash(page) -> str:
    return " ".join(
        page.locator(".messages, .message, [role=status], [role=alert]").all_inner_texts()
    )


def _press_submit_refused(page, url: str, people, case_url: str) -> None:
    """The township tries to submit while the social organisation's task is still open."""
    _log_in(page, url, people["township"])
    page.goto(case_url)
    _press(page, "乡镇审核通过,提交县级")
    assert "尚有部门任务未反馈" in _flash(page)


def _status(page) -> str:
    return page.locator(".title-row .status").first.inner_text()


def test_one_household_from_a_public_self_report_to_closure(
    live_server, phone, desktop, world, people
):
    url = live_server.url
    household, home = people["household"], world["home"]

    # 1. The resident applies on a phone, without logging in, and keeps the receipt code.
    phone.goto(f"{url}/apply/")
    phone.get_by_label("为自己或家人申请救助").check()
    phone.get_by_label("姓名").fill(HEAD)
    phone.get_by_label("联系电话").fill("13800001234")
    phone.get_by_label("所在村(社区)").select_option(home.code)
    phone.get_by_label("遇到的困难").fill("本人长期患病,夫妻两人都没有收入,住房是危房")
    phone.get_by_role("button", name="提交").click()
    receipt = phone.locator("#receipt-code").inner_text().strip()
    assert len(receipt.replace(" ", "").replace("-", "")) == 10
    case = Case.objects.get(applicant_phone="13800001234")
    assert case.household_id is None and case.status == "received"

    # 2. The village worker, on a phone: starts the home visit, links the family's file,
    # assesses it, and chooses the measures of its 一户一策.
    _log_in(phone, url, people["worker"])
    phone.goto(f"{url}/inbox/")
    phone.locator("#cases").get_by_role("link", name=HEAD).click()
    _press(phone, "开始入户评估")
    assert _status(phone) == "入户评估"
    # The household picker: part of the head's name, then the result tapped.
    after_htmx_swap(phone, lambda: phone.locator(".picker-q").fill(HEAD[:3]))
    phone.locator(f'.picker-choice[data-pick-id="{household.pk}"]').click()
    phone.get_by_role("button", name="关联").click()
    phone.wait_for_load_state()
    assert household.number in phone.locator("section.card").first.inner_text()
    case_url = phone.url.split("#")[0]
    phone.goto(f"{url}/assessment/households/{household.pk}/")
    phone.locator("#run").click()
    phone.wait_for_load_state()
    phone.goto(case_url)
    _press(phone, "评估完成,拟定方案")
    assert _status(phone) == "拟定方案"
    phone.get_by_role("link", name="拟定方案").click()
    # No income: 低保 is among the policies due, with others; the worker picks 低保 and one more.
    due = phone.locator("section.card").first.locator(".measure-pick")
    assert due.locator("input[value='dibao']").count() == 1
    other_policy = due.locator("input[name=policy]:not([value='dibao'])").first
    for box in (due.locator("input[value='dibao']"), other_policy):
        box.check()
    picked = phone.locator("input[name=policy]:checked").count()
    assert picked == 2
    phone.get_by_role("button", name="保存方案").click()
    phone.wait_for_load_state()
    assert f"共{picked}项措施" in _flash(phone)

    # 3. The township convenes a case conference with 医保 and 教育; the case cannot go
    # to the county until both have fed back.
    page = desktop
    _log_in(page, url, people["township"])
    page.goto(case_url)
    page.get_by_role("link", name="个案会商").first.click()
    page.goto(f"{url}/referrals/cases/{case.pk}/conferences/new/")
    page.get_by_label("禄劝县医疗保障局", exact=True).check()
    page.get_by_label("禄劝县医疗保障局的任务").fill("核实住院费用,落实医疗救助")
    page.get_by_label("禄劝县教育体育局", exact=True).check()
    page.get_by_label("禄劝县教育体育局的任务").fill("核实子女在校情况,落实教育资助")
    page.get_by_label("禄劝县社会工作服务中心", exact=True).check()
    page.get_by_label("禄劝县社会工作服务中心的任务").fill("入户评估照护需求,开展心理疏导")
    page.get_by_label("会商纪要").fill("夫妻均无收入,丈夫慢性病,医保、教育部门和社工中心分别落实")
    page.get_by_role("button", name="登记会商并转介任务").click()
    page.wait_for_load_state()
    assert Referral.objects.filter(case=case).count() == 3, page.locator("main").inner_text()[:800]
    page.goto(case_url)
    _press(page, "乡镇审核通过,提交县级")
    assert "尚有部门任务未反馈" in _flash(page)
    assert _status(page) == "拟定方案"

    # 4. Each department officer: the task in their inbox, worked to feedback; any
    # household not referred to their department does not exist for them.
    other = world["theirs"]
    for who, help_given in [
        ("yibao", "已按规定落实住院医疗救助"),
        ("jiaoyu", "经核实无在校子女,无需资助"),
    ]:
        _log_in(page, url, people[who])
        page.goto(f"{url}/inbox/")
        tasks = page.locator("#to-accept")
        assert tasks.get_by_role("link", name=f"{HEAD}户").count() == 1
        assert other.head_name not in page.content()
        tasks.get_by_role("link", name=f"{HEAD}户").click()
        _press(page, "接收转介")
        _press(page, "复核完成")
        _press(page, "登记帮扶", note=help_given)
        _press(page, "反馈民政", note=f"{help_given},请民政结案")
        assert "已反馈" in page.locator("main").inner_text()
        for path in (f"/referrals/households/{other.pk}/", f"/households/{other.pk}/",
                     f"/cases/{case.pk}/"):  # fmt: skip
            response = page.goto(f"{url}{path}")
            assert response.status == 404, (who, path)
        other_task = Referral.objects.exclude(department_id=who).filter(case=case).first()
        assert page.goto(f"{url}/referrals/{other_task.pk}/").status == 404
    _press_submit_refused(page, url, people, case_url)

    # 4b. The social organisation's account belongs to the social-work centre: it lands
    # on its inbox, ticks its task (全选 ticks it too) and accepts it in bulk, then works
    # it to feedback like a department; the household is there only through the task.
    log_in(page, url, people["shegong"], lands_on="/inbox/")
    tasks = page.locator("#to-accept")
    assert tasks.get_by_role("link", name=f"{HEAD}户").count() == 1
    assert other.head_name not in page.content()
    box = tasks.locator("input[name=referral]")
    tasks.get_by_title("全选").check()
    assert box.is_checked()
    tasks.get_by_title("全选").uncheck()
    assert not box.is_checked()
    box.check()
    assert tasks.get_by_title("全选").is_checked()  # every box ticked: the master follows
    page.get_by_role("button", name="接收所勾选的转介").click()
    page.wait_for_load_state()
    assert "已接收1件" in _flash(page)
    page.locator("#in-hand").get_by_role("link", name=f"{HEAD}户").click()
    _press(page, "复核完成")
    _press(page, "登记帮扶", note="已入户评估照护需求,开展两次心理疏导")
    _press(page, "反馈民政", note="照护需求已评估,建议纳入居家照护服务")
    assert "已反馈" in page.locator("main").inner_text()
    assert page.goto(f"{url}/referrals/households/{household.pk}/").status == 200
    for path in (f"/referrals/households/{other.pk}/", f"/households/{household.pk}/",
                 f"/cases/{case.pk}/"):  # fmt: skip
        assert page.goto(f"{url}{path}").status == 404, path

    # 5. The township submits to the county.
    _log_in(page, url, people["township"])
    page.goto(case_url)
    _press(page, "乡镇审核通过,提交县级")
    assert _status(page) == "乡镇审核提交"

    # 6. The county: this month's joint review puts the case on the agenda; the meeting
    # approves it; the minutes are downloaded; the publicity starts and must run its days.
    _log_in(page, url, people["county"])
    page.goto(f"{url}/reviews/")
    page.get_by_role("link", name="登记本月联席会议").click()
    page.get_by_label("主持人").fill("测试主任")
    page.get_by_label("会议地点").fill("县民政局会议室")
    page.get_by_role("button", name="登记会议并生成议程").click()
    page.wait_for_load_state()
    row = page.locator("tr.agenda-item").filter(has_text=case.number)
    assert row.count() == 1
    row.get_by_label("同意", exact=True).check()
    row.get_by_role("button", name="登记决定").click()
    page.locator("tr.agenda-item.decided").filter(has_text=case.number).wait_for()
    assert "同意 1" in page.locator("#agenda-summary").inner_text()  # counts follow the decision
    page.get_by_role("button", name="形成会议纪要并办理决定").click()
    page.wait_for_load_state()
    assert page.locator("#meeting-status").inner_text() == "已形成纪要"
    with page.expect_download() as download:
        page.get_by_role("link", name="下载会议纪要.docx").click()
    minutes = Document(download.value.path())
    table = [[cell.text for cell in r.cells] for r in minutes.tables[0].rows]
    assert [case.number, "同意"] == [table[1][1], table[1][7]]
    page.get_by_role("button", name="发布公示(1 户)").click()
    page.wait_for_load_state()
    assert page.locator("table").filter(has_text=case.number).count() == 1
    page.goto(case_url)
    assert _status(page) == "公示"
    _press(page, "公示期满无异议,实施帮扶")
    assert "公示期7天" in _flash(page)
    # Seven days pass with no objection.
    Case.objects.filter(pk=case.pk).update(publicised_at=timezone.now() - timedelta(days=7))
    page.goto(case_url)
    _press(page, "公示期满无异议,实施帮扶")
    assert _status(page) == "实施帮扶"
    _press(page, "登记回访", note="已入户回访,医疗救助已到位,生活有改善")
    _press(page, "结案")
    assert _status(page) == "已结案"
    timeline = page.locator("#timeline").inner_text()
    for step in ("群众申报", "开始入户评估", "关联家庭档案", "拟定方案", "提交县级审核",
                 "县级审核", "审核同意", "公示", "实施帮扶", "回访", "结案"):  # fmt: skip
        assert step in timeline, step

    # 7. The resident checks progress with the receipt code: status and dates, no personal data.
    phone.context.clear_cookies()
    phone.goto(f"{url}/apply/status/")
    phone.locator("input[name=code]").fill(receipt)
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_load_state()
    text = phone.locator("main").inner_text()
    assert "已结案" in text
    assert household.number not in text and "13800001234" not in text
