"""What the engine reads: a household and its members, as plain values.

Codes are those of jiuzhu.households.choices (kept as strings here so the
engine needs no Django). Amounts are yuan per year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SERIOUS_DISEASES = frozenset(
    {"kidney_failure", "cancer", "leukemia", "severe_mental", "liver", "stroke", "other_serious"}
)
CHRONIC_DISEASES = frozenset(
    {"hypertension", "diabetes", "cardio", "tuberculosis", "arthritis", "other"}
)


@dataclass(frozen=True, slots=True)
class MemberInput:
    age: int
    relation: str = "other"
    occupation: str = "farmer"
    labour_ability: str = "full"
    skill: str = "none"
    wage_income: float = 0.0
    pension_income: float = 0.0
    health_status: str = "healthy"
    disease: str = "none"
    self_care: str = "full"
    dibao_status: str = "none"
    disability_type: str = "none"
    disability_grade: int = 0
    disability_subsidy: str = "none"
    school_stage: str = "none"
    education_expense: float = 0.0
    elderly_level: int | None = None  # GB/T 42195 level 0–4 when assessed
    sex: str = ""  # "M" or "F" (from the ID number); "" when not known
    veteran: bool = False  # 退役军人
    name: str = ""

    @property
    def seriously_ill(self) -> bool:
        return self.health_status == "serious" or self.disease in SERIOUS_DISEASES

    @property
    def chronically_ill(self) -> bool:
        return not self.seriously_ill and (
            self.health_status in ("chronic", "weak") or self.disease in CHRONIC_DISEASES
        )


@dataclass(frozen=True, slots=True)
class HouseholdInput:
    members: tuple[MemberInput, ...]
    rural: bool = True
    tag_tekun: bool = False
    tag_dibao: bool = False
    tag_dibao_edge: bool = False
    tag_orphan: bool = False
    tag_unsupported_child: bool = False
    tag_monitored: bool = False
    tag_rigid_expense: bool = False
    business_income: float = 0.0
    rental_income: float = 0.0
    support_income: float = 0.0
    subsidy_income: float = 0.0
    land_planted_mu: float = 0.0
    land_transferred_mu: float = 0.0
    land_transfer_income: float = 0.0
    livestock_sheds: int = 0
    livestock_kind: str = "none"
    livestock_count: int = 0
    serious_illness_expense: float = 0.0
    daily_medical_expense: float = 0.0
    housing_safety: str = "safe"
    housing_tenure: str = "own"
    rent_expense: float = 0.0
    assistance_received: tuple[str, ...] = ()
    special_circumstances: tuple[str, ...] = ()
    disaster_loss: float = 0.0
    deposits: float = 0.0
    vehicles: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        return max(len(self.members), 1)
