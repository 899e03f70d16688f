"""The case workflow: the transition table itself (pure), and case_transition
against the database for every row, every illegal move, every wrong role."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.accounts.models import Role
from jiuzhu.cases import services
from jiuzhu.cases import workflow as wf
from jiuzhu.cases.models import Case, CaseEvent, Channel
from tests.factories import UserFactory, make_household

pytestmark = [pytest.mark.core, pytest.mark.django_db]

ROLES = [Role.VILLAGE_WORKER, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF]
# The forward path, in order: a return must go back along it.
PATH = [
    wf.Status.RECEIVED, wf.Status.ASSESSING, wf.Status.PLANNING, wf.Status.SUBMITTED,
    wf.Status.REVIEWING, wf.Status.APPROVED, wf.Status.PUBLICISED, wf.Status.IMPLEMENTING,
    wf.Status.FOLLOW_UP, wf.Status.CLOSED,
]  # fmt: skip
MEASURE = {"policy": "demo-policy", "department": "minzheng", "note": ""}

LEGAL = [(row, source, role) for row in wf.TRANSITIONS for source in sorted(row.sources)
         for role in sorted(row.roles)]  # fmt: skip
LEGAL_KEYS = {(row.action, source) for row, source, _ in LEGAL}
ILLEGAL = [(action, status) for action in sorted(wf.ACTION_NAMES) for status in wf.Status
           if (action, status) not in LEGAL_KEYS]  # fmt: skip
WRONG_ROLE = [
    (action, role)
    for action in sorted(wf.ACTION_NAMES)
    for role in [*ROLES, Role.DEPARTMENT_OFFICER, Role.LEADER, Role.ADMIN]
    if not any(role in t.roles for t in wf.TRANSITIONS if t.action == action)
]


def _id(value) -> str:
    if isinstance(value, wf.Transition):
        return value.action
    return str(value)


# --- the table, without a database ----------------------------------------------


def test_every_action_from_every_status_has_at_most_one_row():
    keys = [(row.action, s) for row in wf.TRANSITIONS for s in row.sources]
    assert len(keys) == len(set(keys))


def test_terminal_statuses_have_no_way_out():
    for row in wf.TRANSITIONS:
        assert not row.sources & wf.TERMINAL, row


def test_every_open_status_can_reach_closure():
    graph: dict[str, set[str]] = {}
    for row in wf.TRANSITIONS:
        for source in row.sources:
            graph.setdefault(source, set()).add(row.target)
    for status in wf.OPEN - {wf.Status.MERGED}:
        seen, todo = set(), [status]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo.extend(graph.get(node, ()))
        assert wf.Status.CLOSED in seen, status


def test_returns_go_back_along_the_path_and_rejections_need_a_reason():
    for row in wf.TRANSITIONS:
        if row.action == "return":
            assert all(PATH.index(row.target) < PATH.index(s) for s in row.sources), row
        if row.action in ("return", "reject", "follow_up"):
            assert row.note_required and re.search(r"[\u4e00-\u9fff]", row.note_label)


def test_every_status_and_action_has_a_chinese_name():
    assert set(wf.STATUS_LABELS) == set(wf.Status)
    assert set(wf.ACTION_VERBS) == wf.ACTION_NAMES
    for label in [*wf.STATUS_LABELS.values(), *wf.ACTIONS.values()]:
        assert re.search(r"[\u4e00-\u9fff]", label)


def test_an_unknown_action_is_not_an_illegal_transition():
    with pytest.raises(wf.UnknownAction):
        wf.transition_for(action="teleport", status=wf.Status.RECEIVED)


@given(st.lists(st.tuples(st.sampled_from(sorted(wf.ACTION_NAMES)), st.sampled_from(ROLES)),
                max_size=30))  # fmt: skip
def test_a_walk_through_the_table_only_ever_lands_on_known_statuses(steps):
    status = wf.Status.RECEIVED
    for action, role in steps:
        moves = {t.action: t for t in wf.available(status=status, role=role)}
        try:
            row = wf.transition_for(action=action, status=status)
        except wf.IllegalTransition:
            assert action not in moves
            continue
        assert row.target in wf.Status
        if role in row.roles:
            assert moves[action] == row
            status = row.target
    assert status in wf.Status


# --- the service, against the database ---------------------------------------------


@pytest.fixture
def village(county):
    return county["villages"][0].code


@pytest.fixture
def other_village(county):
    return county["villages"][-1].code


@pytest.fixture
def users(village, county):
    return {
        Role.VILLAGE_WORKER: UserFactory(role=Role.VILLAGE_WORKER, regions=[village]),
        Role.TOWNSHIP_STAFF: UserFactory(role=Role.TOWNSHIP_STAFF, regions=[village[:9] + "000"]),
        Role.COUNTY_STAFF: UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]]),
        Role.DEPARTMENT_OFFICER: UserFactory(role=Role.DEPARTMENT_OFFICER,
                                             regions=[county["county"]], department="yibao"),
        Role.LEADER: UserFactory(role=Role.LEADER, regions=[county["county"]]),
        Role.ADMIN: UserFactory(role=Role.ADMIN, regions=[county["county"]]),
    }  # fmt: skip


@pytest.fixture
def household(village):
    return make_household(village=village)


_seq = itertools.count(1)


def case_in(status, *, village: str, household=None, measures=True) -> Case:
    """Arrange: a case standing at a status (made directly, as if it had got there)."""
    n = next(_seq)
    return Case.objects.create(
        number=f"AJTEST-{n:06d}",
        receipt_code=f"TEST{n:06d}",
        household=household,
        village_id=household.village_id if household else village,
        channel=Channel.WINDOW,
        status=status,
        measures=[MEASURE] if measures else [],
        # A case in publicity has served its period unless a test says otherwise.
        publicised_at=timezone.now() - timedelta(days=30) if status == wf.Status.PUBLICISED
        else None,
    )  # fmt: skip


def _note(row: wf.Transition) -> str:
    return "测试理由:情况已核实" if row.note_required else ""


@pytest.mark.parametrize(("row", "source", "role"), LEGAL, ids=_id)
def test_every_allowed_transition_succeeds_from_its_status_for_its_roles(
    row, source, role, users, household
):
    case = case_in(source, village=household.village_id, household=household)
    actor = users[role]
    before = timezone.now()

    moved = services.case_transition(actor=actor, case=case, action=row.action, note=_note(row))

    assert moved.status == row.target
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == row.target
    assert stored.is_returned is (row.action == "return")
    assert stored.status_changed_at >= before
    if row.stamp:
        assert getattr(stored, row.stamp) >= before
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.from_status, event.to_status) == (row.action, source, row.target)
    assert event.actor == actor
    assert before <= event.at <= timezone.now()
    assert event.note == _note(row)
    assert stored.history.first().history_user == actor


@pytest.mark.parametrize(("action", "status"), ILLEGAL, ids=_id)
def test_a_move_the_table_does_not_allow_raises_illegal_transition(action, status, users, village):
    role = next(r for t in wf.TRANSITIONS if t.action == action for r in sorted(t.roles))
    case = case_in(status, village=village)

    with pytest.raises(services.IllegalTransition, match="不能执行"):
        services.case_transition(actor=users[role], case=case, action=action, note="理由")

    assert Case.objects.get(pk=case.pk).status == status
    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.parametrize(("action", "role"), WRONG_ROLE, ids=_id)
def test_a_role_the_table_does_not_name_is_refused(action, role, users, village):
    source = next(sorted(t.sources)[0] for t in wf.TRANSITIONS if t.action == action)
    case = case_in(source, village=village)

    with pytest.raises(PermissionDenied):
        services.case_transition(actor=users[role], case=case, action=action, note="理由")

    assert Case.objects.get(pk=case.pk).status == source


def test_a_role_named_for_one_step_is_refused_at_another(users, village):
    # The township may reject before it submits, not once the county has the case.
    case = case_in(wf.Status.REVIEWING, village=village)
    with pytest.raises(PermissionDenied, match="当前环节"):
        services.case_transition(
            actor=users[Role.TOWNSHIP_STAFF], case=case, action="reject", note="不符合"
        )


def test_a_case_outside_the_actors_villages_is_refused(users, other_village):
    case = case_in(wf.Status.RECEIVED, village=other_village)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.case_transition(
            actor=users[Role.VILLAGE_WORKER], case=case, action="start_assessment"
        )


@pytest.mark.parametrize("action", ["reject", "return"])
def test_rejecting_or_returning_without_a_reason_is_refused_in_chinese(action, users, village):
    case = case_in(wf.Status.PLANNING, village=village)
    with pytest.raises(ValidationError) as caught:
        services.case_transition(
            actor=users[Role.TOWNSHIP_STAFF], case=case, action=action, note="   "
        )
    message = caught.value.message_dict["note"][0]
    assert "请填写" in message and ("原因" in message or "理由" in message)
    assert Case.objects.get(pk=case.pk).status == wf.Status.PLANNING


def test_planning_needs_the_household_file_and_submitting_needs_measures(users, village, household):
    report = case_in(wf.Status.ASSESSING, village=village)
    with pytest.raises(services.IllegalTransition, match="家庭档案"):
        services.case_transition(actor=users[Role.VILLAGE_WORKER], case=report, action="plan")
    empty = case_in(wf.Status.PLANNING, village=village, household=household, measures=False)
    with pytest.raises(services.IllegalTransition, match="帮扶措施"):
        services.case_transition(actor=users[Role.TOWNSHIP_STAFF], case=empty, action="submit")


def test_a_returned_case_can_be_resubmitted_and_the_timeline_keeps_every_step(users, household):
    county, township = users[Role.COUNTY_STAFF], users[Role.TOWNSHIP_STAFF]
    case = case_in(wf.Status.PLANNING, village=household.village_id, household=household)

    case = services.case_transition(actor=township, case=case, action="submit")
    case = services.case_transition(actor=county, case=case, action="review")
    case = services.case_transition(actor=county, case=case, action="return", note="补充收入证明")
    assert (case.status, case.is_returned) == (wf.Status.PLANNING, True)
    case = services.case_transition(actor=township, case=case, action="submit")

    assert (case.status, case.is_returned) == (wf.Status.SUBMITTED, False)
    steps = list(case.events.order_by("at", "id").values_list("action", "actor", "note"))
    assert steps == [
        ("submit", township.pk, ""),
        ("review", county.pk, ""),
        ("return", county.pk, "补充收入证明"),
        ("submit", township.pk, ""),
    ]


def test_one_household_walks_from_intake_to_closure(users, household):
    worker, township, county = (users[r] for r in ROLES)
    case = services.case_open(actor=worker, household=household, channel=Channel.VILLAGE)
    Case.objects.filter(pk=case.pk).update(measures=[MEASURE])  # the plan, see the intake tests
    script = [
        (worker, "start_assessment"), (worker, "plan"), (township, "submit"), (county, "review"),
        (county, "approve"), (county, "publicise"), (county, "implement"),
        (worker, "follow_up"), (county, "close"),
    ]  # fmt: skip
    for actor, action in script:
        note = "已回访,措施落实" if action == "follow_up" else ""
        if action == "implement":
            # Not before the publicity period (公示期) is over; then as if it had run its days.
            with pytest.raises(services.IllegalTransition, match="公示期7天"):
                services.case_transition(actor=actor, case=case, action=action)
            Case.objects.filter(pk=case.pk).update(
                publicised_at=case.publicised_at - timedelta(days=7)
            )
        case = services.case_transition(actor=actor, case=case, action=action, note=note)

    assert case.status == wf.Status.CLOSED
    assert case.submitted_at <= case.decided_at <= case.closed_at
    assert case.publicised_at <= case.closed_at - timedelta(days=7)
    assert [e.action for e in case.events.order_by("at", "id")] == ["open"] + [a for _, a in script]
    # Closed, the household may be helped again through a new case.
    again = services.case_open(actor=worker, household=household)
    assert again.pk != case.pk


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(wf.ACTION_NAMES)), st.sampled_from(ROLES)),
                      max_size=12))  # fmt: skip
def test_random_moves_change_the_case_exactly_as_the_table_says(steps, users, household):
    Case.objects.filter(household=household).update(status=wf.Status.CLOSED)
    case = case_in(wf.Status.RECEIVED, village=household.village_id, household=household)
    expected, events = wf.Status.RECEIVED, 0
    for action, role in steps:
        if expected == wf.Status.PUBLICISED:  # the walk does not wait out the publicity period
            Case.objects.filter(pk=case.pk).update(publicised_at=timezone.now() - timedelta(days=8))
        allowed = {t.action: t for t in wf.available(status=expected, role=role)}
        try:
            case = services.case_transition(actor=users[role], case=case, action=action,
                                            note="随机测试理由")  # fmt: skip
        except (services.IllegalTransition, PermissionDenied):
            assert action not in allowed
        else:
            assert action in allowed
            expected, events = allowed[action].target, events + 1
        assert Case.objects.get(pk=case.pk).status == expected
    assert case.events.count() == events


def test_case_numbers_count_up_within_the_county_and_year(users, village, county):
    worker = users[Role.VILLAGE_WORKER]
    first = services.case_open(actor=worker, household=make_household(village=village))
    second = services.case_open(actor=worker, household=make_household(village=village))
    year = timezone.localdate().year
    assert re.fullmatch(rf"AJ530128-{year}-\d{{6}}", first.number)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert first.receipt_code != second.receipt_code
    assert re.fullmatch(r"[A-HJ-KM-NP-Z2-9]{10}", first.receipt_code)


def test_events_are_ordered_by_time_for_the_timeline(users, household):
    case = case_in(wf.Status.RECEIVED, village=household.village_id, household=household)
    services.case_transition(actor=users[Role.VILLAGE_WORKER], case=case, action="start_assessment")
    CaseEvent.objects.filter(case=case).update(at=timezone.now() - timedelta(days=1))
    services.case_transition(actor=users[Role.TOWNSHIP_STAFF], case=case, action="reject",
                             note="家庭收入超过标准")  # fmt: skip
    actions = [e.action for e in case.events.order_by("at", "id")]
    assert actions == ["start_assessment", "reject"]
    assert Case.objects.get(pk=case.pk).closed_at is not None
