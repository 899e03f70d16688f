"""The scope-leak matrix: every role × households inside and outside its grant,
through every page and API endpoint that shows household files.

A household outside the user's scope must look exactly like one that does
not exist. Places are chosen so that each boundary is tested where it is
tightest: the next village of the same township, another township of the
same county, and another county.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest
from django.test import Client, override_settings

from jiuzhu.accounts.models import AccessLog, Role
from jiuzhu.accounts.roles import EXPORTERS, HOUSEHOLD_EDITORS, HOUSEHOLD_READERS, ID_REVEALERS
from jiuzhu.households.crypto import decrypt
from jiuzhu.households.models import Household, Member
from jiuzhu.regions import luquan
from jiuzhu.regions.models import Level, Region, prefix_of
from tests.factories import UserFactory, make_household

pytestmark = pytest.mark.core

PASSWORD = "Test-pass-2024"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
OTHER_COUNTY = "530129000000"
OTHER_COUNTY_VILLAGE = "530129100200"
PLACES = ["home_village", "sibling_village", "other_township", "other_county"]
ROLES = list(Role)
MISSING_ID = 987654321


@dataclass
class World:
    villages: dict[str, Region]  # place → village
    households: dict[str, Household]  # place → household
    township: Region
    county: str

    def grant_for(self, role: Role) -> str:
        """The natural grant of each role: a village, a township or the county."""
        if role == Role.VILLAGE_WORKER:
            return self.villages["home_village"].code
        if role == Role.TOWNSHIP_STAFF:
            return self.township.code
        return self.county

    def visible(self, role: Role, place: str) -> bool:
        inside = self.villages[place].code.startswith(prefix_of(self.grant_for(role)))
        visible = inside and role in HOUSEHOLD_READERS
        assert visible == _visible(role, place)
        return visible


def _visible(role: Role, place: str) -> bool:
    """The same rule, stated by hand for parametrizing: what each grant covers."""
    covered = {
        Role.VILLAGE_WORKER: {"home_village"},
        Role.TOWNSHIP_STAFF: {"home_village", "sibling_village"},
    }.get(role, {"home_village", "sibling_village", "other_township"})
    return role in HOUSEHOLD_READERS and place in covered


def _other_county() -> Region:
    """A neighbouring county (synthetic subtree) that no test user is granted."""
    county, _ = Region.objects.get_or_create(
        code=OTHER_COUNTY,
        defaults={"name": "寻甸回族彝族自治县", "level": Level.COUNTY, "parent_id": "530100000000"},
    )
    township, _ = Region.objects.get_or_create(
        code="530129100000", defaults={"name": "测试镇", "level": Level.TOWNSHIP, "parent": county}
    )
    village, _ = Region.objects.get_or_create(
        code=OTHER_COUNTY_VILLAGE,
        defaults={"name": "测试外县村", "level": Level.VILLAGE, "parent": township},
    )
    return village


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """Regions and the four households, committed once for the whole module.

    Every test still runs in its own rolled-back transaction, so what a test
    changes (a patch, a reveal, a token) is gone before the next one starts.
    Building this per test costs most of a second on PostgreSQL x 300 tests.
    """
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        regions_before = set(Region.objects.values_list("code", flat=True))
        luquan.load()
        villages_all = list(Region.objects.filter(level=Level.VILLAGE, code__startswith="530128"))
        by_township: dict[str, list[Region]] = {}
        for v in sorted(villages_all, key=lambda r: r.code):
            by_township.setdefault(v.parent_id, []).append(v)
        home_township_code = next(code for code, vs in by_township.items() if len(vs) >= 2)
        other_township_code = next(code for code in by_township if code != home_township_code)
        villages = {
            "home_village": by_township[home_township_code][0],
            "sibling_village": by_township[home_township_code][1],
            "other_township": by_township[other_township_code][0],
            "other_county": _other_county(),
        }
        creator = UserFactory(role=Role.COUNTY_STAFF, regions=["530100000000"])
        households = {
            place: make_household(village=v.code, actor=creator) for place, v in villages.items()
        }
        world = World(
            villages=villages,
            households=households,
            township=Region.objects.get(code=home_township_code),
            county=luquan.COUNTY,
        )
    yield world
    with django_db_blocker.unblock():
        ids = [h.pk for h in households.values()]
        Household.objects.filter(pk__in=ids).delete()
        # After the delete: deleting writes history rows of its own.
        Member.history.filter(household_id__in=ids).delete()
        Household.history.filter(id__in=ids).delete()
        creator.delete()
        created = Region.objects.exclude(code__in=regions_before)
        for level in sorted(Level.values, reverse=True):
            created.filter(level=level).delete()


@pytest.fixture
def world(_world, db) -> World:
    """The module's world with fresh household objects for this test."""
    fresh = {place: Household.objects.get(pk=h.pk) for place, h in _world.households.items()}
    return World(
        villages=_world.villages, households=fresh, township=_world.township, county=_world.county
    )


def _user(world: World, role: Role):
    return UserFactory(role=role, regions=[world.grant_for(role)])


def _logged_in(world: World, role: Role) -> tuple[Client, object]:
    user = _user(world, role)
    client = Client()
    client.force_login(user)
    return client, user


def _api(world: World, role: Role) -> tuple[Client, dict, object]:
    user = _user(world, role)
    client = Client()
    response = client.post(
        "/api/token",
        data=json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return client, {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}, user


def _first_member(household: Household):
    return household.members.order_by("id").first()


def _same_as_missing(response, missing, *, real_id: int) -> None:
    """The answer for a hidden household equals the answer for a made-up id."""
    assert response.status_code == missing.status_code
    # A 404 page may echo the requested path; only that part may differ.
    body = response.content.replace(f"/{real_id}/".encode(), b"/<id>/")
    assert body == missing.content.replace(f"/{MISSING_ID}/".encode(), b"/<id>/")


matrix = pytest.mark.parametrize(
    ("role", "place"),
    [(role, place) for role in ROLES for place in PLACES],
    ids=[f"{role.value}-{place}" for role in ROLES for place in PLACES],
)


# --- pages ---------------------------------------------------------------------


@matrix
def test_the_household_list_page_shows_a_household_only_inside_the_users_scope(world, role, place):
    client, _ = _logged_in(world, role)
    household = world.households[place]
    response = client.get("/households/")
    if role not in HOUSEHOLD_READERS:
        assert response.status_code in (403, 404)
        assert household.number.encode() not in response.content
        return
    assert response.status_code == 200
    shown = f'href="/households/{household.pk}/"'.encode() in response.content
    assert shown == world.visible(role, place)


@matrix
def test_the_household_page_answers_a_hidden_household_exactly_like_a_missing_one(
    world, role, place
):
    client, _ = _logged_in(world, role)
    household = world.households[place]
    response = client.get(f"/households/{household.pk}/")
    if world.visible(role, place):
        assert response.status_code == 200
        assert household.number in response.content.decode()
    else:
        _same_as_missing(response, client.get(f"/households/{MISSING_ID}/"), real_id=household.pk)
        assert household.number not in response.content.decode()


@matrix
def test_the_edit_page_opens_only_for_editors_inside_their_scope(world, role, place):
    client, _ = _logged_in(world, role)
    household = world.households[place]
    response = client.get(f"/households/{household.pk}/edit/")
    if world.visible(role, place) and role in HOUSEHOLD_EDITORS:
        assert response.status_code == 200
        assert _first_member(household).name in response.content.decode()
    else:
        _same_as_missing(
            response, client.get(f"/households/{MISSING_ID}/edit/"), real_id=household.pk
        )


@pytest.mark.parametrize(
    ("role", "place"),
    [(r, p) for r in ROLES for p in PLACES if not _visible(r, p)],
    ids=[f"{r.value}-{p}" for r in ROLES for p in PLACES if not _visible(r, p)],
)
def test_posting_the_edit_form_for_a_hidden_household_changes_nothing(world, role, place):
    client, _ = _logged_in(world, role)
    household = world.households[place]
    response = client.post(
        f"/households/{household.pk}/edit/",
        {"village": household.village_id, "address": "被篡改的地址"},
    )
    _same_as_missing(
        response,
        client.post(f"/households/{MISSING_ID}/edit/", {"address": "被篡改的地址"}),
        real_id=household.pk,
    )
    household.refresh_from_db()
    assert household.address == "测试地址1号"


@matrix
def test_revealing_an_id_number_works_only_for_revealers_inside_their_scope(world, role, place):
    client, user = _logged_in(world, role)
    member = _first_member(world.households[place])
    response = client.post(f"/households/members/{member.pk}/reveal/")
    full = decrypt(member.id_cipher)
    if not world.visible(role, place):
        _same_as_missing(
            response,
            client.post(f"/households/members/{MISSING_ID}/reveal/"),
            real_id=member.pk,
        )
    elif role in ID_REVEALERS:
        assert response.status_code == 200
        assert full in response.content.decode()
    else:
        assert response.status_code == 403
    assert (full in response.content.decode()) == (
        world.visible(role, place) and role in ID_REVEALERS
    )
    logged = AccessLog.objects.filter(user=user, object_id=str(member.pk)).count()
    assert logged == (1 if world.visible(role, place) and role in ID_REVEALERS else 0)


@matrix
def test_searching_the_list_page_by_an_exact_id_number_finds_only_households_in_scope(
    world, role, place
):
    client, _ = _logged_in(world, role)
    household = world.households[place]
    number = decrypt(_first_member(household).id_cipher)
    response = client.get("/households/", {"q": number})
    if role not in HOUSEHOLD_READERS:
        assert response.status_code in (403, 404)
        return
    assert response.status_code == 200
    found = f'href="/households/{household.pk}/"'.encode() in response.content
    assert found == world.visible(role, place)


# Export: owned by the spreadsheet helper; these pass once export_view lands.


def _export_numbers(response) -> set[str]:
    from openpyxl import load_workbook

    data = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    cells: set[str] = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells.update(str(v) for v in row if v is not None)
    return cells


@matrix
def test_the_export_contains_a_household_only_inside_the_exporters_scope(world, role, place):
    client, _ = _logged_in(world, role)
    household = world.households[place]
    response = client.get("/households/export.xlsx")
    if role not in EXPORTERS:
        assert response.status_code in (403, 404)
        return
    assert response.status_code == 200
    cells = _export_numbers(response)
    assert (household.number in cells) == world.visible(role, place)
    # A full ID number never leaves the system in an export.
    assert decrypt(_first_member(household).id_cipher) not in cells


# --- API -----------------------------------------------------------------------


@matrix
def test_the_api_list_includes_a_household_only_inside_the_tokens_scope(world, role, place):
    client, auth, _ = _api(world, role)
    household = world.households[place]
    response = client.get("/api/households", {"page_size": 200}, **auth)
    assert response.status_code == 200
    body = response.json()
    ids = {item["id"] for item in body["items"]}
    assert (household.pk in ids) == world.visible(role, place)
    expected = sum(world.visible(role, p) for p in PLACES)
    assert body["count"] == expected == len(body["items"])


@matrix
def test_the_api_answers_a_hidden_household_exactly_like_a_missing_one(world, role, place):
    client, auth, _ = _api(world, role)
    household = world.households[place]
    response = client.get(f"/api/households/{household.pk}", **auth)
    if world.visible(role, place):
        assert response.status_code == 200
        assert response.json()["number"] == household.number
    else:
        missing = client.get(f"/api/households/{MISSING_ID}", **auth)
        assert response.status_code == missing.status_code == 404
        assert response.json() == missing.json()


@matrix
def test_patching_through_the_api_works_only_for_editors_inside_their_scope(world, role, place):
    client, auth, _ = _api(world, role)
    household = world.households[place]
    patch = json.dumps({"address": "接口修改的地址"})
    response = client.patch(
        f"/api/households/{household.pk}", data=patch, content_type="application/json", **auth
    )
    household.refresh_from_db()
    if world.visible(role, place) and role in HOUSEHOLD_EDITORS:
        assert response.status_code == 200
        assert household.address == "接口修改的地址"
        return
    assert household.address == "测试地址1号"
    if role not in HOUSEHOLD_EDITORS:
        assert response.status_code == 403
    missing = client.patch(
        f"/api/households/{MISSING_ID}", data=patch, content_type="application/json", **auth
    )
    if not world.visible(role, place):
        assert response.status_code == missing.status_code
        assert response.json() == missing.json()


@matrix
def test_searching_the_api_by_an_exact_id_number_finds_only_households_in_scope(world, role, place):
    client, auth, _ = _api(world, role)
    household = world.households[place]
    number = decrypt(_first_member(household).id_cipher)
    response = client.get("/api/households", {"q": number}, **auth)
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert ids == ([household.pk] if world.visible(role, place) else [])
    assert number not in response.content.decode()


@pytest.mark.parametrize(
    "role", [Role.DEPARTMENT_OFFICER, Role.SERVICE_ORG, Role.LEADER], ids=lambda r: r.value
)
def test_roles_without_household_access_see_no_household_file_anywhere(world, role):
    client, auth, _ = _api(world, role)
    for household in world.households.values():
        assert client.get(f"/api/households/{household.pk}", **auth).status_code == 404
    assert client.get("/api/households", **auth).json() == {
        "count": 0,
        "page": 1,
        "page_size": 20,
        "items": [],
    }
    page_client, _ = _logged_in(world, role)
    for household in world.households.values():
        response = page_client.get(f"/households/{household.pk}/")
        assert response.status_code == 404
        assert household.number not in response.content.decode()


# --- region levels ---------------------------------------------------------------


@pytest.fixture
def two_townships(world):
    """A household in every village of two townships (plus the world's own)."""
    first = world.township.code
    second = world.villages["other_township"].parent_id
    creator = UserFactory(role=Role.COUNTY_STAFF, regions=[world.county])
    villages = {
        code: set(Region.objects.filter(parent_id=code).values_list("code", flat=True))
        for code in (first, second)
    }
    for code in (first, second):
        for village in sorted(villages[code]):
            make_household(village=village, actor=creator)

    # Expected sets follow the parent links, not the code prefixes under test.
    def under(code: str) -> set[int]:
        return set(Household.objects.filter(village__parent_id=code).values_list("id", flat=True))

    return {
        "first": first,
        "second": second,
        "villages": villages,
        "households": {code: under(code) for code in (first, second)},
        "county_households": set(
            Household.objects.filter(village__parent__parent_id=world.county).values_list(
                "id", flat=True
            )
        ),
        "foreign": world.households["other_county"].pk,
        "county": world.county,
    }


def _api_ids(user) -> set[int]:
    client = Client()
    token = client.post(
        "/api/token",
        data=json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    ).json()["token"]
    body = client.get(
        "/api/households", {"page_size": 200}, HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    return {item["id"] for item in body["items"]}


def test_a_township_user_sees_every_village_of_the_township_and_none_of_another(two_townships):
    from jiuzhu.households import selectors

    t = two_townships
    user = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[t["first"]])
    assert len(t["villages"][t["first"]]) >= 2
    assert len(t["households"][t["first"]]) > len(t["villages"][t["first"]])
    assert _api_ids(user) == t["households"][t["first"]]
    listed = set(selectors.household_list(user=user).values_list("id", flat=True))
    assert listed == t["households"][t["first"]]
    choices = set(selectors.village_choices(user=user).values_list("code", flat=True))
    assert choices == t["villages"][t["first"]]


def test_a_township_user_filtering_by_another_township_gets_nothing(two_townships):
    from jiuzhu.households import selectors

    t = two_townships
    user = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[t["first"]])
    assert not selectors.household_list(user=user, region=t["second"]).exists()
    assert (
        not selectors.household_list(user=user, region=t["county"])
        .exclude(id__in=t["households"][t["first"]])
        .exists()
    )


def test_a_county_user_sees_every_household_of_the_county_and_none_outside(two_townships):
    t = two_townships
    user = UserFactory(role=Role.COUNTY_STAFF, regions=[t["county"]])
    ids = _api_ids(user)
    assert t["households"][t["first"]] | t["households"][t["second"]] <= ids
    assert ids == t["county_households"]
    assert t["foreign"] not in ids


def test_a_user_with_no_grant_sees_nothing_even_as_county_staff(two_townships):
    user = UserFactory(role=Role.COUNTY_STAFF, regions=[])
    assert _api_ids(user) == set()
