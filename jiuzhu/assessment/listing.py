"""What the assessment adds to the household list (households.hooks.household_list_facets):
sorting by the hardship index and by the latest assessment, filtering by a cause
and by a circle, and the index, circle and date in each row.

Everything reads the LatestAssessment pointer (decision 0004), never the wide
assessment rows. A cause is a factor whose latest score reaches the active model's
cause threshold, as the statistics count it (assessment.stats), so a row of the
statistics table and the list filtered by that cause agree. The sorts are fast
at scale through the pointer's indexes (migration 0006, decision 0007).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F, Q
from django.utils import timezone

from jiuzhu.engine.model import FACTOR_LABELS, FACTORS
from jiuzhu.households.listing import ListFacets, ListFilter, ListSort, RowDetails

from .models import Circle, LatestAssessment
from .services import active_model_version

ASSESSED = Q(latest_assessment__isnull=False)


def _cause(value: str) -> Q:
    halves = round(float(active_model_version().data.get("cause_threshold", 2.0)) * 2)
    return Q(**{f"latest_assessment__{LatestAssessment.HALVES[value]}__gte": halves})


def _circle(value: str) -> Q:
    return Q(latest_assessment__circle=int(value))


def _cells(ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    rows = LatestAssessment.objects.filter(household_id__in=list(ids)).values_list(
        "household_id", "index", "circle", "assessment__assessed_at"
    )
    return {
        pk: (
            f"{index:.1f}",
            Circle(circle).label if circle in Circle.values else "—",
            timezone.localtime(at).strftime("%Y-%m-%d") if at else "—",
        )
        for pk, index, circle, at in rows
    }


FACETS = ListFacets(
    sorts=(
        # (index, household) descending is one index of the pointer table, read
        # forwards or backwards; households not yet assessed follow.
        ListSort(
            "index_desc",
            "困难指数 高→低",
            (F("latest_assessment__index").desc(), F("id").desc()),
            ASSESSED,
        ),
        ListSort("index_asc", "困难指数 低→高", ("latest_assessment__index", "id"), ASSESSED),
        # Assessments are numbered as they are stored, each stamped when it is: the
        # newest pointer target is the latest assessment date.
        ListSort(
            "assessed_desc",
            "最近评估在前",
            (F("latest_assessment__assessment_id").desc(),),
            ASSESSED,
        ),
    ),  # fmt: skip
    filters=(
        ListFilter("cause", "致困原因", tuple((f, FACTOR_LABELS[f]) for f in FACTORS), _cause),
        ListFilter(
            "circle", "圈层", tuple((str(v), label) for v, label in Circle.choices), _circle
        ),
    ),
    details=RowDetails(("困难指数", "圈层", "最近评估"), _cells),
)


def household_list_facets() -> ListFacets:
    """The answer on households.hooks.household_list_facets."""
    return FACETS
