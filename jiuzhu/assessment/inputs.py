"""Turn a stored household into the engine's plain input (and back to JSON)."""

from __future__ import annotations

import dataclasses

from django.utils import timezone

from jiuzhu.core.idnumber import age_on
from jiuzhu.engine.inputs import HouseholdInput, MemberInput
from jiuzhu.households.models import Household
from jiuzhu.regions.models import village_kind

from .models import ElderlyAssessment

MEMBER_KEYS = [f.name for f in dataclasses.fields(MemberInput)]
HOUSEHOLD_KEYS = [
    f.name for f in dataclasses.fields(HouseholdInput) if f.name not in ("members", "extra")
]


def household_input(
    household: Household, *, elderly_levels: dict[int, int] | None = None
) -> HouseholdInput:
    """Read the household and its members as the engine sees them."""
    today = timezone.localdate()
    if elderly_levels is None:
        elderly_levels = {}
        for row in (
            ElderlyAssessment.objects.filter(member__household=household)
            .order_by("member_id", "-assessed_at", "-id")
            .values("member_id", "level")
        ):
            elderly_levels.setdefault(row["member_id"], row["level"])
    members = []
    for m in household.members.all():
        members.append(
            MemberInput(
                age=age_on(m.birth_date, today),
                relation=m.relation,
                occupation=m.occupation,
                labour_ability=m.labour_ability,
                skill=m.skill,
                wage_income=float(m.wage_income),
                pension_income=float(m.pension_income),
                health_status=m.health_status,
                disease=m.disease,
                self_care=m.self_care,
                dibao_status=m.dibao_status,
                disability_type=m.disability_type,
                disability_grade=int(m.disability_grade),
                disability_subsidy=m.disability_subsidy,
                school_stage=m.school_stage,
                education_expense=float(m.education_expense),
                elderly_level=elderly_levels.get(m.pk),
                sex=m.sex,
                veteran=m.veteran,
                name=m.name,
            )
        )
    values = {}
    for key in HOUSEHOLD_KEYS:
        if key == "rural":
            values[key] = village_kind(household.village_id) == "村委会"
        elif hasattr(household, key):
            value = getattr(household, key)
            if isinstance(value, list):
                value = tuple(value)
            elif hasattr(value, "as_tuple"):  # Decimal
                value = float(value)
            values[key] = value
    return HouseholdInput(members=tuple(members), **values)


def to_json(h: HouseholdInput) -> dict:
    data = dataclasses.asdict(h)
    data.pop("extra", None)
    return data


def from_json(data: dict) -> HouseholdInput:
    members = tuple(MemberInput(**m) for m in data["members"])
    rest = {
        k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in HOUSEHOLD_KEYS
    }
    return HouseholdInput(members=members, **rest)
