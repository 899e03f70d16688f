"""Every role's landing page and its 待办: the officers of departments and social
organisations land on their inbox, and what any landing page or inbox says waits agrees
with the nav badge's count."""

from __future__ import annotations

import re

import pytest

from jiuzhu.accounts.models import Role
from jiuzhu.cases import workflow as case_wf
from jiuzhu.referrals import workflow as wf
from tests.factories import CaseFactory, ReferralFactory, UserFactory
from tests.support.clients import client_for, page_text

pytestmark = [pytest.mark.core, pytest.mark.django_db]

SECTION = re.compile(r'id="(to-accept|in-hand|cases|to-close)"><h2>[^<]*<small>(\d+) 件</small>')
BADGE = re.compile(r'class="tag inbox-count">(\d+)<')


@pytest.fixture
def everyone(users, county, departments):
    return {**users, Role.SERVICE_ORG: UserFactory.social_organisation(regions=[county["county"]])}


@pytest.fixture
def work(household, everyone):
    """Something waiting for every role: referrals with 医保 and the social-work centre,
    cases at the village's, the township's and the county's step, a referral to close."""
    for status in (wf.Status.SENT, wf.Status.SENT, wf.Status.ACCEPTED):
        ReferralFactory(household=household, status=status)
    ReferralFactory(household=household, department="shegong", status=wf.Status.SENT)
    ReferralFactory(household=household, status=wf.Status.FEEDBACK_GIVEN)
    CaseFactory(household=household, status=case_wf.Status.RECEIVED)
    for status in (case_wf.Status.SUBMITTED, case_wf.Status.CLOSED):
        CaseFactory(household=None, village=household.village_id, status=status)


def _sections(text: str) -> dict[str, int]:
    return {name: int(n) for name, n in SECTION.findall(text)}


@pytest.mark.parametrize(
    ("role", "landing", "sections"),
    [
        (Role.DEPARTMENT_OFFICER, "/inbox/", {"to-accept": 2, "in-hand": 1}),
        (Role.SERVICE_ORG, "/inbox/", {"to-accept": 1, "in-hand": 0}),
        (Role.VILLAGE_WORKER, "/households/", {"cases": 1}),
        (Role.TOWNSHIP_STAFF, "/households/", {"cases": 1, "to-close": 1}),
        (Role.COUNTY_STAFF, "/households/", {"cases": 2, "to-close": 1}),
        (Role.LEADER, "/dashboard/", {}),
        (Role.ADMIN, "/households/", {}),
    ],
    ids=lambda v: getattr(v, "value", None),
)
def test_every_roles_landing_page_and_inbox_agree_with_its_badge(
    everyone, work, role, landing, sections
):
    client = client_for(everyone[role])
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == landing
    landed = page_text(response)
    box = page_text(client.get("/inbox/"))
    assert _sections(box) == sections
    badge = BADGE.findall(landed)
    if sections:
        assert badge == [str(sum(sections.values()))]
        assert BADGE.findall(box) == badge
    else:
        assert badge == [] and 'href="/inbox/"' not in landed
        assert "您的角色没有待办事项" in box
    assert "暂无可办理事项" not in landed
    if landing == "/inbox/":
        assert _sections(landed) == sections
