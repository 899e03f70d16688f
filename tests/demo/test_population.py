"""The demo county's people (demo.population): how much they saved, their vehicles,
and who served in the army, drawn in proportions like a real registry's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from jiuzhu.core.idnumber import age_on
from jiuzhu.demo import generator
from jiuzhu.engine.economic import DEFAULT_STANDARD
from jiuzhu.households.models import Household, Member

pytestmark = pytest.mark.core

LIMIT = DEFAULT_STANDARD["asset_limit_per_person"]  # 36,000 yuan per person


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
