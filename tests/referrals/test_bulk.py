"""批量接收: an officer of a department or social organisation ticks several referrals of
the inbox and accepts them at once; each goes through referral_transition (its checks,
its event), and a referral that cannot be accepted is reported with its reason."""

from __future__ import annotations

import pytest

from jiuzhu.referrals import services
from jiuzhu.referrals import workflow as wf
from jiuzhu.referrals.models import Referral, ReferralEvent
from tests.factories import ReferralFactory, UserFactory, make_household, member_data
from tests.support.clients import client_for, page_text

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def officer(departments):
    return UserFactory.department_officer("yibao")


@pytest.fixture
def waiting(village, departments):
    """Three referrals sent to 医保, one already accepted, and one sent to 教育."""
    def referral(name, status=wf.Status.SENT, department="yibao"):
        household = make_household(village=village, members=[member_data(name=name)])
        return ReferralFactory(household=household, status=status, department=department)

    return {
        "a": referral("测试甲"), "b": referral("测试乙"), "c": referral("测试丙"),
        "accepted": referral("测试丁", wf.Status.ACCEPTED),
        "other": referral("测试戊", department="jiaoyu"),
    }  # fmt: skip


def _status(referral) -> str:
    return Referral.objects.get(pk=referral.pk).status


def test_accepting_several_accepts_each_with_its_own_event_and_reports_the_refused(
    officer, waiting
):
    ids = [waiting[k].pk for k in ("a", "b", "accepted", "other")] + [999_999]
    result = services.referrals_accept(actor=officer, referral_ids=[str(i) for i in ids])

    assert [_status(waiting[k]) for k in ("a", "b", "c")] == ["accepted", "accepted", "sent"]
    for key in ("a", "b"):
        event = ReferralEvent.objects.get(referral=waiting[key], action="accept")
        assert event.actor == officer and event.from_status == "sent"
    assert result.done == [f"测试甲户(转介{waiting['a'].pk})", f"测试乙户(转介{waiting['b'].pk})"]
    reasons = dict(result.failed)
    assert reasons[f"测试丁户(转介{waiting['accepted'].pk})"] == "转介当前状态为“已接收”,不能执行“接收”"
    assert "不能执行“接收”" in reasons[f"测试丁户(转介{waiting['accepted'].pk})"]
    # Another department's referral and a missing one answer alike.
    assert reasons[f"转介{waiting['other'].pk}"] == reasons["转介999999"] == "转介不存在"
    assert _status(waiting["other"]) == "sent"


def test_the_inbox_ticks_referrals_and_accepts_them_with_a_report_in_chinese(officer, waiting):
    client = client_for(officer)
    inbox = page_text(client.get("/inbox/"))
    assert 'id="bulk-accept"' in inbox and 'data-check-all="referral"' in inbox
    assert f'name="referral" value="{waiting["a"].pk}" form="bulk-accept"' in inbox
    response = client.post("/referrals/accept/", {"referral": [waiting["a"].pk,
                                                               waiting["accepted"].pk]},
                           follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0].startswith("/inbox/")
    text = page_text(response)
    assert f"已接收1件:测试甲户(转介{waiting['a'].pk})" in text
    assert "1件未能接收:" in text and f"测试丁户(转介{waiting['accepted'].pk}):" in text
    assert _status(waiting["a"]) == "accepted"
    nothing = page_text(client.post("/referrals/accept/", {}, follow=True))
    assert "请先勾选要接收的事项" in nothing


def test_only_departments_and_social_organisations_accept_in_bulk(waiting, village):
    township = UserFactory.township_staff(village)
    response = client_for(township).post("/referrals/accept/", {"referral": [waiting["a"].pk]})
    assert response.status_code == 404
    assert _status(waiting["a"]) == "sent"


def test_a_social_organisation_accepts_its_referrals_in_bulk(village):
    shegong = UserFactory.social_organisation()
    tasks = [ReferralFactory(household=make_household(village=village), department="shegong")
             for _ in range(3)]  # fmt: skip
    result = services.referrals_accept(actor=shegong, referral_ids=[t.pk for t in tasks])
    assert len(result.done) == 3 and not result.failed
    assert {_status(t) for t in tasks} == {"accepted"}
