"""Alkire–Foster multidimensional poverty (多维贫困): H, A, M0 and their parts.

The counting method of Alkire & Foster, "Counting and multidimensional poverty
measurement", Journal of Public Economics 95 (2011) 476–487, which the seeds
cite as 多维贫困理论:

1. deprivation cutoffs: unit i is deprived in indicator j when x_ij < z_j
   (strictly below, as in the paper);
2. weights w_j ≥ 0 summing to 1 give the deprivation score c_i = Σ_j w_j·g_ij;
3. the poverty cutoff k ∈ (0, 1]: unit i is poor when c_i ≥ k (k at the smallest
   weight is the union approach, k = 1 the intersection approach);
4. censoring: the deprivations of non-poor units are set to zero;
5. H = share of poor units, A = mean score among the poor, M0 = H·A = mean of
   the censored scores = Σ_j w_j·h_j(k) with h_j(k) the censored headcounts;
   the contribution of j is w_j·h_j(k)/M0.

Every mean is weighted by `population_weights` when given (sampling weights),
so a unit of weight 2 counts exactly like two copies of it. Subgroup results
come from the same censored matrix, which is why M0 decomposes:
Σ_g (population share of g)·M0_g = M0.

Missing values (NaN, or None/null in a DataFrame) raise by default. Counting a
missing value as "not deprived" would silently understate poverty, counting it
as deprived would overstate it; the common practice (OPHI's global MPI) is to
drop units lacking data or reweight, which is a decision the analyst should
make knowingly. `missing="drop"` drops every unit with a missing value (and
its weight and group label) and reports how many were dropped.

Pure numpy, no loop over units: one boolean matrix, one matrix product, and
`np.add.reduceat` over units sorted by group for the subgroup sums.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Scores are sums of float weights; 1/3 + 1/3 + 1/3 may land a hair under k = 1.
# The same tolerance is used for "weights sum to 1".
EPS = 1e-9

MISSING_POLICIES = ("raise", "drop")


@dataclass(frozen=True, eq=False)
class AlkireFosterResult:
    """Alkire–Foster measures for one population (the whole, or one subgroup).

    Per-indicator arrays are ordered like the columns of `values`; the
    `*_by_name` dicts key them by indicator name (or by column position when
    no names are known). Arrays are read-only.
    """

    H: float  # headcount ratio: (weighted) share of poor units
    A: float  # average intensity: mean deprivation score among the poor (0 if none)
    M0: float  # adjusted headcount ratio = H × A = mean censored score
    censored_headcount: np.ndarray  # h_j(k): share of units poor AND deprived in j
    uncensored_headcount: np.ndarray  # h_j: share of units deprived in j
    contribution: np.ndarray  # w_j·h_j(k)/M0, sums to 1 (zeros when M0 = 0)
    n: int  # number of units (unweighted)
    poor_count: int  # number of poor units (unweighted)
    population: float  # sum of population weights (= n without weights)
    poor_population: float  # sum of population weights of the poor
    population_share: float  # this population's share of the whole (1 for the whole)
    share: float  # population_share × M0 / M0_whole: share of the whole's M0
    names: tuple[str, ...] | None  # indicator names, when known
    weights: tuple[float, ...]
    cutoffs: tuple[float, ...]
    k: float
    # Per unit, in input order (a subgroup keeps the input order of its own units):
    scores: np.ndarray  # c_i, the uncensored deprivation score
    poor: np.ndarray  # bool: c_i ≥ k
    dropped: int = 0  # units dropped for missing values (missing="drop")
    groups: dict[Any, AlkireFosterResult] | None = None  # label → subgroup result

    @property
    def censored_scores(self) -> np.ndarray:
        """c_i(k): the score of poor units, 0 for the non-poor."""
        return np.where(self.poor, self.scores, 0.0)

    def _keyed(self, array: np.ndarray) -> dict:
        keys = self.names if self.names is not None else range(len(array))
        return {key: float(v) for key, v in zip(keys, array, strict=True)}

    @property
    def censored_headcount_by_name(self) -> dict:
        return self._keyed(self.censored_headcount)

    @property
    def uncensored_headcount_by_name(self) -> dict:
        return self._keyed(self.uncensored_headcount)

    @property
    def contribution_by_name(self) -> dict:
        return self._keyed(self.contribution)

    @property
    def group_shares(self) -> dict | None:
        """Subgroup label → its share of M0 (None without groups)."""
        if self.groups is None:
            return None
        return {label: g.share for label, g in self.groups.items()}

    def to_dict(self) -> dict:
        """Plain JSON-ready numbers (no per-unit arrays), groups included."""
        out = {
            "H": self.H, "A": self.A, "M0": self.M0, "n": self.n, "poor_count": self.poor_count,
            "population": self.population, "poor_population": self.poor_population,
            "population_share": self.population_share, "share": self.share, "k": self.k,
            "weights": list(self.weights), "cutoffs": list(self.cutoffs),
            "names": list(self.names) if self.names is not None else None,
            "censored_headcount": self.censored_headcount.tolist(),
            "uncensored_headcount": self.uncensored_headcount.tolist(),
            "contribution": self.contribution.tolist(), "dropped": self.dropped,
        }  # fmt: skip
        if self.groups is not None:
            out["groups"] = {str(label): g.to_dict() for label, g in self.groups.items()}
        return out

    def __repr__(self) -> str:
        head = (
            f"AlkireFosterResult(n={self.n}, poor_count={self.poor_count}, "
            f"H={self.H:.4f}, A={self.A:.4f}, M0={self.M0:.4f}, k={self.k:g}"
        )
        if self.groups is not None:
            head += f", groups={list(self.groups)}"
        return head + ")"


def alkire_foster(
    values,
    cutoffs,
    weights,
    k: float,
    population_weights=None,
    groups=None,
    *,
    names: Sequence[str] | None = None,
    missing: str = "raise",
) -> AlkireFosterResult:
    """Measure multidimensional poverty by the Alkire–Foster method.

    values: 2-D, rows = units, columns = indicators (numpy array, list of lists,
        or a polars/pandas DataFrame whose column names become the indicator names).
    cutoffs, weights: one per column (sequences, or mappings keyed by indicator name).
        A unit is deprived in j when its value is strictly below cutoffs[j].
        Weights are non-negative and sum to 1.
    k: poverty cutoff in (0, 1]; a unit is poor when its weighted score ≥ k.
    population_weights: optional non-negative sampling weight per unit.
    groups: optional label per unit; the result then carries `groups`
        (label → result on that subgroup, with its `share` of M0).
    names: indicator names (keyword only; DataFrame columns are used otherwise).
    missing: "raise" (default) or "drop" units with a missing value.
    """
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing 应为 {' 或 '.join(MISSING_POLICIES)},收到 {missing!r}")
    matrix, names = _as_matrix(values, names)
    n, d = matrix.shape
    z = _per_indicator(cutoffs, names, d, "cutoffs")
    w = _per_indicator(weights, names, d, "weights")
    _check_cutoffs(z)
    _check_weights(w)
    k = _check_k(k)
    pop = _population_weights(population_weights, n)
    labels = _group_labels(groups, n)

    dropped = 0
    missing_rows = np.isnan(matrix).any(axis=1)
    if missing_rows.any():
        if missing == "raise":
            rows = np.flatnonzero(missing_rows)
            first = ", ".join(str(int(i)) for i in rows[:5])
            raise ValueError(
                f"values 含缺失值:{rows.size} 个单位(行 {first}{' …' if rows.size > 5 else ''});"
                "请先补全数据,或传 missing='drop' 剔除这些单位"
            )
        keep = ~missing_rows
        dropped = int(missing_rows.sum())
        matrix = matrix[keep]
        pop = pop[keep] if pop is not None else None
        labels = labels[keep] if labels is not None else None
        n = matrix.shape[0]
    if n == 0:
        raise ValueError("values 没有可计算的单位(行数为 0)")
    if pop is not None and not pop.sum() > 0:
        raise ValueError("population_weights 之和应大于 0")

    deprived = matrix < z  # g0: n × d
    as_float = deprived.astype(float)  # BLAS products run on floats, not bools
    scores = as_float @ w  # c_i
    # A unit deprived in nothing is never poor, however small k is.
    poor = (scores >= k - EPS) & (scores > 0)
    unit_w = pop if pop is not None else np.ones(n)
    # The censored matrix g0(k) is g0 with non-poor rows zeroed, so its weighted
    # column sums are the column sums of g0 weighted by unit_w·poor.
    poor_w = unit_w * poor

    common = {
        "names": names,
        "weights": tuple(map(float, w)),
        "cutoffs": tuple(map(float, z)),
        "k": k,
    }
    whole = _from_sums(
        w=w,
        count=n,
        poor_count=int(poor.sum()),
        population=float(unit_w.sum()),
        poor_population=float(poor_w.sum()),
        score_sum=float(poor_w @ scores),
        censored_sum=poor_w @ as_float,
        uncensored_sum=unit_w @ as_float,
        scores=scores,
        poor=poor,
        population_share=1.0,
        whole_m0=None,
        dropped=dropped,
        **common,
    )
    if labels is None:
        return whole
    group_results = _subgroups(
        w=w, labels=labels, unit_w=unit_w, poor_w=poor_w, scores=scores, poor=poor,
        deprived=deprived, whole=whole, common=common,
    )  # fmt: skip
    return dataclasses.replace(whole, groups=group_results)


def _subgroups(*, w, labels, unit_w, poor_w, scores, poor, deprived, whole, common) -> dict:
    """Every subgroup's sums at once with bincount (one pass per indicator, not per unit)."""
    uniques, inverse = _factorize(labels)
    size = len(uniques)

    def by_group(weights) -> np.ndarray:
        return np.bincount(inverse, weights=weights, minlength=size)

    counts = np.bincount(inverse, minlength=size)
    poor_counts = np.bincount(inverse[poor], minlength=size)
    populations = by_group(unit_w)
    poor_pops = by_group(poor_w)
    score_sums = by_group(poor_w * scores)
    by_indicator = np.ascontiguousarray(deprived.T)  # bool, one contiguous row per indicator
    censored_sums = np.stack([by_group(poor_w * row) for row in by_indicator], axis=1)
    uncensored_sums = np.stack([by_group(unit_w * row) for row in by_indicator], axis=1)
    # Per-unit arrays of each subgroup, in input order: a stable sort by group
    # code (radix sort on a small integer type) then one slice per group.
    order = np.argsort(inverse.astype(_small_int(size)), kind="stable")
    ends = np.cumsum(counts)
    sorted_scores, sorted_poor = scores[order], poor[order]
    out = {}
    for g, label in enumerate(uniques):
        segment = slice(ends[g] - counts[g], ends[g])
        out[label] = _from_sums(
            w=w,
            count=int(counts[g]),
            poor_count=int(poor_counts[g]),
            population=float(populations[g]),
            poor_population=float(poor_pops[g]),
            score_sum=float(score_sums[g]),
            censored_sum=censored_sums[g],
            uncensored_sum=uncensored_sums[g],
            scores=sorted_scores[segment],
            poor=sorted_poor[segment],
            population_share=float(populations[g]) / whole.population,
            whole_m0=whole.M0,
            dropped=0,
            **common,
        )
    return out


def _small_int(size: int):
    for dtype in (np.int8, np.int16, np.int32):
        if size <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _from_sums(
    *, w, count, poor_count, population, poor_population, score_sum, censored_sum,
    uncensored_sum, scores, poor, population_share, whole_m0, dropped, names, weights, cutoffs, k,
) -> AlkireFosterResult:  # fmt: skip
    H = poor_population / population if population > 0 else 0.0
    M0 = score_sum / population if population > 0 else 0.0
    A = score_sum / poor_population if poor_population > 0 else 0.0
    censored_hc = (
        np.asarray(censored_sum, dtype=float) / population if population > 0 else np.zeros(len(w))
    )
    uncensored_hc = (
        np.asarray(uncensored_sum, dtype=float) / population if population > 0 else np.zeros(len(w))
    )
    contribution = w * censored_hc / M0 if M0 > 0 else np.zeros(len(w))
    if whole_m0 is None:  # the whole population
        share = 1.0 if M0 > 0 else 0.0
    else:  # by convention 0 when the whole has no poverty to share out
        share = population_share * M0 / whole_m0 if whole_m0 > 0 else 0.0
    return AlkireFosterResult(
        H=float(H),
        A=float(A),
        M0=float(M0),
        censored_headcount=_frozen(censored_hc),
        uncensored_headcount=_frozen(uncensored_hc),
        contribution=_frozen(contribution),
        n=count,
        poor_count=poor_count,
        population=population,
        poor_population=poor_population,
        population_share=population_share,
        share=float(share),
        names=names,
        weights=weights,
        cutoffs=cutoffs,
        k=k,
        scores=_frozen(scores),
        poor=_frozen(poor),
        dropped=dropped,
    )


def _frozen(array) -> np.ndarray:
    out = np.array(array, copy=True)
    out.flags.writeable = False
    return out


def _as_matrix(values, names) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """A float n × d matrix from numpy, lists, or a DataFrame (names from its columns)."""
    frame_names = None
    if hasattr(values, "columns") and hasattr(values, "to_numpy"):  # polars or pandas
        frame_names = tuple(str(c) for c in values.columns)
        values = values.to_numpy()
    try:
        # dtype=float turns None (a null in an object column) into NaN.
        matrix = np.array(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values 应为数值矩阵(行=单位,列=指标):{exc}") from None
    if matrix.ndim != 2:
        raise ValueError(f"values 应为二维(行=单位,列=指标),收到 {matrix.ndim} 维")
    if matrix.shape[1] == 0:
        raise ValueError("values 没有指标列")
    if names is not None:
        names = tuple(str(x) for x in names)
        if len(names) != matrix.shape[1]:
            raise ValueError(f"names 有 {len(names)} 个,values 有 {matrix.shape[1]} 列")
    else:
        names = frame_names
    if names is not None and len(set(names)) != len(names):
        raise ValueError("指标名称重复")
    return matrix, names


def _per_indicator(spec, names, d: int, what: str) -> np.ndarray:
    if isinstance(spec, Mapping):
        if names is None:
            raise ValueError(f"{what} 按名称给出时,values 需有列名或传 names")
        unknown = [key for key in spec if str(key) not in names]
        absent = [name for name in names if name not in {str(key) for key in spec}]
        if unknown or absent:
            raise ValueError(f"{what} 的名称与指标不一致:多出 {unknown},缺少 {absent}")
        by_name = {str(key): v for key, v in spec.items()}
        spec = [by_name[name] for name in names]
    try:
        array = np.array(spec, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} 应为数值序列:{exc}") from None
    if array.ndim != 1 or array.size != d:
        raise ValueError(f"{what} 应有 {d} 个(每个指标一个),收到 {array.size} 个")
    return array


def _check_cutoffs(z: np.ndarray) -> None:
    if np.isnan(z).any():
        raise ValueError("cutoffs 不能含缺失值")


def _check_weights(w: np.ndarray) -> None:
    if not np.isfinite(w).all():
        raise ValueError("weights 应为有限数")
    if (w < 0).any():
        raise ValueError(f"weights 不能为负,收到 {w.tolist()}")
    total = float(w.sum())
    if abs(total - 1.0) > EPS:
        raise ValueError(f"weights 之和应为 1(误差 1e-9 以内),收到 {total!r}")


def _check_k(k) -> float:
    try:
        k = float(k)
    except (TypeError, ValueError):
        raise ValueError(f"k 应为 (0, 1] 内的数,收到 {k!r}") from None
    if not (math.isfinite(k) and 0 < k <= 1):
        raise ValueError(f"k 应为 (0, 1] 内的数,收到 {k!r}")
    return k


def _population_weights(population_weights, n: int) -> np.ndarray | None:
    if population_weights is None:
        return None
    try:
        pop = np.array(population_weights, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"population_weights 应为数值序列:{exc}") from None
    if pop.ndim != 1 or pop.size != n:
        raise ValueError(f"population_weights 应有 {n} 个(每个单位一个),收到 {pop.size} 个")
    if not np.isfinite(pop).all() or (pop < 0).any():
        raise ValueError("population_weights 应为非负有限数")
    return pop


def _group_labels(groups, n: int) -> np.ndarray | None:
    if groups is None:
        return None
    if hasattr(groups, "to_numpy"):  # polars / pandas Series
        groups = groups.to_numpy()
    labels = np.asarray(groups)
    if labels.ndim != 1 or labels.size != n:
        raise ValueError(f"groups 应有 {n} 个标签(每个单位一个),收到 {labels.size} 个")
    return labels


def _factorize(labels: np.ndarray):
    """(sorted unique labels as Python values, code per unit)."""
    try:
        uniques, inverse = np.unique(labels, return_inverse=True)
    except TypeError:
        raise ValueError("groups 的标签应可相互比较(例如同为字符串或同为整数)") from None
    return [u.item() if isinstance(u, np.generic) else u for u in uniques], inverse.reshape(-1)
