"""Scoring the frames with a model and each county's economic standard."""

from __future__ import annotations

import polars as pl

from jiuzhu.engine import batch as engine
from jiuzhu.engine.model import FactorModel

from ..models import ModelVersion
from .load import RegionFrames


def model_of(version) -> FactorModel:
    if isinstance(version, FactorModel):
        return version
    if isinstance(version, ModelVersion):
        return FactorModel.from_data(version.data, version.version)
    return FactorModel.from_data(version, "draft")


def standards_of(frames: RegionFrames) -> dict[str, dict]:
    """Each county's economic standard (county code prefix → the engine's settings)."""
    from ..services import economic_standard_for

    return {c: economic_standard_for(c + "000000") for c in frames.counties}


def score_region(
    frames: RegionFrames,
    model: FactorModel,
    *,
    needs: bool = True,
    standards: dict[str, dict] | None = None,
) -> pl.DataFrame:
    """The engine's results for every household of the frames, in household order.

    Each county is scored with its own economic standard (`standards`, read
    from the database when not given).
    """
    standards = standards if standards is not None else standards_of(frames)
    h, m = frames.households, frames.members
    counties = frames.counties
    if len(counties) <= 1:
        standard = standards.get(counties[0], {}) if counties else {}
        return engine.assess_frames(h, m, model, standard, needs=needs)
    parts = []
    county_of = h["village_id"].str.slice(0, 6)
    for county in counties:
        hc = h.filter(county_of == county)
        mc = m.filter(pl.col("household_id").is_in(hc["household_id"].implode()))
        parts.append(engine.assess_frames(hc, mc, model, standards.get(county, {}), needs=needs))
    # One Enum type per part: compare and store their text.
    texts = [c for c, t in parts[0].schema.items() if isinstance(t, pl.Enum)]
    parts = [p.with_columns(pl.col(texts).cast(pl.String)) for p in parts]
    return pl.concat(parts).sort("household_id")
