"""What cases asks the apps above it (jiuzhu.core.hooks). Referrals and reviews sit
above cases and register here in their AppConfig.ready(); cases never imports them."""

from jiuzhu.core.hooks import Hook

#: (*, case, row, meeting) -> None; raise IllegalTransition (a Chinese message) to
#: refuse the move. `row` is the workflow Transition about to run on the locked case,
#: `meeting` the joint review carrying out its decision (None for a clerk's move).
#: Referrals: no 提交 while conference tasks are open. Reviews: only the meeting
#: decides a case on its agenda.
transition_guards = Hook("cases.transition_guards")

#: (*, case) -> the meeting whose open agenda holds the case (it has .pk and .title),
#: or None. The case page names it and leaves its decisions to it.
agenda_meeting = Hook("cases.agenda_meeting")

#: (*, case) -> list of review items (each with .meeting, .decision, .reason): the
#: case's joint-review history, oldest first, for the case page.
review_history = Hook("cases.review_history")

#: (*, case) -> {policy code: referral}: each 一户一策 measure's referral, once sent
#: (the referral has .pk, .status_label, .is_overdue), for the case page.
measure_referrals = Hook("cases.measure_referrals")
