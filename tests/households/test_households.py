"""Household files: services, and the home-visit pages through the test client."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from jiuzhu.accounts.models import AccessAction, AccessLog, Role
from jiuzhu.households import choices as c
from jiuzhu.households import selectors, services
from jiuzhu.households.crypto import decrypt, lookup_hash
from jiuzhu.households.forms import HOUSEHOLD_FIELDS, MEMBER_FIELDS, MemberForm
from jiuzhu.households.models import Household, Member
from tests.factories import (
    UserFactory,
    household_fields,
    make_household,
    make_id_number,
    member_data,
)

pytestmark = pytest.mark.core


@pytest.fixture
def village(county):
    return county["villages"][0].code


@pytest.fixture
def other_village(county):
    return county["villages"][-1].code


@pytest.fixture
def worker(village):
    return UserFactory(role=Role.VILLAGE_WORKER, regions=[village], display_name="测试信息员")


# --- building the home-visit form POST ------------------------------------------


def household_post(*, village: str, **overrides) -> dict:
    """The household part of the form, filled with each field's default."""
    data: dict = {}
    for name in HOUSEHOLD_FIELDS:
        default = Household._meta.get_field(name).get_default()
        if isinstance(default, bool | list):
            continue  # unchecked boxes are simply absent from a browser POST
        data[name] = "" if default is None else str(default)
    data.update(village=village, group="")
    data.update(overrides)
    return data


def members_post(rows: list[dict], *, initial: int = 0) -> dict:
    """The member formset (prefix m) for the given rows."""
    data = {
        "m-TOTAL_FORMS": str(len(rows)),
        "m-INITIAL_FORMS": str(initial),
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            if value is False:
                continue
            data[f"m-{i}-{name}"] = "on" if value is True else str(value)
    return data


def existing_rows(household: Household) -> list[dict]:
    """The member rows as the edit page would post them back unchanged."""
    rows = []
    for m in household.members.order_by("id"):
        row = {k: ("" if v is None else v) for k, v in model_to_dict(m, MEMBER_FIELDS).items()}
        row.update(id=m.pk, id_number="")
        rows.append(row)
    return rows


def edit_post(household: Household, rows: list[dict], **household_overrides) -> dict:
    current = model_to_dict(household, HOUSEHOLD_FIELDS)
    base = household_post(village=household.village_id)
    for name, value in current.items():
        if isinstance(value, bool | list) or value is None:
            continue
        base[name] = str(value)
    base.update(household_overrides)
    initial = sum(1 for r in rows if r.get("id"))
    return {**base, **members_post(rows, initial=initial)}


def counts() -> tuple[int, int, int, int]:
    return (
        Household.objects.count(),
        Member.objects.count(),
        Household.history.count(),
        Member.history.count(),
    )


# --- creating through the home-visit form ---------------------------------------


def test_the_home_visit_form_creates_a_household_with_two_members_and_history(
    client, worker, village
):
    head = member_data(name="测试甲某", wage_income=5000)
    spouse = member_data(name="测试乙某", relation=c.Relation.SPOUSE)
    client.force_login(worker)

    response = client.post(
        "/households/new/",
        {**household_post(village=village, address="测试路8号"), **members_post([head, spouse])},
    )

    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/households/{household.pk}/"
    assert household.village_id == village
    assert household.number == f"{village}0001"
    assert household.head_name == "测试甲某"
    assert household.member_count == 2
    assert household.created_by == worker
    members = list(household.members.order_by("id"))
    assert [m.name for m in members] == ["测试甲某", "测试乙某"]
    assert decrypt(members[0].id_cipher) == head["id_number"]
    assert members[0].id_hash == lookup_hash(head["id_number"])
    assert members[0].wage_income == Decimal("5000")
    created = household.history.get()
    assert created.history_type == "+"
    assert created.history_user == worker
    assert Member.history.filter(household_id=household.pk, history_type="+").count() == 2
    assert {r.history_user for r in Member.history.filter(household_id=household.pk)} == {worker}


def test_member_sex_and_birth_date_come_from_the_id_number(client, worker, village):
    import datetime as dt

    number = make_id_number(birth=dt.date(1961, 3, 4), sex="F")
    client.force_login(worker)
    client.post(
        "/households/new/",
        {**household_post(village=village), **members_post([member_data(id_number=number)])},
    )
    member = Member.objects.get()
    assert (member.sex, member.birth_date) == ("F", dt.date(1961, 3, 4))
    assert member.id_masked == number[:6] + "********" + number[-4:]


def test_an_invalid_id_number_in_the_form_names_the_field_in_chinese_and_saves_nothing(
    client, worker, village
):
    bad = member_data(id_number="530128198001011235")  # wrong check character
    good = member_data(relation=c.Relation.SPOUSE)
    client.force_login(worker)
    before = counts()

    response = client.post(
        "/households/new/", {**household_post(village=village), **members_post([bad, good])}
    )

    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors["id_number"]
    assert any("身份证号" in e and "校验码" in e for e in errors)
    assert "身份证号无效" in response.content.decode()
    assert counts() == before


def test_two_heads_in_one_household_are_refused(client, worker, village):
    client.force_login(worker)
    before = counts()
    response = client.post(
        "/households/new/",
        {**household_post(village=village), **members_post([member_data(), member_data()])},
    )
    assert response.status_code == 200
    assert any("户主" in e for e in response.context["cross_errors"])
    assert "每户必须有且只有一名户主" in response.content.decode()
    assert counts() == before


def test_a_household_without_a_head_is_refused(client, worker, village):
    client.force_login(worker)
    spouse = member_data(relation=c.Relation.SPOUSE)
    response = client.post(
        "/households/new/", {**household_post(village=village), **members_post([spouse])}
    )
    assert "现有0名" in response.content.decode()
    assert not Household.objects.exists()


def test_an_id_number_already_registered_in_another_household_is_refused(client, worker, village):
    existing = make_household(village=village)
    number = decrypt(existing.members.first().id_cipher)
    client.force_login(worker)
    before = counts()

    response = client.post(
        "/households/new/",
        {**household_post(village=village), **members_post([member_data(id_number=number)])},
    )

    assert "已登记在其他家庭档案中" in response.content.decode()
    assert counts() == before


def test_the_same_id_number_twice_in_one_form_is_refused(client, worker, village):
    number = make_id_number()
    rows = [member_data(id_number=number), member_data(id_number=number, relation="child")]
    client.force_login(worker)
    response = client.post(
        "/households/new/", {**household_post(village=village), **members_post(rows)}
    )
    assert "在本户中重复出现" in response.content.decode()
    assert not Member.objects.exists()


def test_a_fifteen_digit_id_number_is_stored_in_its_eighteen_digit_form(client, worker, village):
    from jiuzhu.core.idnumber import upgrade_15

    old = "530128750809357"
    client.force_login(worker)
    client.post(
        "/households/new/",
        {**household_post(village=village), **members_post([member_data(id_number=old)])},
    )
    member = Member.objects.get()
    assert decrypt(member.id_cipher) == upgrade_15(old)
    assert member.id_hash == lookup_hash(upgrade_15(old))


def test_the_form_refuses_a_village_outside_the_workers_scope(client, worker, other_village):
    client.force_login(worker)
    response = client.post(
        "/households/new/",
        {**household_post(village=other_village), **members_post([member_data()])},
    )
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Household.objects.exists()


# --- editing and history -----------------------------------------------------------


def test_editing_a_members_income_records_old_and_new_value_and_the_actor(client, worker, village):
    household = make_household(village=village)
    rows = existing_rows(household)
    rows[1]["wage_income"] = "8000"
    client.force_login(worker)

    response = client.post(f"/households/{household.pk}/edit/", edit_post(household, rows))

    assert response.status_code == 302
    spouse = household.members.order_by("id")[1]
    assert spouse.wage_income == Decimal("8000")
    latest = spouse.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == worker
    changes = [ch for ch in selectors.household_history(household=household) if ch.kind == "修改"]
    assert len(changes) == 1
    assert changes[0].who == "测试信息员"
    assert changes[0].subject == f"成员 {spouse.name}"
    assert changes[0].fields == [("工资性收入(元/年)", "6000.00", "8000.00")]
    # Untouched members get no history row.
    head = household.members.order_by("id")[0]
    assert head.history.count() == 1


def test_the_household_page_shows_the_change_in_its_history_section(client, worker, village):
    household = make_household(village=village)
    rows = existing_rows(household)
    rows[1]["wage_income"] = "8000"
    client.force_login(worker)
    client.post(f"/households/{household.pk}/edit/", edit_post(household, rows))

    page = client.get(f"/households/{household.pk}/").content.decode()

    history = page[page.index("变更记录") :]
    assert "测试信息员" in history
    assert "工资性收入(元/年)" in history
    assert "<del>6000.00</del>" in history
    assert "<ins>8000.00</ins>" in history


def test_editing_a_household_field_records_it_in_the_history(client, worker, village):
    household = make_household(village=village)
    client.force_login(worker)
    client.post(
        f"/households/{household.pk}/edit/",
        edit_post(household, existing_rows(household), housing_safety=c.HousingSafety.GRADE_D),
    )
    change = next(
        ch for ch in selectors.household_history(household=household) if ch.kind == "修改"
    )
    assert change.subject == "家庭信息"
    assert change.fields == [("住房安全状况", "安全住房", "D级危房")]
    assert change.who == "测试信息员"


def test_saving_the_edit_form_unchanged_records_no_change(client, worker, village):
    household = make_household(village=village)
    client.force_login(worker)
    before = Member.history.count()
    client.post(f"/households/{household.pk}/edit/", edit_post(household, existing_rows(household)))
    assert Member.history.count() == before
    assert not [ch for ch in selectors.household_history(household=household) if ch.kind == "修改"]


def test_swapping_the_head_between_two_members_saves_in_one_visit(client, worker, village):
    household = make_household(village=village)
    client.force_login(worker)
    for _ in range(2):  # there and back: one direction always saves the new head first
        household.refresh_from_db()
        rows = existing_rows(household)
        for row in rows:
            row["relation"] = "spouse" if row["relation"] == "head" else "head"
        response = client.post(f"/households/{household.pk}/edit/", edit_post(household, rows))
        assert response.status_code == 302, response.context and response.context["cross_errors"]
    household.refresh_from_db()
    first, second = household.members.order_by("id")
    assert (first.relation, second.relation) == ("head", "spouse")
    assert household.head_name == first.name


def test_removing_the_head_and_naming_a_new_one_in_the_same_visit_saves(client, worker, village):
    household = make_household(village=village)
    rows = existing_rows(household)
    rows[0]["DELETE"] = True
    rows[1]["relation"] = "head"
    client.force_login(worker)

    response = client.post(f"/households/{household.pk}/edit/", edit_post(household, rows))

    assert response.status_code == 302
    household.refresh_from_db()
    assert household.member_count == 1
    assert household.head_name == rows[1]["name"]
    assert household.members.get().relation == c.Relation.HEAD


def test_removing_the_head_without_naming_a_new_one_is_refused(client, worker, village):
    household = make_household(village=village)
    rows = existing_rows(household)
    rows[0]["DELETE"] = True
    client.force_login(worker)
    response = client.post(f"/households/{household.pk}/edit/", edit_post(household, rows))
    assert response.status_code == 200
    assert "户主" in " ".join(response.context["cross_errors"])
    assert household.members.count() == 2


def test_removing_a_member_on_the_edit_page_keeps_it_in_the_history(client, worker, village):
    household = make_household(village=village)
    rows = existing_rows(household)
    rows[1]["DELETE"] = True
    removed_name = rows[1]["name"]
    client.force_login(worker)

    client.post(f"/households/{household.pk}/edit/", edit_post(household, rows))

    household.refresh_from_db()
    assert household.member_count == 1
    deleted = [ch for ch in selectors.household_history(household=household) if ch.kind == "删除"]
    assert [ch.subject for ch in deleted] == [f"成员 {removed_name}"]


def test_adding_a_member_on_the_edit_page_updates_the_household_size(client, worker, village):
    household = make_household(village=village)
    rows = [*existing_rows(household), member_data(relation=c.Relation.CHILD, name="测试丙某")]
    client.force_login(worker)
    client.post(f"/households/{household.pk}/edit/", edit_post(household, rows))
    household.refresh_from_db()
    assert household.member_count == 3
    assert household.members.filter(name="测试丙某").exists()


# --- revealing an ID number ----------------------------------------------------------


def test_revealing_an_id_number_returns_it_and_writes_an_access_log(client, village):
    household = make_household(village=village)
    member = household.members.first()
    clerk = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[household.village.parent_id])
    client.force_login(clerk)

    response = client.post(f"/households/members/{member.pk}/reveal/")

    assert response.status_code == 200
    assert decrypt(member.id_cipher) in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.object_id) == (clerk, AccessAction.REVEAL_ID, str(member.pk))
    assert household.number in log.detail


def test_revealing_an_id_number_is_refused_for_a_village_worker_and_not_logged(
    client, worker, village
):
    household = make_household(village=village)
    member = household.members.first()
    client.force_login(worker)
    response = client.post(f"/households/members/{member.pk}/reveal/")
    assert response.status_code == 403
    assert decrypt(member.id_cipher) not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_revealing_needs_a_post(client, village):
    household = make_household(village=village)
    clerk = UserFactory(role=Role.COUNTY_STAFF, regions=[village])
    client.force_login(clerk)
    response = client.get(f"/households/members/{household.members.first().pk}/reveal/")
    assert response.status_code == 405
    assert not AccessLog.objects.exists()


def test_the_household_page_shows_only_masked_id_numbers(client, worker, village):
    household = make_household(village=village)
    client.force_login(worker)
    page = client.get(f"/households/{household.pk}/").content.decode()
    for m in household.members.all():
        assert m.id_masked in page
        assert decrypt(m.id_cipher) not in page


# --- services refuse the wrong roles ------------------------------------------------


def _service_calls(household: Household, actor) -> dict:
    member = household.members.order_by("id")[1]
    return {
        "household_create": lambda: services.household_create(
            actor=actor,
            fields=household_fields(village=household.village_id),
            members=[member_data()],
        ),
        "household_update": lambda: services.household_update(
            actor=actor, household=household, fields={"address": "改"}
        ),
        "household_visit_save": lambda: services.household_visit_save(
            actor=actor, household=household, fields={"address": "改"}, members_new=[]
        ),
        "member_add": lambda: services.member_add(
            actor=actor, household=household, fields=member_data(relation="child")
        ),
        "member_update": lambda: services.member_update(
            actor=actor, member=member, fields={"wage_income": 1}
        ),
        "member_remove": lambda: services.member_remove(actor=actor, member=member),
        "id_number_reveal": lambda: services.id_number_reveal(actor=actor, member=member),
    }


SERVICES = [
    "household_create",
    "household_update",
    "household_visit_save",
    "member_add",
    "member_update",
    "member_remove",
    "id_number_reveal",
]


@pytest.mark.parametrize("service", SERVICES)
def test_a_leader_calling_a_household_service_gets_permission_denied_and_nothing_changes(
    village, service
):
    household = make_household(village=village)
    leader = UserFactory(role=Role.LEADER, regions=[village])
    before = counts()
    with pytest.raises(PermissionDenied):
        _service_calls(household, leader)[service]()
    household.refresh_from_db()
    assert household.address == "测试地址1号"
    assert counts() == before
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "id_number_reveal"])
def test_a_worker_calling_a_service_on_a_household_outside_the_grant_gets_permission_denied(
    village, other_village, service
):
    household = make_household(village=other_village)
    worker = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])
    before = counts()
    with pytest.raises(PermissionDenied):
        _service_calls(household, worker)[service]()
    household.refresh_from_db()
    assert household.address == "测试地址1号"
    assert counts() == before


def test_a_township_clerk_cannot_reveal_an_id_number_outside_the_grant(village, other_village):
    from jiuzhu.regions.models import Region

    household = make_household(village=other_village)
    township = Region.objects.get(pk=village).parent_id
    assert not other_village.startswith(township[:9])
    clerk = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[township])
    with pytest.raises(PermissionDenied):
        services.id_number_reveal(actor=clerk, member=household.members.first())
    assert not AccessLog.objects.exists()


def test_moving_a_household_to_a_village_outside_the_grant_is_refused(village, other_village):
    from jiuzhu.regions.models import Region

    household = make_household(village=village)
    worker = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])
    with pytest.raises(PermissionDenied):
        services.household_update(
            actor=worker,
            household=household,
            fields={"village": Region.objects.get(pk=other_village)},
        )
    household.refresh_from_db()
    assert household.village_id == village


def test_the_head_cannot_be_removed_on_its_own(village):
    household = make_household(village=village)
    head = household.members.get(relation=c.Relation.HEAD)
    with pytest.raises(PermissionDenied, match="户主"):
        services.member_remove(actor=household.created_by, member=head)
    assert household.members.count() == 2


def test_household_numbers_count_up_within_a_village(village):
    first = make_household(village=village)
    second = make_household(village=village)
    assert (first.number, second.number) == (f"{village}0001", f"{village}0002")


# --- disability type and grade ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "grade", "valid"),
    [
        (c.DisabilityType.NONE, 0, True),
        (c.DisabilityType.NONE, 2, False),
        (c.DisabilityType.PHYSICAL, 0, False),
        (c.DisabilityType.PHYSICAL, 1, True),
        (c.DisabilityType.INTELLECTUAL, 4, True),
    ],
)
def test_the_member_form_requires_disability_type_and_grade_to_agree(db, kind, grade, valid):
    form = MemberForm(data=member_data(disability_type=kind, disability_grade=grade))
    assert form.is_valid() == valid
    if not valid:
        assert "disability_grade" in form.errors
        assert "残疾等级" in str(form.errors["disability_grade"])


@pytest.mark.parametrize(
    ("kind", "grade"), [(c.DisabilityType.NONE, 3), (c.DisabilityType.VISUAL, 0)]
)
def test_the_database_refuses_a_disability_grade_that_contradicts_the_type(village, kind, grade):
    # Writes that skip the form (services called directly) still cannot break the rule.
    household = make_household(village=village)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.member_add(
            actor=household.created_by,
            household=household,
            fields=member_data(relation="child", disability_type=kind, disability_grade=grade),
        )
    assert household.members.count() == 2


@pytest.mark.core
def test_the_household_number_after_9999_is_10000_not_a_duplicate(county):
    from jiuzhu.households.models import Household
    from jiuzhu.households.services import household_number_next

    village = county["villages"][5]
    first = make_household(village=village.code)
    Household.objects.filter(pk=first.pk).update(number=f"{village.code}9999")
    assert household_number_next(village=village) == f"{village.code}10000"
    second = make_household(village=village.code)
    assert second.number == f"{village.code}10000"
    assert household_number_next(village=village) == f"{village.code}10001"
