"""What a department delivered through a referral (转介 已帮扶, 已反馈, 已结案) counts as
received, exactly like a receipt code in 指标27: in 一户一策, in 政策找人 and in the
quarterly push, which therefore does not send the same policy again."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.test import Client

from jiuzhu.accounts.models import Role
from jiuzhu.households import choices as c
from jiuzhu.policies import selectors, services
from jiuzhu.policies.matching import DELIVERED, delivered_pairs, match_region, received_frame
from jiuzhu.policies.models import Department, Policy
from jiuzhu.referrals import services as referral_services
from jiuzhu.referrals import workflow as wf
from jiuzhu.referrals.models import Referral
from jiuzhu.regions.models import Level, Region
from tests.factories import UserFactory, make_household, member_data

pytestmark = [pytest.mark.core, pytest.mark.django_db]

UNSAFE = {"field": "housing_safety", "op": "in", "value": ["c", "d"]}
ALL_STATUSES = [str(s) for s in wf.Status]


def _policy(code, *, department, receipt=""):
    return services.policy_save(actor=None, code=code, data={
        "name": f"测试政策{code}", "department": department, "measure": "housing",
        "needs": ["housing"], "condition": UNSAFE, "benefit": "改造危房", "legal_basis": "测试依据",
        "receipt_code": receipt, "valid_from": dt.date(2024, 1, 1),
    })  # fmt: skip


@pytest.fixture
def library():
    for code, name in (("zhujian", "县住建局"), ("minzheng", "县民政局")):
        Department.objects.create(code=code, name=name, short_name=name[1:3], kind="government")
    return {
        # Received by 指标27's 危房改造 code, or by referral.
        "house": _policy("house", department="zhujian", receipt=c.Assistance.HOUSING),
        # No receipt code at all: only a referral can mark it received.
        "visit": _policy("visit", department="minzheng"),
    }


@pytest.fixture
def village(county):
    return county["villages"][0].code


def _unsafe(village, **fields):
    members = [member_data(wage_income=0), member_data(relation=c.Relation.SPOUSE, wage_income=0)]
    return make_household(
        village=village, members=members, housing_safety=c.HousingSafety.GRADE_D, **fields
    )


def _referral(household, policy, status) -> Referral:
    return Referral.objects.create(
        household=household, village_id=household.village_id,
        department_id=policy.department_id, policy=policy, status=status,
    )  # fmt: skip


def _received(match, policy_code: str) -> dict[int, bool]:
    frame = match.received
    return dict(zip(frame["household_id"].to_list(), frame[policy_code].to_list(), strict=True))


def _per_household(user, household) -> dict[str, str]:
    """policy code → which group of 一户一策 it falls in."""
    m = selectors.household_matching(user=user, household_id=household.pk)
    groups = {"to": m.to_receive, "in": m.receiving, "near": m.near, "review": m.review}
    return {x.policy.code: name for name, xs in groups.items() for x in xs}


# --- both paths, every status ------------------------------------------------------------


def test_the_delivered_statuses_are_those_after_the_department_assisted():
    assert set(DELIVERED) == {wf.Status.ASSISTED, wf.Status.FEEDBACK_GIVEN, wf.Status.DONE}
    assert set(DELIVERED) <= set(wf.STATUS_LABELS)


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_a_referral_counts_as_received_once_the_department_assisted(library, village, status):
    served, other = _unsafe(village), _unsafe(village)
    _referral(served, library["house"], status)
    delivered = status in DELIVERED

    match = match_region(village)
    assert _received(match, "house") == {served.pk: delivered, other.pk: False}
    assert _received(match, "visit") == {served.pk: False, other.pk: False}
    missing = set(match.missing(["house"]).iter_rows())
    assert ((served.pk, "house") in missing) is not delivered
    assert (other.pk, "house") in missing

    clerk = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])
    assert _per_household(clerk, served)["house"] == ("in" if delivered else "to")
    assert _per_household(clerk, served)["visit"] == "to"
    assert _per_household(clerk, other)["house"] == "to"


def test_a_policy_without_a_receipt_code_can_be_received_by_referral(library, village):
    household = _unsafe(village)
    _referral(household, library["visit"], wf.Status.DONE)
    assert _received(match_region(village), "visit") == {household.pk: True}
    clerk = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])
    m = selectors.household_matching(user=clerk, household_id=household.pk)
    received = {x.policy.code: x for x in m.receiving}
    assert set(received) == {"visit"} and received["visit"].by_referral
    assert [x.policy.code for x in m.to_receive] == ["house"]
    assert not m.to_receive[0].by_referral


def test_the_receipt_code_still_counts_without_any_referral(library, village):
    household = _unsafe(village, assistance_received=[c.Assistance.HOUSING])
    assert _received(match_region(village), "house") == {household.pk: True}
    clerk = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])
    m = selectors.household_matching(user=clerk, household_id=household.pk)
    assert [(x.policy.code, x.by_referral) for x in m.receiving] == [("house", False)]


def test_a_delivered_referral_no_longer_met_asks_for_review(library, village):
    household = make_household(village=village)  # safe housing: not eligible
    _referral(household, library["house"], wf.Status.FEEDBACK_GIVEN)
    clerk = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])
    assert _per_household(clerk, household)["house"] == "review"
    match = match_region(village)
    assert _received(match, "house") == {household.pk: True}
    house = next(row for row in match.summary() if row["policy"].code == "house")
    assert (house["eligible"], house["received"]) == (0, 0)  # received, not eligible: not counted


def test_both_paths_agree_household_by_household(library, county):
    villages = [v.code for v in county["villages"][:2]]
    made = []
    statuses = iter(ALL_STATUSES * 2)
    for i in range(10):
        household = _unsafe(villages[i % 2]) if i % 3 else make_household(village=villages[i % 2])
        made.append(household)
        if i % 4 != 3:
            policy = library["house"] if i % 2 else library["visit"]
            _referral(household, policy, next(statuses))
    officer = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    match = match_region(None)
    for household in made:
        groups = _per_household(officer, household)
        for code in ("house", "visit"):
            received = _received(match, code)[household.pk]
            assert (groups.get(code) in ("in", "review")) is received, (household.pk, code)


# --- 政策找人 and its pages -----------------------------------------------------------------


def test_policy_find_no_longer_lists_a_household_whose_referral_was_fed_back(
    library, county, village
):
    due, served = _unsafe(village), _unsafe(village)
    _referral(served, library["house"], wf.Status.FEEDBACK_GIVEN)
    officer = UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])
    result = selectors.policy_find(user=officer)
    house = next(r for r in result.rows if r["policy"].code == "house")
    assert (house["eligible"], house["received"], house["missing"]) == (2, 1, 1)
    rows = selectors.find_rows(result=result, department="zhujian")
    assert [r["household"].pk for r in rows] == [due.pk]

    client = Client()
    client.force_login(officer)
    page = client.get("/policies/find/").content.decode()
    row = page[page.index('<tr data-policy="house">') :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">2</td><td class="num">1</td><td class="num missing">1</td>' in row


def test_the_household_page_says_the_department_delivered_it(library, village):
    household = _unsafe(village)
    _referral(household, library["house"], wf.Status.ASSISTED)
    client = Client()
    client.force_login(UserFactory(role=Role.VILLAGE_WORKER, regions=[village]))
    page = client.get(f"/policies/households/{household.pk}/").content.decode()
    receiving = page[page.index('id="receiving"') :]
    receiving = receiving[: receiving.index("</section>")]
    assert "测试政策house" in receiving and "住建已通过转介帮扶" in receiving
    due = page[page.index('id="to-receive"') : page.index('id="receiving"')]
    assert "测试政策house" not in due and "已通过转介帮扶" not in due


# --- the quarterly push -------------------------------------------------------------------


def test_the_next_quarter_does_not_push_what_a_department_fed_back(library, village):
    due, served = _unsafe(village), _unsafe(village)
    first = referral_services.referral_push_quarter(quarter="2026Q1")
    assert first == {"zhujian": 2, "minzheng": 2}
    pushed = Referral.objects.get(quarter="2026Q1", household=served, policy=library["house"])

    officer = UserFactory(role=Role.DEPARTMENT_OFFICER, department="zhujian")
    for action, note in (("accept", ""), ("review", ""), ("assist", "已纳入危房改造"),
                         ("feedback", "改造完成")):  # fmt: skip
        pushed = referral_services.referral_transition(
            actor=officer, referral=pushed, action=action, note=note
        )
    assert pushed.status == wf.Status.FEEDBACK_GIVEN

    second = referral_services.referral_push_quarter(quarter="2026Q2")
    assert second == {"zhujian": 1, "minzheng": 2}
    sent = set(
        Referral.objects.filter(quarter="2026Q2").values_list("household_id", "policy__code")
    )
    assert sent == {(due.pk, "house"), (due.pk, "visit"), (served.pk, "visit")}


def test_a_referral_still_with_the_department_does_not_stop_the_next_push(library, village):
    household = _unsafe(village)
    _referral(household, library["house"], wf.Status.REVIEWED)
    assert referral_services.referral_push_quarter(quarter="2026Q3") == {
        "zhujian": 1, "minzheng": 1
    }  # fmt: skip


# --- the pieces ---------------------------------------------------------------------------


def test_delivered_pairs_reads_each_pair_once_within_the_region(library, county):
    first, second = county["villages"][0], county["villages"][-1]
    group = Region.objects.filter(parent=first, level=Level.GROUP).order_by("code").first()
    in_group = _unsafe(first.code, group=group)
    outside_group = _unsafe(first.code)
    elsewhere = _unsafe(second.code)
    for household in (in_group, outside_group, elsewhere):
        _referral(household, library["house"], wf.Status.DONE)
    _referral(in_group, library["house"], wf.Status.ASSISTED)  # the same pair again
    _referral(in_group, library["visit"], wf.Status.SENT)  # not delivered
    Referral.objects.create(
        household=elsewhere, village_id=second.code, department_id="minzheng", status=wf.Status.DONE
    )  # no policy

    def pairs(code):
        return sorted(delivered_pairs(code).iter_rows())

    assert pairs(None) == sorted(
        [(in_group.pk, "house"), (outside_group.pk, "house"), (elsewhere.pk, "house")]
    )
    assert pairs(first.code) == sorted([(in_group.pk, "house"), (outside_group.pk, "house")])
    assert pairs(first.parent_id) == pairs(first.code)  # its township (no other household)
    assert pairs(group.code) == [(in_group.pk, "house")]
    assert delivered_pairs(second.code).schema == {"household_id": pl.Int64, "policy": pl.String}


def test_received_frame_keeps_the_household_order_and_ignores_other_policies():
    house = Policy(code="house", receipt_code="housing")
    visit = Policy(code="visit", receipt_code="")
    households = pl.DataFrame(
        {"household_id": [30, 10, 20, 40],
         "assistance_received": [["housing"], [], ["dibao"], []]},
        schema={"household_id": pl.Int64, "assistance_received": pl.List(pl.String)},
    )  # fmt: skip
    delivered = pl.DataFrame(
        {"household_id": [20, 20, 40, 99], "policy": ["visit", "elsewhere", "house", "house"]}
    )
    frame = received_frame(households, [house, visit], delivered)
    assert frame.columns == ["household_id", "house", "visit"]
    assert frame.rows() == [
        (30, True, False), (10, False, False), (20, False, True), (40, True, False)
    ]  # fmt: skip
    empty = delivered.clear()
    assert received_frame(households, [house, visit], empty).rows() == [
        (30, True, False), (10, False, False), (20, False, False), (40, False, False)
    ]  # fmt: skip
