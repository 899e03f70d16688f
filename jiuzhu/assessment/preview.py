"""What a draft model would change: the active model and the draft scored on the
same households (the county in the officer's scope), compared.

Only the factor scores depend on the model; the economic check does not, and
the circle depends on the model only through the causes (a household with no
tag and no low income is in the third circle because it has a cause). So the
preview scores every household twice and reports, per factor, who becomes a
cause and who stops being one, the multi-cause count, the index distribution,
primary-cause and circle changes, and a sample of changed households.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from jiuzhu.engine.model import FACTOR_LABELS, FACTORS, FactorModel
from jiuzhu.engine.needs import CIRCLE_LABELS
from jiuzhu.households.models import Household
from jiuzhu.households.selectors import household_scope

from .models import ModelVersion

SAMPLE_SIZE = 50
INDEX_BINS = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.01]


@dataclass
class Scored:
    """One model's results on a population, as arrays aligned on `ids`."""

    ids: np.ndarray  # household ids
    scores: np.ndarray  # n × 9, FACTORS order
    index: np.ndarray  # n
    is_cause: np.ndarray  # n × 9 bool
    primary: np.ndarray  # n, position in FACTORS or -1
    multi: np.ndarray  # n bool
    circle: np.ndarray  # n int


def _top_codes(codes: list[str]) -> list[str]:
    """The granted region codes without those inside another granted one (no double count)."""
    from jiuzhu.regions.models import prefix_of

    prefixes = sorted({prefix_of(c): c for c in codes}.items(), key=lambda kv: len(kv[0]))
    top: list[tuple[str, str]] = []
    for prefix, code in prefixes:
        if not any(prefix.startswith(p) for p, _ in top):
            top.append((prefix, code))
    return [code for _, code in top]


def _regions(user) -> list[str]:
    from jiuzhu.accounts.roles import can_read_households
    from jiuzhu.households.selectors import user_scope_codes

    if not can_read_households(user):
        return []
    return _top_codes(user_scope_codes(user))


def _concat(parts: list[Scored]) -> Scored:
    if not parts:
        return Scored(
            ids=np.zeros(0, np.int64),
            scores=np.zeros((0, len(FACTORS))),
            index=np.zeros(0),
            is_cause=np.zeros((0, len(FACTORS)), bool),
            primary=np.zeros(0, np.int64),
            multi=np.zeros(0, bool),
            circle=np.zeros(0, np.int64),
        )
    joined = Scored(
        *(np.concatenate([getattr(p, f.name) for p in parts]) for f in dataclasses.fields(Scored))
    )
    return _take(joined, np.argsort(joined.ids, kind="stable"))


def score_scope(*, user, models: list[FactorModel]) -> list[Scored]:
    """Score every household in the user's scope with each model (the batch path, no writes).

    The households are read once (jiuzhu.assessment.batch, the loader of
    `assess --all`) and scored once per model.
    """
    from . import batch

    per_model: list[list[Scored]] = [[] for _ in models]
    for code in _regions(user):
        frames = batch.load_region(code)
        for i, model in enumerate(models):
            result = batch.score_region(frames, model, needs=False)
            per_model[i].append(batch.scored(result, model))
    return [_concat(parts) for parts in per_model]


def score_population(*, user, model: FactorModel) -> Scored:
    """Score every household in the user's scope with `model`."""
    return score_scope(user=user, models=[model])[0]


def _histogram(values: np.ndarray) -> list[int]:
    counts, _ = np.histogram(values, bins=INDEX_BINS)
    return [int(c) for c in counts]


def _causes_text(row_mask: np.ndarray, scores: np.ndarray) -> str:
    """The causes as the household page lists them: highest score first, ties in model order."""
    hits = [i for i in range(len(FACTORS)) if row_mask[i]]
    hits.sort(key=lambda i: (-scores[i], i))
    return "、".join(FACTOR_LABELS[FACTORS[i]] for i in hits) or "无"


def compare(before: Scored, after: Scored) -> dict:
    """The preview numbers: what changes from `before` (active) to `after` (draft)."""
    if not np.array_equal(before.ids, after.ids):  # same households, same order
        order_b, order_a = np.argsort(before.ids), np.argsort(after.ids)
        before = _take(before, order_b)
        after = _take(after, order_a)
    n = int(before.ids.size)
    gain = after.is_cause & ~before.is_cause
    lose = before.is_cause & ~after.is_cause
    changed_score = after.scores != before.scores
    factors = [
        {
            "key": f,
            "label": FACTOR_LABELS[f],
            "before": int(before.is_cause[:, i].sum()),
            "after": int(after.is_cause[:, i].sum()),
            "gain": int(gain[:, i].sum()),
            "lose": int(lose[:, i].sum()),
            "score_changed": int(changed_score[:, i].sum()),
        }
        for i, f in enumerate(FACTORS)
    ]
    circle_pairs: dict[tuple[int, int], int] = {}
    moved = before.circle != after.circle
    for b, a in zip(before.circle[moved], after.circle[moved], strict=True):
        circle_pairs[(int(b), int(a))] = circle_pairs.get((int(b), int(a)), 0) + 1
    causes_changed = (gain | lose).any(axis=1)
    primary_changed = before.primary != after.primary
    any_change = causes_changed | primary_changed | moved | (before.index != after.index)
    # The sample: the households whose causes or circle change, biggest index change first.
    important = causes_changed | moved | primary_changed
    pool = np.flatnonzero(important) if important.any() else np.flatnonzero(any_change)
    delta = np.abs(after.index - before.index)
    pick = pool[np.argsort(-delta[pool], kind="stable")][:SAMPLE_SIZE]
    sample = [
        {
            "id": int(before.ids[i]),
            "causes_before": _causes_text(before.is_cause[i], before.scores[i]),
            "causes_after": _causes_text(after.is_cause[i], after.scores[i]),
            "index_before": float(before.index[i]),
            "index_after": float(after.index[i]),
            "circle_before": int(before.circle[i]),
            "circle_after": int(after.circle[i]),
        }
        for i in pick
    ]
    return {
        "total": n,
        "factors": factors,
        "multi_before": int(before.multi.sum()),
        "multi_after": int(after.multi.sum()),
        "any_cause_before": int(before.is_cause.any(axis=1).sum()),
        "any_cause_after": int(after.is_cause.any(axis=1).sum()),
        "primary_changed": int(primary_changed.sum()),
        "causes_changed": int(causes_changed.sum()),
        "index_changed": int((before.index != after.index).sum()),
        "index_mean_before": round(float(before.index.mean()), 2) if n else 0.0,
        "index_mean_after": round(float(after.index.mean()), 2) if n else 0.0,
        "index_bins": [
            f"{int(lo)}–{int(hi) if hi <= 100 else 100}"
            for lo, hi in zip(INDEX_BINS[:-1], INDEX_BINS[1:], strict=True)
        ],
        "index_hist_before": _histogram(before.index),
        "index_hist_after": _histogram(after.index),
        "circle_before": {str(c): int((before.circle == c).sum()) for c in CIRCLE_LABELS},
        "circle_after": {str(c): int((after.circle == c).sum()) for c in CIRCLE_LABELS},
        "circle_changed": int(moved.sum()),
        "circle_moves": [
            {"from": b, "to": a, "count": k, "label": f"{CIRCLE_LABELS[b]} → {CIRCLE_LABELS[a]}"}
            for (b, a), k in sorted(circle_pairs.items())
        ],
        "sample": sample,
    }


def _take(s: Scored, order: np.ndarray) -> Scored:
    return Scored(
        ids=s.ids[order],
        scores=s.scores[order],
        index=s.index[order],
        is_cause=s.is_cause[order],
        primary=s.primary[order],
        multi=s.multi[order],
        circle=s.circle[order],
    )


def model_preview(*, user, version: ModelVersion, active: ModelVersion) -> dict:
    """Score the user's households with the active model and with `version`, and compare."""
    started = time.perf_counter()
    before, after = score_scope(
        user=user,
        models=[
            FactorModel.from_data(active.data, active.version),
            FactorModel.from_data(version.data, version.version),
        ],
    )
    result = compare(before, after)
    result.update(
        active_version=active.version,
        version=version.version,
        computed_at=timezone.now().isoformat(),
        seconds=round(time.perf_counter() - started, 2),
    )
    return result


def sample_rows(*, user, preview: dict) -> list[dict]:
    """The preview's sample with each household's number, head and village (still in scope)."""
    ids = [row["id"] for row in preview.get("sample", [])]
    found = {
        h.pk: h
        for h in household_scope(user=user)
        .filter(pk__in=ids)
        .select_related("village", "village__parent")
    }
    rows = []
    for row in preview.get("sample", []):
        h: Household | None = found.get(row["id"])
        if h is None:
            continue
        rows.append(
            {
                **row,
                "household": h,
                "circle_before_label": CIRCLE_LABELS.get(row["circle_before"], ""),
                "circle_after_label": CIRCLE_LABELS.get(row["circle_after"], ""),
            }
        )
    return rows
