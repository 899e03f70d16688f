"""Snapshots of what is stored, to show that a refused request wrote nothing."""

from __future__ import annotations

from jiuzhu.households.models import Household, Member


def registry_counts() -> tuple[int, int, int, int]:
    """Households, members, and their history rows."""
    return (
        Household.objects.count(),
        Member.objects.count(),
        Household.history.count(),
        Member.history.count(),
    )
