"""A case's legal deadlines (cases/deadlines.py): computed from its stamped times in
working days, overdue in the list's SQL filter exactly when the per-case computation
says so, extended for a complex case, and shown on the list, the case page, the inbox
and the API."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiuzhu.accounts.models import Role
from jiuzhu.cases import deadlines, services
from jiuzhu.cases import workflow as wf
from jiuzhu.cases.models import Case, CaseEvent
from tests.factories import CaseFactory, UserFactory, case_at
from tests.support.clients import api_login, client_for, page_text

pytestmark = [pytest.mark.core, pytest.mark.django_db]

S = wf.Status
D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _by_kind(case, today) -> dict[str, deadlines.Deadline]:
    return {d.kind: d for d in deadlines.case_deadlines(case, today=today)}


# --- computed from the stamps ---------------------------------------------------------


def test_a_received_case_has_three_working_days_to_start_its_survey(household):
    # Accepted on Monday 30 November 2026: the survey must start by Thursday 3 December.
    case = CaseFactory(household=household, status=S.RECEIVED, created_at=at(D(2026, 11, 30)))
    on_time = _by_kind(case, D(2026, 12, 3))
    assert on_time["survey"].due == D(2026, 12, 3) and on_time["survey"].state == "今日到期"
    assert on_time["total"].days == 30 and on_time["total"].running
    late = _by_kind(case, D(2026, 12, 7))
    assert late["survey"].overdue and late["survey"].state == "已逾期2个工作日"
    assert set(late) == {"survey", "total"}  # not submitted: no county deadline yet


def test_starting_the_survey_stamps_it_and_the_deadline_is_met(household):
    township = UserFactory.township_staff(household.village_id)
    case = services.case_open(actor=township, household=household)
    case = services.case_transition(actor=township, case=case, action="start_assessment")
    assert case.assessment_started_at is not None
    survey = _by_kind(case, timezone.localdate())["survey"]
    assert not survey.running and not survey.late
    assert survey.state.startswith("按时完成")


def test_the_county_has_ten_working_days_from_submission_and_a_late_decision_shows(household):
    case = CaseFactory(household=household, status=S.REVIEWING,
                       created_at=at(D(2026, 9, 1)), assessment_started_at=at(D(2026, 9, 2)),
                       submitted_at=at(D(2026, 9, 24)))  # fmt: skip
    county = _by_kind(case, D(2026, 10, 9))["county"]
    # 25 September is 中秋; 28, 29, 30, then 国庆, then 8, 9, 10 (a Saturday worked), 12–15.
    assert county.due == D(2026, 10, 15) and county.left == 5
    case.status, case.decided_at = S.APPROVED, at(D(2026, 10, 16))
    decided = _by_kind(case, D(2026, 10, 20))
    assert decided["county"].late and decided["county"].state == "逾期完成(2026-10-16)"
    assert not decided["total"].running and decided["total"].done_on == D(2026, 10, 16)


def test_a_return_to_the_township_stops_the_county_clock_until_it_is_submitted_again(household):
    case = CaseFactory(household=household, status=S.PLANNING, is_returned=True,
                       created_at=at(D(2026, 11, 2)), submitted_at=at(D(2026, 11, 10)))  # fmt: skip
    kinds = _by_kind(case, D(2026, 12, 3))
    assert "county" not in kinds and kinds["total"].running


def test_a_refused_or_merged_case_has_no_running_deadline(household, village):
    refused = CaseFactory(household=household, status=S.REJECTED, created_at=at(D(2026, 11, 2)),
                          closed_at=at(D(2026, 11, 3)))  # fmt: skip
    assert [(d.kind, d.running) for d in deadlines.case_deadlines(refused)] == [("total", False)]
    merged = CaseFactory(household=None, village=village, status=S.MERGED)
    assert deadlines.case_deadlines(merged) == []


def test_a_complex_case_has_45_working_days_and_the_limits_are_settings(household, settings):
    case = CaseFactory(household=household, status=S.PLANNING, created_at=at(D(2026, 10, 12)))
    assert _by_kind(case, D(2026, 11, 30))["total"].overdue  # 30 working days are over
    case.is_complex = True
    complex_total = _by_kind(case, D(2026, 11, 30))["total"]
    assert complex_total.days == 45 and not complex_total.overdue
    settings.CASE_TOTAL_DAYS = 60
    case.is_complex = False
    assert _by_kind(case, D(2026, 11, 30))["total"].days == 60


def test_the_calendar_is_a_setting(household, settings):
    case = CaseFactory(household=household, status=S.RECEIVED, created_at=at(D(2026, 9, 30)))
    assert _by_kind(case, D(2026, 9, 30))["survey"].due == D(2026, 10, 10)  # 国庆, 调休
    settings.WORKDAY_CALENDAR = "jiuzhu.core.workdays.WeekendCalendar"
    assert _by_kind(case, D(2026, 9, 30))["survey"].due == D(2026, 10, 5)


def test_the_list_filter_finds_exactly_the_cases_the_per_case_computation_calls_overdue(
    household, village
):
    days = [D(2026, 9, 28), D(2026, 10, 9), D(2026, 10, 30), D(2026, 11, 20), D(2026, 11, 30)]
    statuses = [S.RECEIVED, S.ASSESSING, S.PLANNING, S.SUBMITTED, S.REVIEWING, S.APPROVED,
                S.REJECTED, S.CLOSED]  # fmt: skip
    for (status, accepted, submitted), complex_ in itertools.product(
        [(s, a, b) for s in statuses for a in days for b in days if b >= a], [False, True]
    ):
        CaseFactory(household=None, village=village, status=status, is_complex=complex_,
                    created_at=at(accepted), submitted_at=at(submitted, 15),
                    decided_at=at(submitted, 16) if status in (S.APPROVED, S.CLOSED) else None,
                    closed_at=at(submitted, 17) if status in (S.REJECTED, S.CLOSED) else None)  # fmt: skip
    everything = list(Case.objects.all())
    assert len(everything) > 200
    for today in [D(2026, 10, 12), D(2026, 11, 2), D(2026, 12, 3), D(2027, 1, 11)]:
        by_sql = set(Case.objects.filter(deadlines.overdue_q(today=today)).values_list("pk", flat=True))
        by_case = {c.pk for c in everything
                   if any(d.overdue for d in deadlines.case_deadlines(c, today=today))}  # fmt: skip
        assert by_sql == by_case, today
        assert 0 < len(by_sql) < len(everything)


def test_the_migration_stamps_the_survey_start_from_the_timeline(household):
    from importlib import import_module

    from django.apps import apps

    case = CaseFactory(household=household, status=S.ASSESSING)
    CaseEvent.objects.create(case=case, action="start_assessment", from_status=S.RECEIVED,
                             to_status=S.ASSESSING, at=at(D(2026, 11, 5)))  # fmt: skip
    untouched = CaseFactory(household=None, village=household.village_id, status=S.RECEIVED)
    migration = import_module("jiuzhu.cases.migrations.0003_case_deadlines")
    migration.stamp_survey_starts(apps, None)
    assert Case.objects.get(pk=case.pk).assessment_started_at == at(D(2026, 11, 5))
    assert Case.objects.get(pk=untouched.pk).assessment_started_at is None


# --- marking a case complex --------------------------------------------------------------


def test_county_staff_mark_a_case_complex_with_a_reason_and_it_is_on_the_timeline(household):
    county = UserFactory.county_staff()
    case = CaseFactory(household=household, status=S.PLANNING)
    with pytest.raises(ValidationError, match="理由"):
        services.case_mark_complex(actor=county, case=case, reason="  ")
    with pytest.raises(PermissionDenied):
        services.case_mark_complex(actor=UserFactory.township_staff(household.village_id),
                                   case=case, reason="家庭成员分散在外地")  # fmt: skip
    marked = services.case_mark_complex(actor=county, case=case, reason="家庭成员分散在外地,需异地核查")
    assert marked.is_complex and marked.complex_reason == "家庭成员分散在外地,需异地核查"
    event = marked.events.get(action="complex")
    assert event.actor == county and "45个工作日" in event.note
    last = marked.history.order_by("-history_date").first()
    assert (last.history_user, last.history_change_reason, last.is_complex) == (
        county, "认定为复杂案件", True,
    )  # fmt: skip
    with pytest.raises(wf.IllegalTransition, match="已认定"):
        services.case_mark_complex(actor=county, case=marked, reason="再次")


def test_a_decided_case_cannot_be_marked_complex(household):
    case = CaseFactory(household=household, status=S.APPROVED)
    with pytest.raises(wf.IllegalTransition, match="审核决定"):
        services.case_mark_complex(actor=UserFactory.county_staff(), case=case, reason="理由")


# --- pages, the inbox and the API ------------------------------------------------------------


@pytest.fixture
def late_and_fresh(household, village):
    """A report waiting three weeks for its survey, and one accepted today."""
    late = CaseFactory(household=None, village=village, status=S.RECEIVED,
                       applicant_name="测试逾期", created_at=timezone.now() - dt.timedelta(days=21))  # fmt: skip
    fresh = CaseFactory(household=None, village=village, status=S.RECEIVED,
                        applicant_name="测试新受理")  # fmt: skip
    return late, fresh


def test_the_case_list_marks_overdue_cases_and_filters_them(late_and_fresh, village):
    late, fresh = late_and_fresh
    client = client_for(UserFactory.township_staff(village))
    everything = page_text(client.get("/cases/"))
    assert "测试逾期" in everything and "测试新受理" in everything
    assert "入户调查 已逾期" in everything and "入户调查 剩余" in everything
    only = page_text(client.get("/cases/?overdue=1"))
    assert "测试逾期" in only and "测试新受理" not in only
    assert '<tr class="overdue">' in only and "共 <strong class=\"count\">1</strong> 件" in only


def test_the_case_page_shows_each_deadline_and_county_staff_mark_it_complex(household):
    case = CaseFactory(household=household, status=S.PLANNING,
                       created_at=timezone.now() - dt.timedelta(days=60))  # fmt: skip
    county = UserFactory.county_staff()
    client = client_for(county)
    page = page_text(client.get(f"/cases/{case.pk}/"))
    assert 'id="deadlines"' in page and "办理总时限" in page and "已逾期" in page
    assert "认定为复杂案件" in page
    township_page = page_text(client_for(UserFactory.township_staff(household.village_id))
                              .get(f"/cases/{case.pk}/"))  # fmt: skip
    assert f'action="/cases/{case.pk}/complex/"' not in township_page
    response = client.post(f"/cases/{case.pk}/complex/", {"reason": "需跨县核查收入"}, follow=True)
    text = page_text(response)
    assert "已认定为复杂案件,办理总时限延长至45个工作日" in text
    assert "45个工作日" in text and "复杂案件:需跨县核查收入" in text
    assert Case.objects.get(pk=case.pk).is_complex


def test_the_inbox_counts_each_roles_overdue_cases_and_links_to_them(late_and_fresh, village):
    late, _ = late_and_fresh
    submitted = CaseFactory(household=None, village=village, status=S.SUBMITTED,
                            applicant_name="测试县级逾期",
                            created_at=timezone.now() - dt.timedelta(days=40),
                            submitted_at=timezone.now() - dt.timedelta(days=30))  # fmt: skip
    for role, user, expected in [
        (Role.VILLAGE_WORKER, UserFactory.village_worker(village), {late.pk}),
        (Role.TOWNSHIP_STAFF, UserFactory.township_staff(village), {late.pk}),
        (Role.COUNTY_STAFF, UserFactory.county_staff(), {late.pk, submitted.pk}),
    ]:
        client = client_for(user)
        box = page_text(client.get("/inbox/"))
        assert f"其中已逾期 <strong>{len(expected)}</strong> 件" in box, role
        listed = client.get("/cases/?overdue=1&waiting=1")
        assert {c.pk for c in listed.context["page"].object_list} == expected, role


def test_the_api_gives_a_cases_deadlines_and_whether_it_is_overdue(late_and_fresh, village):
    late, fresh = late_and_fresh
    api = api_login(UserFactory.township_staff(village))
    body = api.get(f"/api/cases/{late.pk}").json()
    assert body["overdue"] is True and body["is_complex"] is False
    survey = next(d for d in body["deadlines"] if d["kind"] == "survey")
    assert survey["running"] and survey["working_days_left"] < 0 and survey["overdue"]
    assert survey["label"] == "入户调查" and survey["days"] == 3
    fresh_body = api.get(f"/api/cases/{fresh.pk}").json()
    assert fresh_body["overdue"] is False
    assert {d["kind"] for d in fresh_body["deadlines"]} == {"survey", "total"}


def test_a_case_walked_through_the_workflow_meets_its_deadlines(household):
    case = case_at(S.APPROVED, household=household)
    kinds = _by_kind(case, timezone.localdate())
    assert set(kinds) == {"survey", "county", "total"}
    assert not any(d.running or d.late for d in kinds.values())
