"""Reads of the policy library and of what a household is eligible for."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.db.models import Q, QuerySet

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import NotFound
from jiuzhu.assessment import stats
from jiuzhu.assessment.inputs import household_input
from jiuzhu.assessment.selectors import assessment_current
from jiuzhu.assessment.services import economic_standard_for, engine_model
from jiuzhu.engine.assess import assess
from jiuzhu.engine.conditions import Outcome, evaluate, explain, record_of
from jiuzhu.engine.needs import NEED_LABELS
from jiuzhu.households.models import Household
from jiuzhu.regions.models import Region

from . import hooks
from .describe import Line, condition_text, explanation, test_text
from .matching import match_region
from .models import Department, Policy

POLICY_NOT_FOUND = "政策不存在"


def organisation_choices() -> list[tuple[str, str, bool]]:
    """(code, name, is_social) of every department and social organisation, in the
    library's order (accounts.hooks.organisations: the accounts they employ)."""
    return [(d.code, d.name, d.is_social) for d in Department.objects.order_by("order", "code")]


def policy_list(
    *, q: str = "", need: str = "", department: str = "", measure: str = "", in_force: bool = True
) -> QuerySet[Policy]:
    """Policies of the library, searchable by words, need, department and measure."""
    policies = Policy.objects.select_related("department")
    if in_force:
        policies = policies.in_force()
    if q:
        words = Q()
        for word in q.split():
            words &= (Q(name__icontains=word) | Q(summary__icontains=word)
                      | Q(benefit__icontains=word) | Q(department__name__icontains=word)
                      | Q(legal_basis__icontains=word))  # fmt: skip
        policies = policies.filter(words)
    if department:
        policies = policies.filter(department_id=department)
    if measure:
        policies = policies.filter(measure=measure)
    policies = list(policies)
    if need:  # JSON list membership, the same on every database
        policies = [p for p in policies if need in (p.needs or [])]
    return policies


def access_policy_by_code(*, user, code: str) -> Policy:
    """One policy of the library (every signed-in user reads 政策一本通); NotFound otherwise."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(POLICY_NOT_FOUND)
    try:
        return Policy.objects.select_related("department", "updated_by").get(code=code)
    except Policy.DoesNotExist:
        raise NotFound(POLICY_NOT_FOUND) from None


@dataclass(frozen=True)
class PolicyMatch:
    policy: Policy
    outcome: Outcome
    received: bool
    by_referral: bool = False  # delivered by the department through a referral
    # The condition explained for the household (describe.explanation): groups, 满足其一.
    lines: tuple[Line, ...] = ()

    @property
    def met_lines(self) -> list[str]:
        return [test_text(t) for t in self.outcome.tests if t.ok]

    @property
    def failed_lines(self) -> list[str]:
        return [condition_text(p) for p in self.outcome.failed_parts]

    @property
    def test_lines(self) -> list[tuple[bool, str]]:
        return [(t.ok, test_text(t)) for t in self.outcome.tests]

    @property
    def need_labels(self) -> list[str]:
        return [NEED_LABELS.get(n, n) for n in self.policy.needs or []]


@dataclass(frozen=True)
class HouseholdMatching:
    household: object
    assessment: object
    to_receive: list[PolicyMatch]  # eligible, not yet received
    receiving: list[PolicyMatch]  # eligible and received
    near: list[PolicyMatch]  # missed by one part, not received
    review: list[PolicyMatch]  # received but no longer eligible (应退尽退 check)


def received_elsewhere(*, household_id: int) -> set[str]:
    """Codes of the policies the apps registered on hooks.received_policy_codes say the
    household receives (referrals: delivered by a department), as the region-wide
    match counts them (matching.received_pairs)."""
    codes: set[str] = set()
    for answer in hooks.received_policy_codes.results(household_id=household_id):
        codes |= set(answer)
    return codes


def household_matching(*, user, household_id) -> HouseholdMatching:
    """Every policy in force against one household in scope, explained.

    Raises NotFound for a household out of scope or missing.
    """
    assessment = assessment_current(user=user, household_id=household_id)
    household = assessment.household
    h = household_input(household)
    result = assess(h, engine_model(assessment.model_version),
                    economic_standard_for(household.village_id))  # fmt: skip
    record, members = record_of(h, result)
    received_codes = set(h.assistance_received)
    delivered = received_elsewhere(household_id=household.pk)
    groups: dict[str, list[PolicyMatch]] = {"to": [], "in": [], "near": [], "review": []}
    for policy in policy_list():
        outcome = evaluate(policy.condition, record, members)
        by_referral = policy.code in delivered
        received = by_referral or (
            bool(policy.receipt_code) and policy.receipt_code in received_codes
        )
        if outcome.ok:
            group = "in" if received else "to"
        elif received:
            group = "review"
        elif outcome.near_miss:
            group = "near"
        else:
            continue
        lines = explanation(explain(policy.condition, record, members), record, members)
        groups[group].append(PolicyMatch(policy, outcome, received, by_referral, lines))
    return HouseholdMatching(household, assessment, groups["to"], groups["in"],
                             groups["near"], groups["review"])  # fmt: skip


@dataclass
class FindResult:
    """政策找人 for a region: per policy the counts, and who is eligible without it."""

    regions_label: str
    rows: list[dict]  # policy, eligible, received, missing
    missing: object  # polars frame (household_id, policy)
    seconds: dict


def policy_find(*, user, region: str | None = None) -> FindResult:
    """Match the households of a region in the user's scope against the library.

    Raises jiuzhu.assessment.stats.OutOfScope as the statistics do (same scope rules).
    """
    if user.role not in roles.POLICY_FINDERS:
        raise stats.OutOfScope
    prefixes, picked = stats.resolve_regions(user=user, region=region)
    policies = policy_list()
    totals: dict[str, dict] = {}
    missing = []
    seconds: dict[str, float] = {}
    for prefix in prefixes:
        match = match_region(prefix.ljust(12, "0"), policies=policies)
        for k, v in match.seconds.items():
            seconds[k] = seconds.get(k, 0.0) + v
        for row in match.summary():
            total = totals.setdefault(row["policy"].code, {**row, "eligible": 0, "received": 0,
                                                          "missing": 0})  # fmt: skip
            for key in ("eligible", "received", "missing"):
                total[key] += row[key]
        missing.append(match.missing([p.code for p in policies]))
    frame = pl.concat(missing) if missing else None
    return FindResult(stats.regions_label(picked, prefixes), list(totals.values()), frame, seconds)


def find_rows(*, result: FindResult, department: str = "", limit: int | None = None) -> list[dict]:
    """The households eligible for a department's policies (all when blank) but not receiving them."""
    policies = {r["policy"].code: r["policy"] for r in result.rows}
    if department:
        policies = {c: p for c, p in policies.items() if p.department_id == department}
    frame = result.missing
    if frame is None or not policies:
        return []
    frame = frame.filter(pl.col("policy").is_in(list(policies))).sort("household_id", "policy")
    if limit is not None:
        frame = frame.head(limit)
    ids = frame["household_id"].unique().to_list()
    households = {
        h.pk: h
        for h in Household.objects.filter(pk__in=ids).only(
            "id", "number", "head_name", "village_id", "member_count", "phone"
        )
    }
    villages = dict(
        Region.objects.filter(code__in={h.village_id for h in households.values()}).values_list(
            "code", "name"
        )
    )
    rows = []
    for household_id, code in frame.iter_rows():
        h = households.get(household_id)
        if h is None:
            continue
        p = policies[code]
        rows.append({"household": h, "village": villages.get(h.village_id, h.village_id),
                     "policy": p, "department": p.department})  # fmt: skip
    return rows
