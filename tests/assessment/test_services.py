"""Stored assessments, model versions (draft → preview → activate), the 低保
standard and the elderly-ability record, through the services and selectors."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jiuzhu.accounts.models import Role
from jiuzhu.assessment import preview, selectors, services
from jiuzhu.assessment.forms import ModelParamsForm
from jiuzhu.assessment.models import (
    Assessment,
    EconomicStandard,
    ElderlyAssessment,
    LatestAssessment,
    ModelVersion,
)
from jiuzhu.engine.model import DEFAULT_MODEL, FACTORS, ModelError
from jiuzhu.households import choices as c
from jiuzhu.households import services as household_services
from jiuzhu.regions.models import Region
from tests.factories import (
    ModelVersionFactory,
    UserFactory,
    elderly_items,
    make_household,
    make_id_number,
    member_data,
)
from tests.support.forms import model_params_post

pytestmark = pytest.mark.core

WELL_OFF = 30000  # yuan a year each: far above any 低保 edge, so circles come from causes only


@pytest.fixture
def officer(county):
    return UserFactory.county_staff(display_name="县民政测试")


def _adult(**overrides) -> dict:
    data = member_data(id_number=make_id_number(birth=dt.date(1980, 5, 1)), wage_income=WELL_OFF)
    data.update(overrides)
    return data


def _household(village, *members, actor=None, **fields):
    return make_household(
        village=village,
        actor=actor,
        members=[_adult(), *members] if members else [_adult(), _adult(relation=c.Relation.SPOUSE)],
        **fields,
    )


def _latest(household) -> Assessment:
    return Assessment.objects.latest_only().get(household=household)


# ---- Storage ------------------------------------------------------------------


def test_a_new_household_is_assessed_and_the_assessment_names_its_model_version(village):
    household = _household(village)
    row = _latest(household)
    assert row.model_version.version == "v1"
    assert row.inputs["members"][0]["wage_income"] == WELL_OFF
    assert set(row.reasons["factors"]) == set(FACTORS)


def test_editing_a_household_reassesses_it_and_the_previous_row_stops_being_latest(
    village, officer
):
    household = _household(village)
    first = _latest(household)
    household_services.household_update(
        actor=officer, household=household, fields={"housing_safety": c.HousingSafety.GRADE_D}
    )
    rows = list(Assessment.objects.filter(household=household).order_by("assessed_at", "id"))
    assert len(rows) == 2
    first.refresh_from_db()
    assert first.housing == 0
    assert rows[-1].housing == 4 and "housing" in rows[-1].causes
    pointer = LatestAssessment.objects.get(household=household)
    assert pointer.assessment_id == rows[-1].pk
    assert (pointer.housing_x2, pointer.cause_count) == (8, rows[-1].cause_count)
    assert list(Assessment.objects.latest_only().filter(household=household)) == [rows[-1]]
    history = list(selectors.assessment_history(user=officer, household_id=household.pk))
    assert [r.pk for r in history] == [rows[-1].pk, first.pk]
    assert [r.is_latest for r in history] == [True, False]


def test_another_villages_assessment_is_missing_for_a_village_worker(county, village):
    other = county["villages"][-1].code
    worker = UserFactory.village_worker(village)
    theirs = _household(other)
    with pytest.raises(Assessment.DoesNotExist):
        selectors.assessment_latest(user=worker, household_id=theirs.pk)
    with pytest.raises(Assessment.DoesNotExist):
        selectors.assessment_latest(user=worker, household_id=999_999_999)
    assert list(selectors.assessment_history(user=worker, household_id=theirs.pk)) == []


def test_a_batch_row_without_reasons_gets_the_same_reasons_recomputed(village):
    household = _household(
        village, _adult(relation=c.Relation.SPOUSE, health_status=c.HealthStatus.SERIOUS)
    )
    row = _latest(household)
    stored = selectors.assessment_reasons(assessment=row)
    Assessment.objects.filter(pk=row.pk).update(reasons=None)
    row = Assessment.objects.get(pk=row.pk)
    recomputed = selectors.assessment_reasons(assessment=row)
    assert recomputed == stored
    assert any("患大病" in line for line in recomputed["factors"]["illness"])


def test_recomputed_reasons_use_the_standard_in_force_when_the_row_was_written(
    village, officer, county
):
    county_region = Region.objects.get(pk=county["county"])
    services.economic_standard_save(
        actor=officer, county=county_region, fields={"rural_standard": 700, "urban_standard": 900}
    )
    household = _household(village)
    row = _latest(household)
    services.economic_standard_save(
        actor=officer, county=county_region, fields={"rural_standard": 800, "urban_standard": 1000}
    )
    Assessment.objects.filter(pk=row.pk).update(reasons=None)
    row = Assessment.objects.get(pk=row.pk)
    lines = selectors.assessment_reasons(assessment=row)["economic"]
    standard = selectors.assessment_data(assessment=row)["economic"]["standard"]
    assert standard in (700, 900)
    assert any(f"低保标准{standard:,.0f}元" in line for line in lines)


def test_a_household_never_assessed_is_computed_but_not_stored(village, officer):
    household = _household(village)
    Assessment.objects.filter(household=household).delete()
    row = selectors.assessment_current(user=officer, household_id=household.pk)
    assert row.pk is None
    assert selectors.assessment_data(assessment=row)["stored"] is False
    assert not Assessment.objects.filter(household=household).exists()


# ---- Model versions -------------------------------------------------------------


def test_the_parameter_form_round_trips_the_default_model_unchanged():
    form = ModelParamsForm(model_params_post(DEFAULT_MODEL), base=DEFAULT_MODEL)
    assert form.is_valid(), form.errors
    out = form.data_out()
    assert {k: v for k, v in out.items() if k != "name"} == {
        k: v for k, v in DEFAULT_MODEL.items() if k != "name"
    }


def test_weights_that_do_not_sum_to_one_are_rejected_in_chinese_naming_the_weights():
    form = ModelParamsForm(
        model_params_post(DEFAULT_MODEL, weights__illness=0.5), base=DEFAULT_MODEL
    )
    assert not form.is_valid()
    assert "权重" in " ".join(form.non_field_errors())


def test_a_weight_above_one_is_rejected_naming_that_weight():
    form = ModelParamsForm(
        model_params_post(DEFAULT_MODEL, weights__labour=1.5), base=DEFAULT_MODEL
    )
    assert not form.is_valid()
    assert "weights__labour" in form.errors
    assert form.fields["weights__labour"].label == "劳动力权重"


def test_a_step_row_with_a_threshold_but_no_points_is_rejected_naming_the_step():
    form = ModelParamsForm(
        model_params_post(DEFAULT_MODEL, illness__expense_steps__2__t=50000), base=DEFAULT_MODEL
    )
    assert not form.is_valid()
    message = " ".join(form.errors["illness__expense_steps__2__p"])
    assert "因病·年医疗自付支出档位 第3档" in message


def test_the_service_rejects_bad_model_data_and_non_county_roles(officer, village):
    bad = copy.deepcopy(DEFAULT_MODEL)
    bad["weights"]["illness"] = 0.9
    with pytest.raises(ModelError, match="权重"):
        services.model_version_create(actor=officer, data=bad, name="坏", note="")
    worker = UserFactory.village_worker(village)
    with pytest.raises(PermissionDenied):
        services.model_version_create(actor=worker, data=DEFAULT_MODEL, name="x", note="")


def _draft_data() -> dict:
    data = copy.deepcopy(DEFAULT_MODEL)
    data["illness"].update(chronic_one=2.0, chronic_many=2.0)  # one chronic patient is now a cause
    data["disability"]["grade_points"]["2"] = 1.5  # one grade-2 member no longer is
    return data


@pytest.fixture
def population(village, officer):
    """Four households whose causes the draft changes in known ways."""
    return {
        "serious": _household(
            village, _adult(relation=c.Relation.SPOUSE, health_status=c.HealthStatus.SERIOUS)
        ),
        "chronic": _household(
            village, _adult(relation=c.Relation.SPOUSE, health_status=c.HealthStatus.CHRONIC)
        ),
        "healthy": _household(village),
        "disabled": _household(
            village,
            _adult(
                relation=c.Relation.SPOUSE,
                disability_type=c.DisabilityType.PHYSICAL,
                disability_grade=2,
            ),
        ),
    }


def test_the_preview_counts_who_gains_and_loses_each_cause_on_a_known_population(
    population, officer
):
    active = services.active_model_version()
    draft = services.model_version_create(
        actor=officer, data=_draft_data(), name="慢病加重", note="测试"
    )
    result = preview.model_preview(user=officer, version=draft, active=active)

    assert result["total"] == 4
    by_key = {f["key"]: f for f in result["factors"]}
    assert (by_key["illness"]["before"], by_key["illness"]["after"]) == (1, 2)
    assert (by_key["illness"]["gain"], by_key["illness"]["lose"]) == (1, 0)
    assert (by_key["disability"]["gain"], by_key["disability"]["lose"]) == (0, 1)
    assert by_key["disability"]["score_changed"] == 1
    assert all(by_key[f]["gain"] == by_key[f]["lose"] == 0 for f in FACTORS[2:])
    assert (result["multi_before"], result["multi_after"]) == (0, 0)
    assert result["causes_changed"] == 2
    assert result["primary_changed"] == 2
    # No tags, incomes far above the edge: the circle follows the causes (3rd or none).
    assert result["circle_changed"] == 2
    assert {(m["from"], m["to"]): m["count"] for m in result["circle_moves"]} == {
        (0, 3): 1,
        (3, 0): 1,
    }
    assert sum(result["index_hist_before"]) == sum(result["index_hist_after"]) == 4
    sample_ids = {row["id"] for row in result["sample"]}
    assert sample_ids == {population["chronic"].pk, population["disabled"].pk}
    chronic = next(r for r in result["sample"] if r["id"] == population["chronic"].pk)
    assert (chronic["causes_before"], chronic["causes_after"]) == ("无", "因病")
    assert chronic["index_after"] - chronic["index_before"] == pytest.approx(4.0)


def test_the_preview_covers_only_the_officers_scope(population, county):
    township = UserFactory(role=Role.COUNTY_STAFF, regions=[county["townships"][-1].code])
    active = services.active_model_version()
    draft = services.model_version_create(actor=township, data=_draft_data(), name="x", note="")
    assert preview.model_preview(user=township, version=draft, active=active)["total"] == 0


def test_after_activation_new_assessments_use_v2_and_old_rows_still_say_v1(population, officer):
    household = population["chronic"]
    old = _latest(household)
    draft = services.model_version_create(actor=officer, data=_draft_data(), name="v2", note="")
    services.model_version_preview_save(
        actor=officer,
        version=draft,
        preview=preview.model_preview(
            user=officer, version=draft, active=services.active_model_version()
        ),
    )
    services.model_version_activate(actor=officer, version=draft)
    assert services.active_model_version().version == draft.version == "v2"

    new = services.assessment_run(actor=officer, household=household)
    old.refresh_from_db()
    assert old.model_version.version == "v1" and "illness" not in old.causes
    assert new.model_version.version == "v2" and new.causes == ["illness"]
    assert ModelVersion.objects.get(version="v1").status == "retired"
    assert draft.previewed_by == officer and draft.preview["total"] == 4


# ---- Economic standard -----------------------------------------------------------


def test_saving_the_standard_keeps_its_history_and_feeds_the_next_assessment(
    officer, county, village
):
    county_region = Region.objects.get(pk=county["county"])
    services.economic_standard_save(
        actor=officer, county=county_region, fields={"rural_standard": 600}
    )
    services.economic_standard_save(
        actor=officer, county=county_region, fields={"rural_standard": 650}
    )
    standard = EconomicStandard.objects.get(county=county_region)
    assert list(
        standard.history.values_list("rural_standard", flat=True).order_by("history_date")
    ) == [
        600,
        650,
    ]
    assert services.economic_standard_for(village)["rural_standard"] == 650


def test_a_village_worker_cannot_change_the_standard(county, village):
    worker = UserFactory.village_worker(village)
    with pytest.raises(PermissionDenied):
        services.economic_standard_save(
            actor=worker, county=Region.objects.get(pk=county["county"]), fields={}
        )


# ---- Elderly ability ------------------------------------------------------------


@pytest.fixture
def elder_household(village):
    elder = _adult(
        id_number=make_id_number(birth=dt.date(1940, 3, 1)),
        relation=c.Relation.PARENT,
        name="测试老人",
        wage_income=0,
        labour_ability=c.LabourAbility.NONE,
    )
    return _household(village, elder)


def test_a_score_out_of_range_is_rejected_naming_the_item_and_nothing_is_saved(
    elder_household, officer
):
    member = elder_household.members.get(name="测试老人")
    items = elderly_items(90)
    items["B.2.4"] = 4  # 上下楼梯 goes to 3
    with pytest.raises(ValueError, match="B.2.4 上下楼梯"):
        services.elderly_assessment_record(actor=officer, member=member, items=items)
    assert not ElderlyAssessment.objects.filter(member=member).exists()


def test_an_elder_at_level_2_creates_a_nursing_need_and_the_household_is_reassessed(
    elder_household, officer
):
    member = elder_household.members.get(name="测试老人")
    assert "nursing" not in [n["category"] for n in _latest(elder_household).needs]
    record = services.elderly_assessment_record(
        actor=officer, member=member, items=elderly_items(50)
    )
    assert (record.total, record.level) == (50, 2)
    latest = _latest(elder_household)
    assert latest.trigger == "elderly" and latest.assessed_by == officer
    assert "nursing" in [n["category"] for n in latest.needs]
    member_input = next(m for m in latest.inputs["members"] if m["name"] == "测试老人")
    assert member_input["elderly_level"] == 2


def test_a_level_1_elder_creates_no_nursing_need(elder_household, officer):
    member = elder_household.members.get(name="测试老人")
    services.elderly_assessment_record(actor=officer, member=member, items=elderly_items(80))
    assert "nursing" not in [n["category"] for n in _latest(elder_household).needs]


def test_the_preview_scores_every_household_exactly_as_the_per_household_path(
    county, officer, village
):
    from jiuzhu.assessment.inputs import household_input
    from jiuzhu.engine.assess import assess
    from jiuzhu.engine.model import FactorModel
    from jiuzhu.regions.models import village_kind

    rural = next(v.code for v in county["villages"] if village_kind(v.code) == "村委会")
    assert village_kind(village) == "居委会"
    households = [
        _household(village),
        _household(
            rural,
            _adult(
                relation=c.Relation.CHILD, school_stage=c.SchoolStage.SENIOR, education_expense=9000
            ),
        ),
        _household(
            rural,
            _adult(relation=c.Relation.SPOUSE, occupation=c.Occupation.UNEMPLOYED, wage_income=0),
            housing_tenure=c.HousingTenure.RENT,
            rent_expense=12000,
            special_circumstances=[c.Special.DISASTER, c.Special.SINGLE_PARENT],
            disaster_loss=25000,
        ),
        _household(
            village,
            _adult(
                relation=c.Relation.PARENT,
                id_number=make_id_number(birth=dt.date(1938, 1, 1)),
                self_care=c.SelfCare.NONE,
                disease=c.Disease.STROKE,
                wage_income=0,
            ),
            tag_dibao=True,
            serious_illness_expense=40000,
        ),
    ]
    elder = households[-1].members.get(relation=c.Relation.PARENT)
    services.elderly_assessment_record(actor=officer, member=elder, items=elderly_items(40))
    for data in (DEFAULT_MODEL, _draft_data()):
        model = FactorModel.from_data(data, "t")
        scored = preview.score_population(user=officer, model=model)
        assert list(scored.ids) == sorted(h.pk for h in households)
        for i, pk in enumerate(scored.ids):
            h = next(x for x in households if x.pk == pk)
            one = assess(household_input(h), model, services.economic_standard_for(h.village_id))
            assert list(scored.scores[i]) == [one.factors.factors[f].score for f in FACTORS]
            assert scored.index[i] == one.factors.index
            assert scored.circle[i] == one.circle
            assert bool(scored.multi[i]) == one.factors.multi_cause
            primary = one.factors.primary_cause
            assert scored.primary[i] == (FACTORS.index(primary) if primary else -1)


# ---- Discarding a draft ---------------------------------------------------------------


def test_a_discarded_draft_is_kept_with_who_and_when_and_can_no_longer_be_activated(officer):
    draft = ModelVersionFactory(created_by=officer)
    discarded = services.model_version_discard(actor=officer, version=draft)
    assert discarded.status == "discarded"
    assert discarded.discarded_by == officer and discarded.discarded_at is not None
    last = ModelVersion.history.filter(id=draft.pk).order_by("-history_date").first()
    assert (last.history_user, last.history_change_reason, last.status) == (
        officer, "废弃草稿", "discarded",
    )  # fmt: skip
    assert ModelVersion.objects.filter(pk=draft.pk).exists()  # marked, never deleted
    with pytest.raises(ModelError, match="只能启用草稿"):
        services.model_version_activate(actor=officer, version=discarded)
    with pytest.raises(ModelError, match="只能废弃草稿"):
        services.model_version_discard(actor=officer, version=discarded)


def test_the_active_and_a_retired_version_cannot_be_discarded(officer):
    v1 = services.active_model_version()
    with pytest.raises(ModelError, match="v1启用中,不能废弃"):
        services.model_version_discard(actor=officer, version=v1)
    v2 = services.model_version_activate(actor=officer, version=ModelVersionFactory())
    with pytest.raises(ModelError, match="v1已停用,不能废弃"):
        services.model_version_discard(actor=officer, version=v1)
    assert ModelVersion.objects.get(pk=v1.pk).status == "retired"
    assert ModelVersion.objects.get(pk=v2.pk).status == "active"


def test_a_draft_an_assessment_names_is_not_discarded(officer, village):
    household = make_household(village=village)
    draft = ModelVersionFactory()
    Assessment.objects.filter(household=household).update(model_version=draft)
    with pytest.raises(ModelError, match="已有评估结果"):
        services.model_version_discard(actor=officer, version=draft)
    assert ModelVersion.objects.get(pk=draft.pk).status == "draft"


def test_only_model_editors_discard_a_draft(village):
    draft = ModelVersionFactory()
    with pytest.raises(PermissionDenied):
        services.model_version_discard(actor=UserFactory.village_worker(village), version=draft)
    assert ModelVersion.objects.get(pk=draft.pk).status == "draft"
