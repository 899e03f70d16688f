"""One person, one file — and the refusal is not a free oracle: every refused
duplicate is in the access log (who, which person's hash, never the number), and a
user refused too many numbers on file outside their regions is paused, on the page,
through the API and in a spreadsheet import alike."""

import pytest
from django.urls import reverse

from jiuzhu.accounts.models import AccessAction, AccessLog, Role
from jiuzhu.households import spreadsheets
from jiuzhu.households.crypto import lookup_hash
from jiuzhu.households.models import Household
from tests.factories import UserFactory, make_household, make_id_number, member_data
from tests.support.clients import api_login as login
from tests.support.clients import household_payload as payload
from tests.support.crafted import raw_xlsx, row_xml
from tests.support.forms import household_post, members_post
from tests.support.sheets import HH_HEADERS, M_HEADERS

pytestmark = pytest.mark.core

DUPLICATE = "已登记在其他家庭档案中"
PAUSED = "暂停查验身份证号"


@pytest.fixture(autouse=True)
def _small_limit(settings, tmp_path):
    settings.DUPLICATE_ID_LIMIT = 3
    settings.DUPLICATE_ID_WINDOW_MINUTES = 30
    settings.VAR_DIR = tmp_path


@pytest.fixture
def village(county):
    return county["villages"][0].code


@pytest.fixture
def elsewhere(county):
    """Numbers on file in another township: what a prober would ask about."""
    far = county["villages"][-1].code
    numbers = [make_id_number() for _ in range(5)]
    for n in numbers:
        make_household(village=far, members=[member_data(id_number=n)])
    return numbers


@pytest.fixture
def worker(village):
    return UserFactory(role=Role.VILLAGE_WORKER, regions=[village])


def _logged(user) -> list[AccessLog]:
    return list(AccessLog.objects.filter(user=user, action=AccessAction.DUPLICATE_ID))


def test_a_refused_duplicate_on_the_page_is_logged_by_hash_never_by_number(
    client, village, worker, elsewhere
):
    client.force_login(worker)
    before = Household.objects.count()
    data = {**household_post(village=village),
            **members_post([member_data(id_number=elsewhere[0])])}  # fmt: skip
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 200
    assert DUPLICATE in response.content.decode()
    assert Household.objects.count() == before
    (entry,) = _logged(worker)
    assert entry.object_id == lookup_hash(elsewhere[0])[:16]
    assert entry.detail.startswith("辖区外") and "入户登记页面" in entry.detail
    assert all(elsewhere[0] not in v for v in (entry.object_id, entry.detail))


def test_probing_through_the_api_is_paused_after_the_limit_even_for_new_numbers(
    village, worker, elsewhere
):
    api = login(worker)
    before = Household.objects.count()
    for number in elsewhere[:3]:
        response = api.post("/api/households", payload(village=village, members=[
            member_data(id_number=number)]))  # fmt: skip
        assert response.status_code == 422 and DUPLICATE in response.json()["detail"]
    # The fourth ask is refused whatever the number: no answer to learn from.
    for number in (elsewhere[3], make_id_number()):
        response = api.post("/api/households", payload(village=village, members=[
            member_data(id_number=number)]))  # fmt: skip
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert PAUSED in detail and DUPLICATE not in detail
    assert Household.objects.count() == before
    assert len(_logged(worker)) == 3
    # Another user is not paused.
    other = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])
    response = login(other).post("/api/households", payload(village=village))
    assert response.status_code == 201


def _ledger(village: str, numbers: list[str]) -> bytes:
    households = [row_xml(1, HH_HEADERS)]
    members = [row_xml(1, M_HEADERS)]
    for k, number in enumerate(numbers, start=1):
        households.append(row_xml(k + 1, [k, village, None, f"测试组{k}号"]))
        members.append(row_xml(k + 1, [k, "户主", f"测试{k}", number]))
    return raw_xlsx({"家庭": households, "成员": members})


def test_a_spreadsheet_of_numbers_on_file_elsewhere_pauses_the_checks_row_by_row(
    village, worker, elsewhere
):
    report = spreadsheets.validate(source=_ledger(village, elsewhere), user=worker)
    messages = [p.message for p in report.problems() if p.column == "身份证号"]
    assert [DUPLICATE in m for m in messages] == [True, True, True, False, False]
    assert [PAUSED in m for m in messages] == [False, False, False, True, True]
    assert len(_logged(worker)) == 3
    # The preview is read again and again: the same people are not logged twice.
    spreadsheets.validate(source=_ledger(village, elsewhere[:3]), user=worker)
    assert len(_logged(worker)) == 3


def test_duplicates_inside_ones_own_regions_are_logged_but_never_pause(village, worker):
    own = [make_id_number() for _ in range(5)]
    for n in own:
        make_household(village=village, members=[member_data(id_number=n)])
    report = spreadsheets.validate(source=_ledger(village, own), user=worker)
    messages = [p.message for p in report.problems() if p.column == "身份证号"]
    assert len(messages) == 5 and all(DUPLICATE in m for m in messages)
    assert all(e.detail.startswith("辖区内") for e in _logged(worker))
    assert len(_logged(worker)) == 5
