"""Referrals through HTTP: the API (scoped list, 200/409/403/404/422) and the
pages (list, detail with buttons, the household through a referral, the inbox
and its nav badge, the conference form, the case page sending its measures)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiuzhu.cases import workflow as case_wf
from jiuzhu.referrals import workflow as wf
from jiuzhu.referrals.models import Referral
from tests.factories import CaseFactory, ReferralFactory, UserFactory, make_household
from tests.support.clients import api_login

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def officer(departments):
    return UserFactory.department_officer("yibao")


@pytest.fixture
def other_officer(departments):
    return UserFactory.department_officer("jiaoyu")


@pytest.fixture
def household(village):
    return make_household(village=village, head_name="测试户主")


# --- API -----------------------------------------------------------------------------------


def test_the_api_lists_only_the_officers_department(officer, household):
    mine = ReferralFactory(status=wf.Status.SENT, household=household)
    ReferralFactory(status=wf.Status.SENT, household=household, department="jiaoyu")
    response = api_login(officer).get("/api/referrals")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and [r["id"] for r in body["items"]] == [mine.pk]
    assert body["items"][0]["department"] == "yibao"


def test_the_api_moves_a_referral_and_answers_409_403_404_and_422(
    officer, other_officer, county_staff, household, village
):
    referral = ReferralFactory(status=wf.Status.SENT, household=household)
    api = api_login(officer)
    url = f"/api/referrals/{referral.pk}/transitions"

    ok = api.post(url, {"action": "accept"})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    assert api.post(url, {"action": "accept"}).status_code == 409
    assert api.post(url, {"action": "teleport"}).status_code == 422
    assert api.post(url, {"action": "close"}).status_code == 403
    assert api_login(other_officer).post(url, {"action": "review"}).status_code == 404
    outside = ReferralFactory(
        status=wf.Status.FEEDBACK_GIVEN, household=household, department="jiaoyu"
    )
    township = UserFactory.township_staff(village)
    resp = api_login(township).post(f"/api/referrals/{outside.pk}/transitions", {"action": "close"})
    assert resp.status_code == 200
    assert api_login(county_staff).post(url, {"action": "review"}).status_code == 403


# --- pages -----------------------------------------------------------------------------


def test_a_department_officer_opens_their_referral_and_its_household_but_nothing_else(
    client, officer, household, village
):
    referral = ReferralFactory(status=wf.Status.SENT, household=household)
    other = ReferralFactory(status=wf.Status.SENT, household=make_household(village=village),
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
    referral = ReferralFactory(status=wf.Status.SENT, household=household)
    client.force_login(officer)
    client.post(f"/referrals/{referral.pk}/transition/", {"action": "return", "note": ""})
    assert Referral.objects.get(pk=referral.pk).status == wf.Status.SENT
    client.post(f"/referrals/{referral.pk}/transition/", {"action": "accept"})
    assert Referral.objects.get(pk=referral.pk).status == wf.Status.ACCEPTED


def test_the_inbox_marks_overdue_referrals_and_the_nav_shows_the_count(client, officer, household):
    ReferralFactory(status=wf.Status.SENT, household=household,
                deadline=timezone.localdate() - dt.timedelta(days=1))  # fmt: skip
    ReferralFactory(status=wf.Status.ACCEPTED, household=household)
    client.force_login(officer)
    html = client.get("/inbox/").content.decode()
    assert "待接收的转介" in html and "已逾期" in html
    assert 'class="tag inbox-count">2<' in html


def test_the_county_files_a_conference_from_the_case_page(
    client, county_staff, household, departments
):
    case = CaseFactory(status=case_wf.Status.PLANNING, household=household)
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


def test_the_case_page_sends_ticked_measures_and_then_shows_their_status(
    client, township, planned_case
):
    client.force_login(township)
    page = client.get(reverse("cases:detail", args=[planned_case.pk])).content.decode()
    assert 'name="policy" value="yiliao-jiuzhu"' in page
    response = client.post(reverse("referrals:case_send", args=[planned_case.pk]),
                           {"policy": ["jiaoyu-zizhu"]}, follow=True)  # fmt: skip
    text = response.content.decode()
    assert "已转介1项措施" in text
    assert 'name="policy" value="jiaoyu-zizhu"' not in text and "待接收" in text
    assert 'name="policy" value="yiliao-jiuzhu"' in text
    assert Referral.objects.get(case=planned_case).department_id == "jiaoyu"
