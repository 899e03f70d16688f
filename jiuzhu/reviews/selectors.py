"""Reads for the county joint review. County staff run the meetings and read them
whole; leaders (领导) see aggregates only, as everywhere (accounts/roles.py): the
list of meetings with their counts, never a household. Both only for counties
granted to them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import NotFound, pk_of
from jiuzhu.accounts.roles import role_of
from jiuzhu.accounts.scope import code_in_scope, user_scope_codes
from jiuzhu.cases import workflow as case_wf
from jiuzhu.cases.models import Case
from jiuzhu.cases.selectors import case_scope, publicity_cutoff
from jiuzhu.core.workflow import IllegalTransition
from jiuzhu.policies.models import Policy
from jiuzhu.referrals import workflow as ref_wf
from jiuzhu.referrals.models import Referral
from jiuzhu.regions.models import Level, Region, under_codes_q

from .models import Decision, MeetingStatus, ReviewItem, ReviewMeeting

MEETING_NOT_FOUND = "联席会议不存在"
ITEM_NOT_FOUND = "议程事项不存在"


def county_choices(*, user) -> QuerySet[Region]:
    """The counties whose meetings the user may hold or read."""
    if role_of(user) not in roles.REVIEW_LIST_READERS:
        return Region.objects.none()
    return Region.objects.filter(
        under_codes_q("code", user_scope_codes(user)), level=Level.COUNTY
    ).order_by("code")


def meeting_scope(*, user) -> QuerySet[ReviewMeeting]:
    if role_of(user) not in roles.REVIEW_LIST_READERS:
        return ReviewMeeting.objects.none()
    return ReviewMeeting.objects.filter(under_codes_q("county__code", user_scope_codes(user)))


def meeting_list(*, user) -> QuerySet[ReviewMeeting]:
    return (
        meeting_scope(user=user)
        .select_related("county")
        .annotate(
            n_items=Count("items"),
            n_approved=Count("items", filter=Q(items__decision=Decision.APPROVE)),
            n_rejected=Count("items", filter=Q(items__decision=Decision.REJECT)),
            n_modified=Count("items", filter=Q(items__decision=Decision.MODIFY)),
        )
        .order_by("-month", "-id")
    )


def access_meeting_by_id(*, user, meeting_id) -> ReviewMeeting:
    """One meeting of the user's counties, for a role that may read its households;
    NotFound when it is missing, another county's, or the role reads no meetings."""
    pk = pk_of(meeting_id, message=MEETING_NOT_FOUND)
    if role_of(user) not in roles.REVIEW_READERS:
        raise NotFound(MEETING_NOT_FOUND)
    try:
        return (
            meeting_scope(user=user)
            .select_related("county", "created_by", "concluded_by")
            .get(pk=pk)
        )
    except ReviewMeeting.DoesNotExist:
        raise NotFound(MEETING_NOT_FOUND) from None


def access_item_by_id(*, meeting: ReviewMeeting, item_id) -> ReviewItem:
    """One item of a meeting's agenda (the meeting fetched by access_meeting_by_id)."""
    pk = pk_of(item_id, message=ITEM_NOT_FOUND)
    try:
        return meeting.items.select_related("meeting", "case").get(pk=pk)
    except ReviewItem.DoesNotExist:
        raise NotFound(ITEM_NOT_FOUND) from None


@dataclass
class AgendaRow:
    item: ReviewItem
    case: Case
    township: str
    village: str
    people: int
    measures: list[dict]
    conference: str  # 个案会商 summary, "" when none


def agenda(*, meeting: ReviewMeeting) -> list[AgendaRow]:
    """The agenda in order, with what the meeting reads for each household."""
    items = list(
        meeting.items.select_related(
            "case", "case__household", "case__village", "case__village__parent", "decided_by"
        )
        .annotate(n_people=Count("case__household__members"))
        .order_by("position", "id")
    )
    codes = {m["policy"] for it in items for m in it.case.measures}
    policies = {
        p.code: p for p in Policy.objects.filter(code__in=codes).select_related("department")
    }
    conferences = _conference_summaries([it.case_id for it in items])
    rows = []
    for it in items:
        measures = []
        for m in it.case.measures:
            p = policies.get(m["policy"])
            measures.append({
                "policy": m["policy"], "name": p.name if p else m["policy"],
                "department": p.department.short_name or p.department.name if p else "",
                "note": m.get("note", ""),
            })  # fmt: skip
        village = it.case.village
        rows.append(AgendaRow(
            item=it, case=it.case, township=village.parent.name if village.parent else "",
            village=village.name, people=it.n_people, measures=measures,
            conference=conferences.get(it.case_id, ""),
        ))  # fmt: skip
    return rows


def _conference_summaries(case_ids: list[int]) -> dict[int, str]:
    out: dict[int, list[str]] = {}
    rows = (
        Referral.objects.filter(conference__case_id__in=case_ids)
        .select_related("department")
        .order_by("conference__held_on", "id")
    )
    for r in rows:
        state = "已反馈" if r.status in ref_wf.ANSWERED else r.status_label
        out.setdefault(r.case_id, []).append(
            f"{r.department.short_name or r.department.name}{state}"
        )
    return {k: "、".join(v) for k, v in out.items()}


def candidates(*, meeting: ReviewMeeting) -> QuerySet[Case]:
    """Cases of the meeting's county waiting for the county's decision and on no draft agenda:
    submitted by a township, or back in county review after an objection to the publicity."""
    busy = ReviewItem.objects.filter(meeting__status=MeetingStatus.DRAFT).values("case_id")
    return (
        Case.objects.under_codes([meeting.county_id])
        .filter(status__in=[case_wf.Status.SUBMITTED, case_wf.Status.REVIEWING])
        .exclude(pk__in=busy)
        .select_related("household", "village", "village__parent")
        .order_by("submitted_at", "id")
    )


def open_agenda_meeting(*, case: Case) -> ReviewMeeting | None:
    """The draft meeting whose agenda holds this case, if any."""
    item = (
        ReviewItem.objects.filter(case_id=case.pk, meeting__status=MeetingStatus.DRAFT)
        .select_related("meeting")
        .first()
    )
    return item.meeting if item else None


def refuse_outside_the_meeting(*, case: Case, row, meeting) -> None:
    """A guard on the case workflow (cases.hooks.transition_guards): while a case is on
    an undecided agenda, only that meeting approves, rejects or returns it."""
    if not row.by_meeting or meeting is not None:
        return
    pending = open_agenda_meeting(case=case)
    if pending is not None:
        raise IllegalTransition(
            f"本案已列入{pending.title}议程,请在联席会议中作出决定(或先移出议程)"
        )


def case_reviews(*, case: Case) -> list[ReviewItem]:
    """The meetings that had the case on their agenda, oldest first (for the case page)."""
    return list(case.review_items.select_related("meeting").order_by("meeting__month", "id"))


def publicity_list(*, user, state: str = "") -> QuerySet[Case]:
    """Cases in publicity (公示) in the user's scope, oldest first; `state` "over" keeps the
    ones whose period has ended (待实施), "running" the others."""
    qs = case_scope(user=user).filter(status=case_wf.Status.PUBLICISED)
    cutoff = publicity_cutoff()
    if state == "over":
        qs = qs.filter(publicised_at__lt=cutoff)
    elif state == "running":
        qs = qs.filter(publicised_at__gte=cutoff)
    return qs.select_related("household", "village", "village__parent").order_by(
        "publicised_at", "id"
    )


def meeting_in_scope(*, user, meeting: ReviewMeeting) -> bool:
    return code_in_scope(user=user, code=meeting.county_id)
