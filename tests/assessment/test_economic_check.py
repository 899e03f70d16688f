"""The economic check against a county's asset limits: a household's deposits (存款)
and motor vehicles (机动车), as stored, decide whether its assets are allowed, and the
assessment page shows the verdict."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiuzhu.assessment.models import Assessment
from jiuzhu.households import choices as c
from jiuzhu.households import services
from jiuzhu.households.models import Household
from tests.factories import EconomicStandardFactory, UserFactory, make_household, member_data
from tests.support.clients import client_for, page_text

pytestmark = pytest.mark.core


@pytest.fixture
def worker(village):
    return UserFactory.village_worker(village, display_name="财产测试员")


def _poor_household(village, **fields) -> Household:
    """Two members with no income at all, so the household is far below 低保."""
    members = [member_data(wage_income=0), member_data(relation=c.Relation.SPOUSE, wage_income=0)]
    return make_household(village=village, members=members, **fields)


def _latest(household) -> Assessment:
    return Assessment.objects.latest_only().get(household=household)


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
    officer = UserFactory.county_staff()
    EconomicStandardFactory(county=county["county"], asset_limit_per_person=10000, vehicle_limit=1)
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
    client = client_for(worker)
    page = page_text(client.get(f"/assessment/households/{over.pk}/"))
    lines = page[page.index('id="economic-lines"') :]
    assert "存款123,456元(限额72,000元),机动车0辆:财产超过限额" in lines
    verdict = page[page.index('id="assets"') :]
    assert verdict.index("存款或机动车超过限额") < verdict.index("</dd>")
    page = page_text(client.get(f"/assessment/households/{under.pk}/"))
    assert "存款3,000元(限额72,000元),机动车0辆:财产符合" in page
    verdict = page[page.index('id="assets"') :]
    assert verdict.index("存款、机动车在限额内") < verdict.index("</dd>")
