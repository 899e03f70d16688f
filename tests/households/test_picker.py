"""The household picker (households/_picker.html): its search endpoint (selectors.
household_pick, views.household_pick_view) and the check of a chosen household
(forms.household_from_picker) in the forms that use it: linking a case to its
household file and opening a case from a hotline call."""

import pytest

from jiuzhu.accounts.models import Role
from jiuzhu.cases.models import Case
from jiuzhu.households import choices as c
from jiuzhu.households import crypto
from jiuzhu.households.forms import household_from_picker
from tests.factories import (
    CaseFactory,
    HotlineTicketFactory,
    UserFactory,
    make_household,
    make_id_number,
    member_data,
)
from tests.support.clients import client_for, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(village):
    return make_household(
        village=village,
        members=[
            member_data(name="测试欧阳甲", id_number=make_id_number(sex="M")),
            member_data(name="测试欧阳乙", relation=c.Relation.SPOUSE, id_number=ID_SPOUSE),
        ],
    )


ID_SPOUSE = make_id_number(sex="F")


@pytest.fixture
def theirs(other_village):
    return make_household(village=other_village, members=[member_data(name="测试欧阳丙")])


def _pick(user, text: str):
    return client_for(user).post("/households/pick/", {"household_q": text})


def test_the_picker_finds_a_household_by_part_of_a_name_in_scope_only(ours, theirs, village):
    worker = UserFactory.village_worker(village)
    response = _pick(worker, "测试欧阳")
    assert response.status_code == 200
    html = page_text(response)
    assert f'data-pick-id="{ours.pk}"' in html
    assert f'data-pick-id="{theirs.pk}"' not in html  # another township's household
    assert "测试欧阳甲户" in html and ours.number in html and ours.village.name in html


def test_the_picker_finds_by_number_full_id_and_the_last_four_characters(ours, township):
    assert f'data-pick-id="{ours.pk}"' in page_text(_pick(township, ours.number[:14]))
    full = page_text(_pick(township, ID_SPOUSE))
    assert f'data-pick-id="{ours.pk}"' in full
    tail = page_text(_pick(township, ID_SPOUSE[-4:]))
    assert f'data-pick-id="{ours.pk}"' in tail
    # The member whose number ends so is named, with the number masked.
    assert f"测试欧阳乙 {ID_SPOUSE[:6]}********{ID_SPOUSE[-4:]}" in tail


def test_the_picker_shows_only_masked_id_numbers_and_nothing_for_no_match(ours, township):
    html = page_text(_pick(township, "测试欧阳"))
    head = ours.members.get(relation=c.Relation.HEAD)
    assert f"测试欧阳甲 {head.id_masked}" in html
    for member in ours.members.all():
        assert crypto.decrypt(member.id_cipher) not in html
    assert "*" * 8 in html
    assert "没有与“无此人”相符的家庭档案" in page_text(_pick(township, "无此人"))
    assert page_text(_pick(township, "  ")).strip() == ""


def test_the_picker_takes_no_get_and_refuses_roles_without_household_files(ours, users):
    county = users[Role.COUNTY_STAFF]
    # GET would put the text (maybe an ID number) in the URL and the logs.
    assert client_for(county).get("/households/pick/", {"household_q": "测试"}).status_code == 405
    officer = users[Role.DEPARTMENT_OFFICER]
    assert _pick(officer, "测试欧阳").status_code == 404
    assert "测试欧阳" not in page_text(_pick(officer, "测试欧阳")).replace("“测试欧阳”", "")


def test_a_search_text_with_control_characters_finds_nothing_and_never_fails(township):
    response = _pick(township, "测试\x00欧阳\u202e")
    assert response.status_code == 200


def test_a_chosen_household_is_checked_against_the_scope_again(ours, theirs, village):
    worker = UserFactory.village_worker(village)
    assert household_from_picker(user=worker, data={"household": str(ours.pk)}) == (ours, "")
    hidden, error = household_from_picker(user=worker, data={"household": str(theirs.pk)})
    missing, error_missing = household_from_picker(user=worker, data={"household": "999999999"})
    assert hidden is None and missing is None
    # One answer for a household out of scope and one that does not exist.
    assert error.startswith("家庭档案:未找到您管辖范围内的家庭档案")
    assert error_missing.startswith("家庭档案:未找到您管辖范围内的家庭档案")
    assert household_from_picker(user=worker, data={"household": "abc"})[0] is None
    # Without the script: a typed household number still works; a name asks for a choice.
    assert household_from_picker(user=worker, data={"household_q": ours.number}) == (ours, "")
    _, error = household_from_picker(user=worker, data={"household_q": "测试欧阳"})
    assert "请从“测试欧阳”的搜索结果中选择一户" in error
    assert household_from_picker(user=worker, data={}) == (None, "")


def test_linking_a_case_through_the_picker_checks_scope(ours, theirs, village):
    worker = UserFactory.village_worker(village)
    case = CaseFactory(household=None, village=village, status="assessing")
    client = client_for(worker)
    detail = client.get(f"/cases/{case.pk}/")
    assert "data-household-picker" in detail.content.decode()
    response = client.post(f"/cases/{case.pk}/link/", {"household": theirs.pk}, follow=True)
    assert "未找到您管辖范围内的家庭档案" in page_text(response)
    case.refresh_from_db()
    assert case.household_id is None
    response = client.post(
        f"/cases/{case.pk}/link/", {"household": ours.pk, "household_q": "测试欧阳甲户"}, follow=True
    )
    assert f"已关联家庭档案 {ours.number}" in page_text(response)
    case.refresh_from_db()
    assert case.household_id == ours.pk


def test_a_hotline_call_opens_a_case_for_the_household_picked(ours, theirs, county_staff, village):
    ticket = HotlineTicketFactory(received_by=county_staff, region=village)
    client = client_for(county_staff)
    assert "data-household-picker" in client.get(f"/cases/hotline/{ticket.pk}/").content.decode()
    response = client.post(f"/cases/hotline/{ticket.pk}/open-case/", {"household": theirs.pk + 10**6})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.case is None  # a household nobody may see: nothing opened
    client.post(f"/cases/hotline/{ticket.pk}/open-case/", {"household": ours.pk})
    ticket.refresh_from_db()
    assert Case.objects.get(pk=ticket.case_id).household_id == ours.pk
