"""Every access helper answers a record outside the user's scope, a record that does
not exist and a record not for the user's role with the same exception and message
(jiuzhu.accounts.access.NotFound), and the API turns it into the same 404 body."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from jiuzhu.accounts.access import NotFound
from jiuzhu.accounts.models import Role
from jiuzhu.assessment import selectors as assessment_selectors
from jiuzhu.assessment.services import active_model_version
from jiuzhu.cases import selectors as case_selectors
from jiuzhu.cases import services as case_services
from jiuzhu.households import selectors as household_selectors
from jiuzhu.policies import selectors as policy_selectors
from jiuzhu.policies.models import Department
from jiuzhu.referrals import selectors as referral_selectors
from jiuzhu.referrals import services as referral_services
from jiuzhu.regions.models import Level, Region
from jiuzhu.reviews import selectors as review_selectors
from jiuzhu.reviews import services as review_services
from jiuzhu.reviews.models import ReviewMeeting
from tests.factories import UserFactory, make_household

pytestmark = pytest.mark.core

MISSING = 987_654_321
OTHER_COUNTY = "530129000000"


@dataclass
class Probe:
    """One helper, the record a reader in scope gets, and the users who must not."""

    fetch: Any  # (user, key) -> the record
    key: Any  # the real record's key
    missing: Any  # a key no record has
    reader: Any  # a user in scope with the right role
    outsider: Any  # the right role, another place (or department)
    wrong_role: Any  # in scope, but a role that does not read this kind of record


def _answer(fetch, user, key) -> tuple[type, str]:
    with pytest.raises(NotFound) as caught:
        fetch(user, key)
    return type(caught.value), caught.value.message


@pytest.fixture
def world(county, db):
    home, away = county["villages"][0], county["villages"][-1]
    county_code = county["county"]
    yibao, _ = Department.objects.get_or_create(
        code="yibao", defaults={"name": "县医保局", "short_name": "医保", "kind": "government"}
    )
    jiaoyu, _ = Department.objects.get_or_create(
        code="jiaoyu", defaults={"name": "县教育局", "short_name": "教育", "kind": "government"}
    )
    township = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[home.parent_id])
    household = make_household(village=home.code)
    case = case_services.case_open(actor=township, household=household)
    referral = referral_services.referral_send(
        actor=township, household=household, department=yibao, need="medical"
    )
    county_staff = UserFactory(role=Role.COUNTY_STAFF, regions=[county_code])
    meeting = review_services.meeting_create(
        actor=county_staff, county=county_staff.regions.get(), month=_today().replace(day=1),
        held_on=_today(), chair="县民政局局长", departments=[yibao], with_agenda=False,
    )  # fmt: skip
    return {
        "home": home, "away": away, "county": county_code, "household": household,
        "case": case, "referral": referral, "meeting": meeting, "township": township,
        "county_staff": county_staff, "yibao": yibao, "jiaoyu": jiaoyu,
    }  # fmt: skip


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _other_county() -> str:
    """A neighbouring county that no test user of the world is granted."""
    county, _ = Region.objects.get_or_create(
        code=OTHER_COUNTY,
        defaults={"name": "寻甸回族彝族自治县", "level": Level.COUNTY, "parent_id": "530100000000"},
    )
    return county.code


def _users(world, role, **kw):
    return UserFactory(role=role, regions=[world["home"].code], **kw)


def test_the_household_helper_answers_hidden_missing_and_wrong_role_alike(world):
    household = world["household"]
    probe = Probe(
        fetch=lambda u, k: household_selectors.access_household_by_id(user=u, household_id=k),
        key=household.pk, missing=MISSING,
        reader=_users(world, Role.VILLAGE_WORKER),
        outsider=UserFactory(role=Role.VILLAGE_WORKER, regions=[world["away"].code]),
        wrong_role=_users(world, Role.LEADER),
    )  # fmt: skip
    _check(probe, expected=household)


def test_the_member_helper_answers_hidden_missing_and_wrong_role_alike(world):
    member = world["household"].members.order_by("id").first()
    probe = Probe(
        fetch=lambda u, k: household_selectors.access_member_by_id(user=u, member_id=k),
        key=member.pk, missing=MISSING,
        reader=_users(world, Role.TOWNSHIP_STAFF),
        outsider=UserFactory(role=Role.TOWNSHIP_STAFF, regions=[world["away"].parent_id]),
        wrong_role=_users(world, Role.DEPARTMENT_OFFICER, department="yibao"),
    )  # fmt: skip
    _check(probe, expected=member)


def test_the_case_helper_answers_hidden_missing_and_wrong_role_alike(world):
    case = world["case"]
    probe = Probe(
        fetch=lambda u, k: case_selectors.access_case_by_id(user=u, case_id=k),
        key=case.pk, missing=MISSING,
        reader=_users(world, Role.VILLAGE_WORKER),
        outsider=UserFactory(role=Role.VILLAGE_WORKER, regions=[world["away"].code]),
        wrong_role=_users(world, Role.DEPARTMENT_OFFICER, department="yibao"),
    )  # fmt: skip
    _check(probe, expected=case)


def test_the_ticket_helper_answers_hidden_missing_and_wrong_role_alike(world):
    ticket = case_services.ticket_create(
        actor=world["township"], kind="help", region_code=world["home"].code, content="来电求助"
    )
    probe = Probe(
        fetch=lambda u, k: case_selectors.access_ticket_by_id(user=u, ticket_id=k),
        key=ticket.pk, missing=MISSING,
        reader=world["township"],
        outsider=UserFactory(role=Role.TOWNSHIP_STAFF, regions=[world["away"].parent_id]),
        wrong_role=_users(world, Role.VILLAGE_WORKER),  # the hotline is township and county
    )  # fmt: skip
    _check(probe, expected=ticket)


def test_the_referral_helper_answers_other_departments_missing_and_wrong_role_alike(world):
    referral = world["referral"]
    probe = Probe(
        fetch=lambda u, k: referral_selectors.access_referral_by_id(user=u, referral_id=k),
        key=referral.pk, missing=MISSING,
        reader=UserFactory(role=Role.DEPARTMENT_OFFICER, department="yibao"),
        outsider=UserFactory(role=Role.DEPARTMENT_OFFICER, department="jiaoyu"),
        wrong_role=_users(world, Role.VILLAGE_WORKER),
    )  # fmt: skip
    _check(probe, expected=referral)


def test_the_referred_household_helper_opens_only_through_a_referral(world):
    household = world["household"]
    probe = Probe(
        fetch=lambda u, k: referral_selectors.access_referred_household_by_id(
            user=u, household_id=k
        ).household,
        key=household.pk, missing=MISSING,
        reader=UserFactory(role=Role.DEPARTMENT_OFFICER, department="yibao"),
        outsider=UserFactory(role=Role.DEPARTMENT_OFFICER, department="jiaoyu"),
        wrong_role=_users(world, Role.LEADER),
    )  # fmt: skip
    _check(probe, expected=household)


def test_the_conference_helper_answers_hidden_missing_and_wrong_role_alike(world):
    case = world["case"]
    conference = referral_services.conference_create(
        actor=world["township"], case=case, held_on=_today(), departments=[world["jiaoyu"]],
        minutes="会商纪要:教育部门核实在校情况",
    )  # fmt: skip
    probe = Probe(
        fetch=lambda u, k: referral_selectors.access_conference_by_id(user=u, conference_id=k),
        key=conference.pk, missing=MISSING,
        reader=world["township"],
        outsider=UserFactory(role=Role.TOWNSHIP_STAFF, regions=[world["away"].parent_id]),
        wrong_role=_users(world, Role.DEPARTMENT_OFFICER, department="jiaoyu"),
    )  # fmt: skip
    _check(probe, expected=conference)


def test_the_meeting_helper_answers_other_counties_missing_and_leaders_alike(world):
    meeting = world["meeting"]
    other = UserFactory(role=Role.COUNTY_STAFF, regions=[_other_county()])
    probe = Probe(
        fetch=lambda u, k: review_selectors.access_meeting_by_id(user=u, meeting_id=k),
        key=meeting.pk, missing=MISSING,
        reader=world["county_staff"], outsider=other,
        wrong_role=UserFactory(role=Role.LEADER, regions=[world["county"]]),
    )  # fmt: skip
    _check(probe, expected=meeting)


def test_the_agenda_item_helper_finds_only_the_meetings_own_items(world):
    meeting = world["meeting"]
    other = ReviewMeeting.objects.create(
        county_id=world["county"], month=meeting.month.replace(year=meeting.month.year - 1),
        held_on=meeting.held_on.replace(year=meeting.held_on.year - 1), chair="某",
        created_by=world["county_staff"],
    )  # fmt: skip
    item = other.items.create(case=world["case"], position=1)
    for key in (item.pk, MISSING, "x"):
        with pytest.raises(NotFound) as caught:
            review_selectors.access_item_by_id(meeting=meeting, item_id=key)
        assert caught.value.message == "议程事项不存在"
    assert review_selectors.access_item_by_id(meeting=other, item_id=item.pk) == item


def test_the_model_version_helper_answers_other_roles_like_a_missing_version(world):
    version = active_model_version()
    probe = Probe(
        fetch=lambda u, k: assessment_selectors.access_model_version(user=u, version=k),
        key=version.version, missing="v999",
        reader=world["county_staff"], outsider=None,
        wrong_role=world["township"],
    )  # fmt: skip
    _check(probe, expected=version)


def test_the_policy_helper_answers_an_unknown_code_as_not_found(world, db):
    from jiuzhu.policies.services import library_load

    library_load()
    reader = _users(world, Role.DEPARTMENT_OFFICER, department="yibao")
    code = policy_selectors.policy_list()[0].code
    assert policy_selectors.access_policy_by_code(user=reader, code=code).code == code
    with pytest.raises(NotFound) as caught:
        policy_selectors.access_policy_by_code(user=reader, code="no-such-policy")
    assert caught.value.message == "政策不存在"


def _check(probe: Probe, *, expected) -> None:
    assert probe.fetch(probe.reader, probe.key) == expected
    missing = _answer(probe.fetch, probe.reader, probe.missing)
    assert _answer(probe.fetch, probe.reader, "not-a-number") == missing
    if probe.outsider is not None:
        assert _answer(probe.fetch, probe.outsider, probe.key) == missing
        assert _answer(probe.fetch, probe.outsider, probe.missing) == missing
    assert _answer(probe.fetch, probe.wrong_role, probe.key) == missing
    assert _answer(probe.fetch, probe.wrong_role, probe.missing) == missing


# --- through HTTP: the page's 404 and the API's 404 body ------------------------------


def _token(client: Client, user) -> dict:
    response = client.post(
        "/api/token",
        data=json.dumps({"username": user.username, "password": "Test-pass-2024"}),
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


@pytest.mark.parametrize(
    ("path", "record", "detail"),
    [
        ("/api/households/{}", "household", "家庭档案不存在"),
        ("/api/households/{}/assessment", "household", "家庭档案不存在"),
        ("/api/cases/{}", "case", "个案不存在"),
    ],
)
def test_the_api_answers_a_hidden_record_with_the_missing_records_404(world, path, record, detail):
    outsider = UserFactory(role=Role.VILLAGE_WORKER, regions=[world["away"].code])
    client = Client()
    auth = _token(client, outsider)
    hidden = client.get(path.format(world[record].pk), **auth)
    missing = client.get(path.format(MISSING), **auth)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": detail}


def test_the_referral_api_answers_another_departments_referral_like_a_missing_one(world):
    client = Client()
    auth = _token(client, UserFactory(role=Role.DEPARTMENT_OFFICER, department="jiaoyu"))
    body = json.dumps({"action": "accept"})
    hidden = client.post(f"/api/referrals/{world['referral'].pk}/transitions", data=body,
                         content_type="application/json", **auth)  # fmt: skip
    missing = client.post(f"/api/referrals/{MISSING}/transitions", data=body,
                          content_type="application/json", **auth)  # fmt: skip
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "转介不存在"}


@pytest.mark.parametrize(
    ("path", "record"),
    [
        ("/households/{}/", "household"),
        ("/assessment/households/{}/", "household"),
        ("/policies/households/{}/", "household"),
        ("/cases/{}/", "case"),
        ("/referrals/{}/", "referral"),
        ("/reviews/{}/", "meeting"),
    ],
)
def test_a_page_answers_a_hidden_record_exactly_like_a_missing_one(world, path, record):
    outsider = UserFactory(role=Role.COUNTY_STAFF, regions=[_other_county()])
    client = Client()
    client.force_login(outsider)
    hidden = client.get(path.format(world[record].pk))
    missing = client.get(path.format(MISSING))
    assert hidden.status_code == missing.status_code == 404
    real = f"/{world[record].pk}/".encode()
    # The CSRF token (htmx headers, the logout form) is masked afresh on every response.
    token = re.compile(rb'(?<="X-CSRFToken": ")[^"]*|(?<=name="csrfmiddlewaretoken" value=")[^"]*')
    assert token.sub(b"", hidden.content.replace(real, b"/<id>/")) == token.sub(
        b"", missing.content.replace(f"/{MISSING}/".encode(), b"/<id>/")
    )
