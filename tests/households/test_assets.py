"""Household deposits (存款) and motor vehicles (机动车): recorded on the home-visit
page, the API and ledgers, generated for the demo county, and checked against
the county's asset limits by the economic check."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from jiuzhu.accounts.models import Role
from jiuzhu.assessment.inputs import household_input
from jiuzhu.assessment.models import Assessment, EconomicStandard
from jiuzhu.demo import generator
from jiuzhu.engine.economic import DEFAULT_STANDARD
from jiuzhu.households import choices as c
from jiuzhu.households import services, spreadsheets
from jiuzhu.households.models import Household
from tests.factories import UserFactory, make_household, member_data
from tests.households.test_api import login as api_login
from tests.households.test_api import payload
from tests.households.test_households import edit_post, existing_rows, household_post, members_post
from tests.households.test_spreadsheets import preview

pytestmark = pytest.mark.core

DEPOSITS = "家庭存款及有价证券(元)"
VEHICLES = "机动车数量(辆)"
LIMIT = DEFAULT_STANDARD["asset_limit_per_person"]  # 36,000 yuan per person


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # uploaded ledgers


@pytest.fixture
def village(county):
    return county["villages"][0].code


@pytest.fixture
def worker(village):
    return UserFactory(role=Role.VILLAGE_WORKER, regions=[village], display_name="财产测试员")


@pytest.fixture
def township_clerk(county):
    township = county["townships"][0]
    return UserFactory(role=Role.TOWNSHIP_STAFF, regions=[township.code])


def _page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _poor(**overrides) -> dict:
    """A member with no income at all, so the household is far below 低保."""
    return member_data(wage_income=0, **overrides)


def _poor_household(village, **fields) -> Household:
    return make_household(
        village=village, members=[_poor(), _poor(relation=c.Relation.SPOUSE)], **fields
    )


def _latest(household) -> Assessment:
    return Assessment.objects.latest_only().get(household=household)


# --- the model ------------------------------------------------------------------------


def test_a_new_household_has_no_deposits_or_vehicles():
    household = Household()
    assert (household.deposits, household.vehicles) == (Decimal("0"), 0)
    assert str(Household._meta.get_field("deposits").verbose_name) == DEPOSITS
    assert str(Household._meta.get_field("vehicles").verbose_name) == VEHICLES


def test_an_insert_that_names_neither_column_gets_zero_from_the_database(village):
    """The demo generator and benchmark write households by COPY with explicit
    column lists: the database itself must fill columns they leave out."""
    source = make_household(village=village, deposits=Decimal("999"), vehicles=2)
    columns = [
        f.column
        for f in Household._meta.concrete_fields
        if f.name not in ("id", "deposits", "vehicles")
    ]
    qn = connection.ops.quote_name
    names = ", ".join(qn(col) for col in columns)
    values = ", ".join("%s" if col == "number" else qn(col) for col in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO households_household ({names}) "  # noqa: S608 - model names
            f"SELECT {values} FROM households_household WHERE id = %s",
            [source.number + "X", source.pk],
        )
    copied = Household.objects.get(number=source.number + "X")
    assert (copied.deposits, copied.vehicles) == (Decimal("0"), 0)


# --- the home-visit page ----------------------------------------------------------------


def test_the_home_visit_form_saves_deposits_and_vehicles_and_the_pages_show_them(
    client, worker, village
):
    client.force_login(worker)
    response = client.post(
        "/households/new/",
        {
            **household_post(village=village, deposits="12345.67", vehicles="1"),
            **members_post([member_data()]),
        },
    )
    assert response.status_code == 302
    household = Household.objects.get()
    assert (household.deposits, household.vehicles) == (Decimal("12345.67"), 1)
    assert household.history.get().deposits == Decimal("12345.67")

    detail = _page(client.get(f"/households/{household.pk}/"))
    assets = detail[detail.index("<h2>财产状况</h2>") : detail.index("<h2>刚性支出</h2>")]
    assert "存款及有价证券" in assets and "12345.67 元" in assets
    assert "机动车" in assets and "1 辆" in assets

    edit = _page(client.get(f"/households/{household.pk}/edit/"))
    block = edit[edit.index("<legend>财产状况</legend>") : edit.index("<legend>刚性支出</legend>")]
    assert DEPOSITS in block and VEHICLES in block
    assert 'name="deposits"' in block and 'value="12345.67"' in block
    assert 'name="vehicles"' in block and "不含残疾人代步车、农用车" in block


def test_the_detail_page_says_no_vehicle_when_there_is_none(client, worker, village):
    household = make_household(village=village)
    client.force_login(worker)
    detail = _page(client.get(f"/households/{household.pk}/"))
    assert "<dt>机动车</dt><dd>无</dd>" in detail
    assert "<dt>存款及有价证券</dt><dd>0 元</dd>" in detail


def test_editing_deposits_on_the_page_is_kept_in_the_change_history(client, worker, village):
    household = make_household(village=village, actor=worker)
    client.force_login(worker)
    response = client.post(
        f"/households/{household.pk}/edit/",
        edit_post(household, existing_rows(household), deposits="80000", vehicles="2"),
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.deposits, household.vehicles) == (Decimal("80000"), 2)
    page = _page(client.get(f"/households/{household.pk}/"))
    assert DEPOSITS in page[page.index('id="history"') :]


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [("deposits", "-1", DEPOSITS), ("vehicles", "-1", VEHICLES), ("deposits", "很多", DEPOSITS)],
)
def test_a_bad_amount_on_the_page_names_the_field_and_saves_nothing(
    client, worker, village, field, value, label
):
    client.force_login(worker)
    response = client.post(
        "/households/new/",
        {**household_post(village=village, **{field: value}), **members_post([member_data()])},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    page = _page(response)
    assert label in page and "field-error" in page
    assert not Household.objects.exists()


# --- the API --------------------------------------------------------------------------


def test_the_api_creates_reads_and_patches_deposits_and_vehicles(worker, village):
    api = api_login(worker)
    response = api.post(
        "/api/households", payload(village=village, deposits="50000.50", vehicles=1)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert Decimal(body["deposits"]) == Decimal("50000.50") and body["vehicles"] == 1
    household = Household.objects.get(pk=body["id"])
    assert (household.deposits, household.vehicles) == (Decimal("50000.50"), 1)

    detail = api.get(f"/api/households/{household.pk}").json()
    assert Decimal(detail["deposits"]) == Decimal("50000.50") and detail["vehicles"] == 1

    patched = api.patch(f"/api/households/{household.pk}", {"deposits": "1200"})
    assert patched.status_code == 200, patched.content
    assert Decimal(patched.json()["deposits"]) == 1200
    assert patched.json()["vehicles"] == 1  # not sent, not changed
    household.refresh_from_db()
    assert (household.deposits, household.vehicles) == (Decimal("1200"), 1)
    assert api.patch(f"/api/households/{household.pk}", {"vehicles": 0}).json()["vehicles"] == 0


def test_the_api_defaults_both_to_zero(worker, village):
    body = api_login(worker).post("/api/households", payload(village=village)).json()
    assert Decimal(body["deposits"]) == 0 and body["vehicles"] == 0


def test_the_api_schema_documents_both_fields(worker):
    schema = Client().get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    for name in ("HouseholdIn", "HouseholdPatch", "HouseholdDetailOut"):
        assert {"deposits", "vehicles"} <= set(components[name]["properties"]), name


@pytest.mark.parametrize(
    ("body", "label", "path"),
    [
        ({"deposits": "-100"}, DEPOSITS, "deposits"),
        ({"vehicles": -1}, VEHICLES, "vehicles"),
        ({"deposits": "很多"}, DEPOSITS, "deposits"),
        ({"vehicles": 1.5}, VEHICLES, "vehicles"),
    ],
)
def test_a_bad_deposit_or_vehicle_count_answers_422_naming_the_field(
    worker, village, body, label, path
):
    api = api_login(worker)
    response = api.post("/api/households", payload(village=village, **body))
    assert response.status_code == 422, response.content
    assert label in response.json()["detail"]
    assert path in response.json()["errors"]
    assert not Household.objects.exists()

    household = make_household(village=village, deposits=Decimal("300"))
    response = api.patch(f"/api/households/{household.pk}", body)
    assert response.status_code == 422, response.content
    assert label in response.json()["detail"]
    household.refresh_from_db()
    assert household.deposits == Decimal("300") and household.vehicles == 0


# --- ledgers ------------------------------------------------------------------------


def _template(client) -> openpyxl.Workbook:
    response = client.get(reverse("households:import_template"))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_template_has_both_columns_with_an_example_and_notes(client, township_clerk):
    client.force_login(township_clerk)
    wb = _template(client)
    headers = [cell.value for cell in wb["家庭"][1]]
    assert DEPOSITS in headers and VEHICLES in headers
    example = {h: cell.value for h, cell in zip(headers, wb["家庭"][2], strict=True)}
    assert float(example[DEPOSITS]) == 4500 and example[VEHICLES] == 0
    help_rows = [[cell.value for cell in row] for row in wb["填写说明"].iter_rows()]
    notes = {row[1]: row[3] for row in help_rows if row[0] == "家庭"}
    assert "不填视为0" in notes[DEPOSITS] and "整数" in notes[VEHICLES]


def test_a_filled_template_imports_deposits_and_vehicles_and_exports_them(client, township_clerk):
    client.force_login(township_clerk)
    wb = _template(client)
    ws = wb["家庭"]
    headers = [cell.value for cell in ws[1]]
    ws.cell(row=2, column=headers.index(DEPOSITS) + 1, value=80000.5)
    ws.cell(row=2, column=headers.index(VEHICLES) + 1, value="1")
    ws.cell(row=2, column=headers.index("家庭住址") + 1, value="财产组1号")
    out = io.BytesIO()
    wb.save(out)

    url, response = preview(client, out.getvalue())
    assert response.context["good_count"] == 1, [p.text for p in response.context["problems"]]
    client.post(url)
    household = Household.objects.get(address="财产组1号")
    assert (household.deposits, household.vehicles) == (Decimal("80000.50"), 1)

    data = b"".join(client.get(reverse("households:export")).streaming_content)
    rows = list(openpyxl.load_workbook(io.BytesIO(data), read_only=True)["家庭"].values)
    exported = dict(zip(rows[0], rows[1], strict=False))
    assert float(exported[DEPOSITS]) == 80000.5 and exported[VEHICLES] == 1
    # The export reads back as an import file, new columns included.
    hh_sheet, _ = spreadsheets.read_workbook(source=data)
    assert {"deposits", "vehicles"} <= set(hh_sheet.index)


def test_a_negative_deposit_cell_is_reported_on_its_row_and_column(client, township_clerk):
    client.force_login(township_clerk)
    wb = _template(client)
    ws = wb["家庭"]
    headers = [cell.value for cell in ws[1]]
    ws.cell(row=2, column=headers.index(DEPOSITS) + 1, value=-5)
    ws.cell(row=2, column=headers.index(VEHICLES) + 1, value="两辆")
    out = io.BytesIO()
    wb.save(out)
    url, response = preview(client, out.getvalue())
    texts = [p.text for p in response.context["problems"]]
    assert any(t.startswith(f"家庭 第2行 {DEPOSITS}:") for t in texts), texts
    assert any(t.startswith(f"家庭 第2行 {VEHICLES}:") for t in texts), texts
    client.post(url)
    assert not Household.objects.exists()


# --- the economic check -------------------------------------------------------------


def test_deposits_under_the_limit_pass_the_asset_check(village):
    household = _poor_household(village, deposits=Decimal("50000"))  # limit 2 × 36,000
    row = _latest(household)
    assert row.inputs["deposits"] == 50000.0 and row.inputs["vehicles"] == 0
    last = row.reasons["economic"][-1]
    assert last == "存款50,000元(限额72,000元),机动车0辆:财产符合"
    assert row.circle == 2  # no status tag, but below 低保 and assets allowed
    assert "财产符合" in row.reasons["circle"]


@pytest.mark.parametrize(
    ("deposits", "vehicles"), [(Decimal("72000.01"), 0), (Decimal("0"), 1), (Decimal("90000"), 2)]
)
def test_deposits_over_the_limit_or_a_vehicle_fail_the_asset_check(village, deposits, vehicles):
    household = _poor_household(village, deposits=deposits, vehicles=vehicles)
    row = _latest(household)
    last = row.reasons["economic"][-1]
    assert last.endswith("财产超过限额"), last
    assert f"机动车{vehicles}辆" in last and "限额72,000元" in last
    assert row.circle != 2  # below 低保, but its assets rule out the second circle
    assert row.below_standard  # the income check itself is unchanged


def test_the_county_limits_decide_and_an_edit_reassesses(county, village):
    officer = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    EconomicStandard.objects.create(
        county_id=county["county"], asset_limit_per_person=10000, vehicle_limit=1
    )
    household = _poor_household(village, deposits=Decimal("15000"), vehicles=1)
    assert _latest(household).reasons["economic"][-1].endswith("财产符合")
    services.household_update(
        actor=officer, household=household, fields={"deposits": Decimal("20000.01")}
    )
    line = _latest(household).reasons["economic"][-1]
    assert line == "存款20,000元(限额20,000元),机动车1辆:财产超过限额"


def test_the_assessment_page_shows_the_real_deposits_and_the_verdict(village, worker):
    over = _poor_household(village, deposits=Decimal("123456"))
    under = _poor_household(village, deposits=Decimal("3000"))
    client = Client()
    client.force_login(worker)
    page = _page(client.get(f"/assessment/households/{over.pk}/"))
    lines = page[page.index('id="economic-lines"') :]
    assert "存款123,456元(限额72,000元),机动车0辆:财产超过限额" in lines
    verdict = page[page.index('id="assets"') :]
    assert verdict.index("存款或机动车超过限额") < verdict.index("</dd>")
    page = _page(client.get(f"/assessment/households/{under.pk}/"))
    assert "存款3,000元(限额72,000元),机动车0辆:财产符合" in page
    verdict = page[page.index('id="assets"') :]
    assert verdict.index("存款、机动车在限额内") < verdict.index("</dd>")


def test_the_engine_input_carries_the_stored_values(village):
    household = make_household(village=village, deposits=Decimal("1234.56"), vehicles=3)
    h = household_input(Household.objects.get(pk=household.pk))
    assert (h.deposits, h.vehicles) == (1234.56, 3)
    assert isinstance(h.deposits, float) and isinstance(h.vehicles, int)
    json.dumps(_latest(household).inputs)  # stored as plain JSON numbers


# --- the demo county -----------------------------------------------------------------


def test_the_demo_county_has_realistic_deposits_and_a_few_vehicles(county):
    n = 1500
    generator.generate(households=n, seed=5)
    rows = list(Household.objects.values_list("deposits", "vehicles", "member_count"))
    assert len(rows) == n
    zero = sum(1 for d, _, _ in rows if d == 0)
    over = sum(1 for d, _, size in rows if d > Decimal(LIMIT) * size)
    cars = sum(1 for _, v, _ in rows if v)
    assert 0.25 * n < zero < 0.65 * n  # many hold nothing at all
    saved = sorted(d for d, _, _ in rows if d > 0)
    assert Decimal(1000) < saved[len(saved) // 2] < Decimal(20000)  # a few thousand yuan
    assert 0.005 * n < over < 0.06 * n  # a small share over the county limit
    assert 0.03 * n < cars < 0.10 * n
    assert {v for _, v, _ in rows} <= {0, 1}
    assert all(d == d.to_integral_value() and d % 100 == 0 for d, _, _ in rows)
