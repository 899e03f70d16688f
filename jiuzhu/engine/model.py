"""The 9-factor model of seed 002 (原州区) as versioned data.

A county changes thresholds and weights by editing this structure (stored as
JSON with a version); the engine only reads numbers from it, it never runs
text. `DEFAULT_MODEL` follows seed 002's wording:
  - a factor scoring ≥ 2 is a cause; two or more causes = multi-cause;
  - one seriously ill member gives 因病 ≥ 2, nobody ill gives 0;
  - one grade-2 disabled member, or two grade-3, give 因残 ≥ 2.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

FACTORS = (
    "illness", "disability", "schooling", "housing", "disaster",
    "employment", "skills", "labour", "other",
)  # fmt: skip

FACTOR_LABELS = {
    "illness": "因病",
    "disability": "因残",
    "schooling": "因学",
    "housing": "因房",
    "disaster": "因灾",
    "employment": "就业",
    "skills": "技术",
    "labour": "劳动力",
    "other": "其他",
}

DEFAULT_MODEL: dict = {
    "name": "原州区九因子模型(默认)",
    "cause_threshold": 2.0,
    "multi_cause_min": 2,
    "weights": {
        "illness": 0.20, "disability": 0.15, "schooling": 0.10, "housing": 0.10, "disaster": 0.05,
        "employment": 0.10, "skills": 0.05, "labour": 0.15, "other": 0.10,
    },
    "illness": {
        "serious_one": 2.5, "serious_many": 4.0, "chronic_one": 1.0, "chronic_many": 1.5,
        # (self-paid medical spending per year at least, points added)
        "expense_steps": [[10000, 0.5], [30000, 1.0]],
    },
    "disability": {"grade_points": {"1": 3.0, "2": 2.0, "3": 1.0, "4": 0.5}},
    "schooling": {
        "stage_points": {
            "preschool": 0.5, "primary": 0.5, "junior": 0.5, "senior": 1.0, "vocational": 1.0,
            "college": 1.5, "undergraduate": 1.5, "postgraduate": 1.5,
        },
        "stage_cap": 3.0,
        # (education spending / household income at least, points added)
        "expense_share_steps": [[0.3, 0.5], [0.6, 1.0]],
        "dropout_score": 5.0,
    },
    "housing": {
        "safety_points": {"safe": 0.0, "damaged": 1.0, "c": 2.5, "d": 4.0, "none": 5.0},
        "rent_share_steps": [[0.3, 1.0]],
    },
    "disaster": {
        "event_points": 1.0,
        "loss_steps": [[5000, 2.0], [20000, 3.0], [50000, 4.0], [100000, 5.0]],
    },
    "employment": {"working_age": [16, 60], "scale": 5.0},
    "skills": {"working_age": [16, 60], "scale": 1.5, "unskilled_idle_points": 0.5},
    "labour": {
        "units": {"full": 1.0, "skilled": 1.0, "weak": 0.5, "lost": 0.0, "none": 0.0},
        "needed_per_person": 0.5,
        "scale": 5.0,
    },
    "other": {
        "circumstance_points": {
            "elder_alone": 1.0, "elder_left_behind": 1.0, "child_left_behind": 1.0,
            "single_parent": 1.0, "prisoner_family": 1.0, "death": 1.0, "debt": 1.0, "other": 1.0,
        },
        "no_self_care_points": 1.0,
    },
}  # fmt: skip


class ModelError(ValueError):
    """The model data is not usable; the message says which key, in Chinese."""


@dataclass(frozen=True)
class FactorModel:
    data: dict
    version: str = "default"

    @classmethod
    def default(cls) -> FactorModel:
        return cls(copy.deepcopy(DEFAULT_MODEL), "default")

    @classmethod
    def from_data(cls, data: dict, version: str) -> FactorModel:
        validate(data)
        return cls(copy.deepcopy(data), version)

    def __getitem__(self, key: str):
        return self.data[key]


def _number(value, path: str, *, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelError(f"{path} 应为数字")
    if value < low or (high is not None and value > high):
        raise ModelError(f"{path} 应在 {low} 到 {high if high is not None else '∞'} 之间")
    return float(value)


def _steps(steps, path: str) -> None:
    if not isinstance(steps, list):
        raise ModelError(f"{path} 应为 [阈值, 分值] 列表")
    last, last_score = None, 0.0
    for i, pair in enumerate(steps):
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            raise ModelError(f"{path}[{i}] 应为 [阈值, 分值]")
        threshold = _number(pair[0], f"{path}[{i}] 阈值")
        _number(pair[1], f"{path}[{i}] 分值", high=5)
        if last is not None and threshold <= last:
            raise ModelError(f"{path} 的阈值应从小到大排列")
        if last is not None and pair[1] < last_score:
            raise ModelError(f"{path} 的分值不能随阈值升高而降低")
        last, last_score = threshold, pair[1]


def validate(data: dict) -> None:
    """Check that every key the engine reads is present and sensible."""
    for key in ("cause_threshold", "multi_cause_min", "weights", *FACTORS):
        if key not in data:
            raise ModelError(f"缺少设置项 {key}")
    _number(data["cause_threshold"], "致困认定分值", high=5)
    _number(data["multi_cause_min"], "多因致困所需因子数", low=1, high=9)
    weights = data["weights"]
    total = sum(_number(weights.get(f), f"权重.{FACTOR_LABELS[f]}", high=1) for f in FACTORS)
    if abs(total - 1.0) > 1e-6:
        raise ModelError(f"九个因子的权重之和应为 1,现为 {total:.4f}")
    _steps(data["illness"]["expense_steps"], "因病.医疗支出档位")
    _steps(data["schooling"]["expense_share_steps"], "因学.教育支出占比档位")
    _steps(data["housing"]["rent_share_steps"], "因房.租金占比档位")
    _steps(data["disaster"]["loss_steps"], "因灾.损失档位")
    for name in ("serious_one", "serious_many", "chronic_one", "chronic_many"):
        _number(data["illness"][name], f"因病.{name}", high=5)
    if data["illness"]["serious_one"] > data["illness"]["serious_many"]:
        raise ModelError("因病:多人大病的分值不能低于一人大病")
    if data["illness"]["chronic_one"] > data["illness"]["chronic_many"]:
        raise ModelError("因病:多人慢性病的分值不能低于一人慢性病")
    if (
        data["illness"]["serious_many"] - data["illness"]["serious_one"]
        < data["illness"]["chronic_many"] / 2
    ):
        raise ModelError("因病:每多一人大病增加的分值不能低于多人慢性病分值的一半")
    if data["illness"]["serious_one"] < data["illness"]["chronic_many"]:
        raise ModelError("因病:一人大病的分值不能低于多人慢性病")
    # Zero would divide by zero in the labour factor.
    _number(data["labour"]["needed_per_person"], "劳动力.人均所需劳动力", low=0.01, high=5)
    for grade in ("1", "2", "3", "4"):
        _number(data["disability"]["grade_points"][grade], f"因残.{grade}级残疾分值", high=5)
    for key, value in data["housing"]["safety_points"].items():
        _number(value, f"因房.{key}", high=5)
