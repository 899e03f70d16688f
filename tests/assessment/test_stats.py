"""Statistics of the latest assessments: seed 002's table, counts by place, the .xlsx, Alkire–Foster."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.accounts.models import Role
from jiuzhu.assessment import stats
from jiuzhu.assessment.inputs import household_input
from jiuzhu.assessment.models import Assessment
from jiuzhu.engine.model import FACTOR_LABELS, FACTORS
from jiuzhu.households import choices as c
from jiuzhu.households.models import Household
from tests.factories import UserFactory, make_household, member_data

pytestmark = pytest.mark.core


def _kinds():
    return [
        {"members": [member_data(disease="cancer"), member_data(relation=c.Relation.SPOUSE)],
         "housing_safety": "d", "serious_illness_expense": D("40000")},
        {"members": [member_data(disability_type="physical", disability_grade=1, wage_income=0),
                     member_data(relation=c.Relation.CHILD, school_stage="dropout", wage_income=0)],
         "tag_dibao": True},
        {"members": [member_data(labour_ability="lost", wage_income=0, occupation="incapable"),
                     member_data(relation=c.Relation.SPOUSE, labour_ability="none", wage_income=0,
                                 occupation="none", self_care="none")]},
        {"members": [member_data(wage_income=80000, skill="certified")], "tag_tekun": True},
    ]  # fmt: skip


@pytest.fixture
def registry(county):
    """Two townships: four households in a village of the first, four in the second."""
    first = county["villages"][0].code
    second = next(v.code for v in county["villages"] if v.code[:9] != first[:9])
    made = [make_household(village=v, **kind) for v in (first, second) for kind in _kinds()]
    return {"first": first, "second": second, "households": made}


def _expected_counts(households) -> dict[str, list[int]]:
    """The factor × score table straight from the stored latest rows (a Python loop)."""
    counts = {f: [0] * 11 for f in FACTORS}
    for h in households:
        row = Assessment.objects.latest_only().get(household=h)
        for f in FACTORS:
            counts[f][int(getattr(row, f) * 2)] += 1
    return counts


@pytest.mark.django_db
def test_the_table_counts_each_factors_households_by_score_with_subtotals(registry, county):
    officer = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    table = stats.factor_table(user=officer, region=county["county"])
    expected = _expected_counts(registry["households"])
    assert [r["key"] for r in table.rows] == list(
        stats.SEED_ORDER
    )  # 因学, 因房, 因病 … as in seed 002
    assert {r["key"]: r["counts"] for r in table.rows} == expected
    assert table.total == 8
    assert all(r["subtotal"] == 8 for r in table.rows)
    assert any(r["counts"][10] for r in table.rows)  # the dropout scores 5


@pytest.mark.django_db
def test_a_township_sees_only_its_own_households_and_not_another_township(registry, county):
    first_township = registry["first"][:9] + "000"
    staff = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[first_township])
    table = stats.factor_table(user=staff)
    assert table.total == 4
    assert {r["key"]: r["counts"] for r in table.rows} == _expected_counts(
        registry["households"][:4]
    )
    with pytest.raises(stats.OutOfScope):
        stats.factor_table(user=staff, region=registry["second"][:9] + "000")
    with pytest.raises(stats.OutOfScope):
        stats.factor_table(user=staff, region=county["county"])


@pytest.mark.django_db
def test_counts_by_township_use_the_active_threshold_and_count_circles(registry, county):
    officer = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    table = stats.factor_table(user=officer, region=county["county"])
    assert [p["code"][:9] for p in table.places] == sorted(
        {registry["first"][:9], registry["second"][:9]}
    )
    for place in table.places:
        rows = Assessment.objects.latest_only().filter(
            household__village__code__startswith=place["code"][:9]
        )
        assert place["total"] == rows.count() == 4
        for f in FACTORS:
            assert place["causes"][f] == sum(1 for r in rows if getattr(r, f) >= 2)
        assert place["multi_cause"] == sum(1 for r in rows if r.multi_cause)
        assert place["circles"] == {k: sum(1 for r in rows if r.circle == k) for k in range(4)}
    assert stats.place_totals(table.places)["total"] == 8


@pytest.mark.django_db
def test_the_page_shows_the_table_and_the_chart_data_to_a_leader_but_not_to_a_village_worker(
    registry, county
):
    leader = UserFactory(role=Role.LEADER, regions=[county["county"]])
    client = Client()
    client.force_login(leader)
    page = client.get("/assessment/stats/", {"region": county["county"]})
    assert page.status_code == 200
    text = page.content.decode()
    assert "致困原因统计表" in text and "合计:8户" in text and 'id="stats-data"' in text
    assert "vendor/echarts.min.js" in text
    for h in registry["households"]:  # aggregates only: no names, no household numbers
        assert h.head_name not in text and h.number not in text
    other_county = "530129000000"
    assert client.get("/assessment/stats/", {"region": other_county}).status_code == 404
    worker = UserFactory(role=Role.VILLAGE_WORKER, regions=[registry["first"]])
    client.force_login(worker)
    assert client.get("/assessment/stats/").status_code == 403


@pytest.mark.django_db
def test_the_xlsx_is_laid_out_like_seed_002_and_titled_with_the_region_and_date(registry, county):
    officer = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    client = Client()
    client.force_login(officer)
    response = client.get("/assessment/stats.xlsx", {"region": county["county"]})
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["致困原因统计表"]
    assert "禄劝" in sheet["A1"].value and "致困原因统计表" in sheet["A1"].value
    assert "统计日期" in sheet["A2"].value
    assert (
        sheet["A3"].value == "致困因子"
        and sheet["B3"].value == "赋分"
        and sheet["M3"].value == "小计"
    )
    assert [sheet.cell(4, col).value for col in range(2, 13)] == [
        0,
        0.5,
        1,
        1.5,
        2,
        2.5,
        3,
        3.5,
        4,
        4.5,
        5,
    ]
    assert [sheet.cell(r, 1).value for r in range(5, 14)] == [
        FACTOR_LABELS[f] for f in stats.SEED_ORDER
    ]
    expected = _expected_counts(registry["households"])
    for r, key in enumerate(stats.SEED_ORDER, start=5):
        assert [sheet.cell(r, col).value for col in range(2, 13)] == expected[key]
        assert sheet.cell(r, 13).value == 8
    assert sheet["A14"].value == "合计:8户"
    assert book["按乡镇(街道)"]["A2"].value == "乡镇(街道)"


def _deprived_by_hand(household: Household) -> list[bool]:
    """AF_INDICATORS for one household, straight from household_input (a per-household loop)."""
    from jiuzhu.assessment.services import active_model_version, economic_standard_for, engine_model
    from jiuzhu.engine.assess import assess

    h = household_input(household)
    result = assess(
        h, engine_model(active_model_version()), economic_standard_for(household.village_id)
    )
    econ = result.economic
    able = [m for m in h.members if 16 <= m.age <= 60 and m.labour_ability in ("full", "skilled", "weak")
            and m.occupation not in ("student", "preschool", "incapable", "retired")]  # fmt: skip
    education = sum(m.education_expense for m in h.members)
    return [
        econ.ratio_to_standard < 1.5,
        econ.rigid_share > 0.5,
        any(m.seriously_ill for m in h.members),
        any(m.disability_grade in (1, 2) or m.self_care == "none" for m in h.members),
        any(m.school_stage == "dropout" for m in h.members)
        or (education > 0 and education >= 0.3 * econ.annual_income),
        h.housing_safety in ("c", "d", "none"),
        result.factors.scores()["labour"] > 2.5,
        any(m.occupation in ("unemployed", "none") for m in able),
        bool(able) and all(m.skill == "none" for m in able),
    ]


@pytest.mark.django_db
def test_alkire_foster_counts_the_deprivations_each_household_has(registry, county):
    from jiuzhu.assessment.batch import load_region

    frames = load_region(county["county"])
    matrix, villages = stats.af_matrix(frames)
    cutoffs = [i.cutoff for i in stats.AF_INDICATORS]
    by_id = dict(zip(frames.households["household_id"].to_list(), matrix.tolist(), strict=True))
    for household in registry["households"]:
        household = Household.objects.get(pk=household.pk)
        row = by_id[household.pk]
        assert [v < z for v, z in zip(row, cutoffs, strict=True)] == _deprived_by_hand(household)
    officer = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    data = stats.af_registry(user=officer, region=county["county"], k=1 / 3)
    poor = sum(
        1 for h in registry["households"]
        if sum(_deprived_by_hand(Household.objects.get(pk=h.pk))) >= 3
    )  # fmt: skip
    assert data["whole"].poor_count == poor
    assert len(data["places"]) == 2
    assert sum(p["result"].share for p in data["places"]) == pytest.approx(1.0)


@pytest.mark.django_db
def test_the_af_page_shows_h_a_m0_and_the_indicators_with_their_criteria(registry, county):
    staff = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[registry["first"][:9] + "000"])
    client = Client()
    client.force_login(staff)
    page = client.get("/assessment/af/", {"k": "0.2222222222222222"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "H 贫困发生率" in text and "M0" in text and 'id="af-data"' in text
    for indicator in stats.AF_INDICATORS:
        assert indicator.criterion in text
    assert client.get("/assessment/af/", {"region": registry["second"]}).status_code == 404
