"""GET /api/households/{id}/assessment through HTTP: shape, scope, never-assessed."""

from __future__ import annotations

import pytest

from jiuzhu.accounts.models import Role
from jiuzhu.assessment.models import Assessment
from jiuzhu.households import choices as c
from tests.factories import UserFactory, make_household, member_data
from tests.households.test_api import login

pytestmark = pytest.mark.core

FACTOR_KEYS = {
    "illness",
    "disability",
    "schooling",
    "housing",
    "disaster",
    "employment",
    "skills",
    "labour",
    "other",
}


@pytest.fixture
def village(county):
    return county["villages"][0].code


@pytest.fixture
def worker(village):
    return UserFactory(role=Role.VILLAGE_WORKER, regions=[village], display_name="接口评估员")


@pytest.fixture
def household(village):
    return make_household(
        village=village,
        housing_safety=c.HousingSafety.GRADE_D,
        members=[
            member_data(wage_income=2000),
            member_data(relation=c.Relation.SPOUSE, health_status=c.HealthStatus.SERIOUS),
        ],
    )


def test_the_assessment_has_exactly_the_documented_keys_and_factor_names(worker, household):
    response = login(worker).get(f"/api/households/{household.pk}/assessment")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "household_id",
        "factors",
        "index",
        "causes",
        "primary_cause",
        "multi_cause",
        "circle",
        "circle_label",
        "needs",
        "reasons",
        "economic",
        "model_version",
        "assessed_at",
        "assessed_by",
        "trigger",
        "stored",
    }
    assert set(body["factors"]) == FACTOR_KEYS
    assert all(isinstance(v, int | float) for v in body["factors"].values())
    assert set(body["reasons"]) == FACTOR_KEYS | {"economic", "circle"}
    assert set(body["economic"]) == {
        "monthly_income_per_capita",
        "standard",
        "below_standard",
        "below_edge",
    }
    assert all(set(n) == {"category", "label", "reason"} for n in body["needs"])


def test_the_assessment_carries_the_numbers_and_chinese_reasons_of_the_stored_row(
    worker, household
):
    row = Assessment.objects.latest_only().get(household=household)
    body = login(worker).get(f"/api/households/{household.pk}/assessment").json()
    assert body["factors"]["illness"] == float(row.illness) >= 2
    assert body["factors"]["housing"] == 4.0
    assert body["causes"] == row.causes and set(body["causes"]) >= {"illness", "housing"}
    assert body["primary_cause"] == "housing"
    assert body["multi_cause"] is True
    assert body["index"] == float(row.index)
    assert body["circle"] in (1, 2, 3) and body["circle_label"].endswith("圈层")
    assert body["model_version"] == "v1"
    assert body["stored"] is True
    assert any("患大病" in line for line in body["reasons"]["illness"])
    assert any("D级危房" in line for line in body["reasons"]["housing"])
    assert any("月人均可支配收入" in line for line in body["reasons"]["economic"])
    housing_need = next(n for n in body["needs"] if n["category"] == "housing")
    assert housing_need["label"] == "住房" and "因房得分4" in housing_need["reason"]


def test_another_villages_household_answers_404_like_a_missing_one(county, worker):
    away = county["villages"][-1].code
    theirs = make_household(village=away)
    api = login(worker)
    hidden = api.get(f"/api/households/{theirs.pk}/assessment")
    missing = api.get("/api/households/999999999/assessment")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_a_leader_sees_no_household_assessment(county, household):
    leader = UserFactory(role=Role.LEADER, regions=[county["county"]])
    assert login(leader).get(f"/api/households/{household.pk}/assessment").status_code == 404


def test_without_a_token_the_assessment_answers_401(household):
    from django.test import Client

    assert Client().get(f"/api/households/{household.pk}/assessment").status_code == 401


def test_a_household_never_assessed_is_scored_now_and_not_stored(worker, household):
    Assessment.objects.filter(household=household).delete()
    body = login(worker).get(f"/api/households/{household.pk}/assessment").json()
    assert body["stored"] is False and body["assessed_by"] is None
    assert body["factors"]["housing"] == 4.0
    assert not Assessment.objects.filter(household=household).exists()


def test_both_household_routers_share_the_prefix_in_the_schema_and_both_work(worker, household):
    api = login(worker)
    paths = api.get("/api/openapi.json").json()["paths"]
    assert "/api/households/{household_id}" in paths
    assert "/api/households/{household_id}/assessment" in paths
    assert "get" in paths["/api/households/{household_id}/assessment"]
    assert api.get(f"/api/households/{household.pk}").json()["id"] == household.pk
    assert api.get(f"/api/households/{household.pk}/assessment").status_code == 200
