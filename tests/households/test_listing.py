"""The household list's sorts and filters (jiuzhu/households/listing.py, with the
assessment's facets from jiuzhu/assessment/listing.py): orders, filters, pages and
bad query strings, through the real list view."""

import re

import pytest

from jiuzhu.assessment.listing import FACETS
from jiuzhu.assessment.models import LatestAssessment
from jiuzhu.assessment.services import assessment_run
from jiuzhu.households import choices as c
from jiuzhu.households.listing import SortedRows
from jiuzhu.households.models import Household
from jiuzhu.households.views import PAGE_SIZE, page_links
from tests.factories import UserFactory, make_household, member_data
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def _member(**overrides):
    return member_data(**overrides)


@pytest.fixture
def spread(village):
    """Six households of one village whose hardship differs: healthy, ill, disabled,
    both, with no labour, and one imported without an assessment."""
    kinds = [
        [_member()],
        [_member(health_status=c.HealthStatus.SERIOUS, disease=c.Disease.KIDNEY, wage_income=0)],
        [_member(disability_type=c.DisabilityType.PHYSICAL, disability_grade=1, wage_income=0)],
        [
            _member(health_status=c.HealthStatus.SERIOUS, disease=c.Disease.KIDNEY,
                    disability_type=c.DisabilityType.MENTAL, disability_grade=2, wage_income=0),
            _member(relation=c.Relation.SPOUSE, health_status=c.HealthStatus.CHRONIC,
                    labour_ability=c.LabourAbility.LOST, wage_income=0),
        ],  # fmt: skip
        [_member(labour_ability=c.LabourAbility.LOST, wage_income=0)],
        [_member(wage_income=3000)],
    ]
    made = [make_household(village=village, members=m, tag_tekun=(i == 2)) for i, m in enumerate(kinds)]  # fmt: skip
    LatestAssessment.objects.filter(household=made[-1]).delete()  # as if imported, not yet assessed
    return made


def _listed(client, **params) -> list[int]:
    response = client.get("/households/", params)
    assert response.status_code == 200, response.content[:500]
    return [h.pk for h, _ in response.context["rows"]]


def _index(pk: int):
    return LatestAssessment.objects.get(household_id=pk).index


def test_the_hardship_index_sorts_high_to_low_and_unassessed_households_come_last(
    spread, township
):
    client = client_for(township)
    shown = _listed(client, sort="index_desc")
    assessed = [h.pk for h in spread[:-1]]
    expected = sorted(assessed, key=lambda pk: (_index(pk), pk), reverse=True)
    assert len({_index(pk) for pk in assessed}) >= 3  # the households really differ
    assert shown == [*expected, spread[-1].pk]


def test_the_number_sort_goes_by_village_then_number_across_the_county(county, county_staff):
    first, second = county["villages"][0].code, county["villages"][1].code
    homes = [make_household(village=v) for v in (second, first, second, first)]
    assert all(h.number.startswith(h.village_id) for h in homes)
    # A household that moved keeps its number and sorts with its new village.
    moved = homes[0]
    Household.objects.filter(pk=moved.pk).update(village_id=first)
    shown = [pk for pk in _listed(client_for(county_staff), sort="number") if pk in
             {h.pk for h in homes}]  # fmt: skip
    place = {h.pk: (first if h.pk == moved.pk else h.village_id, h.number) for h in homes}
    assert shown == sorted(place, key=place.get)
    assert shown[-1] == homes[2].pk  # the one household left in the second village


def test_the_hardship_index_sorts_low_to_high_as_well(spread, township):
    shown = _listed(client_for(township), sort="index_asc")
    assessed = sorted((h.pk for h in spread[:-1]), key=lambda pk: (_index(pk), pk))
    assert shown == [*assessed, spread[-1].pk]


def test_the_list_sorts_by_name_by_number_and_newest_assessment(spread, township):
    client = client_for(township)
    heads = {h.pk: Household.objects.get(pk=h.pk).head_name for h in spread}
    assert _listed(client, sort="name") == sorted(heads, key=lambda pk: (heads[pk], pk))
    numbers = {h.pk: h.number for h in spread}
    assert _listed(client, sort="number") == sorted(numbers, key=numbers.get)
    # Re-assessing the oldest household makes its assessment the newest.
    assessment_run(actor=None, household=spread[0])
    shown = _listed(client, sort="assessed_desc")
    assert shown[0] == spread[0].pk
    assert shown[-1] == spread[-1].pk  # no assessment: last
    assert _listed(client) == sorted((h.pk for h in spread), reverse=True)  # the default


def test_the_rows_show_the_index_circle_and_date_of_the_latest_assessment(spread, township):
    response = client_for(township).get("/households/", {"sort": "index_desc"})
    assert response.context["detail_headers"] == ["困难指数", "圈层", "最近评估"]
    top, cells = response.context["rows"][0]
    pointer = LatestAssessment.objects.get(household=top)
    assert cells[0] == ("困难指数", f"{pointer.index:.1f}")
    assert cells[1][1] == pointer.get_circle_display()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells[2][1])
    last, cells = response.context["rows"][-1]
    assert last.pk == spread[-1].pk and [v for _, v in cells] == ["—", "—", "—"]


def test_a_cause_filter_keeps_households_whose_latest_score_reaches_the_threshold(
    spread, township
):
    client = client_for(township)
    for cause, halves in (("illness", "illness_x2"), ("disability", "disability_x2")):
        expected = set(
            LatestAssessment.objects.filter(
                household__in=spread, **{f"{halves}__gte": 4}
            ).values_list("household_id", flat=True)
        )
        assert expected and len(expected) < len(spread)  # the filter really narrows
        assert set(_listed(client, cause=cause)) == expected


def test_a_circle_filter_and_the_existing_tag_filter_combine(spread, township):
    client = client_for(township)
    circles = dict(
        LatestAssessment.objects.filter(household__in=spread).values_list("household_id", "circle")
    )
    for circle in set(circles.values()):
        assert set(_listed(client, circle=circle)) == {
            pk for pk, v in circles.items() if v == circle
        }
    tekun = spread[2].pk
    assert _listed(client, circle=circles[tekun], tag="tag_tekun") == [tekun]


def test_the_filters_stay_in_the_links_of_the_pager(spread, township, village):
    for _ in range(PAGE_SIZE):
        make_household(village=village)
    response = client_for(township).get("/households/", {"sort": "index_desc", "cause": "illness", "page": 1})  # fmt: skip
    assert response.context["page"].paginator.num_pages == 1  # only the ill households
    response = client_for(township).get("/households/", {"sort": "name"})
    html = response.content.decode()
    assert response.context["page"].paginator.num_pages == 2
    assert 'href="/households/?sort=name&amp;page=2"' in html
    assert 'name="sort" value="name"' in html  # the jump form keeps the sort


@pytest.mark.parametrize(
    "params, notice",
    [
        ({"sort": "password"}, "排序方式无效"),
        ({"sort": "index_desc; DROP TABLE x"}, "排序方式无效"),
        ({"cause": "money"}, "致困原因筛选条件无效"),
        ({"circle": "9"}, "圈层筛选条件无效"),
        ({"circle": "一"}, "圈层筛选条件无效"),
    ],
)
def test_an_unknown_sort_or_filter_value_is_ignored_with_a_chinese_notice(
    spread, township, params, notice
):
    response = client_for(township).get("/households/", params)
    assert response.status_code == 200
    assert notice in response.content.decode()
    assert [h.pk for h, _ in response.context["rows"]] == sorted(
        (h.pk for h in spread), reverse=True
    )


@pytest.mark.parametrize(
    "page, shown",
    [("999", 2), ("-1", 2), ("99999999999999999999999", 2), ("abc", 1), ("1e9", 1), ("", 1)],
)
def test_a_page_beyond_the_end_or_not_a_number_never_fails(
    spread, township, village, page, shown
):
    for _ in range(PAGE_SIZE):
        make_household(village=village)
    response = client_for(township).get("/households/", {"page": page, "sort": "index_desc"})
    assert response.status_code == 200
    assert response.context["page"].number == shown


def test_a_page_past_the_end_shows_the_last_page(spread, township, village):
    for _ in range(PAGE_SIZE):
        make_household(village=village)
    response = client_for(township).get("/households/", {"page": 50, "sort": "index_desc"})
    assert response.context["page"].number == 2
    assert spread[-1].pk in [h.pk for h, _ in response.context["rows"]]  # unassessed: last


def test_the_list_is_still_region_scoped_when_sorted_and_filtered(spread, other_village):
    theirs = make_household(
        village=other_village,
        members=[_member(health_status=c.HealthStatus.SERIOUS, disease=c.Disease.KIDNEY)],
    )
    worker = UserFactory.village_worker(spread[0].village_id)
    for params in ({"sort": "index_desc"}, {"cause": "illness"}, {"sort": "assessed_desc"}):
        assert theirs.pk not in _listed(client_for(worker), **params)


def test_sorted_rows_slice_across_the_assessed_and_the_unassessed(spread):
    sort = next(s for s in FACETS.sorts if s.key == "index_desc")
    rows = SortedRows(Household.objects.filter(pk__in=[h.pk for h in spread]), sort)
    everything = [h.pk for h in rows[0:100]]
    assert everything[-1] == spread[-1].pk and len(everything) == len(spread)
    assert [h.pk for h in rows[4:6]] == everything[4:6]  # one of each part
    assert [h.pk for h in rows[5:6]] == [spread[-1].pk]  # only the second part
    assert rows.count_upto(3) == 4 and rows.count_upto(100) == len(spread)


@pytest.mark.parametrize(
    "here, last, links",
    [
        (1, 1, [1]),
        (1, 5, [1, 2, 3, None, 5]),
        (6, 251, [1, None, 4, 5, 6, 7, 8, None, 251]),
        (251, 251, [1, None, 249, 250, 251]),
    ],
)
def test_the_pager_links_the_first_and_last_and_pages_around(here, last, links):
    class Page:
        number = here

        class paginator:
            num_pages = last

    assert page_links(Page) == links
