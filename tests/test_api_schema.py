"""Paging parameters are bounded in the API schema: out of range answers 422 naming
the parameter in Chinese, never 500; a query holding a control character finds
nothing."""

import pytest

from jiuzhu.accounts.models import Role
from tests.factories import UserFactory, make_household
from tests.support.clients import api_login as login

pytestmark = pytest.mark.core

HUGE = "9223372036854775807"


@pytest.fixture
def api(county):
    village = county["villages"][0].code
    make_household(village=village)
    return login(UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]]))


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("/api/households", {"page": HUGE}, "页码(page):应不大于1000000"),
        ("/api/households", {"page": "0"}, "页码(page):应不小于1"),
        ("/api/households", {"page": "9" * 40}, "页码(page):"),
        ("/api/households", {"page_size": "100000"}, "每页条数(page_size):应不大于200"),
        ("/api/households", {"page_size": "0"}, "每页条数(page_size):应不小于1"),
        ("/api/referrals", {"limit": HUGE}, "条数(limit):应不大于500"),
        ("/api/referrals", {"offset": HUGE}, "起始位置(offset):应不大于100000000"),
        ("/api/referrals", {"offset": "-1"}, "起始位置(offset):应不小于0"),
    ],
)
def test_a_paging_parameter_out_of_range_answers_422_naming_it(api, path, params, expected):
    response = api.get(path, params)
    assert response.status_code == 422, response.content
    assert expected in response.json()["detail"]


def test_the_largest_allowed_values_answer_an_empty_page(api):
    body = api.get("/api/households", {"page": "1000000", "page_size": "200"}).json()
    assert body["items"] == [] and body["count"] == 1
    assert api.get("/api/referrals", {"limit": "500", "offset": "100000000"}).json() == {
        "items": [], "count": 0
    }  # fmt: skip


@pytest.mark.parametrize("q", ["\x01", "\x00", "\u202e"])
def test_a_search_holding_a_control_character_finds_nothing(api, q):
    response = api.get("/api/households", {"q": q})
    assert response.status_code == 200
    assert response.json()["count"] == 0
