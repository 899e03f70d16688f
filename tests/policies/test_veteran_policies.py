"""Policies for veterans (退役军人) and women with cancer (两癌): conditions on a member's
flag and sex read in Chinese, and the demo library's 困难退役军人帮扶援助 and 两癌救助
find exactly the households they are for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.engine.conditions import Test as ConditionTest
from jiuzhu.households import choices as c
from jiuzhu.policies import describe, library, selectors, services
from jiuzhu.policies.describe import condition_text
from jiuzhu.policies.matching import match_region
from jiuzhu.policies.models import Policy
from tests.factories import UserFactory, make_household, make_id_number, member_data

pytestmark = pytest.mark.core

TUIYI = "tuiyi-junren-kunnan-bangfu"
LIANGAI = "liangai-jiuzhu"


def _library_policy(code: str) -> dict:
    return next(p for p in library.POLICIES if p["code"] == code)


def test_the_veteran_and_two_cancers_conditions_read_in_chinese():
    tuiyi = condition_text(_library_policy(TUIYI)["condition"])
    assert tuiyi.startswith("同时满足:有家庭成员是退役军人;")
    liangai = condition_text(_library_policy(LIANGAI)["condition"])
    assert "有家庭成员同时满足:性别为女;年龄不低于18岁;年龄不超过64岁;疾病为恶性肿瘤" in liangai


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
    clerk = UserFactory.village_worker(village)

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
    clerk = UserFactory.village_worker(village)
    assert LIANGAI in {
        m.policy.code
        for m in selectors.household_matching(user=clerk, household_id=woman.pk).to_receive
    }
    missed = selectors.household_matching(user=clerk, household_id=man.pk)
    assert LIANGAI not in {m.policy.code for m in missed.to_receive}
    lines = next(m for m in missed.near if m.policy.code == LIANGAI).test_lines
    assert (False, "成员性别为女(各成员:男)") in lines

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
