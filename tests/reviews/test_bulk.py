"""The county's bulk steps: one decision for several ticked items of a joint review's
agenda (reasons still required for 不同意 and 修改), and 实施 for several cases past
their publicity from the 公示名单 page — each item through its single-item service."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiuzhu.cases import workflow as wf
from jiuzhu.cases.models import Case
from jiuzhu.regions.models import Region
from jiuzhu.reviews import services
from jiuzhu.reviews.models import Decision, ReviewItem
from tests.factories import CaseFactory, UserFactory, case_at
from tests.support.clients import client_for, page_text

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def clerk(county):
    return UserFactory.county_staff()


@pytest.fixture
def meeting(clerk, county, departments):
    """This month's draft meeting with three submitted cases on its agenda."""
    for village in county["villages"][:3]:
        case_at(wf.Status.SUBMITTED, village=village.code, county=clerk)
    today = timezone.localdate()
    return services.meeting_create(
        actor=clerk, county=Region.objects.get(pk=county["county"]), month=today,
        held_on=today, chair="测试主任", departments=list(departments.values()),
    )  # fmt: skip


def _items(meeting) -> list[ReviewItem]:
    return list(meeting.items.order_by("position"))


def test_one_decision_is_recorded_on_each_ticked_item_with_its_history(clerk, meeting):
    first, second, third = _items(meeting)
    result = services.items_decide(actor=clerk, meeting=meeting, item_ids=[first.pk, third.pk],
                                   decision=Decision.APPROVE)  # fmt: skip
    assert len(result.done) == 2 and not result.failed
    stored = {it.pk: it for it in _items(meeting)}
    assert [stored[i.pk].decision for i in (first, second, third)] == ["approve", "", "approve"]
    last = ReviewItem.history.filter(id=first.pk).order_by("-history_date").first()
    assert (last.history_user, last.history_change_reason) == (clerk, "会议决定:同意")


def test_rejecting_several_needs_a_reason_and_then_gives_it_to_each(clerk, meeting):
    ids = [it.pk for it in _items(meeting)]
    with pytest.raises(ValidationError, match="不同意的理由:请填写"):
        services.items_decide(actor=clerk, meeting=meeting, item_ids=ids, decision="reject")
    assert not any(it.decision for it in _items(meeting))
    services.items_decide(actor=clerk, meeting=meeting, item_ids=ids, decision="modify",
                          reason="请补充临时救助措施")  # fmt: skip
    assert {(it.decision, it.reason) for it in _items(meeting)} == {("modify", "请补充临时救助措施")}


def test_an_item_of_another_meeting_is_reported_and_nothing_else_changes(
    clerk, meeting, county, departments
):
    first = _items(meeting)[0]
    result = services.items_decide(actor=clerk, meeting=meeting, item_ids=[first.pk, 987654],
                                   decision=Decision.APPROVE)  # fmt: skip
    assert result.failed == [("议程事项987654", "不在本次会议议程中")]
    assert [it.decision for it in _items(meeting)][0] == "approve"


def test_the_meeting_page_ticks_items_and_records_one_decision_for_them(clerk, meeting):
    first, second, _ = _items(meeting)
    client = client_for(clerk)
    url = f"/reviews/{meeting.pk}/"
    page = page_text(client.get(url))
    assert 'id="bulk-decide"' in page and 'data-check-all="item"' in page
    response = client.post(f"{url}decide/", {"item": [first.pk, second.pk], "decision": "approve"},
                           follow=True)  # fmt: skip
    text = page_text(response)
    assert (f"已登记“同意”2件:第1项({first.case.number})、第2项({second.case.number})"
            in text)  # fmt: skip
    assert [it.decision for it in _items(meeting)] == ["approve", "approve", ""]
    refused = page_text(client.post(f"{url}decide/", {"item": [first.pk], "decision": "reject"},
                                    follow=True))  # fmt: skip
    assert "不同意的理由:请填写" in refused
    assert _items(meeting)[0].decision == "approve"


def test_the_publicity_page_implements_the_ticked_cases_past_their_period(clerk, village):
    over = [CaseFactory(household=None, village=village, status=wf.Status.PUBLICISED,
                        applicant_name=f"测试期满{i}") for i in range(3)]  # fmt: skip
    running = CaseFactory(household=None, village=village, status=wf.Status.PUBLICISED,
                          applicant_name="测试公示中", publicised_at=timezone.now())  # fmt: skip
    client = client_for(clerk)
    page = page_text(client.get("/reviews/publicity/"))
    assert 'id="bulk-implement"' in page
    assert f'name="case" value="{over[0].pk}"' in page
    assert f'name="case" value="{running.pk}"' not in page  # nothing to tick while running
    response = client.post("/reviews/publicity/implement/",
                           {"case": [over[0].pk, over[1].pk, running.pk]}, follow=True)  # fmt: skip
    text = page_text(response)
    assert "已实施帮扶2件" in text and "1件未能实施帮扶:" in text
    assert f"测试公示中({running.number}):公示期7天" in text
    assert [Case.objects.get(pk=c.pk).status for c in over] == [
        wf.Status.IMPLEMENTING, wf.Status.IMPLEMENTING, wf.Status.PUBLICISED,
    ]  # fmt: skip


def test_only_county_staff_use_the_bulk_pages(meeting, village):
    township = UserFactory.township_staff(village)
    client = client_for(township)
    assert client.post(f"/reviews/{meeting.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert client.post("/reviews/publicity/implement/", {"case": [1]}).status_code == 404
