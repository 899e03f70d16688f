"""The case API through HTTP: transitions (200, 409, 422, 403, 404) and the case
with its timeline."""

from __future__ import annotations

import pytest

from jiuzhu.accounts.models import Role
from jiuzhu.cases import services
from jiuzhu.cases import workflow as wf
from jiuzhu.cases.models import Case
from tests.factories import UserFactory, make_household
from tests.households.test_api import login

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def village(county):
    return county["villages"][0].code


@pytest.fixture
def other_village(county):
    return county["villages"][-1].code


@pytest.fixture
def worker(village):
    return UserFactory(role=Role.VILLAGE_WORKER, regions=[village], display_name="接口信息员")


@pytest.fixture
def township(village):
    return UserFactory(role=Role.TOWNSHIP_STAFF, regions=[village[:9] + "000"])


@pytest.fixture
def county_staff(county):
    return UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])


@pytest.fixture
def case(worker, village):
    return services.case_open(actor=worker, household=make_household(village=village))


def url(case: Case) -> str:
    return f"/api/cases/{case.pk}/transitions"


def at(case: Case, status: str) -> Case:
    Case.objects.filter(pk=case.pk).update(
        status=status, measures=[{"policy": "p", "department": "minzheng", "note": ""}]
    )
    return case


def test_an_allowed_action_answers_200_with_the_new_status_and_its_event(worker, case):
    response = login(worker).post(url(case), {"action": "start_assessment", "note": "明天入户"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["status_label"]) == ("assessing", "入户评估")
    assert body["event"]["action"] == "start_assessment"
    assert body["event"]["actor"] == "接口信息员" and body["event"]["note"] == "明天入户"
    assert Case.objects.get(pk=case.pk).status == wf.Status.ASSESSING


@pytest.mark.parametrize(
    ("status", "action"),
    [("received", "close"), ("closed", "start_assessment"), ("assessing", "start_assessment"),
     ("rejected", "follow_up"), ("merged", "start_assessment")],
)  # fmt: skip
def test_an_illegal_move_answers_409_in_chinese(county_staff, worker, case, status, action):
    at(case, status)
    actor = worker if action in ("start_assessment", "follow_up") else county_staff

    response = login(actor).post(url(case), {"action": action, "note": "说明"})

    assert response.status_code == 409, response.content
    assert "不能执行" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == status


def test_every_illegal_action_name_answers_409_from_a_closed_case(county_staff, worker, case,
                                                                 township):  # fmt: skip
    at(case, wf.Status.CLOSED)
    for action in sorted(wf.ACTION_NAMES):
        role = next(r for t in wf.TRANSITIONS if t.action == action for r in sorted(t.roles))
        actor = {Role.VILLAGE_WORKER: worker, Role.TOWNSHIP_STAFF: township}.get(role, county_staff)
        response = login(actor).post(url(case), {"action": action, "note": "理由"})
        assert response.status_code == 409, (action, response.content)


def test_a_wrong_role_answers_403(worker, case):
    at(case, wf.Status.REVIEWING)
    response = login(worker).post(url(case), {"action": "approve"})
    assert response.status_code == 403
    assert "角色" in response.json()["detail"]


def test_a_case_outside_the_callers_villages_answers_404(case, other_village):
    stranger = UserFactory(role=Role.VILLAGE_WORKER, regions=[other_village])
    api = login(stranger)
    assert api.post(url(case), {"action": "start_assessment"}).status_code == 404
    assert api.get(f"/api/cases/{case.pk}").status_code == 404
    assert api.get("/api/cases/999999").status_code == 404


def test_a_missing_reason_answers_422_naming_the_field(township, case):
    response = login(township).post(url(case), {"action": "reject", "note": ""})
    assert response.status_code == 422
    body = response.json()
    assert "请填写" in body["errors"]["note"] and body["detail"]


def test_an_unknown_action_answers_422(worker, case):
    response = login(worker).post(url(case), {"action": "teleport"})
    assert response.status_code == 422
    assert "teleport" in response.json()["errors"]["action"]


def test_the_case_shows_its_status_timeline_and_the_callers_next_moves(worker, township, case):
    login(worker).post(url(case), {"action": "start_assessment"})
    login(worker).post(url(case), {"action": "plan"})

    body = login(township).get(f"/api/cases/{case.pk}").json()

    assert (body["number"], body["status"]) == (case.number, "planning")
    assert [e["action"] for e in body["events"]] == ["open", "start_assessment", "plan"]
    assert all(e["actor"] == "接口信息员" and e["at"] for e in body["events"])
    assert {a["action"] for a in body["allowed_actions"]} == {"submit", "reject", "return"}
    assert "receipt_code" not in body


def test_without_a_token_the_api_answers_401(case):
    from django.test import Client

    response = Client().post(url(case), {"action": "start_assessment"},
                             content_type="application/json")  # fmt: skip
    assert response.status_code == 401
