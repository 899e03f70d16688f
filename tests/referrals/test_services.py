"""Referrals (转介): the transition table (pure), referral_transition for every
row and a sample of illegal moves and wrong roles, department scoping, the
household seen through a referral, overdue marking, the inbox, case
conferences gating the case's submission, and the quarterly push."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiuzhu.accounts.access import NotFound
from jiuzhu.accounts.models import Role
from jiuzhu.cases import services as case_services
from jiuzhu.cases import workflow as case_wf
from jiuzhu.cases.models import Case
from jiuzhu.policies.matching import RegionMatch
from jiuzhu.policies.models import Policy
from jiuzhu.referrals import inbox, selectors, services
from jiuzhu.referrals import workflow as wf
from jiuzhu.referrals.models import Referral, ReferralEvent
from jiuzhu.referrals.services import push
from tests.factories import CaseFactory, PolicyFactory, ReferralFactory, UserFactory, make_household

pytestmark = [pytest.mark.core, pytest.mark.django_db]

LEGAL = [(row, source, role) for row in wf.TRANSITIONS for source in sorted(row.sources)
         for role in sorted(row.roles)]  # fmt: skip
LEGAL_KEYS = {(row.action, s) for row, s, _ in LEGAL}
ILLEGAL = [(a, s) for a in sorted(wf.ACTION_NAMES) for s in wf.Status if (a, s) not in LEGAL_KEYS]


def _id(value) -> str:
    return value.action if isinstance(value, wf.Transition) else str(value)


# --- the table, without a database ----------------------------------------------


def test_the_happy_path_runs_from_sent_to_done():
    status = wf.Status.SENT
    for action in ["accept", "review", "assist", "feedback", "close"]:
        status = wf.transition_for(action=action, status=status).target
    assert status == wf.Status.DONE


def test_a_returned_referral_can_only_be_resent_by_civil_affairs():
    moves = [t for t in wf.TRANSITIONS if wf.Status.RETURNED in t.sources]
    assert [(t.action, t.target) for t in moves] == [("resend", wf.Status.SENT)]
    assert moves[0].roles == wf.CIVIL_AFFAIRS


def test_returning_assisting_and_feedback_need_a_text():
    for action in ["return", "assist", "feedback", "resend"]:
        row = next(t for t in wf.TRANSITIONS if t.action == action)
        assert row.note_required, action


def test_done_is_the_only_terminal_status_and_has_no_way_out():
    assert not any(t.sources & wf.TERMINAL for t in wf.TRANSITIONS)
    assert set(wf.STATUS_LABELS) == set(wf.Status)


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture
def users(users):
    """The conftest's people, the social-work centre's account, and an officer of another
    department (教育)."""
    return {**users, Role.SERVICE_ORG: UserFactory.social_organisation("shegong"),
            "other_department": UserFactory.department_officer("jiaoyu")}  # fmt: skip


def _note(row) -> str:
    return "测试说明:已核实" if row.note_required else ""


# --- the service --------------------------------------------------------------------------


def test_sending_a_referral_records_its_first_event_and_a_15_day_deadline(
    users, household, departments
):
    actor = users[Role.TOWNSHIP_STAFF]
    referral = services.referral_send(
        actor=actor, household=household, department=departments["yibao"], need="medical",
        note="大病自付费用高",
    )  # fmt: skip
    assert referral.status == wf.Status.SENT
    assert referral.deadline == timezone.localdate() + dt.timedelta(days=15)
    event = ReferralEvent.objects.get(referral=referral)
    assert (event.action, event.to_status, event.actor) == ("send", "sent", actor)


def test_a_department_officer_or_village_worker_cannot_send(users, household, departments):
    for role in [Role.DEPARTMENT_OFFICER, Role.VILLAGE_WORKER, Role.LEADER]:
        with pytest.raises(PermissionDenied):
            services.referral_send(actor=users[role], household=household,
                                   department=departments["yibao"])  # fmt: skip


def test_township_staff_cannot_send_for_a_household_outside_its_township(
    users, other_village, departments
):
    outside = make_household(village=other_village)
    with pytest.raises(PermissionDenied):
        services.referral_send(actor=users[Role.TOWNSHIP_STAFF], household=outside,
                               department=departments["yibao"])  # fmt: skip


@pytest.mark.parametrize(("row", "source", "role"), LEGAL, ids=_id)
def test_every_allowed_transition_succeeds_for_its_roles(row, source, role, users, household):
    actor = users[role]
    # Sent to the actor's own department or social organisation (医保 for civil affairs).
    referral = ReferralFactory(status=source, household=household,
                               department=actor.department or "yibao")  # fmt: skip
    before = timezone.now()

    moved = services.referral_transition(
        actor=actor, referral=referral, action=row.action, note=_note(row)
    )

    assert moved.status == row.target
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == row.target and stored.status_changed_at >= before
    if row.stamp:
        assert getattr(stored, row.stamp) >= before
    event = ReferralEvent.objects.get(referral=referral)
    assert (event.action, event.from_status, event.to_status) == (row.action, source, row.target)
    assert event.actor == actor and event.note == _note(row)


@pytest.mark.parametrize(("action", "status"), ILLEGAL, ids=_id)
def test_a_move_the_table_does_not_allow_raises_illegal_transition(
    action, status, users, household
):
    role = next(r for t in wf.TRANSITIONS if t.action == action for r in sorted(t.roles))
    referral = ReferralFactory(status=status, household=household)
    with pytest.raises(wf.IllegalTransition):
        services.referral_transition(actor=users[role], referral=referral, action=action,
                                     note="说明")  # fmt: skip
    assert Referral.objects.get(pk=referral.pk).status == status
    assert not ReferralEvent.objects.filter(referral=referral).exists()


@pytest.mark.parametrize("action", sorted(wf.DEPARTMENT_ACTIONS))
def test_an_officer_of_another_department_is_refused(action, users, household):
    row = next(t for t in wf.TRANSITIONS if t.action == action)
    referral = ReferralFactory(status=sorted(row.sources)[0], household=household)
    with pytest.raises(PermissionDenied):
        services.referral_transition(actor=users["other_department"], referral=referral,
                                     action=action, note="说明")  # fmt: skip


@pytest.mark.parametrize("role", [Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.VILLAGE_WORKER])
def test_civil_affairs_cannot_take_a_department_step(role, users, household):
    referral = ReferralFactory(status=wf.Status.SENT, household=household)
    with pytest.raises(PermissionDenied):
        services.referral_transition(actor=users[role], referral=referral, action="accept")


def test_a_department_officer_cannot_close_and_nor_can_township_staff_outside_its_scope(
    users, household, other_village
):
    referral = ReferralFactory(status=wf.Status.FEEDBACK_GIVEN, household=household)
    with pytest.raises(PermissionDenied):
        services.referral_transition(actor=users[Role.DEPARTMENT_OFFICER], referral=referral,
                                     action="close")  # fmt: skip
    outside = ReferralFactory(
        status=wf.Status.FEEDBACK_GIVEN, household=make_household(village=other_village)
    )
    with pytest.raises(PermissionDenied):
        services.referral_transition(actor=users[Role.TOWNSHIP_STAFF], referral=outside,
                                     action="close")  # fmt: skip


def test_returning_without_a_reason_is_refused_and_with_one_it_is_kept(users, household):
    referral = ReferralFactory(status=wf.Status.SENT, household=household)
    officer = users[Role.DEPARTMENT_OFFICER]
    with pytest.raises(ValidationError):
        services.referral_transition(actor=officer, referral=referral, action="return", note=" ")
    moved = services.referral_transition(actor=officer, referral=referral, action="return",
                                         note="不属于本部门职责")  # fmt: skip
    assert moved.return_reason == "不属于本部门职责"


def test_resending_gives_the_department_a_fresh_deadline(users, household):
    referral = ReferralFactory(status=wf.Status.RETURNED, household=household,
                           deadline=timezone.localdate() - dt.timedelta(days=3))  # fmt: skip
    moved = services.referral_transition(actor=users[Role.COUNTY_STAFF], referral=referral,
                                         action="resend", note="已补充材料")  # fmt: skip
    assert moved.status == wf.Status.SENT
    assert moved.deadline == timezone.localdate() + dt.timedelta(days=15)


# --- scope -------------------------------------------------------------------------------


def test_a_department_officer_sees_only_their_departments_referrals(users, household):
    mine = ReferralFactory(status=wf.Status.SENT, household=household, department="yibao")
    theirs = ReferralFactory(status=wf.Status.SENT, household=household, department="jiaoyu")
    officer = users[Role.DEPARTMENT_OFFICER]
    assert list(selectors.referral_scope(user=officer)) == [mine]
    with pytest.raises(NotFound):
        selectors.access_referral_by_id(user=officer, referral_id=theirs.pk)
    for role in [Role.LEADER, Role.ADMIN, Role.VILLAGE_WORKER]:
        assert not selectors.referral_scope(user=users[role]).exists()


def test_township_staff_see_the_referrals_of_their_regions_only(users, household, other_village):
    inside = ReferralFactory(status=wf.Status.SENT, household=household)
    ReferralFactory(status=wf.Status.SENT, household=make_household(village=other_village))
    assert list(selectors.referral_scope(user=users[Role.TOWNSHIP_STAFF])) == [inside]


def test_a_department_officer_reaches_a_household_only_through_a_referral_to_them(
    users, household, village
):
    ReferralFactory(status=wf.Status.SENT, household=household, department="yibao")
    not_referred = make_household(village=village)
    to_other = make_household(village=village)
    ReferralFactory(status=wf.Status.SENT, household=to_other, department="jiaoyu")
    officer = users[Role.DEPARTMENT_OFFICER]

    seen = selectors.access_referred_household_by_id(user=officer, household_id=household.pk)

    assert seen.household == household and len(seen.members) == 2
    assert all("*" in m.id_masked for m in seen.members)
    for h in [not_referred, to_other]:
        with pytest.raises(NotFound):
            selectors.access_referred_household_by_id(user=officer, household_id=h.pk)


# --- overdue and the inbox ---------------------------------------------------------------


def test_a_referral_past_its_deadline_is_overdue_until_fed_back(household):
    past = timezone.localdate() - dt.timedelta(days=1)
    assert ReferralFactory(status=wf.Status.ACCEPTED, household=household, deadline=past).is_overdue
    assert ReferralFactory(status=wf.Status.SENT, household=household, deadline=past).is_overdue
    assert not ReferralFactory(
        status=wf.Status.FEEDBACK_GIVEN, household=household, deadline=past
    ).is_overdue
    assert not ReferralFactory(status=wf.Status.DONE, household=household, deadline=past).is_overdue
    assert not ReferralFactory(status=wf.Status.SENT, household=household).is_overdue


def test_the_department_inbox_lists_what_to_accept_and_to_feed_back_with_overdue_count(
    users, household
):
    past = timezone.localdate() - dt.timedelta(days=2)
    new = ReferralFactory(status=wf.Status.SENT, household=household)
    late = ReferralFactory(status=wf.Status.REVIEWED, household=household, deadline=past)
    ReferralFactory(status=wf.Status.FEEDBACK_GIVEN, household=household, deadline=past)
    ReferralFactory(status=wf.Status.SENT, household=household, department="jiaoyu", deadline=past)
    officer = users[Role.DEPARTMENT_OFFICER]

    box = inbox.inbox(user=officer)

    assert list(box.to_accept) == [new]
    assert list(box.in_hand) == [late]
    assert box.overdue == 1
    assert inbox.inbox_count(user=officer) == 2


def test_the_civil_affairs_inbox_lists_cases_theirs_to_move_and_referrals_to_close(
    users, household, village
):
    case = CaseFactory(status=case_wf.Status.PLANNING, household=household)
    fed_back = ReferralFactory(status=wf.Status.FEEDBACK_GIVEN, household=household)
    returned = ReferralFactory(status=wf.Status.RETURNED, household=household)
    ReferralFactory(status=wf.Status.SENT, household=household)
    township = users[Role.TOWNSHIP_STAFF]

    box = inbox.inbox(user=township)

    assert list(box.cases) == [case]  # 拟定方案: the township submits
    assert set(box.to_close) == {fed_back, returned}
    assert inbox.inbox_count(user=township) == 3
    county_box = inbox.inbox(user=users[Role.COUNTY_STAFF])
    assert list(county_box.cases) == [case]  # the county may reject from planning
    # 拟定方案 holds nothing for the village worker: no move of the table is theirs there.
    assert list(inbox.inbox(user=users[Role.VILLAGE_WORKER]).cases) == []


# --- case conferences -----------------------------------------------------------------


def test_a_conference_sends_one_task_per_department_linked_to_the_case(
    users, household, departments
):
    case = CaseFactory(status=case_wf.Status.PLANNING, household=household)
    conference = services.conference_create(
        actor=users[Role.COUNTY_STAFF], case=case, held_on=timezone.localdate(),
        departments=[departments["yibao"], departments["jiaoyu"]], minutes="多部门会商:医疗和教育",
        tasks={"yibao": "落实医疗救助"},
    )  # fmt: skip
    tasks = {r.department_id: r for r in conference.tasks.all()}
    assert set(tasks) == {"yibao", "jiaoyu"}
    assert all(r.case_id == case.pk and r.status == wf.Status.SENT for r in tasks.values())
    assert tasks["yibao"].note == "落实医疗救助"
    assert "医保、教育" in case.events.get(action="conference").note


def test_a_conference_needs_departments_and_minutes(users, household):
    with pytest.raises(ValidationError) as exc:
        services.conference_create(actor=users[Role.COUNTY_STAFF], case=CaseFactory(status=case_wf.Status.PLANNING, household=household),
                                   held_on=timezone.localdate(), departments=[], minutes="")  # fmt: skip
    assert set(exc.value.message_dict) == {"departments", "minutes"}


def test_a_case_is_submitted_only_when_every_conference_task_is_fed_back(
    users, household, departments
):
    case = CaseFactory(status=case_wf.Status.PLANNING, household=household)
    township = users[Role.TOWNSHIP_STAFF]
    conference = services.conference_create(
        actor=township, case=case, held_on=timezone.localdate(),
        departments=[departments["yibao"], departments["jiaoyu"]], minutes="会商纪要",
    )  # fmt: skip
    yibao, jiaoyu = sorted(conference.tasks.all(), key=lambda r: r.department_id != "yibao")
    Referral.objects.filter(pk=yibao.pk).update(status=wf.Status.FEEDBACK_GIVEN)

    assert not services.conference_tasks_done(case=case)
    with pytest.raises(case_wf.IllegalTransition, match="个案会商"):
        case_services.case_transition(actor=township, case=case, action="submit")
    assert Case.objects.get(pk=case.pk).status == case_wf.Status.PLANNING

    Referral.objects.filter(pk=jiaoyu.pk).update(status=wf.Status.DONE)
    assert services.conference_tasks_done(case=case)
    moved = case_services.case_transition(actor=township, case=case, action="submit")
    assert moved.status == case_wf.Status.SUBMITTED


def test_a_case_without_a_conference_submits_as_before(users, household):
    case = CaseFactory(status=case_wf.Status.PLANNING, household=household)
    moved = case_services.case_transition(actor=users[Role.TOWNSHIP_STAFF], case=case,
                                          action="submit")  # fmt: skip
    assert moved.status == case_wf.Status.SUBMITTED


# --- the quarterly push -------------------------------------------------------------------


def _match(households: list, policies: list[Policy], eligible: dict, received: dict):
    ids = [h.pk for h in households]
    frame = pl.DataFrame({"household_id": ids, "village_id": [h.village_id for h in households]})
    return RegionMatch(
        households=frame,
        eligible=pl.DataFrame({"household_id": ids, **eligible}),
        received=pl.DataFrame({"household_id": ids, **received}),
        policies=policies,
    )


def test_the_quarterly_push_sends_each_department_the_eligible_not_receiving_once(
    household, village, departments
):
    second = make_household(village=village)
    med, edu = (
        PolicyFactory(code="push-med", department="yibao"),
        PolicyFactory(code="push-edu", department="jiaoyu"),
    )
    match = _match([household, second], [med, edu],
                   eligible={"push-med": [True, True], "push-edu": [True, False]},
                   received={"push-med": [False, True], "push-edu": [False, False]})  # fmt: skip

    counts = services.referral_push_quarter(quarter="2026Q4", match=match)
    again = services.referral_push_quarter(quarter="2026q4", match=match)

    assert counts == {"yibao": 1, "jiaoyu": 1}
    assert again == {}
    pushed = Referral.objects.filter(quarter="2026Q4")
    assert {(r.household_id, r.policy.code) for r in pushed} == {
        (household.pk, "push-med"),
        (household.pk, "push-edu"),
    }
    assert all(r.channel == "quarterly" and r.status == wf.Status.SENT for r in pushed)
    assert ReferralEvent.objects.filter(referral__in=pushed, action="push").count() == 2
    assert services.referral_push_quarter(quarter="2027Q1", match=match) == {
        "yibao": 1, "jiaoyu": 1
    }  # fmt: skip


def test_a_malformed_quarter_is_refused():
    with pytest.raises(ValidationError):
        services.quarter_parse("2026-4")


# --- referral from the case's 一户一策 ------------------------------------------------------


def test_referring_a_cases_measures_sends_one_referral_each_to_its_department(users, planned_case):
    made = services.case_refer_measures(
        actor=users[Role.TOWNSHIP_STAFF], case=planned_case,
        policy_codes=["yiliao-jiuzhu", "jiaoyu-zizhu"],
    )  # fmt: skip
    by_dept = {r.department_id: r for r in made}
    assert set(by_dept) == {"yibao", "jiaoyu"}
    assert by_dept["yibao"].case == planned_case and by_dept["yibao"].need == "medical"
    assert by_dept["yibao"].note == "住院自付部分"
    assert planned_case.number in by_dept["jiaoyu"].note
    assert ReferralEvent.objects.filter(referral__in=made, action="send").count() == 2
    # The case's own timeline says what was sent where.
    logged = planned_case.events.get(action="refer")
    assert "转介2项" in logged.note and "医保" in logged.note and "教育" in logged.note
    # The department officer now sees it in the inbox.
    assert (
        inbox.inbox(user=users[Role.DEPARTMENT_OFFICER])
        .to_accept.filter(case=planned_case)
        .count()
        == 1
    )
    # Referring the same measure again is refused in Chinese and sends nothing.
    with pytest.raises(ValidationError, match="已转介医保"):
        services.case_refer_measures(actor=users[Role.TOWNSHIP_STAFF], case=planned_case,
                                     policy_codes=["yiliao-jiuzhu"])  # fmt: skip
    assert Referral.objects.filter(case=planned_case).count() == 2


def test_referring_needs_a_measure_of_the_plan_and_a_case_past_assessment(users, planned_case):
    township = users[Role.TOWNSHIP_STAFF]
    with pytest.raises(ValidationError, match="请勾选"):
        services.case_refer_measures(actor=township, case=planned_case, policy_codes=[])
    with pytest.raises(ValidationError, match="不是本案一户一策中的措施"):
        services.case_refer_measures(actor=township, case=planned_case, policy_codes=["dibao"])
    Case.objects.filter(pk=planned_case.pk).update(status="assessing")
    with pytest.raises(services.IllegalTransition, match="拟定方案后"):
        services.case_refer_measures(actor=township, case=planned_case,
                                     policy_codes=["yiliao-jiuzhu"])  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.case_refer_measures(actor=users[Role.VILLAGE_WORKER], case=planned_case,
                                     policy_codes=["yiliao-jiuzhu"])  # fmt: skip
    assert not Referral.objects.filter(case=planned_case).exists()


# --- the quarterly push, set-based (Polars frame → COPY / executemany → INSERT … SELECT) ------


def _push_row_by_row(*, quarter: str, match) -> dict[str, int]:
    """The push as it was before it went set-based: one Referral object per pair (reference)."""
    from django.db import transaction

    with transaction.atomic():
        policies = {p.code: p for p in match.policies}
        missing = match.missing(list(policies)).join(match.households, on="household_id")
        already = set(
            Referral.objects.filter(quarter=quarter).values_list("household_id", "policy__code")
        )
        now = timezone.now()
        rows = []
        for household_id, code, village_id in missing.select(
            "household_id", "policy", "village_id"
        ).iter_rows():
            if (household_id, code) in already:
                continue
            policy = policies[code]
            rows.append(Referral(
                household_id=household_id, village_id=village_id,
                department_id=policy.department_id, policy=policy,
                need=(policy.needs or [""])[0], channel="quarterly", quarter=quarter,
                note=f"{quarter} 季度推送:符合“{policy.name}”条件,尚未享受",
                deadline=timezone.localdate() + dt.timedelta(days=wf.DEADLINE_DAYS),
                created_at=now, status_changed_at=now,
            ))  # fmt: skip
        created = Referral.objects.bulk_create(rows)
        ReferralEvent.objects.bulk_create(
            [ReferralEvent(referral_id=r.pk, action="push", to_status=r.status, at=now)
             for r in created]
        )  # fmt: skip
        counts: dict[str, int] = {}
        for r in created:
            counts[r.department_id] = counts.get(r.department_id, 0) + 1
        return counts


_VOLATILE = {"id", "created_at", "status_changed_at"}


def _pushed_rows(quarter: str) -> list[tuple]:
    """Every pushed referral of the quarter with its events, minus ids and times."""
    rows = []
    for r in Referral.objects.filter(quarter=quarter).prefetch_related("events"):
        fields = {f.attname: getattr(r, f.attname) for f in Referral._meta.concrete_fields}
        events = [
            (e.action, e.from_status, e.to_status, e.actor_id, e.note, e.at == r.created_at)
            for e in r.events.all()
        ]
        rows.append((tuple(sorted((k, v) for k, v in fields.items() if k not in _VOLATILE)),
                     tuple(events)))  # fmt: skip
    return sorted(rows)


@pytest.fixture
def push_setup(household, village, departments):
    """Four households, three policies of two departments (one without a need)."""
    others = [make_household(village=village) for _ in range(3)]
    homes = [household, *others]
    med, edu = (
        PolicyFactory(code="push-med", department="yibao"),
        PolicyFactory(code="push-edu", department="jiaoyu"),
    )
    bare = PolicyFactory(code="push-bare", name="测试政策无需求", department="jiaoyu",
                         measure="education", needs=[])  # fmt: skip
    match = _match(homes, [med, edu, bare],
                   eligible={"push-med": [True, True, True, True],
                             "push-edu": [True, False, True, True],
                             "push-bare": [False, True, True, False]},
                   received={"push-med": [False, True, False, False],
                             "push-edu": [False, False, False, True],
                             "push-bare": [False, False, False, False]})  # fmt: skip
    return {"homes": homes, "policies": {"med": med, "edu": edu, "bare": bare}, "match": match}


@pytest.mark.parametrize("locked_rows", [0, 10**6], ids=["locked-write", "checked-write"])
def test_the_set_based_push_writes_exactly_the_rows_the_row_by_row_push_did(
    push_setup, settings, locked_rows
):
    from django.db import transaction

    settings.PUSH_LOCKED_WRITE_ROWS = locked_rows

    class Undo(Exception):
        pass

    match = push_setup["match"]
    try:
        with transaction.atomic():
            expected_counts = _push_row_by_row(quarter="2026Q4", match=match)
            expected = _pushed_rows("2026Q4")
            raise Undo
    except Undo:
        pass
    assert not Referral.objects.filter(quarter="2026Q4").exists()

    counts = services.referral_push_quarter(quarter="2026Q4", match=match)

    assert counts == expected_counts == {"yibao": 3, "jiaoyu": 4}
    assert _pushed_rows("2026Q4") == expected
    deadline = timezone.localdate() + dt.timedelta(days=wf.DEADLINE_DAYS)
    homes, policies = push_setup["homes"], push_setup["policies"]
    pushed = Referral.objects.filter(quarter="2026Q4")
    assert {(r.household_id, r.policy_id) for r in pushed} == {
        (homes[0].pk, policies["med"].pk), (homes[2].pk, policies["med"].pk),
        (homes[3].pk, policies["med"].pk), (homes[0].pk, policies["edu"].pk),
        (homes[2].pk, policies["edu"].pk), (homes[1].pk, policies["bare"].pk),
        (homes[2].pk, policies["bare"].pk),
    }  # fmt: skip
    for r in pushed:
        assert (r.status, r.channel, r.deadline) == (wf.Status.SENT, "quarterly", deadline)
        assert r.village_id == homes[0].village_id
        assert r.department_id == r.policy.department_id
        assert r.need == ("" if r.policy.code == "push-bare" else "medical")
        assert r.note == f"2026Q4 季度推送:符合“{r.policy.name}”条件,尚未享受"
        assert r.created_at == r.status_changed_at
        assert (r.case_id, r.conference_id, r.sent_by_id, r.accepted_at) == (None,) * 4
        assert (r.return_reason, r.assistance, r.feedback) == ("", "", "")
        events = list(r.events.all())
        assert [(e.action, e.from_status, e.to_status, e.actor_id, e.note) for e in events] == [
            ("push", "", wf.Status.SENT, None, "")
        ]
        assert events[0].at == r.created_at


def test_a_second_push_in_the_quarter_adds_nothing_and_the_next_quarter_pushes_again(push_setup):
    match = push_setup["match"]
    first = services.referral_push_quarter(quarter="2026Q4", match=match)
    assert services.referral_push_quarter(quarter="2026q4", match=match) == {}
    assert Referral.objects.filter(quarter="2026Q4").count() == sum(first.values()) == 7
    assert ReferralEvent.objects.filter(action="push").count() == 7

    assert services.referral_push_quarter(quarter="2027Q1", match=match) == first
    assert Referral.objects.filter(quarter="2027Q1").count() == 7
    assert ReferralEvent.objects.filter(action="push").count() == 14
    assert set(Referral.objects.filter(quarter="2027Q1").values_list("note", flat=True)) == {
        f"2027Q1 季度推送:符合“{p.name}”条件,尚未享受" for p in push_setup["policies"].values()
    }


def test_the_push_leaves_other_referrals_alone_and_fills_in_around_an_earlier_push(
    push_setup, users, departments
):
    homes, policies, match = push_setup["homes"], push_setup["policies"], push_setup["match"]
    manual = services.referral_send(
        actor=users[Role.COUNTY_STAFF], household=homes[0], department=departments["yibao"],
        need="medical", note="民政转介",
    )  # fmt: skip
    manual = Referral.objects.get(pk=manual.pk)  # as stored
    accepted = ReferralFactory(
        status=wf.Status.ACCEPTED, household=homes[2], policy=policies["med"]
    )
    # Pushed earlier this quarter (by hand, as another run would have).
    earlier = ReferralFactory(status=wf.Status.SENT, household=homes[3], policy=policies["med"],
                          channel="quarterly", quarter="2026Q4")  # fmt: skip
    before = {
        r.pk: ({f.attname: getattr(r, f.attname) for f in Referral._meta.concrete_fields},
               list(r.events.values_list("action", "to_status", "at")))
        for r in (manual, accepted, earlier)
    }  # fmt: skip

    counts = services.referral_push_quarter(quarter="2026Q4", match=match)

    assert counts == {"yibao": 2, "jiaoyu": 4}  # homes[3] × push-med was pushed already
    for r in Referral.objects.filter(pk__in=before):
        fields = {f.attname: getattr(r, f.attname) for f in Referral._meta.concrete_fields}
        assert (fields, list(r.events.values_list("action", "to_status", "at"))) == before[r.pk]
    assert Referral.objects.filter(quarter="2026Q4").count() == 7
    assert Referral.objects.count() == 9
    assert ReferralEvent.objects.filter(action="push").count() == 6


def test_a_pair_pushed_between_the_read_and_the_write_is_left_out(push_setup, monkeypatch):
    homes, policies = push_setup["homes"], push_setup["policies"]
    real = push._pushed_this_quarter

    def stale(quarter):  # the read saw nothing; meanwhile another push wrote one pair
        frame = real(quarter)
        ReferralFactory(status=wf.Status.SENT, household=homes[0], department="jiaoyu",
                    policy=policies["edu"], channel="quarterly", quarter=quarter)  # fmt: skip
        return frame

    monkeypatch.setattr(push, "_pushed_this_quarter", stale)
    counts = services.referral_push_quarter(quarter="2026Q4", match=push_setup["match"])

    assert counts == {"yibao": 3, "jiaoyu": 3}
    assert Referral.objects.filter(quarter="2026Q4").count() == 7
    assert ReferralEvent.objects.filter(action="push").count() == 6


def _set_index(household, index) -> None:
    from jiuzhu.assessment.models import LatestAssessment

    if index is None:
        LatestAssessment.objects.filter(household=household).delete()
    else:
        LatestAssessment.objects.filter(household=household).update(index=index)


def test_the_cap_keeps_each_departments_neediest_households_for_the_quarter(push_setup):
    homes, policies, match = push_setup["homes"], push_setup["policies"], push_setup["match"]
    for home, index in zip(homes, [20.5, 35.0, None, 60.0], strict=True):
        _set_index(home, index)

    counts = services.referral_push_quarter(quarter="2026Q4", match=match,
                                            limit_per_department=2)  # fmt: skip

    assert counts == {"yibao": 2, "jiaoyu": 2}
    pushed = set(Referral.objects.filter(quarter="2026Q4").values_list("household_id", "policy_id"))
    # yibao (push-med: homes 0, 2, 3): 60.0 and 20.5, the unassessed household last.
    # jiaoyu (push-edu: homes 0, 2; push-bare: homes 1, 2): 35.0 and 20.5.
    assert pushed == {
        (homes[3].pk, policies["med"].pk), (homes[0].pk, policies["med"].pk),
        (homes[1].pk, policies["bare"].pk), (homes[0].pk, policies["edu"].pk),
    }  # fmt: skip
    assert ReferralEvent.objects.filter(action="push").count() == 4
    # The cap is per quarter: a second run sends no more, a larger cap only the rest.
    assert services.referral_push_quarter(quarter="2026Q4", match=match,
                                          limit_per_department=2) == {}  # fmt: skip
    assert services.referral_push_quarter(quarter="2026Q4", match=match,
                                          limit_per_department=3) == {"yibao": 1, "jiaoyu": 1}  # fmt: skip
    third = Referral.objects.filter(quarter="2026Q4", department_id="jiaoyu").exclude(
        household_id__in=[homes[0].pk, homes[1].pk]
    )
    assert third.count() == 1  # one of homes[2]'s two (unassessed: last), by policy id
    assert third.get().policy_id == min(policies["edu"].pk, policies["bare"].pk)
    assert services.referral_push_quarter(quarter="2027Q1", match=match,
                                          limit_per_department=1) == {"yibao": 1, "jiaoyu": 1}  # fmt: skip


def test_push_eligible_passes_the_cap_and_prints_the_counts(push_setup, monkeypatch):
    import io

    from django.core.management import call_command

    monkeypatch.setattr(push, "match_region", lambda region: push_setup["match"])
    for home, index in zip(push_setup["homes"], [20.5, 35.0, 10.0, 60.0], strict=True):
        _set_index(home, index)
    out = io.StringIO()
    call_command("push_eligible", "--quarter", "2026Q4", "--limit-per-department", "1", stdout=out)
    # Departments by name (the command runs the push job, whose result names them).
    assert out.getvalue().splitlines() == ["县教育局: 1", "县医保局: 1", "共推送 2 条转介(2026Q4)"]
    assert set(Referral.objects.filter(quarter="2026Q4").values_list("household_id", flat=True)) \
        == {push_setup["homes"][3].pk, push_setup["homes"][1].pk}  # fmt: skip


def test_a_conference_task_follows_the_rules_of_every_referral(users, household, departments):
    township = users[Role.TOWNSHIP_STAFF]
    case = case_services.case_open(actor=township, household=household)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="办理期限:不能早于今天"):
        services.conference_create(
            actor=township, case=case, held_on=timezone.localdate(),
            departments=[departments["yibao"]], minutes="会商纪要", deadline=yesterday,
        )  # fmt: skip
    assert not Referral.objects.exists()
    conference = services.conference_create(
        actor=township, case=case, held_on=timezone.localdate(),
        departments=[departments["yibao"]], minutes="会商纪要",
    )  # fmt: skip
    task = conference.tasks.get()
    assert (task.channel, task.deadline, task.sent_by) == (
        "conference", services.referral_deadline(), township
    )
    assert task.events.get().action == "send"


def test_the_push_and_a_send_take_the_need_of_a_policy_the_same_way():
    policy = Policy(code="p", needs=["not-a-need", "medical", "housing"])
    assert services.referral_need_of(policy) == "medical"
    assert services.referral_need_of(Policy(code="q", needs=[])) == ""


# --- the push's write on PostgreSQL: keys proven set-based, constraints back (decision 0008) ---

def _referral_foreign_keys() -> list[tuple]:
    """(table, name, definition, validated) of every foreign key of the two referral tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY (%s::regclass[]) "
            "ORDER BY 1, 2",
            [[Referral._meta.db_table, ReferralEvent._meta.db_table]],
        )
        return cursor.fetchall()


@pytest.fixture
def on_postgres(settings):
    """PostgreSQL, and the locked write of a province's push even for these few rows."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the push's foreign-key handling is PostgreSQL's")
    settings.PUSH_LOCKED_WRITE_ROWS = 0


def _busy_reader():
    """Another session with an open transaction that has read the regions table."""
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    reader = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
        host=settings["HOST"], port=settings["PORT"] or None,
    )  # fmt: skip
    reader.execute("SELECT COUNT(*) FROM regions_region")
    return reader


def test_a_county_sized_push_keeps_its_foreign_keys_and_makes_nobody_wait(
    push_setup, django_capture_on_commit_callbacks
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the push's foreign-key handling is PostgreSQL's")
    before = _referral_foreign_keys()
    reader = _busy_reader()  # the locked write would wait for this reader
    try:
        with django_capture_on_commit_callbacks(execute=True):
            counts = services.referral_push_quarter(quarter="2026Q4", match=push_setup["match"])
    finally:
        reader.close()
    assert sum(counts.values()) == 7
    assert "lock" not in push.STEPS and "prove" not in push.STEPS
    assert _referral_foreign_keys() == before


def test_the_push_puts_every_foreign_key_back_as_it_was_and_validates_it(
    on_postgres, push_setup, django_capture_on_commit_callbacks
):
    before = _referral_foreign_keys()
    assert len(before) == 9 and all(valid for *_, valid in before)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        counts = services.referral_push_quarter(quarter="2026Q4", match=push_setup["match"])
    assert sum(counts.values()) == 7
    # Back in the same transaction, NOT VALID for the keys the push proved itself …
    after = _referral_foreign_keys()
    assert [(table, name) for table, name, *_ in after] == [(t, n) for t, n, *_ in before]
    left = {definition.split("(")[1].split(")")[0] for *_, definition, valid in after if not valid}
    assert left == {"household_id", "village_id", "department_id", "policy_id", "referral_id"}
    assert len(callbacks) == 1
    callbacks[0]()  # … and validated once the caller commits.
    assert _referral_foreign_keys() == before


def test_the_foreign_keys_still_refuse_a_bad_row_after_a_push(on_postgres, push_setup):
    from django.db import IntegrityError, connection, transaction

    services.referral_push_quarter(quarter="2026Q4", match=push_setup["match"])
    pushed = Referral.objects.filter(quarter="2026Q4").first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"UPDATE {Referral._meta.db_table} SET household_id = %s WHERE id = %s",  # noqa: S608
            [10**12, pushed.pk],
        )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"INSERT INTO {ReferralEvent._meta.db_table} (referral_id, action, from_status, "  # noqa: S608
            "to_status, note, at) VALUES (%s, 'push', '', 'sent', '', now())",
            [10**12],
        )


def test_a_push_naming_a_household_that_is_gone_is_refused_and_writes_nothing(
    on_postgres, push_setup
):
    homes, policies = push_setup["homes"], push_setup["policies"]
    ghost = pl.DataFrame({"household_id": [10**12], "village_id": [homes[0].village_id]})
    good = push_setup["match"]
    match = RegionMatch(
        households=pl.concat([good.households, ghost]),
        eligible=pl.concat([good.eligible, pl.DataFrame(
            {"household_id": [10**12], "push-med": [True], "push-edu": [False],
             "push-bare": [False]})]),
        received=pl.concat([good.received, pl.DataFrame(
            {"household_id": [10**12], "push-med": [False], "push-edu": [False],
             "push-bare": [False]})]),
        policies=list(policies.values()),
    )  # fmt: skip
    before = _referral_foreign_keys()
    with pytest.raises(ValidationError, match="家庭 1 个"):
        services.referral_push_quarter(quarter="2026Q4", match=match)
    assert not Referral.objects.filter(quarter="2026Q4").exists()
    assert _referral_foreign_keys() == before


def test_a_push_waiting_too_long_for_busy_tables_gives_up_in_chinese(
    on_postgres, push_setup, monkeypatch
):
    monkeypatch.setattr(push, "_LOCK_TIMEOUT", "50ms")
    monkeypatch.setattr(push, "_LOCK_TRIES", 2)
    monkeypatch.setattr(push.time, "sleep", lambda seconds: None)
    reader = _busy_reader()
    try:
        with pytest.raises(ValidationError, match="长时间被占用"):
            services.referral_push_quarter(quarter="2026Q4", match=push_setup["match"])
    finally:
        reader.close()
    assert not Referral.objects.filter(quarter="2026Q4").exists()
    # Once the reader is gone the same push goes through.
    assert sum(services.referral_push_quarter(
        quarter="2026Q4", match=push_setup["match"]).values()) == 7  # fmt: skip


def test_a_push_stopped_after_its_commit_is_validated_by_the_next(on_postgres, push_setup):
    from django.db import connection

    services.referral_push_quarter(quarter="2026Q4", match=push_setup["match"])
    # Committed, then stopped before validating: the proven keys are left NOT VALID.
    assert sum(not valid for *_, valid in _referral_foreign_keys()) == 5
    with connection.cursor() as cursor:  # and a clerk's referral meanwhile is still checked
        cursor.execute("SAVEPOINT bad")
        with pytest.raises(Exception, match="foreign key"):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                f"UPDATE {Referral._meta.db_table} SET village_id = 'nowhere' "  # noqa: S608
                "WHERE quarter = '2026Q4'"
            )
        cursor.execute("ROLLBACK TO SAVEPOINT bad")

    # The next run (nothing new to send this quarter) validates them first.
    assert services.referral_push_quarter(quarter="2026Q4", match=push_setup["match"]) == {}
    assert all(valid for *_, valid in _referral_foreign_keys())
