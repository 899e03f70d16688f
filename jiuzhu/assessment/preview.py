"""What a draft model would change: the active model and the draft scored on the
same households (those in the officer's scope, read once by the batch loader),
compared by jiuzhu.assessment.compare."""

from __future__ import annotations

import time

from django.utils import timezone

from jiuzhu.accounts.roles import can_read_households
from jiuzhu.accounts.scope import user_scope_codes
from jiuzhu.engine.model import FactorModel
from jiuzhu.engine.needs import CIRCLE_LABELS
from jiuzhu.households.models import Household
from jiuzhu.households.selectors import household_scope
from jiuzhu.regions.models import prefix_of

from . import batch
from .compare import Scored, compare, concat
from .models import ModelVersion

__all__ = ["Scored", "compare", "model_preview", "sample_rows", "score_population", "score_scope"]


def _top_codes(codes: list[str]) -> list[str]:
    """The granted region codes without those inside another granted one (no double count)."""
    prefixes = sorted({prefix_of(c): c for c in codes}.items(), key=lambda kv: len(kv[0]))
    top: list[tuple[str, str]] = []
    for prefix, code in prefixes:
        if not any(prefix.startswith(p) for p, _ in top):
            top.append((prefix, code))
    return [code for _, code in top]


def _regions(user) -> list[str]:
    if not can_read_households(user):
        return []
    return _top_codes(user_scope_codes(user))


def score_scope(*, user, models: list[FactorModel]) -> list[Scored]:
    """Score every household in the user's scope with each model (the batch path, no writes).

    The households are read once (jiuzhu.assessment.batch, the loader of
    `assess --all`) and scored once per model.
    """
    per_model: list[list[Scored]] = [[] for _ in models]
    for code in _regions(user):
        frames = batch.load_region(code)
        for i, model in enumerate(models):
            result = batch.score_region(frames, model, needs=False)
            per_model[i].append(batch.scored(result, model))
    return [concat(parts) for parts in per_model]


def score_population(*, user, model: FactorModel) -> Scored:
    """Score every household in the user's scope with `model`."""
    return score_scope(user=user, models=[model])[0]


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
