"""政策找人: every household of a region against the whole library at once (Polars).

The households are read and assessed as `manage.py assess` does
(jiuzhu.assessment.batch: the same frames, the same vectorised engine), then
each policy's condition is compiled to a Polars expression
(jiuzhu.engine.conditions) — no Python loop over households.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import polars as pl

from jiuzhu.engine.conditions import frames_of, match_frames

from .models import Policy


@dataclass
class RegionMatch:
    """Per household (rows) and policy (columns): eligible and already received."""

    households: pl.DataFrame  # household_id, village_id
    eligible: pl.DataFrame  # household_id + one boolean column per policy code
    received: pl.DataFrame  # household_id + one boolean column per policy code
    policies: list[Policy]
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> list[dict]:
        """Per policy: how many are eligible, receive it, and are eligible without it."""
        if not self.policies:
            return []
        codes = [p.code for p in self.policies]
        # Both frames list the households in the same order (the loaded frames').
        both = self.eligible.select(codes).hstack(
            self.received.select(pl.col(codes).name.suffix("__r"))
        )
        sums = both.select(
            *[pl.col(c).sum().alias(f"e{i}") for i, c in enumerate(codes)],
            *[(pl.col(c) & pl.col(f"{c}__r")).sum().alias(f"r{i}") for i, c in enumerate(codes)],
            *[(pl.col(c) & ~pl.col(f"{c}__r")).sum().alias(f"m{i}") for i, c in enumerate(codes)],
        ).row(0, named=True)
        eligible = [sums[f"e{i}"] for i in range(len(codes))]
        received = [sums[f"r{i}"] for i in range(len(codes))]
        missing = [sums[f"m{i}"] for i in range(len(codes))]
        return [
            {"policy": p, "eligible": int(eligible[i]), "received": int(received[i]),
             "missing": int(missing[i])}
            for i, p in enumerate(self.policies)
        ]  # fmt: skip

    def missing(self, codes: list[str]) -> pl.DataFrame:
        """(household_id, policy code) for each policy a household meets but does not receive."""
        parts = []
        for code in codes:
            hit = self.eligible[code] & ~self.received[code]
            parts.append(
                self.eligible.select("household_id").filter(hit).with_columns(policy=pl.lit(code))
            )
        if not parts:
            return pl.DataFrame(schema={"household_id": pl.Int64, "policy": pl.String})
        return pl.concat(parts)


def match_region(code: str | None, *, policies: list[Policy] | None = None) -> RegionMatch:
    """Match every household under `code` (all when None) against the policies in force."""
    from jiuzhu.assessment.batch import load_region, model_of, score_region
    from jiuzhu.assessment.services import active_model_version

    seconds: dict[str, float] = {}
    policies = list(Policy.objects.in_force().select_related("department")) if policies is None \
        else policies  # fmt: skip
    t0 = time.perf_counter()
    frames = load_region(code)
    seconds["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = score_region(frames, model_of(active_model_version()), needs=True)
    seconds["assess"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    h, m = frames_of(frames.households, frames.members, results)
    eligible = match_frames(h, m, {p.code: p.condition for p in policies})
    assistance = frames.households["assistance_received"]
    received = frames.households.select(
        "household_id",
        *[
            (assistance.list.contains(p.receipt_code) if p.receipt_code
             else pl.repeat(False, frames.households.height)).alias(p.code)
            for p in policies
        ],
    )  # fmt: skip
    seconds["match"] = time.perf_counter() - t0
    return RegionMatch(
        frames.households.select("household_id", "village_id"), eligible, received, policies,
        seconds,
    )  # fmt: skip
