"""The assessment pages through the Django test client: who sees what, and what
each form does with good and bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from jiuzhu.accounts.models import Role
from jiuzhu.assessment.models import Assessment, EconomicStandard, ElderlyAssessment, ModelVersion
from jiuzhu.engine.elderly import ITEMS
from jiuzhu.engine.model import DEFAULT_MODEL
from jiuzhu.households import choices as c
from tests.factories import (
    ModelVersionFactory,
    UserFactory,
    elderly_items,
    make_household,
    make_id_number,
    member_data,
)
from tests.support.clients import client_for, page_text
from tests.support.forms import model_params_post

pytestmark = pytest.mark.core


@pytest.fixture
def worker(village):
    return UserFactory.village_worker(village, display_name="页面村信息员")


@pytest.fixture
def officer(county):
    return UserFactory.county_staff(display_name="页面县民政")


@pytest.fixture
def household(village):
    return make_household(
        village=village,
        members=[
            member_data(name="测试户主", wage_income=3000),
            member_data(
                name="测试老人",
                relation=c.Relation.PARENT,
                id_number=make_id_number(birth=dt.date(1945, 6, 1)),
                health_status=c.HealthStatus.SERIOUS,
                wage_income=0,
            ),
        ],
    )


# ---- Household assessment ---------------------------------------------------------


def test_the_household_page_shows_scores_reasons_index_circle_needs_and_history(worker, household):
    response = client_for(worker).get(f"/assessment/households/{household.pk}/")
    assert response.status_code == 200
    page = page_text(response)
    row = Assessment.objects.latest_only().get(household=household)
    assert 'id="radar"' in page and "vendor/echarts.min.js" in page
    assert f'<span class="stat-value" id="index">{row.index}</span>' in page
    assert "患大病" in page  # the illness reason, in Chinese
    assert "月人均可支配收入" in page  # the economic arithmetic
    assert row.get_circle_display() in page
    assert "医疗" in page  # a need's label
    assert "v1" in page
    assert page.count('<tr class="latest">') == 1


def test_the_household_file_links_to_the_assessment_and_the_elder_to_the_elderly_form(
    worker, household
):
    page = page_text(client_for(worker).get(f"/households/{household.pk}/"))
    assert f'href="/assessment/households/{household.pk}/"' in page
    elder = household.members.get(name="测试老人")
    head = household.members.get(name="测试户主")
    assert f'href="/assessment/members/{elder.pk}/elderly/"' in page
    if head.age < 60:
        assert f'href="/assessment/members/{head.pk}/elderly/"' not in page


def test_another_villages_assessment_page_is_404_like_a_missing_one(county, worker):
    theirs = make_household(village=county["villages"][-1].code)
    client = client_for(worker)
    assert client.get(f"/assessment/households/{theirs.pk}/").status_code == 404
    assert client.get("/assessment/households/999999999/").status_code == 404
    assert client.post(f"/assessment/households/{theirs.pk}/run/").status_code == 404
    assert Assessment.objects.filter(household=theirs).count() == 1


def test_reassessing_stores_a_new_latest_row_by_the_clerk(worker, household):
    response = client_for(worker).post(f"/assessment/households/{household.pk}/run/")
    assert response.status_code == 302
    latest = Assessment.objects.latest_only().get(household=household)
    assert latest.assessed_by == worker and latest.trigger == "manual"
    assert Assessment.objects.filter(household=household).count() == 2


def test_a_never_assessed_household_page_says_so_and_offers_to_save(worker, household):
    Assessment.objects.filter(household=household).delete()
    page = page_text(client_for(worker).get(f"/assessment/households/{household.pk}/"))
    assert "尚未保存过评估" in page
    assert 'id="run"' in page


# ---- Model settings ---------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VILLAGE_WORKER, Role.TOWNSHIP_STAFF, Role.LEADER])
def test_only_county_staff_and_admins_see_the_model_pages(county, role):
    user = UserFactory(role=role, regions=[county["county"]])
    client = client_for(user)
    for path in ("/assessment/model/", "/assessment/model/new/", "/assessment/model/v1/"):
        assert client.get(path).status_code == 404, path
    assert client.get("/assessment/standard/").status_code == 404


def test_the_model_page_shows_the_active_parameters_in_chinese(officer):
    page = page_text(client_for(officer).get("/assessment/model/"))
    assert "致困认定分值" in page and "因病权重" in page and "每名二级残疾成员" in page
    assert "≥10,000 → 0.5分" in page


def test_bad_weights_are_rejected_with_a_chinese_error_naming_the_weights(officer):
    post = {"mode": "form", **model_params_post(DEFAULT_MODEL, weights__illness=0.4)}
    response = client_for(officer).post("/assessment/model/new/", post)
    assert response.status_code == 200
    summary = page_text(response).split('id="error-summary"')[1].split("</div>")[0]
    assert "九个因子的权重之和应为 1" in summary
    assert ModelVersion.objects.count() == 1


def test_a_bad_json_model_is_rejected_naming_the_problem(officer):
    response = client_for(officer).post(
        "/assessment/model/new/",
        {"mode": "json", "json-name": "x", "json-note": "y", "json-raw": '{"cause_threshold": 2'},
    )
    assert "不是有效的 JSON" in page_text(response)


def test_draft_preview_activate_then_reassess_through_the_pages(officer, household):
    client = client_for(officer)
    post = {"mode": "form", **model_params_post(DEFAULT_MODEL, cause_threshold=1.5)}
    response = client.post("/assessment/model/new/", post)
    assert response.status_code == 302, page_text(response)[:2000]
    draft = ModelVersion.objects.get(status="draft")
    assert response["Location"] == f"/assessment/model/{draft.version}/"

    page = page_text(client.get(f"/assessment/model/{draft.version}/"))
    assert "致困认定分值" in page and "请先预览" in page  # the diff, and no activate button yet
    assert client.post(f"/assessment/model/{draft.version}/activate/", {"confirm": "yes"})
    draft.refresh_from_db()
    assert draft.status == "draft"  # refused: never previewed

    client.post(f"/assessment/model/{draft.version}/preview/")
    draft.refresh_from_db()
    assert draft.previewed_by == officer and draft.preview["total"] >= 1
    page = page_text(client.get(f"/assessment/model/{draft.version}/"))
    assert 'id="preview-factors"' in page and 'id="activate-button"' in page

    client.post(f"/assessment/model/{draft.version}/activate/")  # without the confirmation box
    draft.refresh_from_db()
    assert draft.status == "draft"
    response = client.post(
        f"/assessment/model/{draft.version}/activate/", {"confirm": "yes"}, follow=True
    )
    draft.refresh_from_db()
    assert draft.status == "active" and draft.activated_by == officer
    # Activating starts the county's re-assessment job (run at once here: no worker).
    assert f"已启用 {draft.version}。已按现行模型 {draft.version} 重新评估:禄劝彝族苗族自治县 1 户" in (
        page_text(response)
    )
    latest = Assessment.objects.latest_only().get(household=household)
    assert (latest.model_version, latest.trigger) == (draft, "batch")
    assert Assessment.objects.filter(household=household).count() == 2

    response = client.post(
        "/assessment/model/reassess/", {"next": "/assessment/model/"}, follow=True
    )
    assert f"已按现行模型 {draft.version} 重新评估:禄劝彝族苗族自治县 1 户" in page_text(response)
    assert Assessment.objects.filter(household=household).count() == 3
    # A batch row stores no reasons: the page recomputes them from its inputs.
    assert latest.reasons is None
    page = page_text(client.get(f"/assessment/households/{household.pk}/"))
    assert "患大病" in page and "批量重新评估" in page


def test_a_village_worker_cannot_start_the_county_reassessment(worker, household):
    response = client_for(worker).post("/assessment/model/reassess/")
    assert response.status_code == 404
    assert Assessment.objects.filter(household=household).count() == 1


def test_the_version_page_diffs_a_draft_against_the_active_model(officer):
    client = client_for(officer)
    client.post(
        "/assessment/model/new/",
        {"mode": "form", **model_params_post(DEFAULT_MODEL, labour__scale=4)},
    )
    draft = ModelVersion.objects.get(status="draft")
    page = page_text(client.get(f"/assessment/model/{draft.version}/"))
    diff = page.split('id="diff"')[1].split("</section>")[0]
    assert "劳动力·完全没有劳动力时的分值" in diff and "1 项" in diff


# ---- Economic standard --------------------------------------------------------------


def test_the_standard_page_saves_and_keeps_a_history(officer, county):
    client = client_for(officer)
    assert client.get("/assessment/standard/").status_code == 200
    form = {
        "county": county["county"],
        "rural_standard": "620",
        "urban_standard": "900",
        "edge_multiplier": "1.5",
        "deduct_medical": "on",
        "asset_limit_per_person": "36000",
        "vehicle_limit": "0",
        "rigid_share_threshold": "0.5",
    }
    assert client.post("/assessment/standard/", form).status_code == 302
    assert (
        client.post("/assessment/standard/", {**form, "rural_standard": "640"}).status_code == 302
    )
    standard = EconomicStandard.objects.get(county_id=county["county"])
    assert standard.rural_standard == 640 and standard.deduct_education is False
    page = page_text(client.get("/assessment/standard/"))
    assert re.search(r"农村低保标准\(元/人·月\)</span>:<del>620</del> → <ins>640</ins>", page)


def test_a_negative_standard_is_rejected_naming_the_field(officer, county):
    response = client_for(officer).post(
        "/assessment/standard/",
        {
            "county": county["county"],
            "rural_standard": "-1",
            "urban_standard": "900",
            "edge_multiplier": "1.5",
            "asset_limit_per_person": "36000",
            "vehicle_limit": "0",
            "rigid_share_threshold": "0.5",
        },
    )
    assert response.status_code == 200
    assert "农村低保标准(元/人·月)应大于0" in page_text(response)
    assert not EconomicStandard.objects.exists()


# ---- Elderly ability ---------------------------------------------------------------------


def _elderly_post(items: dict[str, int], **extra) -> dict:
    post = {"item_" + code.replace(".", "_"): str(score) for code, score in items.items()}
    post["risk_events_30d"] = "0"
    post.update(extra)
    return post


def test_the_elderly_form_lists_the_26_items_by_dimension(worker, household):
    elder = household.members.get(name="测试老人")
    page = page_text(client_for(worker).get(f"/assessment/members/{elder.pk}/elderly/"))
    assert page.count('class="item') == len(ITEMS) == 26
    for name in ("自理能力", "基础运动能力", "精神状态", "感知觉与社会参与"):
        assert name in page
    assert page.count('name="item_B_2_4"') == 4  # scores 0–3


def test_a_bad_score_is_rejected_naming_the_item(worker, household):
    elder = household.members.get(name="测试老人")
    items = elderly_items(90)
    items["B.2.4"] = 4
    response = client_for(worker).post(
        f"/assessment/members/{elder.pk}/elderly/", _elderly_post(items)
    )
    assert response.status_code == 200
    assert "B.2.4 上下楼梯:分值应为 0、1、2、3 之一" in page_text(response)
    assert not ElderlyAssessment.objects.filter(member=elder).exists()


def test_saving_the_elderly_form_records_the_level_and_adds_the_nursing_need(worker, household):
    elder = household.members.get(name="测试老人")
    client = client_for(worker)
    response = client.post(
        f"/assessment/members/{elder.pk}/elderly/", _elderly_post(elderly_items(70), dementia="on")
    )
    assert response.status_code == 302
    record = ElderlyAssessment.objects.get(member=elder)
    assert (record.total, record.initial_level, record.level) == (70, 1, 2)
    latest = Assessment.objects.latest_only().get(household=household)
    assert "nursing" in [n["category"] for n in latest.needs]
    page = page_text(client.get(f"/assessment/members/{elder.pk}/elderly/"))
    assert "2 级 能力中度受损" in page and "确诊为痴呆" in page


def test_another_villages_member_has_no_elderly_form(county, worker):
    theirs = make_household(village=county["villages"][-1].code)
    member = theirs.members.first()
    assert client_for(worker).get(f"/assessment/members/{member.pk}/elderly/").status_code == 404


def test_a_preview_made_against_an_older_active_model_must_be_redone_before_activating(officer):
    from jiuzhu.assessment import services

    client = client_for(officer)
    for weight in ("0.25", "0.3"):
        other = str(round(0.1 - (float(weight) - 0.2), 2))
        client.post(
            "/assessment/model/new/",
            {
                "mode": "form",
                **model_params_post(DEFAULT_MODEL, weights__illness=weight, weights__other=other),
            },
        )
    first, second = ModelVersion.objects.filter(status="draft").order_by("id")
    for draft in (first, second):
        client.post(f"/assessment/model/{draft.version}/preview/")
    client.post(f"/assessment/model/{first.version}/activate/", {"confirm": "yes"})
    assert services.active_model_version() == first
    response = client.post(
        f"/assessment/model/{second.version}/activate/", {"confirm": "yes"}, follow=True
    )
    second.refresh_from_db()
    assert second.status == "draft"
    assert "请重新预览" in page_text(response)


def test_a_draft_is_discarded_from_its_page_after_the_confirmation(officer):
    draft = ModelVersionFactory(created_by=officer)
    client = client_for(officer)
    url = f"/assessment/model/{draft.version}/"
    page = page_text(client.get(url))
    assert 'id="discard-button"' in page and f"确认废弃 {draft.version}" in page

    refused = page_text(client.post(f"{url}discard/", follow=True))
    assert f"请勾选“确认废弃 {draft.version}”" in refused
    assert ModelVersion.objects.get(pk=draft.pk).status == "draft"

    response = client.post(f"{url}discard/", {"confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == "/assessment/model/"
    listing = page_text(response)
    assert f"已废弃草稿 {draft.version}" in listing
    assert '<td class="status-discarded">已废弃</td>' in listing and "页面县民政 废弃" in listing
    page = page_text(client.get(url))
    assert 'id="discard-button"' not in page and 'id="run-preview"' not in page
    assert "由 页面县民政 废弃" in page
    # Neither previewed nor activated any more.
    client.post(f"{url}preview/")
    client.post(f"{url}activate/", {"confirm": "yes"})
    assert ModelVersion.objects.get(pk=draft.pk).status == "discarded"


def test_the_active_version_has_no_discard_button_and_refuses_a_forged_post(officer, county):
    client = client_for(officer)
    client.get("/assessment/model/")  # v1, the default model, exists from the first visit
    assert 'id="discard-button"' not in page_text(client.get("/assessment/model/v1/"))
    response = client.post("/assessment/model/v1/discard/", {"confirm": "yes"}, follow=True)
    assert "只能废弃草稿" in page_text(response)
    assert ModelVersion.objects.get(version="v1").status == "active"
    worker = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[county["county"]])
    draft = ModelVersionFactory()
    assert (
        client_for(worker).post(f"/assessment/model/{draft.version}/discard/",
                                {"confirm": "yes"}).status_code == 404
    )  # fmt: skip
