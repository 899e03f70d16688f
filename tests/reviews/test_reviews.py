"""The county joint review (月度联席会议): the agenda, a decision per case, the
minutes as .docx, and the publicity period (公示) before help starts."""

from __future__ import annotations

import io
import itertools
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document

from jiuzhu.accounts.models import AccessLog, Role
from jiuzhu.cases import services as case_services
from jiuzhu.cases import workflow as wf
from jiuzhu.cases.models import Case, CaseEvent, Channel
from jiuzhu.policies.models import Department
from jiuzhu.regions.models import Level, Region
from jiuzhu.reviews import selectors, services
from jiuzhu.reviews.models import Decision, MeetingStatus, ReviewItem, ReviewMeeting
from tests.factories import UserFactory, make_household

pytestmark = [pytest.mark.core, pytest.mark.django_db]

_seq = itertools.count(1)


@pytest.fixture
def departments(db):
    made = {}
    for code, name, short in [
        ("yibao", "县医疗保障局", "医保"),
        ("jiaoyu", "县教育体育局", "教育"),
    ]:
        made[code], _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": short, "kind": "government"}
        )
    return made


@pytest.fixture
def users(county, departments):
    village = county["villages"][0].code
    Region.objects.get_or_create(
        code="530129000000", defaults={"name": "寻甸回族彝族自治县", "level": Level.COUNTY}
    )
    return {
        "county": UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]]),
        "township": UserFactory(role=Role.TOWNSHIP_STAFF, regions=[village[:9] + "000"]),
        "leader": UserFactory(role=Role.LEADER, regions=[county["county"]]),
        "village": UserFactory(role=Role.VILLAGE_WORKER, regions=[village]),
        "other_county": UserFactory(role=Role.COUNTY_STAFF, regions=["530129000000"]),
    }


@pytest.fixture
def county_region(county):
    return Region.objects.get(pk=county["county"])


def submitted_case(village: str, *, status=wf.Status.SUBMITTED) -> Case:
    """Arrange: a township-submitted case with a plan (made directly)."""
    n = next(_seq)
    household = make_household(village=village)
    return Case.objects.create(
        number=f"AJREV-{n:06d}", receipt_code=f"REV{n:07d}", household=household,
        village_id=village, channel=Channel.WINDOW, status=status,
        measures=[{"policy": "dibao", "department": "minzheng", "note": ""}],
        submitted_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip


def meeting_for(users, county_region, departments, **kw) -> ReviewMeeting:
    today = timezone.localdate()
    return services.meeting_create(
        actor=users["county"], county=county_region, month=today, held_on=today, chair="张主任",
        departments=list(departments.values()), place="县民政局三楼会议室", **kw,
    )  # fmt: skip


# --- the agenda --------------------------------------------------------------------------


def test_a_new_meeting_puts_every_submitted_case_of_the_county_on_its_agenda(
    users, county, county_region, departments
):
    villages = county["villages"]
    a, b = submitted_case(villages[0].code), submitted_case(villages[5].code)
    planning = submitted_case(villages[1].code, status=wf.Status.PLANNING)

    meeting = meeting_for(users, county_region, departments)

    items = list(meeting.items.order_by("position"))
    assert [(i.position, i.case_id) for i in items] == [(1, a.pk), (2, b.pk)]
    for case in (a, b):
        case.refresh_from_db()
        assert case.status == wf.Status.REVIEWING
        event = case.events.get(action="review")
        assert event.actor == users["county"] and meeting.title in event.note
    planning.refresh_from_db()
    assert planning.status == wf.Status.PLANNING
    assert meeting.history.first().history_user == users["county"]


def test_one_meeting_per_county_and_month_and_its_date_inside_the_month(
    users, county_region, departments
):
    meeting_for(users, county_region, departments)
    with pytest.raises(ValidationError) as caught:
        meeting_for(users, county_region, departments)
    assert "已经登记" in caught.value.message_dict["month"][0]

    next_month = (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=1)
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(
            actor=users["county"], county=county_region, month=next_month,
            held_on=timezone.localdate(), chair="张主任", departments=[departments["yibao"]],
        )  # fmt: skip
    assert "应在" in caught.value.message_dict["held_on"][0]


def test_only_county_staff_of_that_county_hold_the_meeting(users, county_region, departments):
    for who in ("township", "leader", "village", "other_county"):
        with pytest.raises(PermissionDenied):
            meeting_for({"county": users[who]}, county_region, departments)
    assert not ReviewMeeting.objects.exists()


def test_a_case_on_a_draft_agenda_is_decided_only_by_the_meeting(
    users, county, county_region, departments
):
    case = submitted_case(county["villages"][0].code)
    meeting = meeting_for(users, county_region, departments)

    with pytest.raises(case_services.IllegalTransition, match="联席会议"):
        case_services.case_transition(actor=users["county"], case=case, action="approve")
    # Taken off the agenda, the county may decide it directly (e.g. an urgent case).
    services.agenda_remove(actor=users["county"], item=meeting.items.get())
    assert CaseEvent.objects.filter(case=case, action="agenda_remove").exists()
    moved = case_services.case_transition(actor=users["county"], case=case, action="approve")
    assert moved.status == wf.Status.APPROVED


def test_a_case_cannot_sit_on_two_agendas_nor_be_added_when_not_waiting(
    users, county, county_region, departments
):
    case = submitted_case(county["villages"][0].code)
    meeting = meeting_for(users, county_region, departments, with_agenda=False)
    services.agenda_add(actor=users["county"], meeting=meeting, cases=[case])
    with pytest.raises(case_services.IllegalTransition, match="不在待县级审核之列"):
        services.agenda_add(actor=users["county"], meeting=meeting, cases=[case])
    planning = submitted_case(county["villages"][1].code, status=wf.Status.PLANNING)
    with pytest.raises(case_services.IllegalTransition):
        services.agenda_add(actor=users["county"], meeting=meeting, cases=[planning])
    assert meeting.items.count() == 1


# --- decisions and conclusion ----------------------------------------------------------


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.MODIFY])
def test_not_approving_needs_a_reason_naming_the_item(
    decision, users, county, county_region, departments
):
    submitted_case(county["villages"][0].code)
    meeting = meeting_for(users, county_region, departments)
    item = meeting.items.get()
    with pytest.raises(ValidationError) as caught:
        services.item_decide(actor=users["county"], item=item, decision=decision, reason="  ")
    message = caught.value.message_dict["reason"][0]
    assert message.startswith(f"第1项({item.case.number})")
    item.refresh_from_db()
    assert item.decision == ""


def test_an_unknown_decision_is_refused(users, county, county_region, departments):
    submitted_case(county["villages"][0].code)
    meeting = meeting_for(users, county_region, departments)
    with pytest.raises(ValidationError, match="请选择同意、不同意或修改"):
        services.item_decide(actor=users["county"], item=meeting.items.get(), decision="maybe")


def test_concluding_carries_every_decision_out_on_its_case(
    users, county, county_region, departments
):
    villages = county["villages"]
    yes, no, change = (submitted_case(villages[i].code) for i in (0, 1, 2))
    meeting = meeting_for(users, county_region, departments)
    items = {i.case_id: i for i in meeting.items.all()}
    actor = users["county"]
    services.item_decide(actor=actor, item=items[yes.pk], decision=Decision.APPROVE)
    services.item_decide(actor=actor, item=items[no.pk], decision=Decision.REJECT,
                         reason="家庭人均收入高于低保标准")  # fmt: skip
    services.item_decide(actor=actor, item=items[change.pk], decision=Decision.MODIFY,
                         reason="补充医疗救助措施")  # fmt: skip

    meeting = services.meeting_conclude(actor=actor, meeting=meeting, minutes="下月重点核查")

    assert meeting.status == MeetingStatus.CONCLUDED and meeting.concluded_by == actor
    states = {c.pk: c for c in Case.objects.filter(pk__in=[yes.pk, no.pk, change.pk])}
    assert states[yes.pk].status == wf.Status.APPROVED
    assert states[no.pk].status == wf.Status.REJECTED and states[no.pk].closed_at
    assert states[change.pk].status == wf.Status.PLANNING and states[change.pk].is_returned
    note = CaseEvent.objects.get(case=no, action="reject").note
    assert meeting.title in note and "家庭人均收入高于低保标准" in note
    # Concluded, the meeting is fixed.
    with pytest.raises(case_services.IllegalTransition, match="已形成纪要"):
        services.item_decide(actor=actor, item=items[yes.pk], decision=Decision.REJECT,
                             reason="改变主意")  # fmt: skip


def test_concluding_with_an_undecided_item_changes_nothing(
    users, county, county_region, departments
):
    a, b = submitted_case(county["villages"][0].code), submitted_case(county["villages"][1].code)
    meeting = meeting_for(users, county_region, departments)
    services.item_decide(actor=users["county"], item=meeting.items.get(case=a),
                         decision=Decision.APPROVE)  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.meeting_conclude(actor=users["county"], meeting=meeting)
    assert f"第2项({b.number})" in caught.value.message_dict["decision"][0]
    a.refresh_from_db()
    assert a.status == wf.Status.REVIEWING
    assert ReviewMeeting.objects.get(pk=meeting.pk).is_draft


def test_concluding_is_all_or_nothing_when_a_case_moved_meanwhile(
    users, county, county_region, departments
):
    a, b = submitted_case(county["villages"][0].code), submitted_case(county["villages"][1].code)
    meeting = meeting_for(users, county_region, departments)
    for item in meeting.items.all():
        services.item_decide(actor=users["county"], item=item, decision=Decision.APPROVE)
    Case.objects.filter(pk=b.pk).update(status=wf.Status.APPROVED)  # moved behind the meeting

    with pytest.raises(case_services.IllegalTransition, match=re.escape(f"第2项({b.number})")):
        services.meeting_conclude(actor=users["county"], meeting=meeting)
    a.refresh_from_db()
    assert a.status == wf.Status.REVIEWING  # the first decision was rolled back too
    assert not CaseEvent.objects.filter(case=a, action="approve").exists()


def test_a_meeting_dated_in_the_future_cannot_conclude(users, county, county_region, departments):
    submitted_case(county["villages"][0].code)
    today = timezone.localdate()
    month_end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if month_end == today:
        pytest.skip("no later day in this month")
    meeting = services.meeting_create(
        actor=users["county"], county=county_region, month=today, held_on=month_end,
        chair="张主任", departments=[departments["yibao"]],
    )  # fmt: skip
    services.item_decide(actor=users["county"], item=meeting.items.get(), decision="approve")
    with pytest.raises(ValidationError, match="还未到"):
        services.meeting_conclude(actor=users["county"], meeting=meeting)


# --- publicity ---------------------------------------------------------------------------


def _approved_meeting(users, county, county_region, departments, n=2) -> ReviewMeeting:
    for i in range(n):
        submitted_case(county["villages"][i].code)
    meeting = meeting_for(users, county_region, departments)
    for item in meeting.items.all():
        services.item_decide(actor=users["county"], item=item, decision=Decision.APPROVE)
    return services.meeting_conclude(actor=users["county"], meeting=meeting)


def test_publicity_runs_seven_days_before_help_may_start(users, county, county_region, departments):
    meeting = _approved_meeting(users, county, county_region, departments)
    assert services.publicise_approved(actor=users["county"], meeting=meeting) == 2
    assert services.publicise_approved(actor=users["county"], meeting=meeting) == 0
    case = meeting.items.first().case
    case.refresh_from_db()
    today = timezone.localdate()
    assert case.status == wf.Status.PUBLICISED
    assert case.publicity_ends_on == today + timedelta(days=6)
    with pytest.raises(case_services.IllegalTransition) as caught:
        case_services.case_transition(actor=users["county"], case=case, action="implement")
    assert f"{today + timedelta(days=6):%Y年%m月%d日}期满" in str(caught.value)
    assert selectors.publicity_list(user=users["county"], state="running").count() == 2
    assert selectors.publicity_list(user=users["county"], state="over").count() == 0

    # Six days later it is still running; on the eighth day it is over.
    Case.objects.filter(pk=case.pk).update(publicised_at=timezone.now() - timedelta(days=6))
    case.refresh_from_db()
    assert not case.publicity_over
    with pytest.raises(case_services.IllegalTransition):
        case_services.case_transition(actor=users["county"], case=case, action="implement")
    Case.objects.filter(pk=case.pk).update(publicised_at=timezone.now() - timedelta(days=7))
    assert selectors.publicity_list(user=users["county"], state="over").count() == 1
    moved = case_services.case_transition(actor=users["county"], case=case, action="implement")
    assert moved.status == wf.Status.IMPLEMENTING


def test_an_objection_in_publicity_sends_the_case_back_to_the_next_meeting(
    users, county, county_region, departments
):
    meeting = _approved_meeting(users, county, county_region, departments, n=1)
    services.publicise_approved(actor=users["county"], meeting=meeting)
    case = meeting.items.get().case
    case_services.case_transition(actor=users["county"], case=case, action="return",
                                  note="群众反映该户有经营性车辆")  # fmt: skip
    case.refresh_from_db()
    assert case.status == wf.Status.REVIEWING
    next_month = (meeting.month + timedelta(days=40)).replace(day=1)
    later = services.meeting_create(
        actor=users["county"], county=county_region, month=next_month, held_on=next_month,
        chair="张主任", departments=[departments["yibao"]],
    )  # fmt: skip
    assert list(later.items.values_list("case_id", flat=True)) == [case.pk]
    assert CaseEvent.objects.filter(case=case, action="agenda").exists()


def test_the_inbox_holds_a_publicised_case_only_once_its_period_is_over(
    users, county, county_region, departments
):
    from jiuzhu.referrals.selectors import inbox_count

    meeting = _approved_meeting(users, county, county_region, departments, n=1)
    before = inbox_count(user=users["county"])
    services.publicise_approved(actor=users["county"], meeting=meeting)
    assert inbox_count(user=users["county"]) == before - 1
    case = meeting.items.get().case
    Case.objects.filter(pk=case.pk).update(publicised_at=timezone.now() - timedelta(days=7))
    assert inbox_count(user=users["county"]) == before


# --- the minutes -------------------------------------------------------------------------


def _docx_text(content: bytes) -> tuple[str, list[list[str]]]:
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    return text, rows


def test_the_minutes_list_every_case_with_its_decision_and_are_logged(
    client, users, county, county_region, departments
):
    villages = county["villages"]
    yes, no = submitted_case(villages[0].code), submitted_case(villages[1].code)
    meeting = meeting_for(users, county_region, departments, recorder="李记录")
    services.item_decide(actor=users["county"], item=meeting.items.get(case=yes),
                         decision="approve")  # fmt: skip
    services.item_decide(actor=users["county"], item=meeting.items.get(case=no),
                         decision="reject", reason="已享受特困供养")  # fmt: skip
    services.meeting_conclude(actor=users["county"], meeting=meeting, minutes="加强入户核查")

    client.force_login(users["leader"])  # aggregates only: no households, no minutes
    assert client.get(reverse("reviews:minutes", args=[meeting.pk])).status_code == 404
    client.force_login(users["county"])
    response = client.get(reverse("reviews:minutes", args=[meeting.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text, rows = _docx_text(response.content)
    assert "联席会议纪要" in text and "县民政局三楼会议室" in text and "加强入户核查" in text
    assert "同意1户,不同意1户,修改0户" in text and "公示7天" in text
    assert rows[0][:2] == ["序号", "个案编号"]
    body = {r[1]: r for r in rows[1:]}
    assert body[yes.number][7] == "同意"
    assert body[no.number][7] == "不同意" and body[no.number][8] == "已享受特困供养"
    assert body[no.number][4] == no.household.head_name
    assert AccessLog.objects.filter(user=users["county"], object_type="review_meeting").exists()


# --- pages -------------------------------------------------------------------------------


def test_pages_answer_404_outside_the_role_or_county(
    client, users, county, county_region, departments
):
    submitted_case(county["villages"][0].code)
    meeting = meeting_for(users, county_region, departments)
    url = reverse("reviews:detail", args=[meeting.pk])
    for who, status in [("county", 200), ("leader", 404), ("township", 404),
                        ("village", 404), ("other_county", 404)]:  # fmt: skip
        client.force_login(users[who])
        assert client.get(url).status_code == status, who
        if who != "other_county":  # their own county's publicity list, empty here
            assert client.get(reverse("reviews:publicity")).status_code == status, who
    # Leaders see the meetings and their counts, never a household.
    client.force_login(users["leader"])
    listing = client.get(reverse("reviews:list"))
    assert listing.status_code == 200 and meeting.title in listing.content.decode()
    assert url not in listing.content.decode()
    client.force_login(users["township"])
    assert client.get(reverse("reviews:list")).status_code == 404


def test_the_meeting_page_records_a_decision_through_htmx_and_shows_errors_in_place(
    client, users, county, county_region, departments
):
    case = submitted_case(county["villages"][0].code)
    meeting = meeting_for(users, county_region, departments)
    item = meeting.items.get()
    client.force_login(users["county"])
    url = reverse("reviews:decide", args=[meeting.pk, item.pk])

    bad = client.post(url, {"decision": "modify", "reason": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200
    assert "修改意见:请写明" in bad.content.decode()
    assert ReviewItem.objects.get(pk=item.pk).decision == ""

    good = client.post(url, {"decision": "modify", "reason": "补充就业帮扶"},
                       HTTP_HX_REQUEST="true")  # fmt: skip
    assert "已登记:修改" in good.content.decode()
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert meeting.title in page and "补充就业帮扶" in page
    # The case page offers no approve/reject/return while the meeting holds it.
    assert 'value="approve"' not in page


def test_the_new_meeting_form_refuses_bad_input_in_chinese(client, users, county_region):
    client.force_login(users["county"])
    response = client.post(reverse("reviews:new"), {
        "county": county_region.pk, "month": "2026-13", "held_on": "", "chair": "",
    })  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 200
    assert "请按 年-月 填写" in text and "请填写会议日期" in text and "请至少选择一个部门" in text
    assert not ReviewMeeting.objects.exists()


def test_the_publicity_notices_give_each_village_its_households_period_and_phone(
    client, users, county, county_region, departments
):
    Department.objects.update_or_create(code="minzheng", defaults={
        "name": "县民政局", "short_name": "民政", "kind": "government", "phone": "0871-68910101",
    })  # fmt: skip
    villages = county["villages"]
    cases = [submitted_case(villages[0].code), submitted_case(villages[0].code),
             submitted_case(villages[3].code), submitted_case(villages[4].code)]  # fmt: skip
    meeting = meeting_for(users, county_region, departments)
    for item in meeting.items.all():
        refused = item.case_id == cases[3].pk
        services.item_decide(actor=users["county"], item=item,
                             decision="reject" if refused else "approve",
                             reason="不符合条件" if refused else "")  # fmt: skip
    services.meeting_conclude(actor=users["county"], meeting=meeting)
    services.publicise_approved(actor=users["county"], meeting=meeting)

    client.force_login(users["county"])
    response = client.get(reverse("reviews:notices", args=[meeting.pk]))

    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    titles = [p.text for p in document.paragraphs if p.text.endswith("社会救助帮扶公示")]
    assert len(titles) == 2  # one notice per village with approved cases
    assert villages[0].name in titles[0] and villages[3].name in titles[1]
    first_rows = [[c.text for c in r.cells] for r in document.tables[0].rows[1:]]
    assert sorted(r[1] for r in first_rows) == sorted(c.household.head_name for c in cases[:2])
    text = "\n".join(p.text for p in document.paragraphs)
    today = timezone.localdate()
    assert f"公示期7天:{today:%Y年%m月%d日}至{today + timedelta(days=6):%Y年%m月%d日}" in text
    assert "0871-68910101" in text
    # The refused household is on no notice: three rows in all.
    assert sum(len(t.rows) - 1 for t in document.tables) == 3
    # No identity numbers, not even masked ones.
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert not any(m.id_masked in text + cells for c in cases for m in c.household.members.all())
