"""The public API through HTTP: tokens, lists, create, patch, errors, schema."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from jiuzhu.accounts.models import ApiToken, Role
from jiuzhu.households.crypto import decrypt
from jiuzhu.households.models import Household, Member
from tests.factories import PASSWORD, UserFactory, make_household, make_id_number, member_data
from tests.support.clients import Api, api_login, household_payload
from tests.support.db import registry_counts

pytestmark = pytest.mark.core


@pytest.fixture
def clerk(village):
    return UserFactory.village_worker(village, display_name="接口测试员")


# --- tokens --------------------------------------------------------------------------


def test_a_correct_password_gets_a_bearer_token_that_works(clerk):
    api = Api()
    response = api.post("/api/token", {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert len(body["token"]) >= 32
    # Only the digest is stored, never the token itself.
    assert not ApiToken.objects.filter(key_digest=body["token"]).exists()
    api.token = body["token"]
    assert api.get("/api/households").status_code == 200


@pytest.mark.parametrize(
    ("username", "password"), [("exists", "wrong-password"), ("nobody", PASSWORD)]
)
def test_a_wrong_password_or_unknown_user_gets_401_in_chinese(clerk, username, password):
    name = clerk.username if username == "exists" else username
    response = Api().post("/api/token", {"username": name, "password": password})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.json()["detail"]
    assert "token" not in response.json()


def test_a_token_request_without_password_names_the_field_in_chinese(clerk):
    response = Api().post("/api/token", {"username": clerk.username})
    assert response.status_code == 422
    assert "密码" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/households"),
        ("get", "/api/households/1"),
        ("post", "/api/households"),
        ("patch", "/api/households/1"),
    ],
)
def test_requests_without_a_token_get_401_in_chinese(county, method, path):
    api = Api()
    response = api.get(path) if method == "get" else getattr(api, method)(path, {})
    assert response.status_code == 401
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


def test_a_made_up_token_gets_401(county):
    assert Api("not-a-real-token").get("/api/households").status_code == 401


def test_an_expired_or_revoked_token_gets_401(clerk):
    api = api_login(clerk)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/households").status_code == 401
    api = api_login(clerk)
    ApiToken.objects.filter(expires_at__gt=timezone.now()).update(revoked=True)
    assert api.get("/api/households").status_code == 401


def test_a_token_of_a_deactivated_user_stops_working(clerk):
    api = api_login(clerk)
    clerk.is_active = False
    clerk.save()
    assert api.get("/api/households").status_code == 401


# --- list -------------------------------------------------------------------------------


def test_the_list_is_paginated_with_count_and_items(clerk, village):
    made = [make_household(village=village).pk for _ in range(25)]
    api = api_login(clerk)

    pages = [api.get("/api/households", {"page": p, "page_size": 10}).json() for p in (1, 2, 3)]

    assert [p["count"] for p in pages] == [25, 25, 25]
    assert [len(p["items"]) for p in pages] == [10, 10, 5]
    seen = [item["id"] for p in pages for item in p["items"]]
    assert sorted(seen) == sorted(made)
    assert seen == sorted(made, reverse=True)  # newest first
    beyond = api.get("/api/households", {"page": 4, "page_size": 10}).json()
    assert beyond["items"] == [] and beyond["count"] == 25


def test_the_page_size_is_bounded_at_200(clerk, village):
    make_household(village=village)
    api = api_login(clerk)
    assert api.get("/api/households", {"page_size": 200}).json()["page_size"] == 200
    response = api.get("/api/households", {"page_size": 100000})
    assert response.status_code == 422
    assert "每页条数(page_size):应不大于200" in response.json()["detail"]


def test_a_list_item_carries_the_summary_fields(clerk, village):
    household = make_household(village=village, tag_dibao=True)
    item = api_login(clerk).get("/api/households").json()["items"][0]
    assert item == {
        "id": household.pk,
        "number": household.number,
        "village": village,
        "village_name": household.village.name,
        "head_name": household.head_name,
        "member_count": 2,
        "tags": ["低保对象"],
    }


def test_the_list_filters_by_tag_and_by_name(clerk, village):
    dibao = make_household(village=village, tag_dibao=True)
    plain = make_household(village=village, members=[member_data(name="测试检索某")])
    api = api_login(clerk)
    by_tag = api.get("/api/households", {"tag": "tag_dibao"}).json()
    assert [i["id"] for i in by_tag["items"]] == [dibao.pk]
    by_name = api.get("/api/households", {"q": "测试检索"}).json()
    assert [i["id"] for i in by_name["items"]] == [plain.pk]
    unknown_tag = api.get("/api/households", {"tag": "password"}).json()
    assert unknown_tag["count"] == 0


# --- create ---------------------------------------------------------------------------------


def test_creating_a_household_with_members_answers_201_with_masked_ids_only(clerk, village):
    body = household_payload(village=village)
    numbers = [m["id_number"] for m in body["members"]]
    api = api_login(clerk)

    response = api.post("/api/households", body)

    assert response.status_code == 201
    created = response.json()
    assert created["member_count"] == 2
    assert created["number"] == f"{village}0001"
    assert [m["id_number_masked"] for m in created["members"]] == [
        n[:6] + "********" + n[-4:] for n in numbers
    ]
    household = Household.objects.get(pk=created["id"])
    assert household.created_by == clerk
    assert household.history.get().history_user == clerk
    assert sorted(decrypt(m.id_cipher) for m in household.members.all()) == sorted(numbers)
    # Read it back every way the API allows, then look for the full numbers.
    api.get(f"/api/households/{created['id']}")
    api.get("/api/households")
    api.patch(f"/api/households/{created['id']}", {"address": "接口路2号"})
    for number in numbers:
        for text in api.bodies:
            assert number not in text
            assert number.lower() not in text.lower()


def test_a_created_member_gets_sex_birth_date_and_age_from_the_id_number(clerk, village):
    import datetime as dt

    number = make_id_number(birth=dt.date(1950, 6, 1), sex="M")
    body = household_payload(village=village, members=[member_data(id_number=number)])
    member = api_login(clerk).post("/api/households", body).json()["members"][0]
    assert (member["sex"], member["birth_date"]) == ("M", "1950-06-01")
    assert member["age"] >= 74


def _fails_with(clerk, body: dict, *words: str) -> dict:
    before = registry_counts()
    response = api_login(clerk).post("/api/households", body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, detail
    assert registry_counts() == before
    return response.json()


def test_a_non_numeric_wage_in_the_second_member_answers_422_naming_it(clerk, village):
    body = household_payload(village=village)
    body["members"][1]["wage_income"] = "很多"
    result = _fails_with(clerk, body, "第2名成员", "工资性收入")
    assert "members.1.wage_income" in result["errors"]


def test_a_bad_id_number_answers_422_naming_the_id_field(clerk, village):
    body = household_payload(village=village)
    body["members"][0]["id_number"] = "530128198001011235"
    _fails_with(clerk, body, "第1名成员", "身份证号", "校验码")


def test_an_unknown_coded_value_answers_422_naming_the_field(clerk, village):
    body = household_payload(village=village)
    body["members"][1]["occupation"] = "astronaut"
    result = _fails_with(clerk, body, "第2名成员", "职业")
    assert "Select" not in result["detail"]


def test_an_unknown_household_coded_value_answers_422_naming_the_field(clerk, village):
    _fails_with(clerk, household_payload(village=village, housing_safety="castle"), "住房安全状况")


def test_a_village_outside_the_scope_answers_422_and_saves_nothing(clerk, other_village):
    _fails_with(clerk, household_payload(village=other_village), "所属村(居)", "管辖范围")


def test_a_region_code_that_is_not_a_village_answers_422(clerk, county):
    _fails_with(clerk, household_payload(village=county["townships"][0].code), "所属村(居)")


def test_a_negative_amount_answers_422(clerk, village):
    _fails_with(clerk, household_payload(village=village, rental_income="-5"), "出租房屋收入")


def test_a_wrong_disability_grade_answers_422(clerk, village):
    body = household_payload(village=village)
    body["members"][0].update(disability_type="physical", disability_grade=0)
    _fails_with(clerk, body, "第1名成员", "残疾等级")


def test_an_id_number_already_on_file_answers_422(clerk, village):
    existing = make_household(village=village)
    body = household_payload(village=village)
    body["members"][1]["id_number"] = decrypt(existing.members.first().id_cipher)
    _fails_with(clerk, body, "第2名成员", "已登记")


def test_two_heads_answer_422(clerk, village):
    body = household_payload(village=village, members=[member_data(), member_data()])
    _fails_with(clerk, body, "户主")


def test_no_members_answers_422(clerk, village):
    _fails_with(clerk, household_payload(village=village) | {"members": []}, "户主")


def test_missing_members_answers_422_naming_the_field(clerk, village):
    body = household_payload(village=village)
    del body["members"]
    _fails_with(clerk, body, "家庭成员", "必填")


def test_an_unknown_assistance_code_answers_422(clerk, village):
    _fails_with(
        clerk, household_payload(village=village, assistance_received=["lottery"]), "已享受救助帮扶"
    )


def test_a_leader_cannot_create_households(village):
    leader = UserFactory(role=Role.LEADER, regions=[village])
    before = registry_counts()
    response = api_login(leader).post("/api/households", household_payload(village=village))
    assert response.status_code == 403
    assert "不能修改" in response.json()["detail"]
    assert registry_counts() == before


# --- detail and patch -------------------------------------------------------------------------


def test_the_detail_shows_members_and_every_indicator(clerk, village):
    from jiuzhu.households.forms import HOUSEHOLD_FIELDS, MEMBER_FIELDS

    household = make_household(village=village, rental_income=Decimal("1200"))
    body = api_login(clerk).get(f"/api/households/{household.pk}").json()
    assert Decimal(body["rental_income"]) == 1200
    assert set(HOUSEHOLD_FIELDS) <= set(body)
    assert len(body["members"]) == 2
    for member in body["members"]:
        assert set(MEMBER_FIELDS) | {"id_number_masked", "sex", "birth_date", "age"} <= set(member)
        assert "id_number" not in member


def test_patch_changes_only_the_given_fields_and_records_history_with_the_token_user(
    clerk, village
):
    from django.forms.models import model_to_dict

    from jiuzhu.households import selectors

    household = make_household(village=village, address="旧地址", rental_income=Decimal("100"))
    before = model_to_dict(household)
    members_before = [model_to_dict(m) for m in household.members.order_by("id")]
    api = api_login(clerk)

    response = api.patch(f"/api/households/{household.pk}", {"rental_income": 1200})

    assert response.status_code == 200
    household.refresh_from_db()
    after = model_to_dict(household)
    assert after.pop("rental_income") == Decimal("1200")
    before.pop("rental_income")
    assert after == before
    assert [model_to_dict(m) for m in household.members.order_by("id")] == members_before
    latest = household.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == clerk
    change = next(
        ch for ch in selectors.household_history(household=household) if ch.kind == "修改"
    )
    assert change.who == "接口测试员"
    assert change.fields == [("出租房屋收入(元/年)", "100.00", "1200.00")]


def test_patch_changes_a_member_by_id_and_leaves_the_others(clerk, village):
    household = make_household(village=village)
    first, second = household.members.order_by("id")
    number_before = decrypt(second.id_cipher)
    api = api_login(clerk)

    response = api.patch(
        f"/api/households/{household.pk}",
        {"members": [{"id": second.pk, "wage_income": 9000, "health_status": "chronic"}]},
    )

    assert response.status_code == 200
    second.refresh_from_db()
    assert (second.wage_income, second.health_status) == (Decimal("9000"), "chronic")
    assert decrypt(second.id_cipher) == number_before  # no id_number given: the ID stays
    assert first.history.count() == 1
    latest = second.history.first()
    assert latest.history_user == clerk
    assert latest.wage_income == Decimal("9000")
    out = {m["id"]: m for m in response.json()["members"]}
    assert Decimal(out[second.pk]["wage_income"]) == 9000


def test_patch_adds_and_removes_members(clerk, village):
    household = make_household(village=village)
    _, spouse = household.members.order_by("id")
    api = api_login(clerk)
    response = api.patch(
        f"/api/households/{household.pk}",
        {
            "members": [
                {"id": spouse.pk, "remove": True},
                member_data(relation="child", name="测试新某", wage_income=0),
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert [m["name"] for m in response.json()["members"]][-1] == "测试新某"
    assert response.json()["member_count"] == 2
    assert not Member.objects.filter(pk=spouse.pk).exists()


def test_patch_can_swap_the_head(clerk, village):
    household = make_household(village=village)
    head, spouse = household.members.order_by("id")
    api = api_login(clerk)
    for new_head, old_head in [(spouse, head), (head, spouse)]:
        response = api.patch(
            f"/api/households/{household.pk}",
            {
                "members": [
                    {"id": new_head.pk, "relation": "head"},
                    {"id": old_head.pk, "relation": "spouse"},
                ]
            },
        )
        assert response.status_code == 200, response.content
        assert response.json()["head_name"] == new_head.name


def test_patch_with_a_bad_field_saves_nothing(clerk, village):
    household = make_household(village=village, address="旧地址")
    _, spouse = household.members.order_by("id")
    before = registry_counts()
    response = api_login(clerk).patch(
        f"/api/households/{household.pk}",
        {"address": "新地址", "members": [{"id": spouse.pk, "wage_income": "很多"}]},
    )
    assert response.status_code == 422
    assert "工资性收入" in response.json()["detail"]
    household.refresh_from_db()
    assert household.address == "旧地址"
    assert registry_counts() == before


def test_patch_with_a_member_of_another_household_answers_422(clerk, village):
    household = make_household(village=village)
    stranger = make_household(village=village).members.first()
    response = api_login(clerk).patch(
        f"/api/households/{household.pk}", {"members": [{"id": stranger.pk, "name": "测试某"}]}
    )
    assert response.status_code == 422
    assert "不属于本户" in response.json()["detail"]
    stranger.refresh_from_db()
    assert stranger.name != "测试某"


def test_patch_moving_the_household_outside_the_scope_answers_422(clerk, village, other_village):
    household = make_household(village=village)
    response = api_login(clerk).patch(f"/api/households/{household.pk}", {"village": other_village})
    assert response.status_code == 422
    assert "所属村(居)" in response.json()["detail"]
    household.refresh_from_db()
    assert household.village_id == village


def test_patch_setting_a_second_head_answers_422(clerk, village):
    household = make_household(village=village)
    _, spouse = household.members.order_by("id")
    response = api_login(clerk).patch(
        f"/api/households/{household.pk}", {"members": [{"id": spouse.pk, "relation": "head"}]}
    )
    assert response.status_code == 422
    assert "户主" in response.json()["detail"]


# --- schema -------------------------------------------------------------------------------------


def test_the_openapi_schema_is_served_and_lists_the_stable_paths(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "post" in paths["/api/token"]
    assert {"get", "post"} <= set(paths["/api/households"])
    assert {"get", "patch"} <= set(paths["/api/households/{household_id}"])
    # Bearer auth is declared so that other systems' generators pick it up.
    schemes = response.json()["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_opening_the_home_visit_form_leaves_the_api_working(client, clerk, village):
    # Regression: the inline formset used to append "household" to the shared
    # MEMBER_FIELDS list, so every API create after any edit page answered 500.
    household = make_household(village=village)
    client.force_login(clerk)
    assert client.get("/households/new/").status_code == 200
    assert client.get(f"/households/{household.pk}/edit/").status_code == 200
    response = api_login(clerk).post("/api/households", household_payload(village=village))
    assert response.status_code == 201, response.content
