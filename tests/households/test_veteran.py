"""Veterans (退役军人): a member flag recorded on the home-visit page, the API and
ledgers, generated for the demo county, usable in policy conditions (with the
member's sex), and required by the demo library's 困难退役军人帮扶援助."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import polars as pl
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jiuzhu.accounts.models import Role
from jiuzhu.assessment import batch
from jiuzhu.assessment.inputs import from_json, household_input
from jiuzhu.core.idnumber import age_on
from jiuzhu.demo import generator
from jiuzhu.engine.conditions import Test as ConditionTest
from jiuzhu.households import choices as c
from jiuzhu.households import spreadsheets
from jiuzhu.households.models import Household, Member
from jiuzhu.policies import describe, library, selectors, services
from jiuzhu.policies.describe import condition_text
from jiuzhu.policies.matching import match_region
from jiuzhu.policies.models import Policy
from tests.factories import UserFactory, make_household, make_id_number, member_data
from tests.households.test_api import login as api_login
from tests.households.test_api import payload
from tests.households.test_households import edit_post, existing_rows, household_post, members_post
from tests.households.test_spreadsheets import hh, mem, preview, xlsx

pytestmark = pytest.mark.core

LABEL = "退役军人"
HEADER = "是否退役军人"
TUIYI = "tuiyi-junren-kunnan-bangfu"
LIANGAI = "liangai-jiuzhu"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # uploaded ledgers


@pytest.fixture
def village(county):
    return county["villages"][0].code


@pytest.fixture
def worker(village):
    return UserFactory(role=Role.VILLAGE_WORKER, regions=[village], display_name="退役测试员")


@pytest.fixture
def township_clerk(county):
    return UserFactory(role=Role.TOWNSHIP_STAFF, regions=[county["townships"][0].code])


def _page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _article(page: str, member: Member) -> str:
    start = page.index(f'id="member-{member.pk}"')
    return page[start : page.index("</article>", start)]


# --- the model ------------------------------------------------------------------------


def test_a_new_member_is_not_a_veteran():
    assert Member().veteran is False
    assert str(Member._meta.get_field("veteran").verbose_name) == LABEL


def test_an_insert_that_names_no_veteran_column_gets_false_from_the_database(village):
    """The demo generator and the benchmarks write members by COPY with explicit
    column lists: the database itself must fill the column they leave out."""
    source = make_household(village=village, members=[member_data(veteran=True)])
    member = source.members.get()
    columns = [f.column for f in Member._meta.concrete_fields if f.name not in ("id", "veteran")]
    qn = connection.ops.quote_name
    names = ", ".join(qn(col) for col in columns)
    given = {"id_hash": "copy-" + member.id_hash[:40], "relation": c.Relation.OTHER}
    values = ", ".join("%s" if col in given else qn(col) for col in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO households_member ({names}) "  # noqa: S608 - model names
            f"SELECT {values} FROM households_member WHERE id = %s",
            [*[given[col] for col in columns if col in given], member.pk],
        )
    copied = Member.objects.get(id_hash="copy-" + member.id_hash[:40])
    assert member.veteran is True and copied.veteran is False


# --- the home-visit page ----------------------------------------------------------------


def test_the_home_visit_form_saves_the_flag_and_the_pages_show_it(client, worker, village):
    client.force_login(worker)
    head = member_data(name="测试老兵", veteran=True)
    spouse = member_data(name="测试配偶", relation=c.Relation.SPOUSE)
    response = client.post(
        "/households/new/", {**household_post(village=village), **members_post([head, spouse])}
    )
    assert response.status_code == 302
    household = Household.objects.get()
    veteran = household.members.get(name="测试老兵")
    other = household.members.get(name="测试配偶")
    assert (veteran.veteran, other.veteran) == (True, False)
    assert veteran.history.get().veteran is True

    detail = _page(client.get(f"/households/{household.pk}/"))
    assert "<dt>退役军人</dt><dd>是</dd>" in _article(detail, veteran)
    assert "<dt>退役军人</dt><dd>否</dd>" in _article(detail, other)

    edit = _page(client.get(f"/households/{household.pk}/edit/"))
    boxes = re.findall(r'<input type="checkbox" name="m-(\d)-veteran"[^>]*>', edit)
    assert len(boxes) == 2
    checked = {
        m.group(1)
        for m in re.finditer(r'<input type="checkbox" name="m-(\d)-veteran"[^>]*checked', edit)
    }
    first = household.members.order_by("id").first()
    assert checked == ({"0"} if first == veteran else {"1"})
    assert LABEL in edit


def test_unticking_the_flag_on_the_edit_page_is_kept_in_the_change_history(client, worker, village):
    household = make_household(
        village=village, actor=worker, members=[member_data(name="测试老兵", veteran=True)]
    )
    client.force_login(worker)
    rows = existing_rows(household)
    assert rows[0]["veteran"] is True
    rows[0]["veteran"] = False
    response = client.post(f"/households/{household.pk}/edit/", edit_post(household, rows))
    assert response.status_code == 302
    assert household.members.get().veteran is False
    page = _page(client.get(f"/households/{household.pk}/"))
    history = page[page.index('id="history"') :]
    assert LABEL in history


# --- the API --------------------------------------------------------------------------


def test_the_api_creates_reads_and_patches_the_flag(worker, village):
    api = api_login(worker)
    members = [member_data(veteran=True), member_data(relation=c.Relation.SPOUSE)]
    response = api.post("/api/households", payload(village=village, members=members))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [m["veteran"] for m in body["members"]] == [True, False]
    household = Household.objects.get(pk=body["id"])
    head, spouse = household.members.order_by("id")
    assert (head.veteran, spouse.veteran) == (True, False)

    detail = api.get(f"/api/households/{household.pk}").json()
    assert {m["id"]: m["veteran"] for m in detail["members"]} == {head.pk: True, spouse.pk: False}

    # A patch that does not send the flag leaves it alone; one that sends it changes it.
    patched = api.patch(
        f"/api/households/{household.pk}", {"members": [{"id": head.pk, "wage_income": "100"}]}
    )
    assert patched.status_code == 200, patched.content
    head.refresh_from_db()
    assert head.veteran is True
    patched = api.patch(
        f"/api/households/{household.pk}",
        {"members": [{"id": head.pk, "veteran": False}, {"id": spouse.pk, "veteran": True}]},
    )
    assert patched.status_code == 200, patched.content
    assert {m["id"]: m["veteran"] for m in patched.json()["members"]} == {
        head.pk: False, spouse.pk: True
    }  # fmt: skip
    head.refresh_from_db()
    spouse.refresh_from_db()
    assert (head.veteran, spouse.veteran) == (False, True)


def test_the_api_defaults_the_flag_to_false_and_documents_it(worker, village):
    members = [{k: v for k, v in member_data().items() if k != "veteran"}]
    body = api_login(worker).post("/api/households", payload(village=village, members=members))
    assert body.status_code == 201, body.content
    assert body.json()["members"][0]["veteran"] is False
    components = Client().get("/api/openapi.json").json()["components"]["schemas"]
    for name in ("MemberIn", "MemberPatch", "MemberOut"):
        assert "veteran" in components[name]["properties"], name


def test_a_bad_flag_answers_422_naming_the_member_and_the_field(worker, village):
    api = api_login(worker)
    members = [member_data(veteran="当过兵")]
    response = api.post("/api/households", payload(village=village, members=members))
    assert response.status_code == 422, response.content
    assert "第1名成员 退役军人" in response.json()["detail"]
    assert "members.0.veteran" in response.json()["errors"]
    assert not Household.objects.exists()


# --- ledgers ------------------------------------------------------------------------


def _template(client) -> openpyxl.Workbook:
    response = client.get(reverse("households:import_template"))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_template_has_the_column_with_a_yes_no_list_an_example_and_a_note(
    client, township_clerk
):
    client.force_login(township_clerk)
    wb = _template(client)
    ws = wb["成员"]
    headers = [cell.value for cell in ws[1]]
    assert HEADER in headers and LABEL not in headers
    column = openpyxl.utils.get_column_letter(headers.index(HEADER) + 1)
    lists = [
        dv
        for dv in ws.data_validations.dataValidation
        if dv.type == "list" and any(str(r).startswith(f"{column}2:") for r in dv.sqref.ranges)
    ]
    assert [dv.formula1 for dv in lists] == ['"是,否"']
    examples = [row[headers.index(HEADER)] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert examples == ["是", "否", "否"]  # the example head served
    help_rows = [[cell.value for cell in row] for row in wb["填写说明"].iter_rows()]
    notes = {row[1]: row[3] for row in help_rows if row[0] == "成员"}
    assert "“是”或“否”" in notes[HEADER] and "不填视为“否”" in notes[HEADER]


def test_a_ledger_imports_yes_no_and_blank_and_the_export_writes_them_back(
    client, township_clerk, county
):
    village = county["villages"][0]
    data = xlsx(
        [hh(1, village, 家庭住址="老兵组1号")],
        [
            mem(1, "户主", "测试甲", **{HEADER: "是"}),
            mem(1, "配偶", "测试乙", **{HEADER: "否"}),
            mem(1, "子女", "测试丙", id_number=make_id_number(sex="M")),  # left blank
        ],
    )
    client.force_login(township_clerk)
    url, response = preview(client, data)
    assert response.context["good_count"] == 1, [p.text for p in response.context["problems"]]
    client.post(url)
    household = Household.objects.get(address="老兵组1号")
    assert dict(household.members.values_list("name", "veteran")) == {
        "测试甲": True, "测试乙": False, "测试丙": False
    }  # fmt: skip

    exported = b"".join(client.get(reverse("households:export")).streaming_content)
    rows = list(openpyxl.load_workbook(io.BytesIO(exported), read_only=True)["成员"].values)
    at, name_at = rows[0].index(HEADER), rows[0].index("姓名")
    assert {row[name_at]: row[at] for row in rows[1:]} == {
        "测试甲": "是", "测试乙": "否", "测试丙": "否"
    }  # fmt: skip
    _, m_sheet = spreadsheets.read_workbook(source=exported)
    assert "veteran" in m_sheet.index


@pytest.mark.parametrize("value", ["当过兵", "2", "是的"])
def test_a_bad_cell_is_reported_in_chinese_on_its_row_and_column_and_skips_the_household(
    township_clerk, county, value
):
    village = county["villages"][0]
    data = xlsx(
        [hh(1, village), hh(2, village)],
        [
            mem(1, "户主", "测试好"),  # row 2
            mem(2, "户主", "测试坏", **{HEADER: value}),  # row 3
        ],
    )
    report = spreadsheets.validate(source=data, user=township_clerk)
    assert [p.text for p in report.problems()] == [
        f"成员 第3行 {HEADER}:“{value}”无法识别,请填“是”或“否”"
    ]
    assert [h.key for h in report.good] == ["1"] and [h.key for h in report.bad] == ["2"]


def test_a_ledger_without_the_column_is_refused_naming_it(township_clerk, county):
    village = county["villages"][0]
    data = xlsx([hh(1, village)], [mem(1)], drop=(HEADER,))
    with pytest.raises(spreadsheets.SpreadsheetError, match=HEADER):
        spreadsheets.validate(source=data, user=township_clerk)


# --- the engine's inputs --------------------------------------------------------------


def test_both_matching_paths_read_the_members_sex_and_flag(village):
    household = make_household(
        village=village,
        members=[
            member_data(id_number=make_id_number(sex="M"), veteran=True),
            member_data(relation=c.Relation.SPOUSE, id_number=make_id_number(sex="F")),
        ],
    )
    h = household_input(Household.objects.get(pk=household.pk))
    assert [(m.sex, m.veteran) for m in h.members] == [("M", True), ("F", False)]

    frames = batch.load_region(village)
    assert frames.members.schema["veteran"] == pl.Boolean
    got = frames.members.filter(pl.col("household_id") == household.pk).sort("id")
    assert got.select(pl.col("sex").cast(pl.String), "veteran").rows() == [
        ("M", True), ("F", False)
    ]  # fmt: skip
    # The stored inputs (batch and single) carry both and read back as the same input.
    texts = batch.inputs_json(frames)
    ids = frames.households["household_id"].to_list()
    stored = json.loads(texts[ids.index(household.pk)])
    assert from_json(stored) == h


# --- the demo county -----------------------------------------------------------------


def test_the_demo_county_has_a_few_veterans_mostly_men_of_service_age(county):
    n = 1500
    generator.generate(households=n, seed=11)
    today = timezone.localdate()
    rows = [
        (sex, age_on(born, today), veteran)
        for sex, born, veteran in Member.objects.values_list("sex", "birth_date", "veteran")
    ]
    men = [r for r in rows if r[0] == "M" and r[1] >= 18]
    vets = [r for r in rows if r[2]]
    men_vets = [r for r in men if r[2]]
    assert 0.007 * len(men) < len(men_vets) < 0.03 * len(men)  # about 1–2 % of adult men
    assert all(age >= 22 for _, age, _ in vets)  # served after school, came home
    assert len(vets) - len(men_vets) <= len(vets) // 4  # women rarely


# --- conditions and the demo library -------------------------------------------------


def _library_policy(code: str) -> dict:
    return next(p for p in library.POLICIES if p["code"] == code)


def test_the_veteran_and_two_cancers_conditions_read_in_chinese():
    tuiyi = condition_text(_library_policy(TUIYI)["condition"])
    assert tuiyi.startswith("同时满足:有家庭成员是退役军人;")
    liangai = condition_text(_library_policy(LIANGAI)["condition"])
    assert "有家庭成员同时满足:性别等于女;年龄不低于18岁;年龄不超过64岁;疾病等于恶性肿瘤" in liangai


def _poor_members(**head):
    """A household with no income at all, so it is far below the 低保 edge."""
    return [
        member_data(wage_income=0, **head),
        member_data(relation=c.Relation.SPOUSE, wage_income=0),
    ]


@pytest.fixture
def loaded_library(county):
    services.library_load()
    return {p.code: p for p in Policy.objects.all()}


def test_only_a_household_with_a_veteran_is_found_for_the_veterans_policy(loaded_library, village):
    veteran = make_household(village=village, members=_poor_members(veteran=True))
    civilian = make_household(village=village, members=_poor_members())
    clerk = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])

    found = selectors.household_matching(user=clerk, household_id=veteran.pk)
    due = {m.policy.code: m for m in found.to_receive}
    assert TUIYI in due
    assert "成员是退役军人(各成员:是、否)" in due[TUIYI].met_lines
    missed = selectors.household_matching(user=clerk, household_id=civilian.pk)
    assert TUIYI not in {m.policy.code for m in missed.to_receive}
    near = {m.policy.code: m for m in missed.near}
    assert near[TUIYI].failed_lines == ["有家庭成员是退役军人"]

    match = match_region(village)
    eligible = dict(
        zip(match.eligible["household_id"].to_list(), match.eligible[TUIYI].to_list(), strict=True)
    )
    assert eligible == {veteran.pk: True, civilian.pk: False}


def test_only_a_woman_with_cancer_is_found_for_the_two_cancers_policy(loaded_library, village):
    def family(sex):
        """One person aged about 45, seriously ill with cancer, without income."""
        number = make_id_number(sex=sex, birth=dt.date(timezone.localdate().year - 45, 5, 1))
        ill = member_data(
            wage_income=0, disease="cancer", health_status="serious", id_number=number
        )
        return make_household(village=village, members=[ill])

    woman, man = family("F"), family("M")
    clerk = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])
    assert LIANGAI in {
        m.policy.code
        for m in selectors.household_matching(user=clerk, household_id=woman.pk).to_receive
    }
    missed = selectors.household_matching(user=clerk, household_id=man.pk)
    assert LIANGAI not in {m.policy.code for m in missed.to_receive}
    lines = next(m for m in missed.near if m.policy.code == LIANGAI).test_lines
    assert (False, "成员性别等于女(各成员:男)") in lines

    match = match_region(village)
    eligible = dict(
        zip(
            match.eligible["household_id"].to_list(), match.eligible[LIANGAI].to_list(), strict=True
        )
    )
    assert eligible == {woman.pk: True, man.pk: False}


def test_loading_the_library_updates_an_older_veterans_policy_and_raises_its_version(county):
    services.library_load()
    old = {"all": [{"any": [{"field": "below_edge", "op": "eq", "value": True}]}]}
    Policy.objects.filter(code=TUIYI).update(condition=old)  # as loaded before the change
    loaded = services.library_load()
    policy = Policy.objects.get(code=TUIYI)
    assert loaded["policies"] == len(library.POLICIES)
    assert policy.version == 2
    assert policy.condition == _library_policy(TUIYI)["condition"]
    assert {"member": {"field": "veteran", "op": "eq", "value": True}} in policy.condition["all"]
    assert Policy.objects.exclude(code=TUIYI).filter(version__gt=1).count() == 0


def test_a_test_line_names_every_members_flag():
    line = describe.test_text(
        ConditionTest("veteran", "eq", True, True, (False, True), member=True)
    )
    assert line == "成员是退役军人(各成员:否、是)"
