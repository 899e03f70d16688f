"""Veterans (退役军人): a member flag recorded on the home-visit page, the API and
ledgers. (The engine's inputs are in tests/assessment/test_inputs.py, the demo
county's veterans in tests/demo/test_population.py, the policies that need the flag
in tests/policies/test_veteran_policies.py.)"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from jiuzhu.households import choices as c
from jiuzhu.households import spreadsheets
from jiuzhu.households.models import Household, Member
from tests.factories import UserFactory, make_household, make_id_number, member_data
from tests.support.clients import api_login, household_payload, page_text
from tests.support.forms import edit_post, existing_rows, household_post, members_post
from tests.support.sheets import hh, import_template, mem, preview, xlsx

pytestmark = pytest.mark.core

LABEL = "退役军人"
HEADER = "是否退役军人"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # uploaded ledgers


@pytest.fixture
def worker(village):
    return UserFactory.village_worker(village, display_name="退役测试员")


@pytest.fixture
def township_clerk(county):
    return UserFactory.township_staff(county["townships"][0])


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

    detail = page_text(client.get(f"/households/{household.pk}/"))
    assert "<dt>退役军人</dt><dd>是</dd>" in _article(detail, veteran)
    assert "<dt>退役军人</dt><dd>否</dd>" in _article(detail, other)

    edit = page_text(client.get(f"/households/{household.pk}/edit/"))
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
    page = page_text(client.get(f"/households/{household.pk}/"))
    history = page[page.index('id="history"') :]
    assert LABEL in history


# --- the API --------------------------------------------------------------------------


def test_the_api_creates_reads_and_patches_the_flag(worker, village):
    api = api_login(worker)
    members = [member_data(veteran=True), member_data(relation=c.Relation.SPOUSE)]
    response = api.post("/api/households", household_payload(village=village, members=members))
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
    body = api_login(worker).post(
        "/api/households", household_payload(village=village, members=members)
    )
    assert body.status_code == 201, body.content
    assert body.json()["members"][0]["veteran"] is False
    components = Client().get("/api/openapi.json").json()["components"]["schemas"]
    for name in ("MemberIn", "MemberPatch", "MemberOut"):
        assert "veteran" in components[name]["properties"], name


def test_a_bad_flag_answers_422_naming_the_member_and_the_field(worker, village):
    api = api_login(worker)
    members = [member_data(veteran="当过兵")]
    response = api.post("/api/households", household_payload(village=village, members=members))
    assert response.status_code == 422, response.content
    assert "第1名成员 退役军人" in response.json()["detail"]
    assert "members.0.veteran" in response.json()["errors"]
    assert not Household.objects.exists()


# --- ledgers ------------------------------------------------------------------------


def test_the_template_has_the_column_with_a_yes_no_list_an_example_and_a_note(
    client, township_clerk
):
    client.force_login(township_clerk)
    wb = import_template(client)
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
