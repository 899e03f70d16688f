"""Intake (一门受理): window and village cases, public self-reports and their
receipt codes, duplicates, hotline tickets, and the case pages a clerk uses."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from jiuzhu.accounts.models import Role
from jiuzhu.cases import selectors, services
from jiuzhu.cases import workflow as wf
from jiuzhu.cases.models import Case, CaseEvent, Channel, HotlineTicket, Proxy
from jiuzhu.policies.models import Department, Policy
from jiuzhu.regions.models import Level, Region
from tests.factories import UserFactory, make_household, member_data

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the per-address throttle lives in the cache
    yield
    cache.clear()


@pytest.fixture
def village(county):
    return county["villages"][0].code


@pytest.fixture
def other_village(county):
    return county["villages"][-1].code


@pytest.fixture
def worker(village):
    return UserFactory(role=Role.VILLAGE_WORKER, regions=[village], display_name="受理村信息员")


@pytest.fixture
def township(village):
    return UserFactory(role=Role.TOWNSHIP_STAFF, regions=[village[:9] + "000"])


@pytest.fixture
def county_staff(county):
    return UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]], display_name="县热线")


@pytest.fixture
def household(village):
    return make_household(village=village, phone="13800000001")


def report(village: str, **overrides) -> Case:
    data = {
        "name": "测试申报人",
        "phone": "13900000002",
        "village_code": village,
        "description": "家中老人长期患病,无人照顾,收入很低",
        "about_self": True,
    }
    data.update(overrides)
    return services.case_report_public(**data)


# --- window and village intake ------------------------------------------------------


def test_a_window_clerk_opens_a_case_with_how_it_was_applied_for(township, household):
    case = services.case_open(
        actor=township, household=household, channel=Channel.WINDOW, proxy=Proxy.PROXY,
        note="村委会代办,已交低保申请书",
    )  # fmt: skip

    assert (case.status, case.channel, case.proxy) == (wf.Status.RECEIVED, "window", "proxy")
    assert case.village_id == household.village_id and case.created_by == township
    event = case.events.get()
    assert (event.action, event.to_status, event.actor) == ("open", "received", township)
    assert event.note == "村委会代办,已交低保申请书"


def test_opening_a_second_case_for_a_household_names_the_open_one(worker, township, household):
    first = services.case_open(actor=worker, household=household, channel=Channel.VILLAGE)

    with pytest.raises(services.DuplicateCase) as caught:
        services.case_open(actor=township, household=household)

    assert caught.value.number == first.number
    assert first.number in str(caught.value) and "不能重复受理" in str(caught.value)
    assert Case.objects.filter(household=household).count() == 1


def test_the_database_refuses_two_open_cases_for_one_household(worker, household):
    first = services.case_open(actor=worker, household=household)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(number="AJX-1", receipt_code="XXXXXXXXXX", household=household,
                            village_id=household.village_id, channel=Channel.WINDOW)  # fmt: skip
    Case.objects.filter(pk=first.pk).update(status=wf.Status.REJECTED)
    Case.objects.create(number="AJX-2", receipt_code="YYYYYYYYYY", household=household,
                        village_id=household.village_id, channel=Channel.WINDOW)  # fmt: skip


def test_intake_checks_role_region_and_channel(worker, household, other_village, county):
    leader = UserFactory(role=Role.LEADER, regions=[county["county"]])
    with pytest.raises(PermissionDenied):
        services.case_open(actor=leader, household=household)
    stranger = UserFactory(role=Role.VILLAGE_WORKER, regions=[other_village])
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.case_open(actor=stranger, household=household)
    with pytest.raises(ValidationError) as caught:
        services.case_open(actor=worker, household=household, channel=Channel.SELF)
    assert "受理渠道" in caught.value.message_dict["channel"][0]


# --- public reports ------------------------------------------------------------------


def test_a_public_report_gets_an_unguessable_receipt_code_and_no_actor(village):
    case = report(village)

    assert re.fullmatch(r"[A-HJ-KM-NP-Z2-9]{10}", case.receipt_code)
    assert (case.status, case.channel, case.household) == (wf.Status.RECEIVED, "self", None)
    event = case.events.get()
    assert (event.action, event.actor) == ("report", None)


def test_reporting_someone_else_is_recorded_as_such(village):
    assert report(village, about_self=False).channel == Channel.REPORT


@pytest.mark.parametrize(
    ("field", "overrides", "words"),
    [
        ("name", {"name": ""}, "姓名"),
        ("name", {"name": "名" * 33}, "姓名"),
        ("phone", {"phone": "12345"}, "联系电话"),
        ("village", {"village_code": "530128109000"}, "所在村"),
        ("village", {"village_code": "110101001001"}, "所在村"),
        ("description", {"description": "难"}, "困难情况"),
        ("description", {"description": "难" * 501}, "困难情况"),
        ("address", {"address": "路" * 129}, "住址"),
    ],
)
def test_a_bad_public_report_is_refused_naming_the_field_in_chinese(
    village, field, overrides, words
):
    with pytest.raises(ValidationError) as caught:
        report(village, **overrides)
    assert words in caught.value.message_dict[field][0]
    assert not Case.objects.exists()


def test_the_same_phone_reporting_again_is_merged_into_the_open_case(village):
    original = report(village)
    again = report(village, name="另一个名字", description="再次反映:老人病情加重")

    assert again.duplicate_of == original and again.status == wf.Status.MERGED
    assert again.receipt_code != original.receipt_code
    assert Case.objects.open().count() == 1
    merge = original.events.get(action="merge")
    assert again.number in merge.note and merge.actor is None
    shown = selectors.case_public_status(receipt_code=again.receipt_code)
    assert shown.merged and shown.status_label == wf.STATUS_LABELS[original.status]


def test_the_same_name_in_the_same_village_is_merged_even_from_another_phone(village, household):
    head = household.head_name
    again = report(village, name=head, phone="13700000003", about_self=False)
    assert again.duplicate_of is None  # the household has no open case yet
    # …but a second report of the same person, from yet another phone, joins the first.
    third = report(village, name=head, phone="13700000004", about_self=False)
    assert third.duplicate_of == again


def test_a_report_matching_a_household_with_an_open_case_is_merged(worker, village, household):
    case = services.case_open(actor=worker, household=household)
    again = report(village, phone=household.phone)
    assert again.duplicate_of == case


def test_old_or_finished_cases_do_not_absorb_a_new_report(village):
    old = report(village)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    newer = report(village)
    assert newer.duplicate_of is None
    Case.objects.filter(pk=newer.pk).update(status=wf.Status.REJECTED)
    Case.objects.filter(pk=old.pk).update(status=wf.Status.CLOSED)
    assert report(village).duplicate_of is None


def test_one_phone_may_report_only_a_few_times_a_day(village, other_village):
    for _ in range(services.PHONE_DAILY_LIMIT):
        report(village)
    with pytest.raises(ValidationError) as caught:
        report(other_village)
    assert "联系电话" in caught.value.message_dict["phone"][0]


def test_a_report_is_linked_to_the_household_file_after_the_visit(worker, village, household):
    case = report(village, phone="13600000005")
    case = services.case_link_household(actor=worker, case=case, household=household)

    assert case.household == household
    assert case.events.last().action == "link_household"
    other = report(village, phone="13600000006", name="别的申报人")
    with pytest.raises(services.DuplicateCase):
        services.case_link_household(actor=worker, case=other, household=household)


# --- the plan (一户一策) --------------------------------------------------------------


@pytest.fixture
def policy(db):
    department = Department.objects.create(code="minzheng-test", name="县民政局(测试)",
                                           short_name="民政", kind="government")  # fmt: skip
    return Policy.objects.create(
        code="test-dibao", name="测试低保", department=department, measure="basic_living",
        condition={"all": []}, benefit="按月发放", legal_basis="测试依据",
        valid_from=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip


def test_measures_are_chosen_in_planning_with_their_department(worker, household, policy):
    case = services.case_open(actor=worker, household=household)
    case = services.case_transition(actor=worker, case=case, action="start_assessment")
    case = services.case_transition(actor=worker, case=case, action="plan")

    case = services.case_measures_save(
        actor=worker, case=case, measures=[{"policy": policy.code, "note": "每月"}]
    )

    assert case.measures == [{"policy": policy.code, "department": "minzheng-test", "note": "每月"}]
    assert case.events.last().action == "measures" and "测试低保" in case.events.last().note
    with pytest.raises(ValidationError) as caught:
        services.case_measures_save(actor=worker, case=case, measures=[{"policy": "nope"}])
    assert "政策一本通" in next(iter(caught.value.message_dict.values()))[0]


def test_measures_cannot_change_outside_planning(worker, household, policy):
    case = services.case_open(actor=worker, household=household)
    with pytest.raises(services.IllegalTransition, match="拟定方案"):
        services.case_measures_save(actor=worker, case=case, measures=[{"policy": policy.code}])


# --- hotline tickets -------------------------------------------------------------------


def ticket(actor, region: str, **overrides) -> HotlineTicket:
    data = {"kind": "help", "region_code": region, "content": "来电反映邻居独居老人生活困难",
            "caller_name": "来电群众", "caller_phone": "13500000007"}  # fmt: skip
    data.update(overrides)
    return services.ticket_create(actor=actor, **data)


def test_a_hotline_ticket_is_timed_at_every_step(county_staff, village):
    t = ticket(county_staff, village)
    t = services.ticket_transition(actor=county_staff, ticket=t, action="answer",
                                   note="已告知低保申请流程")  # fmt: skip
    t = services.ticket_transition(actor=county_staff, ticket=t, action="give_feedback",
                                   note="来电人表示满意")  # fmt: skip
    t = services.ticket_transition(actor=county_staff, ticket=t, action="close")

    assert t.status == wf.TicketStatus.CLOSED
    assert t.received_at <= t.responded_at <= t.feedback_at <= t.closed_at
    steps = list(t.events.order_by("at", "id").values_list("action", "to_status", "actor"))
    assert steps == [
        ("receive", "received", county_staff.pk),
        ("answer", "answered", county_staff.pk),
        ("give_feedback", "feedback_given", county_staff.pk),
        ("close", "closed", county_staff.pk),
    ]
    assert re.fullmatch(r"RX530128-\d{4}-\d{6}", t.number)


@pytest.mark.parametrize(("action", "status"), [
    (row.action, status) for row in wf.TICKET_TRANSITIONS for status in wf.TicketStatus
    if status not in row.sources
])  # fmt: skip
def test_a_ticket_move_outside_its_table_is_illegal(action, status, county_staff, village):
    t = ticket(county_staff, village)
    HotlineTicket.objects.filter(pk=t.pk).update(status=status)
    Department.objects.get_or_create(code="yibao", defaults={"name": "县医保局",
                                     "short_name": "医保", "kind": "government"})  # fmt: skip
    with pytest.raises(services.IllegalTransition):
        services.ticket_transition(actor=county_staff, ticket=t, action=action, note="说明",
                                   department="yibao")  # fmt: skip


def test_transferring_a_ticket_names_the_department(county_staff, village):
    Department.objects.create(code="yibao", name="县医保局", short_name="医保", kind="government")
    t = ticket(county_staff, village)
    with pytest.raises(ValidationError) as caught:
        services.ticket_transition(actor=county_staff, ticket=t, action="transfer", note="报销")
    assert "转办部门" in caught.value.message_dict["department"][0]
    t = services.ticket_transition(actor=county_staff, ticket=t, action="transfer",
                                   note="医疗费用报销咨询", department="yibao")  # fmt: skip
    assert (t.status, t.department) == (wf.TicketStatus.TRANSFERRED, "yibao")
    assert t.events.last().note.startswith("转县医保局")


def test_a_ticket_opens_a_hotline_case_and_counts_as_handled(county_staff, village, household):
    t = ticket(county_staff, village)
    case = services.ticket_open_case(actor=county_staff, ticket=t)

    t.refresh_from_db()
    assert (case.channel, case.household, case.applicant_name) == ("hotline", None, "来电群众")
    assert (t.case, t.status) == (case, wf.TicketStatus.HANDLED) and t.responded_at
    with pytest.raises(services.IllegalTransition):
        services.ticket_open_case(actor=county_staff, ticket=t)
    # With a household file the case is the household's, and duplicates are still refused.
    t2 = ticket(county_staff, village)
    services.ticket_open_case(actor=county_staff, ticket=t2, household=household)
    with pytest.raises(services.DuplicateCase):
        services.ticket_open_case(actor=county_staff, ticket=ticket(county_staff, village),
                                  household=household)  # fmt: skip


def test_village_workers_do_not_handle_hotline_tickets(worker, village):
    with pytest.raises(PermissionDenied):
        ticket(worker, village)


# --- the public pages ----------------------------------------------------------------


def apply_post(village: str, **overrides) -> dict:
    data = {"about": "self", "name": "王测试", "phone": "13912345678", "village": village,
            "address": "测试村三组18号", "description": "丈夫去年车祸去世,两个孩子上学,家里没有收入",
            "website": ""}  # fmt: skip
    data.update(overrides)
    return data


def test_the_apply_page_offers_only_the_demo_countys_villages(county):
    page = Client().get("/apply/")
    assert page.status_code == 200
    codes = set(re.findall(r'<option value="(\d{12})"', page.content.decode()))
    assert codes == {v.code for v in county["villages"]}


def test_applying_shows_a_receipt_and_the_status_page_shows_nothing_personal(village):
    client = Client()
    response = client.post("/apply/", apply_post(village))
    assert response.status_code == 302 and response["Location"] == "/apply/receipt/"
    case = Case.objects.get()
    receipt = client.get("/apply/receipt/").content.decode()
    assert case.receipt_code[:5] in receipt and case.receipt_code[5:] in receipt

    page = Client().get("/apply/status/", {"code": case.receipt_code.lower()})

    body = page.content.decode()
    assert page.status_code == 200 and "已受理" in body
    for personal in ["王测试", "13912345678", "测试村三组18号", "车祸", case.number,
                     Region.objects.get(pk=village).name]:  # fmt: skip
        assert personal not in body, personal


def test_the_status_page_follows_the_case_without_telling_who_moved_it(village, township):
    case = report(village)
    services.case_transition(actor=township, case=case, action="start_assessment")
    services.case_transition(actor=township, case=case, action="reject",
                             note="经入户核查,王某家庭收入超过标准")  # fmt: skip

    body = Client().get("/apply/status/", {"code": case.receipt_code}).content.decode()

    assert "不予受理" in body and "开始入户评估" in body
    assert "收入超过标准" not in body and str(township) not in body


def test_a_wrong_receipt_code_finds_nothing_and_lookups_are_throttled(village):
    client = Client()
    page = client.get("/apply/status/", {"code": "ABCDE-FGHJK"})
    assert "未找到" in page.content.decode()
    for _ in range(10):
        client.get("/apply/status/", {"code": "ABCDEFGHJK"})
    assert client.get("/apply/status/", {"code": "ABCDEFGHJK"}).status_code == 429


def test_a_bad_application_shows_chinese_errors_beside_the_fields(village):
    page = Client().post("/apply/", apply_post(village, phone="123", description=""))
    body = page.content.decode()
    assert page.status_code == 200
    assert "联系电话:请填写11位手机号" in body and "困难情况" in body
    assert not Case.objects.exists()


def test_the_honeypot_saves_nothing(village):
    page = Client().post("/apply/", apply_post(village, website="http://spam.example"))
    assert page.status_code == 400
    assert not Case.objects.exists()


def test_one_browser_may_apply_only_a_few_times_in_ten_minutes(village, county):
    client = Client()
    villages = county["villages"]
    for i in range(3):
        response = client.post("/apply/", apply_post(villages[i].code, phone=f"1390000001{i}",
                                                      name=f"申报人{i}"))  # fmt: skip
        assert response.status_code == 302
    response = client.post("/apply/", apply_post(villages[4].code, phone="13900000019"))
    assert response.status_code == 429 and "频繁" in response.content.decode()
    assert Case.objects.count() == 3


# --- the staff pages -----------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_household_page_offers_to_open_a_case_and_the_form_opens_one(worker, household):
    client = logged_in(worker)
    detail = client.get(f"/households/{household.pk}/").content.decode()
    assert f"/cases/open/{household.pk}/" in detail

    response = client.post(f"/cases/open/{household.pk}/",
                           {"channel": "village", "proxy": "accompanied", "note": "陪办"})  # fmt: skip

    case = Case.objects.get(household=household)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.proxy == "accompanied"
    again = client.get(f"/cases/open/{household.pk}/").content.decode()
    assert case.number in again and "不能重复受理" in again


def test_the_case_list_shows_only_cases_in_scope_and_filters_by_status(worker, village,
                                                                       other_village):  # fmt: skip
    mine, theirs = report(village), report(other_village, phone="13700000008", name="外村人")
    Case.objects.filter(pk=mine.pk).update(status=wf.Status.ASSESSING)
    client = logged_in(worker)

    body = client.get("/cases/").content.decode()
    assert mine.number in body and theirs.number not in body
    assert mine.number not in client.get("/cases/", {"status": "received"}).content.decode()
    assert mine.number in client.get("/cases/", {"status": "assessing"}).content.decode()
    assert client.get(f"/cases/{theirs.pk}/").status_code == 404


def test_the_case_page_offers_each_role_only_its_own_buttons(worker, township, household, policy):
    case = services.case_open(actor=worker, household=household)
    Case.objects.filter(pk=case.pk).update(status=wf.Status.PLANNING,
                                           measures=[{"policy": policy.code,
                                                      "department": "minzheng-test", "note": ""}])  # fmt: skip

    as_worker = logged_in(worker).get(f"/cases/{case.pk}/").content.decode()
    as_township = logged_in(township).get(f"/cases/{case.pk}/").content.decode()

    assert 'value="submit"' not in as_worker and 'value="submit"' in as_township
    assert 'value="return"' in as_township and "退回原因" in as_township
    assert "测试低保" in as_worker  # the plan, by policy name
    assert f"/cases/{case.pk}/plan/" in as_worker


def test_a_transition_through_the_page_moves_the_case_or_explains_why_not(township, household,
                                                                         worker):  # fmt: skip
    case = services.case_open(actor=worker, household=household)
    client = logged_in(township)

    refused = client.post(f"/cases/{case.pk}/transition/", {"action": "reject", "note": ""},
                          follow=True)  # fmt: skip
    assert "不予受理或不符合的理由:请填写" in refused.content.decode()
    client.post(f"/cases/{case.pk}/transition/", {"action": "start_assessment"})
    assert Case.objects.get(pk=case.pk).status == wf.Status.ASSESSING
    illegal = client.post(f"/cases/{case.pk}/transition/", {"action": "close"}, follow=True)
    assert "不能执行" in illegal.content.decode() or illegal.status_code == 403
    assert logged_in(worker).post(f"/cases/{case.pk}/transition/",
                                  {"action": "submit"}).status_code == 403  # fmt: skip


def test_the_plan_page_lists_matching_policies_and_saves_the_choice(worker, household, policy):
    case = services.case_open(actor=worker, household=household)
    Case.objects.filter(pk=case.pk).update(status=wf.Status.PLANNING)
    client = logged_in(worker)

    page = client.get(f"/cases/{case.pk}/plan/").content.decode()
    assert 'value="test-dibao"' in page
    client.post(f"/cases/{case.pk}/plan/", {"policy": ["test-dibao"], "note-test-dibao": "按月"})

    assert Case.objects.get(pk=case.pk).measures[0]["note"] == "按月"


def test_a_hotline_operator_works_a_ticket_through_the_pages(county_staff, village):
    client = logged_in(county_staff)
    response = client.post("/cases/hotline/new/", {"kind": "consult", "caller_name": "来电人",
                           "caller_phone": "", "region": village, "content": "咨询临时救助"})  # fmt: skip
    t = HotlineTicket.objects.get()
    assert response["Location"] == f"/cases/hotline/{t.pk}/"
    client.post(f"/cases/hotline/{t.pk}/transition/", {"action": "answer", "note": "已答复"})
    page = client.get(f"/cases/hotline/{t.pk}/").content.decode()
    assert "已答复" in page and "反馈来电人" in page
    assert logged_in(UserFactory(role=Role.VILLAGE_WORKER, regions=[village])).get(
        f"/cases/hotline/{t.pk}/").status_code == 404  # fmt: skip


def test_the_nav_shows_cases_to_case_workers_only(worker, county):
    assert "/cases/" in logged_in(worker).get("/households/").content.decode()
    leader = UserFactory(role=Role.LEADER, regions=[county["county"]])
    assert 'href="/cases/"' not in logged_in(leader).get("/dashboard/").content.decode()


def test_events_keep_the_actor_even_for_a_report_moved_by_staff(village, worker):
    case = report(village, about_self=False)
    services.case_transition(actor=worker, case=case, action="start_assessment")
    rows = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    assert [(e.action, e.actor) for e in rows] == [("report", None), ("start_assessment", worker)]


def test_member_names_count_for_the_same_name_check(village):
    household = make_household(village=village, members=[member_data(name="户主某"),
                                                         member_data(name="配偶某",
                                                                     relation="spouse")])  # fmt: skip
    first = report(village, name="配偶某", phone="13300000001")
    assert first.duplicate_of is None
    Case.objects.filter(pk=first.pk).update(household=household)
    assert report(village, name="配偶某", phone="13300000002").duplicate_of == first


def test_a_village_outside_the_public_county_is_refused(village):
    foreign = Region.objects.create(code="530129001001", name="外县村", level=Level.VILLAGE)
    with pytest.raises(ValidationError):
        report(foreign.code)
