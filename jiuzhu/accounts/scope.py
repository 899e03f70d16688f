"""Region scope: which regions a user was granted, and what lies under them.

A user sees exactly the records under the regions granted to them (RegionGrant);
every app's selectors start from these functions, so the rule is written once.
The statistical codes nest, so "under a region" is a code-prefix match
(jiuzhu.regions.models.prefix_of / under_codes_q), the same in SQL and in Polars.
"""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.regions.models import Level, Region, prefix_of, under_codes_q


def user_scope_codes(user) -> list[str]:
    """Region codes granted to the user (cached on the user object per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_scope_codes", None)
    if cached is None:
        cached = list(user.grants.values_list("region_id", flat=True))
        user._scope_codes = cached
    return cached


def code_in_scope(*, user, code: str) -> bool:
    """Whether a region code lies under any region granted to the user."""
    return any(code.startswith(prefix_of(granted)) for granted in user_scope_codes(user))


def region_scope(*, user) -> QuerySet[Region]:
    """Every region under the user's grants (the grants included)."""
    return Region.objects.filter(under_codes_q("code", user_scope_codes(user)))


def village_choices(*, user) -> QuerySet[Region]:
    return region_scope(user=user).filter(level=Level.VILLAGE).order_by("code")


def township_choices(*, user) -> QuerySet[Region]:
    return region_scope(user=user).filter(level__in=[Level.TOWNSHIP]).order_by("code")

