"""政策找人: every household of a region against the whole library at once (Polars).

The households are read and assessed as `manage.py assess` does
(jiuzhu.assessment.batch: the same frames, the same vectorised engine), then
each policy's condition is compiled to a Polars expression
(jiuzhu.engine.conditions) — no Python loop over households.

A household receives a policy when its 指标27 (assistance_received) holds the
policy's receipt code, or when an app above says so through
policies.hooks.received_policy_pairs (referrals: a department delivered the
policy through a referral, 转介 已帮扶, 已反馈 or 已结案).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import polars as pl

from jiuzhu.assessment.batch import load_region, model_of, score_region
from jiuzhu.assessment.services import active_model_version
from jiuzhu.engine.conditions import frames_of, match_frames

from . import hooks
from .models import Policy

RECEIVED_SCHEMA = {"household_id": pl.Int64, "policy": pl.String}


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


def received_pairs(code: str | None) -> pl.DataFrame:
    """(household_id, policy) that the apps registered on hooks.received_policy_pairs
    say the households under `code` (all when None) receive, each pair once."""
    parts = [frame.select(list(RECEIVED_SCHEMA)).cast(RECEIVED_SCHEMA)
             for frame in hooks.received_policy_pairs.results(code=code)]  # fmt: skip
    if not parts:
        return pl.DataFrame(schema=RECEIVED_SCHEMA)
    return parts[0] if len(parts) == 1 else pl.concat(parts).unique(maintain_order=True)


def received_frame(
    households: pl.DataFrame, policies: list[Policy], delivered: pl.DataFrame
) -> pl.DataFrame:
    """household_id + one boolean column per policy code: received, by 指标27 or by referral.

    `households` has household_id and assistance_received (a list column of
    codes); `delivered` is `received_pairs`. The result keeps the households' order.
    """
    codes = {p.code for p in policies}
    lists = (
        delivered.filter(pl.col("policy").is_in(list(codes)))
        .group_by("household_id")
        .agg(pl.col("policy").alias("_delivered"))
    )
    frame = households.select("household_id", "assistance_received").join(
        lists, on="household_id", how="left", maintain_order="left"
    )
    assistance, by_referral = pl.col("assistance_received"), pl.col("_delivered")
    return frame.select(
        "household_id",
        *[
            ((assistance.list.contains(p.receipt_code) if p.receipt_code else pl.lit(False))
             | by_referral.list.contains(p.code).fill_null(False)).alias(p.code)
            for p in policies
        ],
    )  # fmt: skip


def match_region(code: str | None, *, policies: list[Policy] | None = None) -> RegionMatch:
    """Match every household under `code` (all when None) against the policies in force."""
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
    received = received_frame(frames.households, policies, received_pairs(code))
    seconds["match"] = time.perf_counter() - t0
    return RegionMatch(
        frames.households.select("household_id", "village_id"), eligible, received, policies,
        seconds,
    )  # fmt: skip
