"""Referrals through HTTP: the API (scoped list, 200/409/403/404/422) and the
pages (list, detail with buttons, the household through a referral, the inbox
and its nav badge, the conference form)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.accounts.models import Role
from jiuzhu.cases import workflow as case_wf
from jiuzhu.cases.models import Case, Channel
from jiuzhu.policies.models import Department
from jiuzhu.referrals import workflow as wf
from jiuzhu.referrals.models import Referral
from tests.factories import UserFactory, make_household
from tests.households.test_api import login

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def village(county):
    for code, name in [("yibao", "县医保局"), ("jiaoyu", "县教育局")]:
        Department.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": name[1:3], "kind": "government"}
        )
    return county["villages"][0].code


@pytest.fixture
def officer(village):
    return UserFactory(role=Role.DEPARTMENT_OFFICER, department="yibao")


@pytest.fixture
def other_officer(village):
    return UserFactory(role=Role.DEPARTMENT_OFFICER, department="jiaoyu")


@pytest.fixture
def county_staff(county, village):
    return UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])


@pytest.fixture
def household(village):
    return make_household(village=village, head_name="测试户主")


def referral_in(status, *, household, department="yibao", **kw) -> Referral:
    return Referral.objects.create(
        household=household, village_id=household.village_id, department_id=department,
        status=status, need="medical", **kw,
    )  # fmt: skip


# --- API -----------------------------------------------------------------------------------


def test_the_api_lists_only_the_officers_department(officer, household):
    mine = referral_in(wf.Status.SENT, household=household)
    referral_in(wf.Status.SENT, household=household, department="jiaoyu")
    response = login(officer).get("/api/referrals")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and [r["id"] for r in body["items"]] == [mine.pk]
    assert body["items"][0]["department"] == "yibao"


def test_the_api_moves_a_referral_and_answers_409_403_404_and_422(
    officer, other_officer, county_staff, household, village
):
    referral = referral_in(wf.Status.SENT, household=household)
    api = login(officer)
    url = f"/api/referrals/{referral.pk}/transitions"

    ok = api.post(url, {"action": "accept"})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    assert api.post(url, {"action": "accept"}).status_code == 409
    assert api.post(url, {"action": "teleport"}).status_code == 422
    assert api.post(url, {"action": "close"}).status_code == 403
    assert login(other_officer).post(url, {"action": "review"}).status_code == 404
    outside = referral_in(wf.Status.FEEDBACK_GIVEN, household=household, department="jiaoyu")
    township = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[village[:9] + "000"])
    resp = login(township).post(f"/api/referrals/{outside.pk}/transitions", {"action": "close"})
    assert resp.status_code == 200
    assert login(county_staff).post(url, {"action": "review"}).status_code == 403


# --- pages -----------------------------------------------------------------------------


def test_a_department_officer_opens_their_referral_and_its_household_but_nothing_else(
    client, officer, household, village
):
    referral = referral_in(wf.Status.SENT, household=household)
    other = referral_in(wf.Status.SENT, household=make_household(village=village),
                        department="jiaoyu")  # fmt: skip
    not_referred = make_household(village=village)
    client.force_login(officer)

    page = client.get(f"/referrals/{referral.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "接收转介" in text and "退回原因" in text and "csrfmiddlewaretoken" in text

    home = client.get(f"/referrals/households/{household.pk}/")
    assert home.status_code == 200
    html = home.content.decode()
    member = household.members.first()
    assert member.id_masked in html and member.name in html

    assert client.get(f"/referrals/{other.pk}/").status_code == 404
    assert client.get(f"/referrals/households/{other.household_id}/").status_code == 404
    assert client.get(f"/referrals/households/{not_referred.pk}/").status_code == 404
    assert client.get(f"/households/{not_referred.pk}/").status_code in (403, 404)
    listing = client.get("/referrals/").content.decode()
    assert f"/referrals/{referral.pk}/" in listing and f"/referrals/{other.pk}/" not in listing


def test_the_accept_button_moves_the_referral_and_a_missing_reason_is_an_error(
    client, officer, household
):
    referral = referral_in(wf.Status.SENT, household=household)
    client.force_login(officer)
    client.post(f"/referrals/{referral.pk}/transition/", {"action": "return", "note": ""})
    assert Referral.objects.get(pk=referral.pk).status == wf.Status.SENT
    client.post(f"/referrals/{referral.pk}/transition/", {"action": "accept"})
    assert Referral.objects.get(pk=referral.pk).status == wf.Status.ACCEPTED


def test_the_inbox_marks_overdue_referrals_and_the_nav_shows_the_count(client, officer, household):
    referral_in(wf.Status.SENT, household=household,
                deadline=timezone.localdate() - dt.timedelta(days=1))  # fmt: skip
    referral_in(wf.Status.ACCEPTED, household=household)
    client.force_login(officer)
    html = client.get("/inbox/").content.decode()
    assert "待接收的转介" in html and "已逾期" in html
    assert 'class="tag inbox-count">2<' in html


def test_the_county_files_a_conference_from_the_case_page(client, county_staff, household):
    case = Case.objects.create(number="AJTEST-H1", receipt_code="TESTH00001", household=household,
                               village_id=household.village_id, channel=Channel.WINDOW,
                               status=case_wf.Status.PLANNING)  # fmt: skip
    client.force_login(county_staff)
    assert (
        f"/referrals/cases/{case.pk}/conferences/"
        in client.get(f"/cases/{case.pk}/").content.decode()
    )
    response = client.post(f"/referrals/cases/{case.pk}/conferences/new/", {
        "held_on": timezone.localdate().isoformat(), "departments": ["yibao", "jiaoyu"],
        "minutes": "医疗、教育两项需求", "task_yibao": "核定医疗救助",
    })  # fmt: skip
    assert response.status_code == 302
    assert Referral.objects.filter(case=case, conference__isnull=False).count() == 2
    page = client.get(f"/referrals/cases/{case.pk}/conferences/").content.decode()
    assert "尚有部门任务未反馈" in page
    html = client.get("/inbox/").content.decode()
    assert case.number in html
