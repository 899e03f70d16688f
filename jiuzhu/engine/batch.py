"""The vectorised assessment of many households at once (Polars in, Polars out).

Gives exactly the results of the per-household path (`factors.score_household`,
`economic.economic_check`, `needs.circle_of`, `needs.needs_of`), bit for bit;
tests/test_batch.py proves it with generated households and generated models.
Every formula is mirrored operation for operation, in the same order:

- Sums over members (and over listed circumstances) are sequential in their
  order, as Python 3.11's `sum()` and `total += x` are: `np.bincount(row,
  weights=x)` is numpy's plain loop `out[row[i]] += x[i]`, so each household's
  total is built one member at a time from 0.0 — never a pairwise or parallel
  reduction whose last bit would depend on the library. (Python 3.12's `sum()`
  compensates rounding; moving to 3.12 would need the per-household path to
  sum with an explicit loop — the property tests would catch it.)
- `round(x, n)` rounds the exact binary value half-to-even and returns the
  double nearest to the decimal; `py_round` does that vectorised and hands the
  rare values within an ulp of a tie to Python's own `round` (no change to the
  per-household formula was needed).
- Text (cause lists, the needs and their reasons) is made once per distinct
  combination of what it depends on — a few thousand among a million
  households — by the same Python formatting, then gathered.

Input frames:
  households: one row per household, `household_id` plus the fields of
    HouseholdInput (`assistance_received` and `special_circumstances` as list
    columns of codes); missing columns take the dataclass defaults.
  members: one row per member, `household_id` plus the fields of MemberInput,
    in member order within each household (the order of `household.members`).
  Code columns may be strings or Enums (Enums are faster: read them so).
Output: one row per household in the order of `households` (see assess_frames).
No Python loop runs over households; loops run over factors, model steps and
distinct combinations.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

import numpy as np
import polars as pl

from .economic import DEFAULT_STANDARD
from .factors import ABLE, EPS, NOT_IN_LABOUR_MARKET, rank_causes
from .inputs import CHRONIC_DISEASES, SERIOUS_DISEASES, HouseholdInput, MemberInput
from .model import FACTORS, FactorModel

MEMBER_FIELDS = {f.name: f for f in dataclasses.fields(MemberInput)}
HOUSEHOLD_FIELDS = {
    f.name: f for f in dataclasses.fields(HouseholdInput) if f.name not in ("members", "extra")
}
LIST_FIELDS = ("assistance_received", "special_circumstances")
IDLE = ("unemployed", "none")
HALF_LABELS = [f"{k / 2:g}" for k in range(11)]  # format(score, "g") of 0, 0.5, … 5


def field_default(f: dataclasses.Field):
    """The dataclass field's default (None when it has none, like MemberInput.age)."""
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


# ---------------------------------------------------------------------------
# Frames from plain inputs (tests, notebooks, the benchmark's check)


def frames_from_inputs(
    households: Sequence[HouseholdInput], ids: Sequence[int] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The (households, members) frames of a list of HouseholdInput."""
    ids = list(ids) if ids is not None else list(range(1, len(households) + 1))
    h_cols: dict[str, list] = {"household_id": ids}
    for name in HOUSEHOLD_FIELDS:
        values = [getattr(h, name) for h in households]
        h_cols[name] = [list(v) for v in values] if name in LIST_FIELDS else values
    m_cols: dict[str, list] = {"household_id": []}
    m_cols.update({name: [] for name in MEMBER_FIELDS})
    for hid, h in zip(ids, households, strict=True):
        for m in h.members:
            m_cols["household_id"].append(hid)
            for name in MEMBER_FIELDS:
                m_cols[name].append(getattr(m, name))
    return (
        pl.DataFrame(h_cols, schema=household_schema()),
        pl.DataFrame(m_cols, schema=member_schema()),
    )


def _dtype(f: dataclasses.Field) -> pl.DataType:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    if kind.startswith("tuple"):
        return pl.List(pl.String)
    if kind.startswith("int | None"):
        return pl.Int64
    return {"int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean, "str": pl.String}[kind]


def household_schema() -> dict[str, pl.DataType]:
    return {"household_id": pl.Int64, **{n: _dtype(f) for n, f in HOUSEHOLD_FIELDS.items()}}


def member_schema() -> dict[str, pl.DataType]:
    return {"household_id": pl.Int64, **{n: _dtype(f) for n, f in MEMBER_FIELDS.items()}}


def _complete(frame: pl.DataFrame, fields: dict, schema: dict) -> pl.DataFrame:
    """Add missing columns with the dataclass default, cast to the engine's types."""
    exprs = []
    for name, dtype in schema.items():
        if name in frame.columns:
            kept = dtype == pl.String and (
                frame[name].dtype == pl.Categorical or isinstance(frame[name].dtype, pl.Enum)
            )
            exprs.append(pl.col(name) if kept else pl.col(name).cast(dtype))
        elif name == "household_id":
            raise KeyError("缺少 household_id 列")
        else:
            default = field_default(fields[name])
            value = list(default) if isinstance(default, tuple) else default
            exprs.append(pl.lit(value, dtype=dtype).alias(name))
    return frame.select(exprs)


def with_defaults(households: pl.DataFrame) -> pl.DataFrame:
    """The household frame with every HouseholdInput column (missing ones at their default)."""
    return _complete(households, HOUSEHOLD_FIELDS, household_schema())


def with_member_defaults(members: pl.DataFrame) -> pl.DataFrame:
    """The member frame with every MemberInput column (missing ones at their default)."""
    return _complete(members, MEMBER_FIELDS, member_schema())


# ---------------------------------------------------------------------------
# Exact helpers


def half_floor(x: np.ndarray) -> np.ndarray:
    """factors.half_floor, elementwise: min(5, max(0, floor(2x + EPS) / 2))."""
    return np.minimum(5.0, np.maximum(0.0, np.floor(x * 2 + EPS) / 2))


def step_points(value: np.ndarray, steps) -> np.ndarray:
    """factors.step_points: the last step (in model order) whose threshold is reached."""
    points = np.zeros(value.shape)
    for threshold, score in steps:
        points = np.where(value >= threshold, float(score), points)
    return points


def py_round(values: np.ndarray, ndigits: int) -> np.ndarray:
    """Python's round(x, ndigits) for every element, exactly.

    Away from a tie, floor(x·10ⁿ) plus one when the fraction is above ½ is the
    correctly rounded integer k, and k / 10ⁿ (one correctly rounded division)
    is the double nearest to the decimal — just what round() returns. Within an
    ulp or two of a tie the product x·10ⁿ may have been rounded across it, so
    those few values (and non-finite or huge ones) go to round() itself.
    """
    values = np.asarray(values, dtype=float)
    scale = 10.0**ndigits
    with np.errstate(invalid="ignore", over="ignore"):
        c = values * scale
        fl = np.floor(c)
        frac = c - fl  # exact below 2**52
        out = (fl + (frac > 0.5)) / scale
        size = np.abs(c)
        # |x·10ⁿ − c| ≤ ½ ulp(c) ≤ 2⁻⁵³·|c|; anything within 1e-15·|c| of a tie is
        # unsure, and so are ∞, NaN and values past 2⁵² (the comparison is False).
        unsure = ~(size < 2.0**52) | (np.abs(frac - 0.5) <= 1e-15 * size)
    for i in np.flatnonzero(unsure):
        out[i] = round(float(values[i]), ndigits)
    return out


class _Groups:
    """Child rows (members, listed circumstances) by the position of their household.

    `np.bincount(row, weights=x)` is numpy's plain loop `out[row[i]] += x[i]`
    over i in order: for every household it adds its children's values one by
    one, in their order, starting from 0.0 — exactly Python's `sum()` and
    `total += x` (the property tests check it on generated data).
    """

    def __init__(self, row: np.ndarray, n: int):
        self.row = row
        self.n = n
        self.count = np.bincount(row, minlength=n).astype(np.int64)

    def seq_sum(self, x: np.ndarray) -> np.ndarray:
        if not self.row.size:
            return np.zeros(self.n)
        return np.bincount(self.row, weights=x.astype(float, copy=False), minlength=self.n)

    def count_of(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.row[mask], minlength=self.n)

    def any(self, mask: np.ndarray) -> np.ndarray:
        return self.count_of(mask) > 0

    def counts(self, masks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        # One bincount of the selected rows per mask beat packing several masks
        # into one weighted bincount (the conversions cost more than they saved).
        return {name: self.count_of(mask) for name, mask in masks.items()}


def household_rows(hid: np.ndarray, member_hid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row of each member's household, mask of members whose household is in the frame)."""
    if hid.size == 0:
        return np.zeros(member_hid.size, dtype=np.int64), np.zeros(member_hid.size, dtype=bool)
    if hid.size < 2 or bool(np.all(hid[1:] > hid[:-1])):  # the usual case: ordered by id
        order, sorted_ids = None, hid
    else:
        order = np.argsort(hid, kind="stable")
        sorted_ids = hid[order]

    def locate(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pos = np.minimum(np.searchsorted(sorted_ids, ids), hid.size - 1)
        return (pos if order is None else order[pos]), sorted_ids[pos] == ids

    if member_hid.size > 1 and bool(np.all(member_hid[1:] >= member_hid[:-1])):
        # Members ordered by household: look each household up once, not each member.
        starts = np.flatnonzero(np.r_[True, member_hid[1:] != member_hid[:-1]])
        runs = np.diff(np.r_[starts, member_hid.size])
        rows, found = locate(member_hid[starts])
        return np.repeat(rows, runs), np.repeat(found, runs)
    return locate(member_hid)


def _codes(series: pl.Series, vocabulary: list[str]) -> np.ndarray:
    """Position of each value in `vocabulary`; anything else (or null) is len(vocabulary)."""
    other = len(vocabulary)
    if isinstance(series.dtype, pl.Enum):
        categories = list(series.dtype.categories)
        index = {v: i for i, v in enumerate(vocabulary)}
        remap = np.array([index.get(c, other) for c in categories] + [other], dtype=np.int16)
        physical = series.to_physical()
        if physical.null_count():
            physical = physical.fill_null(len(categories))
        return remap[physical.to_numpy()]
    coded = series.cast(pl.String).cast(pl.Enum(vocabulary), strict=False)
    return coded.to_physical().fill_null(other).to_numpy().astype(np.int16)


def _codes_of(frame: pl.DataFrame, vocabularies: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """_codes of several string columns, cast together (Polars runs them in parallel)."""
    plain = [
        name for name in vocabularies
        if not isinstance(frame[name].dtype, pl.Enum)
    ]  # fmt: skip
    out = {
        name: _codes(frame[name], vocabularies[name]) for name in vocabularies if name not in plain
    }
    if plain:
        coded = frame.select(
            pl.col(name).cast(pl.String).cast(pl.Enum(vocabularies[name]), strict=False)
            .to_physical().fill_null(len(vocabularies[name])).cast(pl.Int16)
            for name in plain
        )  # fmt: skip
        out.update({name: coded[name].to_numpy() for name in plain})
    return out


class _Vocabulary:
    """The codes one string column is compared with, and lookup tables over them."""

    def __init__(self, *groups):
        words: list[str] = []
        for group in groups:
            words.extend(w for w in group if w not in words)
        self.words = words

    def member(self, codes: np.ndarray, values) -> np.ndarray:
        table = np.zeros(len(self.words) + 1, dtype=bool)
        for v in values:
            table[self.words.index(v)] = True
        return table[codes]

    def lookup(self, codes: np.ndarray, mapping: dict, default: float = 0.0) -> np.ndarray:
        table = np.full(len(self.words) + 1, float(default))
        for k, v in mapping.items():
            table[self.words.index(k)] = float(v)
        return table[codes]


@dataclasses.dataclass
class _Frames:
    h: dict[str, np.ndarray]
    m: dict[str, np.ndarray]
    c: dict[str, np.ndarray]  # per household: how many members are …
    members: _Groups
    listed: _Groups  # special circumstances, one row per listed code
    circumstances: np.ndarray  # codes of the listed circumstances
    circumstance_words: _Vocabulary
    size: np.ndarray  # HouseholdInput.size = max(len(members), 1)


STRING_MEMBER_COLUMNS = ("occupation", "labour_ability", "skill", "health_status", "disease",
                         "self_care", "disability_type", "school_stage")  # fmt: skip


def _prepare(households: pl.DataFrame, members: pl.DataFrame, model: FactorModel) -> _Frames:
    households = _complete(households, HOUSEHOLD_FIELDS, household_schema())
    members = _complete(members, MEMBER_FIELDS, member_schema())
    n = households.height
    hid = households["household_id"].to_numpy()
    row, found = household_rows(hid, members["household_id"].to_numpy())
    if not found.all():
        members = members.filter(pl.Series(found))
        row = row[found]
    cfg = model.data
    words = {
        "occupation": _Vocabulary(NOT_IN_LABOUR_MARKET, IDLE),
        "labour_ability": _Vocabulary(ABLE, cfg["labour"]["units"]),
        "skill": _Vocabulary(["none"]),
        "health_status": _Vocabulary(["serious", "chronic", "weak"]),
        "disease": _Vocabulary(sorted(SERIOUS_DISEASES), sorted(CHRONIC_DISEASES), ["stroke", "severe_mental"]),
        "self_care": _Vocabulary(["none", "partial"]),
        "disability_type": _Vocabulary(["none"]),
        "school_stage": _Vocabulary(["none", "dropout"], cfg["schooling"]["stage_points"]),
    }  # fmt: skip
    codes = _codes_of(members, {name: words[name].words for name in STRING_MEMBER_COLUMNS})

    def member(column: str, values) -> np.ndarray:
        return words[column].member(codes[column], values)

    age = members["age"].to_numpy()
    grade = members["disability_grade"].to_numpy()
    serious = member("health_status", ["serious"]) | member("disease", SERIOUS_DISEASES)
    chronic = ~serious & (
        member("health_status", ["chronic", "weak"]) | member("disease", CHRONIC_DISEASES)
    )
    has_disability = ~member("disability_type", ["none"])
    disabled = has_disability & np.isin(grade, [1, 2, 3, 4])
    grade_table = np.zeros(max(int(grade.max(initial=0)), 4) + 1)
    for k, v in cfg["disability"]["grade_points"].items():
        grade_table[int(k)] = float(v)
    able = member("labour_ability", ABLE) & ~member("occupation", NOT_IN_LABOUR_MARKET)
    emp_lo, emp_hi = cfg["employment"]["working_age"]
    sk_lo, sk_hi = cfg["skills"]["working_age"]
    student = member("school_stage", cfg["schooling"]["stage_points"])
    wage = members["wage_income"].to_numpy()
    pension = members["pension_income"].to_numpy()
    elderly = members["elderly_level"].fill_null(-1).to_numpy()
    m = {
        "serious": serious,
        "chronic": chronic,
        "disability_points": np.where(disabled, grade_table[np.clip(grade, 0, None)], 0.0),
        "has_disability": has_disability,
        "dropout": member("school_stage", ["dropout"]),
        "student": student,
        "stage_points": np.where(
            student, words["school_stage"].lookup(codes["school_stage"], cfg["schooling"]["stage_points"]), 0.0
        ),
        "in_school": ~member("school_stage", ["none", "dropout"]),
        "emp_worker": able & (emp_lo <= age) & (age <= emp_hi),
        "skill_worker": able & (sk_lo <= age) & (age <= sk_hi),
        "idle": member("occupation", IDLE),
        "unskilled": member("skill", ["none"]),
        "units": words["labour_ability"].lookup(codes["labour_ability"], cfg["labour"]["units"]),
        "no_self_care": member("self_care", ["none"]),
        "dependent": member("self_care", ["none", "partial"]),
        "frail": elderly >= 2,
        "stroke": member("disease", ["stroke"]),
        "severe_mental": member("disease", ["severe_mental"]),
        "wage": wage,
        "pension": pension,
        "wage_pension": wage + pension,
        "education": members["education_expense"].to_numpy(),
    }  # fmt: skip
    member_groups = _Groups(row, n)
    c = member_groups.counts(
        {
            "serious": m["serious"], "chronic": m["chronic"], "student": m["student"],
            "dropout": m["dropout"], "emp_workers": m["emp_worker"],
            "emp_idle": m["emp_worker"] & m["idle"], "skill_workers": m["skill_worker"],
            "skill_unskilled": m["skill_worker"] & m["unskilled"],
            "skill_idle": m["skill_worker"] & m["unskilled"] & m["idle"],
            "no_self_care": m["no_self_care"], "has_disability": m["has_disability"],
            "stroke": m["stroke"], "dependent": m["dependent"], "frail": m["frail"],
            "severe_mental": m["severe_mental"], "in_school": m["in_school"],
        }
    )  # fmt: skip
    h = {
        name: households[name].to_numpy()
        for name, dtype in households.schema.items()
        if dtype.is_numeric() or dtype == pl.Boolean
    }
    housing_words = _Vocabulary(["rent"], cfg["housing"]["safety_points"])
    h["safety_points"] = housing_words.lookup(
        _codes(households["housing_safety"], housing_words.words), cfg["housing"]["safety_points"]
    )
    h["renting"] = housing_words.member(
        _codes(households["housing_tenure"], housing_words.words), ["rent"]
    )
    listed = households["special_circumstances"]
    lengths = listed.list.len().fill_null(0).to_numpy()
    circumstance_words = _Vocabulary(
        ["disaster", "accident", "elder_alone", "elder_left_behind", "child_left_behind", "death",
         "prisoner_family", "single_parent"], cfg["other"]["circumstance_points"],
    )  # fmt: skip
    if lengths.sum():
        exploded = listed.explode(empty_as_null=False).drop_nulls()
        circumstances = _codes(exploded, circumstance_words.words)
    else:
        circumstances = np.zeros(0, dtype=np.int64)
    return _Frames(
        c=c,
        h=h,
        m=m,
        members=member_groups,
        listed=_Groups(np.repeat(np.arange(n), lengths), n),
        circumstances=circumstances,
        circumstance_words=circumstance_words,
        size=np.maximum(member_groups.count, 1),
    )


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """factors._share: 0 for nothing spent, ∞ for spending without income."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(whole > 0, part / np.where(whole > 0, whole, 1.0), np.inf)
    return np.where(part <= 0, 0.0, ratio)


def _scores(f: _Frames, model: FactorModel) -> dict[str, np.ndarray]:
    cfg = model.data
    h, m, g = f.h, f.m, f.members
    n = g.n
    # total_income(): the members' sum, then each household source in order.
    income = g.seq_sum(m["wage_pension"])
    for name in ("business_income", "rental_income", "support_income", "subsidy_income",
                 "land_transfer_income"):  # fmt: skip
        income = income + h[name]
    out: dict[str, np.ndarray] = {}

    # 因病
    c = cfg["illness"]
    n_serious = f.c["serious"]
    n_chronic = f.c["chronic"]
    base = np.where(
        n_serious > 0,
        c["serious_one"] + (c["serious_many"] - c["serious_one"]) * (n_serious - 1),
        0.0,
    )
    chronic_part = np.where(
        n_chronic >= 2,
        float(c["chronic_many"]),
        np.where(n_chronic == 1, float(c["chronic_one"]), 0.0),
    )
    chronic_part = np.where(
        n_chronic > 0, chronic_part * np.where(n_serious > 0, 0.5, 1.0), chronic_part
    )
    spending = h["serious_illness_expense"] + h["daily_medical_expense"]
    extra = step_points(spending, c["expense_steps"])
    out["illness"] = np.where(
        (n_serious == 0) & (n_chronic == 0), 0.0, half_floor(base + chronic_part + extra)
    )

    # 因残
    out["disability"] = half_floor(g.seq_sum(m["disability_points"]))

    # 因学
    c = cfg["schooling"]
    stage_total = g.seq_sum(m["stage_points"])
    capped = np.minimum(stage_total, float(c["stage_cap"]))
    share = _share(g.seq_sum(m["education"]), income)
    schooling = half_floor(capped + step_points(share, c["expense_share_steps"]))
    schooling = np.where((f.c["student"] > 0), schooling, 0.0)
    out["schooling"] = np.where(
        (f.c["dropout"] > 0), half_floor(np.float64(c["dropout_score"])), schooling
    )

    # 因房
    c = cfg["housing"]
    renting = h["renting"] & (h["rent_expense"] > 0)
    rent_points = step_points(_share(h["rent_expense"], income), c["rent_share_steps"])
    out["housing"] = half_floor(h["safety_points"] + np.where(renting, rent_points, 0.0))

    # 因灾
    c = cfg["disaster"]
    words = f.circumstance_words
    events = f.listed.any(words.member(f.circumstances, ["disaster", "accident"]))
    event_points = np.where(events, float(c["event_points"]), 0.0)
    loss_points = step_points(h["disaster_loss"], c["loss_steps"])
    out["disaster"] = np.where(
        ~events & (loss_points == 0), 0.0, half_floor(np.maximum(event_points, loss_points))
    )

    # 就业
    c = cfg["employment"]
    workers = f.c["emp_workers"]
    idle = f.c["emp_idle"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["employment"] = np.where(workers > 0, half_floor(c["scale"] * idle / workers), 0.0)

    # 技术
    c = cfg["skills"]
    workers = f.c["skill_workers"]
    unskilled = f.c["skill_unskilled"]
    idle = f.c["skill_idle"]
    with np.errstate(divide="ignore", invalid="ignore"):
        share_points = c["scale"] * unskilled / workers
        skills = half_floor(share_points + c["unskilled_idle_points"] * idle)
    out["skills"] = np.where(workers > 0, skills, 0.0)

    # 劳动力
    c = cfg["labour"]
    units = g.seq_sum(m["units"])
    needed = f.size * float(c["needed_per_person"])
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        coverage = np.minimum(1.0, units / needed)
    out["labour"] = half_floor(c["scale"] * (1.0 - coverage))

    # 其他
    c = cfg["other"]
    listed_points = words.lookup(f.circumstances, c["circumstance_points"])
    total = f.listed.seq_sum(listed_points)
    total = np.where((f.c["no_self_care"] > 0), total + float(c["no_self_care_points"]), total)
    out["other"] = half_floor(total)
    assert all(v.shape == (n,) for v in out.values())
    return out


def _economic(f: _Frames, standard: dict | None) -> dict[str, np.ndarray]:
    """economic.economic_check's numbers and flags, without the text lines."""
    cfg = {**DEFAULT_STANDARD, **(standard or {})}
    h, m, g = f.h, f.m, f.members
    annual = g.seq_sum(m["wage"]) + g.seq_sum(m["pension"])  # 0 + wages + pensions + …
    for name in ("business_income", "rental_income", "support_income", "subsidy_income",
                 "land_transfer_income"):  # fmt: skip
        annual = annual + h[name]
    medical = h["serious_illness_expense"] + h["daily_medical_expense"]
    education = g.seq_sum(m["education"])
    deductions = np.zeros(g.n)
    if cfg["deduct_medical"]:
        deductions = deductions + medical
    if cfg["deduct_education"]:
        deductions = deductions + education
    net = np.maximum(annual - deductions, 0.0)
    monthly = net / 12.0 / f.size
    std = np.where(h["rural"], float(cfg["rural_standard"]), float(cfg["urban_standard"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(std > 0, monthly / np.where(std > 0, std, 1.0), np.inf)
        rigid = medical + education
        rigid_share = np.where(
            annual > 0, rigid / np.where(annual > 0, annual, 1.0), np.where(rigid > 0, np.inf, 0.0)
        )
    deposit_limit = float(cfg["asset_limit_per_person"]) * f.size
    return {
        "annual_income": annual,
        "deductions": deductions,
        "monthly_per_capita": py_round(monthly, 2),
        "standard": std,
        "ratio_to_standard": py_round(ratio, 4),
        "below_standard": monthly < std,
        "below_edge": monthly < std * float(cfg["edge_multiplier"]),
        "rigid_spending": rigid,
        "rigid_share": rigid_share,
        "rigid_hardship": (rigid > 0) & (rigid_share >= float(cfg["rigid_share_threshold"])),
        "assets_ok": (h["deposits"] <= deposit_limit)
        & (h["vehicles"] <= int(cfg["vehicle_limit"])),
    }


def _compress(ids: np.ndarray) -> np.ndarray:
    """Renumber non-negative integer ids densely (0…k−1), keeping distinct ids distinct."""
    if ids.size == 0:
        return ids.astype(np.int64)
    top = int(ids.max())
    if top < 1 << 22:  # a lookup table beats sorting
        present = np.zeros(top + 1, dtype=bool)
        present[ids] = True
        return (np.cumsum(present, dtype=np.int64) - 1)[ids]
    return np.unique(ids, return_inverse=True)[1].reshape(-1).astype(np.int64)


def _dense(*parts: np.ndarray) -> np.ndarray:
    """A dense id per distinct combination of non-negative integer parts."""
    ids = np.zeros(np.asarray(parts[0]).shape, dtype=np.int64)
    bound = 1  # ids < bound
    for part in parts:
        part = np.asarray(part).astype(np.int64)
        top = int(part.max(initial=0)) + 1
        if bound * top >= 1 << 22 and ids.size:
            ids = _compress(ids)
            bound = int(ids.max()) + 1
        ids = ids * top + part
        bound *= top
    return _compress(ids)


def distinct_rows(*parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(one row of each distinct combination of the parts, dense id of each row's).

    Any row stands for its combination: everything rendered from it is a function of it.
    """
    ids = _dense(*parts)
    rows = np.zeros(int(ids.max(initial=-1)) + 1, dtype=np.int64)
    rows[ids] = np.arange(ids.size)
    return rows, ids


def _text_column(texts: list[str], ids: np.ndarray) -> pl.Series:
    """texts[ids] as an Enum column (one copy of each distinct text)."""
    unique = list(dict.fromkeys(texts))
    position = {text: i for i, text in enumerate(unique)}
    remap = np.array([position[t] for t in texts], dtype=np.uint32)
    return (
        pl.Series(unique, dtype=pl.Enum(unique)).gather(remap[ids])
        if ids.size
        else pl.Series([], dtype=pl.Enum(unique))
    )


def _json_needs(needs: list[tuple[str, str]]) -> list[str]:
    return [json.dumps({"category": c, "reason": r}, ensure_ascii=False) for c, r in needs]


def _needs_json(f: _Frames, s: dict[str, np.ndarray], econ: dict, threshold: float,
                standard: dict | None) -> pl.Series:  # fmt: skip
    """needs.needs_of for every household, as the JSON list [{category, reason}, …]."""
    cfg = {**DEFAULT_STANDARD, **(standard or {})}
    h = f.h
    words = f.circumstance_words
    half = lambda x: np.rint(x * 2).astype(np.int64)  # noqa: E731 - scores are on the ½ grid
    below, edge = econ["below_standard"], econ["below_edge"]
    basic = np.select([below, edge, s["labour"] >= 4], [1, 2, 3], 0)
    mpc = np.where(basic == 1, np.rint(econ["monthly_per_capita"]), 0)
    mpc = np.where(basic == 2, np.rint(econ["monthly_per_capita"]), mpc).astype(np.int64)
    rural = np.where(basic == 1, h["rural"], False)
    medical = np.select(
        [s["illness"] >= threshold, (h["serious_illness_expense"] + h["daily_medical_expense"]) >= 10000],
        [1 + half(s["illness"]), 12], 0,
    )  # fmt: skip
    disabled = f.c["has_disability"]
    rehab = np.where(disabled > 0, disabled + 1, np.where((f.c["stroke"] > 0), 1, 0))
    dependent = f.c["dependent"]
    nursing = np.where(dependent > 0, dependent, f.c["frail"])
    lonely = f.listed.any(
        words.member(f.circumstances, ["elder_alone", "elder_left_behind", "child_left_behind"])
    )
    upheaval = f.listed.any(
        words.member(f.circumstances, ["death", "prisoner_family", "accident", "single_parent"])
    )
    caring = lonely | h["tag_orphan"] | h["tag_unsupported_child"]
    psychological = upheaval | (f.c["severe_mental"] > 0)
    health = f.c["chronic"] > 0
    education = np.select(
        [s["schooling"] >= threshold, edge & (f.c["in_school"] > 0)],
        [1 + half(s["schooling"]), 12],
        0,
    )
    employment = (s["employment"] >= threshold) | (s["skills"] >= threshold)
    housing = np.where(s["housing"] >= threshold, 1 + half(s["housing"]), 0)
    flags = (
        caring.astype(np.int64)
        | psychological.astype(np.int64) << 1
        | health.astype(np.int64) << 2
        | employment.astype(np.int64) << 3
    )
    rural_std = f"{float(cfg['rural_standard']):,.0f}"
    urban_std = f"{float(cfg['urban_standard']):,.0f}"

    def render_basic(i: int) -> list:
        needs = []
        if basic[i] == 1:
            std = rural_std if rural[i] else urban_std
            needs.append(("basic_living", f"月人均收入{mpc[i]:,}元,低于低保标准{std}元"))
        elif basic[i] == 2:
            needs.append(("basic_living", f"月人均收入{mpc[i]:,}元,低于低保边缘标准"))
        elif basic[i] == 3:
            needs.append(("basic_living", "家庭缺乏劳动力,基本生活难以自给"))
        return needs

    def render_rest(i: int) -> list:
        needs = []
        if medical[i] == 12:
            needs.append(("medical", "年医疗自付支出较高"))
        elif medical[i]:
            needs.append(("medical", f"因病得分{HALF_LABELS[medical[i] - 1]},需要医疗救助"))
        if rehab[i] == 1:
            needs.append(("rehabilitation", "有成员患脑卒中后遗症,需要康复"))
        elif rehab[i]:
            needs.append(("rehabilitation", f"{rehab[i] - 1}名成员残疾,需要康复服务或辅具"))
        if nursing[i]:
            needs.append(
                ("nursing", f"{nursing[i]}名成员生活不能完全自理或老年人能力中度以上受损,需要照护")
            )
        if caring[i]:
            needs.append(("caring", "有独居、留守老人或留守、困境儿童,需要探访关爱"))
        if psychological[i]:
            needs.append(("psychological", "家庭遭遇变故或有成员患精神障碍,需要心理疏导"))
        if health[i]:
            needs.append(("health", "有成员患慢性病,需要健康管理"))
        if education[i] == 12:
            needs.append(("education", "低收入家庭有在学子女,符合教育资助条件"))
        elif education[i]:
            needs.append(("education", f"因学得分{HALF_LABELS[education[i] - 1]},需要教育资助"))
        if employment[i]:
            needs.append(("employment", "有劳动能力成员未就业或缺乏技能,需要就业帮扶或技能培训"))
        if housing[i]:
            needs.append(
                ("housing", f"因房得分{HALF_LABELS[housing[i] - 1]},需要住房救助或危房改造")
            )
        return needs

    # The income figure makes the basic-living reason vary a lot and the rest
    # little: each part is rendered once per distinct value, then joined.
    basic_first, basic_id = distinct_rows(basic, rural, mpc)
    rest_first, rest_id = distinct_rows(medical, rehab, nursing, flags, education, housing)
    basic_text = _text_column(
        [", ".join(_json_needs(render_basic(int(i)))) for i in basic_first], basic_id
    )
    rest_text = _text_column(
        [", ".join(_json_needs(render_rest(int(i)))) for i in rest_first], rest_id
    )
    parts = [
        pl.when(pl.lit(x) != "").then(pl.lit(x).cast(pl.String)) for x in (basic_text, rest_text)
    ]
    return pl.select(
        pl.concat_str(
            pl.lit("["), pl.concat_str(parts, separator=", ", ignore_nulls=True), pl.lit("]")
        )
    ).to_series()


def assess_frames(
    households: pl.DataFrame,
    members: pl.DataFrame,
    model: FactorModel | None = None,
    standard: dict | None = None,
    *,
    needs: bool = True,
) -> pl.DataFrame:
    """Assess every household of the frames; one result row per household, in order.

    Columns: household_id; the 9 factor scores; index; causes (list, highest
    first, ties in model order), causes_json (the same list as JSON text),
    cause_mask (bit i set when FACTORS[i] is a cause), primary_cause (null when
    none), multi_cause, cause_count; the economic check (annual_income,
    deductions, monthly_per_capita, standard, ratio_to_standard,
    below_standard, below_edge, rigid_spending, rigid_share, rigid_hardship,
    assets_ok); circle; and with needs=True needs_json, the needs list as JSON
    text [{"category": …, "reason": …}, …].
    """
    model = model or FactorModel.default()
    frames = _prepare(households, members, model)
    n = frames.members.n
    s = _scores(frames, model)

    # hardship_index(): total += w·s in factor order, then round(total · 20, 1).
    total = np.zeros(n)
    for name in FACTORS:
        total = total + float(model["weights"][name]) * s[name]
    index = py_round(total * 20.0, 1)

    # rank_causes(): at or above the threshold, highest first, ties in model order.
    # The order depends only on which factors are causes and their scores, so
    # it is computed once per distinct (cause, score) pattern by rank_causes itself.
    threshold = float(model["cause_threshold"])
    count = np.zeros(n, dtype=np.int64)
    mask = np.zeros(n, dtype=np.int64)
    pattern = []  # per factor: 0 when not a cause, else 1 + the score on the ½ grid
    for i, name in enumerate(FACTORS):
        hit = s[name] >= threshold
        count += hit
        mask |= hit.astype(np.int64) << i
        pattern.append(np.where(hit, np.rint(s[name] * 2).astype(np.int64) + 1, 0))
    first, inverse = distinct_rows(*pattern)
    lists = [list(rank_causes({f: float(s[f][i]) for f in FACTORS}, threshold)) for i in first]
    causes = pl.Series(lists, dtype=pl.List(pl.String)).gather(inverse)
    causes_json = _text_column([json.dumps(c) for c in lists], inverse)
    primary = _text_column([c[0] if c else "" for c in lists], inverse)
    primary = pl.select(pl.when(pl.lit(primary) != "").then(pl.lit(primary))).to_series()
    econ = _economic(frames, standard)
    h = frames.h

    # circle_of(): tags first, then the economic check, then the causes.
    first = h["tag_tekun"] | h["tag_orphan"] | h["tag_unsupported_child"]
    second = h["tag_dibao"] | h["tag_monitored"] | h["tag_dibao_edge"]
    circle = np.select(
        [first, second, econ["below_edge"] & econ["assets_ok"],
         h["tag_rigid_expense"] | econ["rigid_hardship"], count > 0],
        [1, 2, 2, 3, 3],
        default=0,
    ).astype(np.int8)  # fmt: skip

    columns: dict[str, pl.Series] = {"household_id": households["household_id"].cast(pl.Int64)}
    columns.update({name: pl.Series(name, s[name]) for name in FACTORS})
    columns["index"] = pl.Series(index)
    columns["causes"] = causes
    columns["causes_json"] = causes_json
    columns["cause_mask"] = pl.Series(mask.astype(np.int16))
    columns["primary_cause"] = primary
    columns["multi_cause"] = pl.Series(count >= int(model["multi_cause_min"]))
    columns["cause_count"] = pl.Series(count.astype(np.int64))
    for name, values in econ.items():
        columns[name] = pl.Series(values)
    columns["circle"] = pl.Series(circle)
    if needs:
        columns["needs_json"] = _needs_json(frames, s, econ, threshold, standard)
    return pl.DataFrame({name: series.alias(name) for name, series in columns.items()})
