"""A month of casework in the demo county, made through the real services so that
every timeline, history row and referral is what the platform itself writes.

In 翠华镇 (the demo township): public reports waiting, home visits under way,
plans with referrals and a case conference (医保, 教育 and 社工中心 tasks, one fed back),
cases submitted for this month's joint review, and last month's joint review
concluded — approved cases in publicity, past it, in implementation, followed
up and closed, one refused, one sent back for a change of plan.

Steps that happened in the past are moved back in time afterwards (their
timestamps only), so the publicity periods and the timelines read as a real month.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.assessment.models import LatestAssessment
from jiuzhu.cases import services as cases
from jiuzhu.cases.models import Case, CaseEvent, Channel, HotlineEvent, HotlineTicket, Proxy
from jiuzhu.households.models import Household
from jiuzhu.policies.models import Department
from jiuzhu.policies.selectors import household_matching
from jiuzhu.referrals import services as referrals
from jiuzhu.referrals.models import Conference, Referral, ReferralEvent
from jiuzhu.regions import luquan
from jiuzhu.regions.models import Region
from jiuzhu.reviews import services as reviews
from jiuzhu.reviews.models import Decision, ReviewItem, ReviewMeeting

from .users import CUIHUA, demo_village

DESCRIPTIONS = [
    "老伴去年去世,本人腿脚不便,一个人生活,没有固定收入",
    "孩子得了白血病,在昆明住院,家里已经借了很多钱",
    "邻居家房子漏雨开裂,老两口身体不好,希望政府帮一下",
    "丈夫外出务工受伤,失去劳动能力,两个孩子在读书",
]
PHONES = ["13908712" + f"{n:03d}" for n in range(100, 200)]


@dataclass
class Made:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def wipe_casework() -> None:
    """Delete every case, referral, conference, joint review and hotline ticket
    (children first: their foreign keys protect the parents)."""
    for model in (ReviewItem, ReviewMeeting, ReferralEvent, Referral, Conference, HotlineEvent,
                  HotlineTicket, CaseEvent):  # fmt: skip
        model._base_manager.all().delete()
    Case._base_manager.update(duplicate_of=None)
    Case._base_manager.all().delete()
    for model in (Case, HotlineTicket, ReviewMeeting, ReviewItem):
        model.history.model._base_manager.all().delete()


def _shift(case_ids: list[int], days: int) -> None:
    """Move what happened to these cases `days` back in time (timestamps only)."""
    delta = dt.timedelta(days=days)
    stamps = ("created_at", "status_changed_at", "assessment_started_at", "submitted_at",
              "decided_at", "publicised_at", "closed_at")  # fmt: skip
    Case.objects.filter(pk__in=case_ids).update(**{s: F(s) - delta for s in stamps})
    CaseEvent.objects.filter(case_id__in=case_ids).update(at=F("at") - delta)
    referrals = Referral.objects.filter(case_id__in=case_ids)
    ReferralEvent.objects.filter(referral__in=referrals).update(at=F("at") - delta)
    referrals.update(
        created_at=F("created_at") - delta, status_changed_at=F("status_changed_at") - delta,
        deadline=F("deadline") - delta,
    )  # fmt: skip


def _hardship_households(limit: int) -> list[Household]:
    """Households of 翠华镇 in hardship, the demo village's first, most in need first."""
    ids = list(
        LatestAssessment.objects.filter(household__village__code__startswith=CUIHUA[:9])
        .filter(below_standard=True)
        .order_by("-index", "household_id")
        .values_list("household_id", flat=True)[: limit * 3]
    )
    home = demo_village().code
    households = list(Household.objects.filter(pk__in=ids).select_related("village"))
    households.sort(key=lambda h: (h.village_id != home, ids.index(h.pk)))
    return households[:limit]


def _measures(actor, household: Household, *, prefer: tuple[str, ...] = ()) -> list[dict]:
    """Two to four of the policies the household is due, those of `prefer` first."""
    matching = household_matching(user=actor, household_id=household.pk)
    # Already receiving everything it is due: the plan keeps those measures going.
    due = matching.to_receive or matching.receiving
    due.sort(key=lambda m: (m.policy.department_id not in prefer, m.policy.code))
    return [{"policy": m.policy.code, "note": ""} for m in due[:4]]


def make_casework(*, seed: int = 530128) -> dict[str, int]:
    """Generate the demo month of casework; nothing when any case exists already."""
    if Case.objects.exists():
        return {}
    users = {u.username: u for u in User.objects.filter(
        username__in=["cun", "zhen", "xian", "yibao", "jiaoyu"])}  # fmt: skip
    if not {"cun", "zhen", "xian"} <= set(users):
        return {}
    rng = random.Random(seed)
    cun, zhen, xian = users["cun"], users["zhen"], users["xian"]
    made = Made()
    households = _hardship_households(26)
    home = demo_village().code
    today = timezone.localdate()

    def worker_for(h: Household) -> User:
        return cun if h.village_id == home else zhen

    def open_case(h: Household, *, channel=Channel.VILLAGE) -> Case:
        made.add("cases")
        return cases.case_open(actor=worker_for(h), household=h, channel=channel,
                               proxy=rng.choice([Proxy.IN_PERSON, Proxy.PROXY, Proxy.ACCOMPANIED]),
                               note="入户走访发现")  # fmt: skip

    def to_planning(h: Household, *, prefer=()) -> Case:
        case = open_case(h)
        worker = worker_for(h)
        case = cases.case_transition(actor=worker, case=case, action="start_assessment")
        case = cases.case_transition(actor=worker, case=case, action="plan")
        return cases.case_measures_save(actor=worker, case=case,
                                        measures=_measures(worker, h, prefer=prefer))  # fmt: skip

    def move(case: Case, *steps: str, note: str = "") -> Case:
        actors = {"submit": zhen, "review": xian, "approve": xian, "publicise": xian,
                  "implement": xian, "follow_up": cun, "close": xian}  # fmt: skip
        for step in steps:
            actor = actors[step]
            if step == "follow_up" and case.village_id != home:
                actor = zhen
            case = cases.case_transition(actor=actor, case=case, action=step,
                                         note=note if step == "follow_up" else "")  # fmt: skip
        return case

    queue = list(households)
    take = queue.pop

    with transaction.atomic():
        # Public reports and a hotline call: waiting for a home visit.
        villages = sorted({h.village_id for h in households} | {home})
        for i, text in enumerate(DESCRIPTIONS[:3]):
            report = cases.case_report_public(
                name=["测试段秀英", "测试罗志华", "测试普建国"][i], phone=PHONES[i],
                village_code=villages[i % len(villages)], description=text, about_self=i != 2,
            )  # fmt: skip
            made.add("public_reports")
            if i == 0:
                # Reported ten days ago and not visited yet: past its 3-working-day limit.
                _shift([report.pk], 10)
        ticket = cases.ticket_create(actor=zhen, kind="help", region_code=home,
                                     content=DESCRIPTIONS[3], caller_name="测试李桂芬",
                                     caller_phone=PHONES[10])  # fmt: skip
        made.add("hotline_tickets")
        if not queue:
            return made.counts
        # Home visits under way.
        for _ in range(min(2, len(queue))):
            h = take(0)
            cases.case_transition(actor=worker_for(h), case=open_case(h), action="start_assessment")
        # Plans; one with its measures referred, one with a case conference.
        if queue:
            case = to_planning(take(0), prefer=("yibao",))
            codes = [m["policy"] for m in case.measures[:2]]
            if codes:
                referrals.case_refer_measures(actor=zhen, case=case, policy_codes=codes)
                made.add("referrals", len(codes))
        # 医保 and 教育, and the county's social-work centre (社工中心) where the library has it.
        departments = list(Department.objects.filter(code__in=["yibao", "jiaoyu", "shegong"]))
        if queue and {"yibao", "jiaoyu"} <= {d.code for d in departments}:
            case = to_planning(take(0), prefer=("yibao", "jiaoyu"))
            conference = referrals.conference_create(
                actor=zhen, case=case, held_on=today - dt.timedelta(days=2),
                departments=departments,
                minutes="户主患慢性病长期服药,子女在校就读。医保局核实门诊、住院费用并落实医疗救助;"
                "教育体育局核实在校情况并落实教育资助;社工中心入户开展照护需求评估和心理疏导。",
                tasks={"yibao": "核实医疗费用,落实医疗救助", "jiaoyu": "核实在校情况,落实教育资助",
                       "shegong": "入户开展照护需求评估和心理疏导"},
            )  # fmt: skip
            made.add("conferences")
            # Three departments and a social organisation: the county allows it 45 days.
            cases.case_mark_complex(actor=xian, case=case,
                                    reason="涉及医保、教育和社工中心多方会商,需逐项核实")  # fmt: skip
            if "yibao" in users:
                task = conference.tasks.get(department_id="yibao")
                for action, note in [("accept", ""), ("review", ""),
                                     ("assist", "门诊慢性病待遇已落实,住院自付部分按医疗救助比例报销"),
                                     ("feedback", "医疗救助已落实")]:  # fmt: skip
                    task = referrals.referral_transition(actor=users["yibao"], referral=task,
                                                         action=action, note=note)  # fmt: skip
        # Last month's joint review, concluded, and what followed it.
        last = queue[:10]
        del queue[:10]
        if last:
            month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            for h in last:
                move(to_planning(h), "submit")
            meeting = reviews.meeting_create(
                actor=xian, county=Region.objects.get(pk=luquan.COUNTY), month=month,
                held_on=month + dt.timedelta(days=24), chair="县民政局局长(演示)",
                place="县民政局三楼会议室", recorder="县民政局社会救助股(演示)",
                departments=list(Department.objects.filter(kind="government")[:8]),
                attendees="县民政局、县医保局、县人社局、县教育体育局、县残联、县住建局、县卫健局、县乡村振兴局分管领导",
            )  # fmt: skip
            items = list(meeting.items.order_by("position"))
            plan = [Decision.APPROVE] * len(items)
            if len(items) >= 3:
                plan[-1], plan[-2] = Decision.REJECT, Decision.MODIFY
            reasons = {Decision.REJECT: "经信息核对,家庭成员名下有经营性车辆,不符合条件",
                       Decision.MODIFY: "请补充临时救助措施后再次提交"}  # fmt: skip
            for item, decision in zip(items, plan, strict=True):
                reviews.item_decide(actor=xian, item=item, decision=decision,
                                    reason=reasons.get(decision, ""))  # fmt: skip
            reviews.meeting_conclude(actor=xian, meeting=meeting,
                                     minutes="各乡镇对公示有异议的个案及时上报县民政局复核。")  # fmt: skip
            made.add("review_meetings")
            reviews.publicise_approved(actor=xian, meeting=meeting)
            approved = list(
                meeting.items.filter(decision=Decision.APPROVE)
                .order_by("position")
                .values_list("case_id", flat=True)
            )
            held = timezone.make_aware(dt.datetime.combine(meeting.held_on, dt.time(16, 30)))
            ReviewMeeting.objects.filter(pk=meeting.pk).update(
                created_at=held - dt.timedelta(days=5), concluded_at=held
            )
            ReviewItem.objects.filter(meeting=meeting).update(decided_at=held)
            # Back to the meeting's day, then the publicity of some started later.
            days_ago = (today - meeting.held_on).days
            _shift([it.case_id for it in items], days_ago)
            running, waiting, rest = approved[:2], approved[2:3], approved[3:]
            _shift_publicity(running, days_ago - 3)  # posted 3 days ago: still in publicity
            for case in Case.objects.filter(pk__in=rest).order_by("id"):
                case = move(case, "implement")
                made.add("implementing")
            for i, case in enumerate(Case.objects.filter(pk__in=rest[:3]).order_by("id")):
                case = move(case, "follow_up", note="已入户回访,救助资金已到账,生活基本稳定")
                if i < 2:
                    move(case, "close")
                    made.add("closed")
            made.add("publicity_waiting", len(waiting))
            made.add("publicity_running", len(running))
        # Submitted by the township: this month's joint review has them to decide.
        for _ in range(min(4, len(queue))):
            move(to_planning(take(0)), "submit")
            made.add("submitted")
        cases.ticket_transition(actor=zhen, ticket=ticket, action="answer",
                                note="已告知可向村委会申请临时救助,并安排村信息员入户")  # fmt: skip
    return made.counts


def _shift_publicity(case_ids: list[int], days_forward: int) -> None:
    delta = dt.timedelta(days=days_forward)
    Case.objects.filter(pk__in=case_ids).update(
        publicised_at=F("publicised_at") + delta, status_changed_at=F("status_changed_at") + delta
    )
    CaseEvent.objects.filter(case_id__in=case_ids, action="publicise").update(at=F("at") + delta)
