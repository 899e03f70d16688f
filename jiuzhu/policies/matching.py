"""政策找人: every household of a region against the whole library at once (Polars).

The households are read and assessed as `manage.py assess` does
(jiuzhu.assessment.batch: the same frames, the same vectorised engine), then
each policy's condition is compiled to a Polars expression
(jiuzhu.engine.conditions) — no Python loop over households.

A household receives a policy when its 指标27 (assistance_received) holds the
policy's receipt code, or when a department has delivered the policy to it
through a referral (转介 已帮扶, 已反馈 or 已结案).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import polars as pl

from jiuzhu.engine.conditions import frames_of, match_frames
from jiuzhu.referrals import workflow as ref_wf

from .models import Policy

# Referral statuses from which the department has delivered the policy: the household receives it.
DELIVERED = tuple(str(s) for s in (ref_wf.Status.ASSISTED, ref_wf.Status.FEEDBACK_GIVEN,
                                   ref_wf.Status.DONE))  # fmt: skip


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


def delivered_pairs(code: str | None) -> pl.DataFrame:
    """(household_id, policy) for each policy delivered by referral to a household
    under `code` (all when None), each pair once: one query."""
    from jiuzhu.referrals.models import Referral
    from jiuzhu.regions.models import Level, level_of, prefix_of

    referrals = Referral.objects.filter(status__in=DELIVERED, policy__isnull=False)
    if code and level_of(code) == Level.GROUP:
        referrals = referrals.filter(household__group_id=code)
    elif code:
        referrals = referrals.filter(household__village__code__startswith=prefix_of(code))
    rows = list(referrals.order_by().values_list("household_id", "policy__code").distinct())
    return pl.DataFrame(rows, schema={"household_id": pl.Int64, "policy": pl.String}, orient="row")


def received_frame(
    households: pl.DataFrame, policies: list[Policy], delivered: pl.DataFrame
) -> pl.DataFrame:
    """household_id + one boolean column per policy code: received, by 指标27 or by referral.

    `households` has household_id and assistance_received (a list column of
    codes); `delivered` is `delivered_pairs`. The result keeps the households' order.
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
    received = received_frame(frames.households, policies, delivered_pairs(code))
    seconds["match"] = time.perf_counter() - t0
    return RegionMatch(
        frames.households.select("household_id", "village_id"), eligible, received, policies,
        seconds,
    )  # fmt: skip
