"""One call that runs the whole assessment of a household."""

from __future__ import annotations

from dataclasses import dataclass

from .economic import EconomicResult, economic_check
from .factors import FactorResult, score_household
from .inputs import HouseholdInput
from .model import FactorModel
from .needs import CIRCLE_LABELS, Need, circle_of, needs_of


@dataclass(frozen=True)
class Assessment:
    factors: FactorResult
    economic: EconomicResult
    circle: int
    circle_reason: str
    needs: tuple[Need, ...]

    @property
    def circle_label(self) -> str:
        return CIRCLE_LABELS[self.circle]


def assess(
    h: HouseholdInput, model: FactorModel | None = None, standard: dict | None = None
) -> Assessment:
    """Score, check and classify one household; every result carries its reasons."""
    model = model or FactorModel.default()
    factors = score_household(h, model)
    econ = economic_check(h, standard)
    circle, why = circle_of(h, econ, factors)
    needs = needs_of(h, econ, factors, cause_threshold=float(model["cause_threshold"]))
    return Assessment(factors, econ, circle, why, tuple(needs))
