"""The registry export writes what people typed as text: no live formula, and a
control character stored before the input checks no longer breaks the export."""

import io
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.urls import reverse

from jiuzhu.accounts.models import Role
from jiuzhu.households.models import Member
from tests.factories import UserFactory, make_household, member_data

pytestmark = pytest.mark.core

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def clerk(county):
    return UserFactory(role=Role.TOWNSHIP_STAFF, regions=[county["townships"][0].code])


def _export(client, **params):
    response = client.get(reverse("households:export"), params)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _column(ws, header: str) -> list:
    rows = list(ws.iter_rows())
    at = [c.value for c in rows[0]].index(header)
    return [row[at] for row in rows[1:]]


def test_a_member_named_like_a_formula_comes_back_as_literal_text(client, county, clerk):
    village = county["villages"][0].code
    make_household(
        village=village,
        members=[member_data(name=FORMULA), member_data(relation="spouse", name="-1+2")],
        address="@SUM(A1)",
    )
    client.force_login(clerk)
    book = _export(client)
    names = _column(book["成员"], "姓名")
    assert sorted(c.value for c in names) == sorted([FORMULA, "-1+2"])
    assert {c.data_type for c in names} == {"s"}
    (head,) = _column(book["家庭"], "户主姓名")
    (address,) = _column(book["家庭"], "家庭住址")
    assert (head.value, head.data_type) == (FORMULA, "s")
    assert (address.value, address.data_type) == ("@SUM(A1)", "s")


def test_a_control_character_already_stored_is_replaced_and_the_export_answers(
    client, county, clerk
):
    household = make_household(village=county["villages"][0].code)
    # Written before names were checked: straight into the table.
    Member.objects.filter(household=household, relation="head").update(name="控\x01制")
    client.force_login(clerk)
    names = [c.value for c in _column(_export(client)["成员"], "姓名")]
    assert "控\ufffd制" in names


@pytest.mark.parametrize("q", ["\x01", "控\x01制", "\u202e", "\x00"])
def test_a_search_holding_a_control_character_answers_without_a_server_error(
    client, county, clerk, q
):
    make_household(village=county["villages"][0].code)
    client.force_login(clerk)
    # The search posts; its text comes back as a session token (?s=…) for the list and export.
    searched = client.post(reverse("households:list"), {"q": q})
    assert searched.status_code in (303, 400), searched.status_code
    token = parse_qs(urlsplit(searched["Location"]).query).get("s", [""])[0] if (
        searched.status_code == 303
    ) else ""
    for name in ("households:list", "households:export"):
        response = client.get(reverse(name), {"s": token})
        assert response.status_code in (200, 400), (name, response.status_code)
    # An old-style link with the text in the query string is answered too.
    response = client.get(reverse("households:list"), {"q": q}, follow=True)
    assert response.status_code in (200, 400)
