"""The entry points: assess a region (load, score, write), re-assess for an officer,
and preview a draft model on a region without writing."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.scope import code_in_scope
from jiuzhu.engine.model import FACTORS, FactorModel
from jiuzhu.regions.models import Level, Region

from ..compare import Scored, compare
from ..models import ModelVersion
from ..services import active_model_version, economic_standard_for
from .inputs import inputs_json
from .load import _newest_assessment_id, load_region
from .score import model_of, score_region
from .write import _replace_latest, _rows, _Stage, previous_inputs, write_results


def _summary(result: pl.DataFrame) -> dict:
    mask = result["cause_mask"].to_numpy().astype(np.int64)
    circle = result["circle"].to_numpy()
    return {
        "households": result.height,
        "multi_cause": int(result["multi_cause"].sum()),
        "circles": {str(c): int((circle == c).sum()) for c in range(4)},
        "causes": {f: int(((mask >> i) & 1).sum()) for i, f in enumerate(FACTORS)},
    }


def assess_region(
    code: str | None = None,
    *,
    model_version: ModelVersion | None = None,
    dry_run: bool = False,
    log: Callable[[str], None] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Re-assess every household under `code` (all when None) and store the results.

    Returns counts (households, members, written, skipped_newer, causes,
    multi_cause, circles) and the seconds of each step. With dry_run nothing is
    written. `progress(done, total, message)` hears of each of the three steps.
    """
    def step(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 3, message)

    step(0, "正在读取家庭与成员数据")
    started = time.perf_counter()
    version = model_version or active_model_version()
    model = model_of(version)
    out = {"model_version": version.version, "dry_run": dry_run, "written": 0, "skipped_newer": 0}
    seconds: dict[str, float] = {}
    overlap = not dry_run and connection.vendor == "postgresql" and not connection.in_atomic_block
    if not overlap:
        frames = load_region(code)
        seconds["load"] = frames.seconds
        step(1, f"正在按模型 {version.version} 计算 {frames.households.height:,} 户")
        t0 = time.perf_counter()
        result = score_region(frames, model)
        seconds["score"] = time.perf_counter() - t0
        step(2, "正在保存评估结果")
        if not dry_run and result.height:
            written = write_results(frames, result, version, code)
            out.update(written=written["written"], skipped_newer=written["skipped_newer"])
            seconds.update(written["timings"])
    else:
        # The table is locked first (one backend) while this process reads the
        # households (two backends), scores them, builds the rows and has two
        # backends parse them into a staging table; then one INSERT and the pointers.
        # Single re-assessments (household edits) wait for the commit meanwhile.
        made: dict = {}
        standards = {
            c[:6]: economic_standard_for(c)
            for c in Region.objects.filter(level=Level.COUNTY).values_list("code", flat=True)
        }

        def make():
            frames = made["frames"] = load_region(code)
            made["load"] = frames.seconds
            step(1, f"正在按模型 {version.version} 计算 {frames.households.height:,} 户")
            t0 = time.perf_counter()
            made["result"] = score_region(frames, model, standards=standards)
            made["score"] = time.perf_counter() - t0
            step(2, "正在保存评估结果")
            t0 = time.perf_counter()
            previous = previous_inputs(code)
            rows = _rows(made["result"], inputs_json(frames), version, timezone.now(), previous)
            made["prepare"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            if rows.height:
                made["staged"] = _Stage(rows)
                made["staged"].wait()
            made["stage"] = time.perf_counter() - t0
            return rows, made.get("staged")

        after_id = _newest_assessment_id()  # before the load can begin
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(make)
            try:
                written = _replace_latest(after_id, future.result)
            except BaseException:
                future.cancel()
                if "staged" in made:
                    made["staged"].drop()
                raise
        result, frames = made["result"], made["frames"]
        out.update(written=written["written"], skipped_newer=written["skipped_newer"])
        seconds.update({k: made[k] for k in ("load", "score", "prepare", "stage")})
        seconds.update(written["timings"])
    if log:
        log(f"评估 {result.height:,} 户、{frames.members.height:,} 人")
    out["members"] = frames.members.height
    out.update(_summary(result))
    step(3, f"已重新评估 {out['written']:,} 户")
    seconds["total"] = time.perf_counter() - started
    out["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    return out


def reassess_region(*, actor, region: str, progress=None) -> dict:
    """assess_region for an officer: county staff (or an administrator) within their scope."""
    if actor.role not in roles.MODEL_EDITORS:
        raise PermissionDenied("只有县民政局可以批量重新评估")
    if not code_in_scope(user=actor, code=region):
        raise PermissionDenied("该区域不在您的管辖范围内")
    return assess_region(region, progress=progress)


def preview_region(code: str | None, draft_version, *, sample: int = 50) -> dict:
    """What activating `draft_version` would change under `code`, without writing.

    Scores the households with the active model and with the draft (same
    data, both vectorised) and summarises with `preview.compare`: per factor
    who becomes or stops being a cause, multi-cause before/after, circle and
    primary-cause changes, index histograms and a sample of changed households.
    """
    active = active_model_version()
    frames = load_region(code)
    before = score_region(frames, model_of(active), needs=False)
    draft = model_of(draft_version)
    after = score_region(frames, draft, needs=False)
    summary = compare(scored(before, model_of(active)), scored(after, draft))
    summary["sample"] = summary["sample"][:sample]
    summary.update(active_version=active.version, version=draft.version)
    return summary


def scored(result: pl.DataFrame, model: FactorModel):
    n = result.height
    scores = np.column_stack([result[f].to_numpy() for f in FACTORS]) if n else np.zeros((0, 9))
    mask = result["cause_mask"].to_numpy().astype(np.int64)
    is_cause = ((mask[:, None] >> np.arange(len(FACTORS))) & 1).astype(bool)
    primary_name = result["primary_cause"].cast(pl.String)
    lookup = {f: i for i, f in enumerate(FACTORS)}
    primary = primary_name.replace_strict(lookup, default=-1, return_dtype=pl.Int64).to_numpy()
    return Scored(
        ids=result["household_id"].to_numpy(),
        scores=scores,
        index=result["index"].to_numpy(),
        is_cause=is_cause,
        primary=primary,
        multi=result["multi_cause"].to_numpy(),
        circle=result["circle"].to_numpy().astype(int),
    )
