"""jiuzhu.core.hooks: how a lower app asks the apps above it (pure, no database)."""

import pytest

from jiuzhu.core.hooks import Hook

pytestmark = pytest.mark.core


def test_results_come_from_every_registered_callable_in_registration_order():
    hook = Hook("test.results")
    hook.register(lambda *, n: n + 1)
    hook.register(lambda *, n: n * 10)
    assert hook.results(n=2) == [3, 20]


def test_registering_the_same_callable_twice_calls_it_once():
    hook = Hook("test.once")
    calls = []

    def seen(**kw):
        calls.append(kw)

    assert hook.register(seen) is seen  # usable as a decorator
    hook.register(seen)
    hook.run(x=1)
    assert calls == [{"x": 1}]
    assert hook.registered == (seen,)


def test_a_guard_that_raises_stops_the_run_and_the_later_guards():
    hook = Hook("test.guards")
    later = []

    def refuse(**kw):
        raise ValueError("不能执行")

    hook.register(refuse)
    hook.register(lambda **kw: later.append(kw))
    with pytest.raises(ValueError, match="不能执行"):
        hook.run(case=1)
    assert later == []


def test_first_is_the_first_answer_that_is_not_none():
    hook = Hook("test.first")
    assert hook.first(case=1) is None
    hook.register(lambda *, case: None)
    hook.register(lambda *, case: f"会议{case}")
    hook.register(lambda *, case: "never asked")
    assert hook.first(case=7) == "会议7"


def test_a_hook_takes_keyword_arguments_only():
    hook = Hook("test.keywords")
    hook.register(lambda *, case: case)
    with pytest.raises(TypeError):
        hook.results(1)


def test_the_apps_register_their_answers_on_the_lower_apps_hooks():
    from jiuzhu.assessment import services as assessment
    from jiuzhu.cases import hooks as cases
    from jiuzhu.households import hooks as households
    from jiuzhu.policies import hooks as policies
    from jiuzhu.referrals import selectors as referrals
    from jiuzhu.referrals import services as referral_services
    from jiuzhu.reviews import selectors as reviews

    assert set(cases.transition_guards.registered) == {
        referral_services.refuse_submit_while_tasks_open,
        reviews.refuse_outside_the_meeting,
    }
    assert cases.agenda_meeting.registered == (reviews.open_agenda_meeting,)
    assert cases.review_history.registered == (reviews.case_reviews,)
    assert cases.measure_referrals.registered == (referrals.case_measure_referrals,)
    assert policies.received_policy_codes.registered == (referrals.delivered_codes,)
    assert policies.received_policy_pairs.registered == (referrals.delivered_pairs,)
    assert households.household_changed.registered == (assessment.assessment_on_change,)
