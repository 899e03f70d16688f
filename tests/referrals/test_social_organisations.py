"""Social organisations (社会组织) take referrals and conference tasks as departments do:
the service_org account belongs to its organisation (User.department), sees its tasks
in the inbox, works them to feedback, and reaches a household only through them; the
case whose conference included it can then be submitted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiuzhu.accounts.models import Role
from jiuzhu.cases import services as case_services
from jiuzhu.cases import workflow as case_wf
from jiuzhu.referrals import inbox, selectors, services
from jiuzhu.referrals import workflow as wf
from jiuzhu.referrals.models import Referral
from tests.factories import (
    CaseFactory,
    DepartmentFactory,
    ReferralFactory,
    UserFactory,
    make_household,
)
from tests.support.clients import api_login, client_for, page_text

pytestmark = [pytest.mark.core, pytest.mark.django_db]

STEPS = [("accept", ""), ("review", ""), ("assist", "已入户开展心理疏导"),
         ("feedback", "照护需求已评估,建议纳入居家照护服务")]  # fmt: skip


@pytest.fixture
def shegong(county):
    """The account of the county's social-work centre (a social organisation)."""
    return UserFactory.social_organisation("shegong", regions=[county["county"]])


@pytest.fixture
def conference_case(household, departments, shegong):
    """A case in planning whose conference sent tasks to 医保 and the social-work centre."""
    case = CaseFactory(status=case_wf.Status.PLANNING, household=household)
    services.conference_create(
        actor=UserFactory.township_staff(household.village_id), case=case,
        held_on=timezone.localdate(),
        departments=[departments["yibao"], DepartmentFactory(code="shegong")],
        minutes="医疗和照护两项需求", tasks={"shegong": "入户评估照护需求"},
    )  # fmt: skip
    return case


def _task(case, code: str) -> Referral:
    return Referral.objects.get(case=case, department_id=code)


def test_the_social_organisation_works_its_conference_task_and_the_case_can_then_be_submitted(
    conference_case, shegong
):
    township = UserFactory.township_staff(conference_case.village_id)
    box = inbox.inbox(user=shegong)
    assert [r.department_id for r in box.to_accept] == ["shegong"]
    task = box.to_accept.get()
    for action, note in STEPS:
        task = services.referral_transition(actor=shegong, referral=task, action=action, note=note)
    assert task.status == wf.Status.FEEDBACK_GIVEN
    assert [e.actor_id for e in task.events.exclude(action="send")] == [shegong.pk] * len(STEPS)
    # 医保's task is still open: the case waits for it, and then goes.
    with pytest.raises(case_wf.IllegalTransition, match="个案会商"):
        case_services.case_transition(actor=township, case=conference_case, action="submit")
    Referral.objects.filter(pk=_task(conference_case, "yibao").pk).update(
        status=wf.Status.FEEDBACK_GIVEN
    )
    moved = case_services.case_transition(actor=township, case=conference_case, action="submit")
    assert moved.status == case_wf.Status.SUBMITTED


def test_a_social_organisation_cannot_touch_a_departments_referral_nor_another_organisations(
    conference_case, shegong, household
):
    yibao_task = _task(conference_case, "yibao")
    with pytest.raises(PermissionDenied, match="部门或机构"):
        services.referral_transition(actor=shegong, referral=yibao_task, action="accept")
    other = UserFactory.social_organisation("cishan-test")
    with pytest.raises(PermissionDenied, match="部门或机构"):
        services.referral_transition(
            actor=other, referral=_task(conference_case, "shegong"), action="accept"
        )
    officer = UserFactory.department_officer("yibao")
    with pytest.raises(PermissionDenied):
        services.referral_transition(
            actor=officer, referral=_task(conference_case, "shegong"), action="accept"
        )
    assert list(selectors.referral_scope(user=other)) == []


def test_an_organisation_account_without_its_organisation_sees_nothing(conference_case, county):
    lost = UserFactory(role=Role.SERVICE_ORG, department="", regions=[county["county"]])
    assert selectors.referral_scope(user=lost).count() == 0
    assert inbox.inbox_count(user=lost) == 0


def test_the_social_organisation_sees_the_household_only_through_its_referral(
    conference_case, shegong, village
):
    seen = selectors.access_referred_household_by_id(
        user=shegong, household_id=conference_case.household_id
    )
    assert [r.department_id for r in seen.referrals] == ["shegong"]
    stranger = make_household(village=village)
    ReferralFactory(household=stranger, department="yibao")
    with pytest.raises(selectors.NotFound):
        selectors.access_referred_household_by_id(user=shegong, household_id=stranger.pk)


# --- through HTTP ------------------------------------------------------------------------


def test_the_social_organisation_lands_on_its_inbox_and_works_the_task_through_the_pages(
    conference_case, shegong, village
):
    client = client_for(shegong)
    landing = client.get("/", follow=True)
    assert landing.redirect_chain[-1][0] == "/inbox/"
    text = page_text(landing)
    assert "待接收的转介 <small>1 件</small>" in text
    assert 'class="tag inbox-count">1<' in text  # the badge agrees with the list
    task = _task(conference_case, "shegong")
    assert f"/referrals/{task.pk}/" in text
    detail = page_text(client.get(f"/referrals/{task.pk}/"))
    assert "接收转介" in detail and "退回民政" in detail
    assert f"/cases/{conference_case.pk}/" not in detail  # no case page for it
    for action, note in STEPS:
        client.post(f"/referrals/{task.pk}/transition/", {"action": action, "note": note})
    assert Referral.objects.get(pk=task.pk).status == wf.Status.FEEDBACK_GIVEN
    household = conference_case.household
    assert client.get(f"/referrals/households/{household.pk}/").status_code == 200
    assert client.get(f"/households/{household.pk}/").status_code == 404
    assert client.get(f"/cases/{conference_case.pk}/").status_code == 404
    assert client.get(f"/referrals/{_task(conference_case, 'yibao').pk}/").status_code == 404
    stranger = make_household(village=village)
    assert client.get(f"/referrals/households/{stranger.pk}/").status_code == 404


def test_the_api_gives_the_social_organisation_its_referrals_and_moves_them(
    conference_case, shegong
):
    api = api_login(shegong)
    body = api.get("/api/referrals").json()
    task = _task(conference_case, "shegong")
    assert [r["id"] for r in body["items"]] == [task.pk]
    moved = api.post(f"/api/referrals/{task.pk}/transitions", {"action": "accept"})
    assert moved.status_code == 200 and moved.json()["status"] == "accepted"
    yibao = _task(conference_case, "yibao")
    assert api.post(f"/api/referrals/{yibao.pk}/transitions", {"action": "accept"}).status_code == 404
