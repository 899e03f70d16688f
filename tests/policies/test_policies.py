"""The policy library: saving policies, one household's matching, 政策找人 and its pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from jiuzhu.accounts.access import NotFound
from jiuzhu.accounts.models import AccessLog, Role
from jiuzhu.households import choices as c
from jiuzhu.policies import selectors, services
from jiuzhu.policies.models import Policy
from tests.factories import (
    DepartmentFactory,
    PolicyFactory,
    UserFactory,
    make_household,
    make_id_number,
    member_data,
)
from tests.support.clients import client_for

pytestmark = [pytest.mark.core, pytest.mark.django_db]

DIBAO = {"all": [{"field": "below_standard", "op": "eq", "value": True},
                 {"field": "assets_ok", "op": "eq", "value": True}]}  # fmt: skip
CARE = {"member": {"field": "disability_grade", "op": "in", "value": [1, 2]}}
HOUSING = {"all": [{"field": "housing_safety", "op": "in", "value": ["c", "d"]},
                   {"field": "circle", "op": "in", "value": [1, 2, 3]}]}  # fmt: skip


def _policy(code, condition, *, department="minzheng", receipt="", measure="basic_living",
            needs=("basic_living",)):  # fmt: skip
    return PolicyFactory(code=code, condition=condition, department=department,
                         receipt_code=receipt, measure=measure, needs=list(needs),
                         benefit="按月发放")  # fmt: skip


@pytest.fixture
def library():
    for code in ("minzheng", "canlian", "zhujian"):
        DepartmentFactory(code=code)
    return {
        "dibao": _policy("dibao", DIBAO, receipt="dibao"),
        "care": _policy(
            "care",
            CARE,
            department="canlian",
            receipt="disability",
            measure="disability",
            needs=("nursing",),
        ),  # fmt: skip
        "house": _policy(
            "house",
            HOUSING,
            department="zhujian",
            receipt="housing",
            measure="housing",
            needs=("housing",),
        ),  # fmt: skip
    }


def _poor(village, **overrides):
    members = overrides.pop("members", None) or [member_data(wage_income=0),
                                                 member_data(relation=c.Relation.SPOUSE, wage_income=0)]  # fmt: skip
    return make_household(village=village, members=members, **overrides)


def test_a_policy_with_a_bad_condition_is_refused_and_nothing_is_saved(library):
    with pytest.raises(services.PolicyError, match="享受条件.*未知字段“salary”"):
        _policy("bad", {"field": "salary", "op": "lt", "value": 1})
    assert not Policy.objects.filter(code="bad").exists()


def test_a_member_condition_on_sex_takes_only_the_registrys_codes(library):
    with pytest.raises(services.PolicyError, match="“性别”没有代码“female”"):
        _policy("bad", {"member": {"field": "sex", "op": "eq", "value": "female"}})
    women = _policy("women", {"member": {"all": [{"field": "sex", "op": "eq", "value": "F"},
                                                 {"field": "veteran", "op": "eq", "value": True}]}})  # fmt: skip
    from jiuzhu.policies.describe import condition_text

    assert condition_text(women.condition) == "有家庭成员同时满足:性别为女;是退役军人"


def test_changing_a_policy_raises_its_version_and_keeps_who_changed_it(library):
    officer = UserFactory(role=Role.COUNTY_STAFF)
    policy = services.policy_save(actor=officer, code="dibao", data={"amount": "每人每月500元"})
    assert policy.version == 2 and policy.amount == "每人每月500元"
    assert policy.history.first().history_user == officer
    same = services.policy_save(actor=officer, code="dibao", data={"amount": "每人每月500元"})
    assert same.version == 2  # nothing changed, no new version


def test_only_the_county_bureau_edits_the_library(library):
    worker = UserFactory(role=Role.VILLAGE_WORKER)
    with pytest.raises(PermissionDenied):
        services.policy_save(actor=worker, code="dibao", data={"amount": "x"})


def test_a_household_sees_what_it_may_have_what_it_has_and_what_it_nearly_meets(library, village):
    household = _poor(village, housing_safety=c.HousingSafety.GRADE_D, deposits=Decimal("500000"),
                      assistance_received=["housing"])  # fmt: skip
    clerk = UserFactory.village_worker(village)
    m = selectors.household_matching(user=clerk, household_id=household.pk)
    assert [x.policy.code for x in m.receiving] == ["house"]
    assert [x.policy.code for x in m.near] == ["dibao"]  # below the standard, but savings
    assert m.near[0].failed_lines == ["财产在限额内"]
    assert m.to_receive == []


def test_a_disabled_member_makes_the_care_policy_due_with_the_reason_shown(library, village):
    household = _poor(village, members=[
        member_data(wage_income=50000),
        member_data(relation=c.Relation.CHILD, disability_type="physical", disability_grade=1,
                    wage_income=0),
    ])  # fmt: skip
    clerk = UserFactory.village_worker(village)
    m = selectors.household_matching(user=clerk, household_id=household.pk)
    due = {x.policy.code: x for x in m.to_receive}
    assert set(due) == {"care"}
    assert due["care"].met_lines == ["成员残疾等级属于1级、2级(各成员:0级、1级)"]


def test_a_household_outside_the_scope_cannot_be_matched(library, county, village):
    household = _poor(village)
    stranger = UserFactory(role=Role.VILLAGE_WORKER, regions=[county["villages"][-1].code])
    with pytest.raises(NotFound):
        selectors.household_matching(user=stranger, household_id=household.pk)


def test_policy_find_lists_the_eligible_who_do_not_receive_and_exports_them(
    library, county, village
):
    due = _poor(village, housing_safety=c.HousingSafety.GRADE_C)
    served = _poor(village, housing_safety=c.HousingSafety.GRADE_D, assistance_received=["housing"])
    _poor(county["villages"][1].code)  # safe housing: not eligible for the housing policy
    officer = UserFactory.county_staff()
    result = selectors.policy_find(user=officer)
    house = next(r for r in result.rows if r["policy"].code == "house")
    assert (house["eligible"], house["received"], house["missing"]) == (2, 1, 1)
    rows = selectors.find_rows(result=result, department="zhujian")
    assert [r["household"].pk for r in rows] == [due.pk]
    assert served.pk not in {r["household"].pk for r in rows}

    client = client_for(officer)
    response = client.get("/policies/find.xlsx?department=zhujian")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1][:3] == ["户编号", "户主姓名", "所在村(居)"]
    assert [v[0] for v in values[2:]] == [due.number]
    assert AccessLog.objects.filter(user=officer, object_type="policy_find").count() == 1


def test_a_village_worker_cannot_run_policy_find(library, village):
    worker = UserFactory.village_worker(village)
    client = client_for(worker)
    assert client.get("/policies/find/").status_code == 404
    assert client.get("/policies/find.xlsx").status_code == 404


def test_the_library_page_is_searchable_by_need_and_shows_conditions_in_chinese(library, village):
    client = client_for(UserFactory.village_worker(village))
    page = client.get("/policies/?need=nursing").content.decode()
    assert "测试政策care" in page and "测试政策dibao" not in page
    assert "有家庭成员残疾等级属于1级、2级" in page
    page = client.get("/policies/?q=住建").content.decode()
    assert "测试政策house" in page and "测试政策care" not in page
    detail = client.get("/policies/dibao/").content.decode()
    assert "低于低保标准" in detail and "财产在限额内" in detail


def test_the_household_page_lists_due_policies_with_their_reasons(library, village):
    household = _poor(village, housing_safety=c.HousingSafety.GRADE_D)
    client = client_for(UserFactory.village_worker(village))
    page = client.get(f"/policies/households/{household.pk}/").content.decode()
    due = page[page.index('id="to-receive"') : page.index('id="receiving"')]
    assert "测试政策house" in due and "测试政策dibao" in due
    assert "住房安全状况为" in due


def test_the_demo_library_is_complete_and_every_condition_is_valid():
    from jiuzhu.policies import library
    from jiuzhu.policies.models import DepartmentKind, Measure

    assert library.check() == []
    assert len(library.POLICIES) >= 40
    assert set(library.MEASURES) == set(Measure.values)
    assert set(library.DEPARTMENT_KINDS) == set(DepartmentKind.values)
    must = {"最低生活保障", "特困", "低保边缘", "急难型", "支出型", "医疗救助", "残疾人",
            "危房改造", "小额信贷", "防返贫", "就业"}  # fmt: skip
    names = " ".join(p["name"] for p in library.POLICIES)
    assert {m for m in must if m not in names} == set()


def test_loading_the_demo_library_twice_changes_no_version(county):
    first = services.library_load()
    versions = dict(Policy.objects.values_list("code", "version"))
    again = services.library_load()
    assert first == again and first["policies"] >= 40
    assert dict(Policy.objects.values_list("code", "version")) == versions
    assert set(versions.values()) == {1}


def test_the_policy_find_download_writes_a_formula_like_name_as_text(library, county, village):
    formula = '=HYPERLINK("http://x","y")'
    members = [member_data(name=formula, wage_income=0),
               member_data(relation=c.Relation.SPOUSE, wage_income=0)]  # fmt: skip
    _poor(village, housing_safety=c.HousingSafety.GRADE_C, members=members)
    officer = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    response = client_for(officer).get("/policies/find.xlsx?department=zhujian")
    sheet = load_workbook(io.BytesIO(response.content)).active
    (head,) = [row[1] for row in sheet.iter_rows(min_row=3)]
    assert (head.value, head.data_type) == (formula, "s")


def test_a_met_policy_with_an_any_group_reads_one_is_enough_without_a_cross(library, village):
    either = {"all": [{"field": "below_standard", "op": "eq", "value": True},
                      {"any": [{"field": "tag_tekun", "op": "eq", "value": True},
                               {"member": {"field": "age", "op": "ge", "value": 60}}]}]}  # fmt: skip
    _policy("elder", either, needs=("basic_living",))
    household = _poor(village, members=[
        member_data(wage_income=0, name="测试甲", id_number=make_id_number(birth=dt.date(1985, 3, 1))),
        member_data(relation=c.Relation.PARENT, wage_income=0, name="测试乙",
                    id_number=make_id_number(birth=dt.date(1950, 3, 1))),
    ])  # fmt: skip
    client = client_for(UserFactory.village_worker(village))
    page = client.get(f"/policies/households/{household.pk}/").content.decode()
    due = page[page.index('id="to-receive"') : page.index('id="receiving"')]
    elder = due[due.index('data-policy="elder"') :]
    elder = elder[: elder.index("</article>")]
    assert "满足其一" in elder
    assert "父母测试乙" in elder and "不低于 60岁" in elder
    assert "✗" not in elder and 'class="unmet"' not in elder
    assert '<li class="muted">' in elder and "是特困人员" not in elder.split("muted")[0]
    assert "tag_tekun" not in elder and "below_standard" not in elder
