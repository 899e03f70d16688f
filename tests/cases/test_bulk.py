"""批量实施: county staff implement several cases past their publicity at once; each goes
through case_transition (the period over, the role, the scope; its timeline row), and a
case that cannot be implemented is reported with its reason."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jiuzhu.cases import services
from jiuzhu.cases import workflow as wf
from jiuzhu.cases.models import Case
from tests.factories import CaseFactory, UserFactory, neighbour_village

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_implementing_several_moves_each_past_publicity_and_reports_the_others(household, village):
    county = UserFactory.county_staff()
    over = [CaseFactory(household=None, village=village, status=wf.Status.PUBLICISED,
                        applicant_name=f"测试期满{i}") for i in range(2)]  # fmt: skip
    running = CaseFactory(household=None, village=village, status=wf.Status.PUBLICISED,
                          applicant_name="测试公示中", publicised_at=timezone.now())  # fmt: skip
    elsewhere = CaseFactory(household=None, village=neighbour_village(),
                            status=wf.Status.PUBLICISED)  # fmt: skip

    result = services.cases_implement(
        actor=county, case_ids=[c.pk for c in [*over, running, elsewhere]]
    )

    for case in over:
        stored = Case.objects.get(pk=case.pk)
        assert stored.status == wf.Status.IMPLEMENTING
        event = stored.events.get(action="implement")
        assert event.actor == county and event.note == "公示期满无异议,批量实施帮扶"
    assert result.done == [f"测试期满{i}({over[i].number})" for i in range(2)]
    reasons = dict(result.failed)
    assert "期满无异议后方可实施帮扶" in reasons[f"测试公示中({running.number})"]
    assert reasons[f"个案{elsewhere.pk}"] == "个案不存在"
    assert Case.objects.get(pk=running.pk).status == wf.Status.PUBLICISED


def test_a_township_cannot_implement_in_bulk(village):
    case = CaseFactory(household=None, village=village, status=wf.Status.PUBLICISED)
    result = services.cases_implement(actor=UserFactory.township_staff(village), case_ids=[case.pk])
    assert result.done == [] and "您的角色不能执行" in result.failed[0][1]
    assert Case.objects.get(pk=case.pk).status == wf.Status.PUBLICISED
