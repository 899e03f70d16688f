"""Cases (个案): one request for help, from intake to closure, and its audited
timeline; hotline tickets (热线工单) and theirs.

The statuses and the allowed moves live in workflow.py. Referrals and case
conferences (next issue) hang off a Case by a foreign key to it.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from jiuzhu.regions.models import under_codes_q

from . import deadlines
from . import workflow as wf


class Channel(models.TextChoices):
    WINDOW = "window", "窗口受理"
    VILLAGE = "village", "村级代办"
    SELF = "self", "群众自主申报"
    REPORT = "report", "群众报告他人"
    HOTLINE = "hotline", "热线"
    WARNING = "warning", "主动发现"


# Channels a clerk records at a window; the public ones come only from /apply/.
STAFF_CHANNELS = (Channel.WINDOW, Channel.VILLAGE, Channel.HOTLINE, Channel.WARNING)
PUBLIC_CHANNELS = (Channel.SELF, Channel.REPORT)


class Proxy(models.TextChoices):
    """How a window application was made (seed 000: 代办、陪办、网上办)."""

    IN_PERSON = "in_person", "本人申请"
    PROXY = "proxy", "代办"
    ACCOMPANIED = "accompanied", "陪办"


STATUS_CHOICES = [(str(k), v) for k, v in wf.STATUS_LABELS.items()]
TICKET_STATUS_CHOICES = [(str(k), v) for k, v in wf.TICKET_STATUS_LABELS.items()]
_OPEN = [s.value for s in wf.Status if s in wf.OPEN]  # in table order: stable migrations


class CaseQuerySet(models.QuerySet):
    def under_codes(self, codes: list[str]) -> "CaseQuerySet":
        """Cases in villages under any of the given region codes (prefix match)."""
        return self.filter(under_codes_q("village__code", codes))

    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=_OPEN)


class Case(models.Model):
    number = models.CharField("个案编号", max_length=24, unique=True)
    receipt_code = models.CharField("回执码", max_length=12, unique=True)
    household = models.ForeignKey(
        "households.Household",
        verbose_name="家庭档案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # Always set: the household's village, or the one a reporter named. Scope follows it.
    village = models.ForeignKey(
        "regions.Region", verbose_name="所在村(居)", on_delete=models.PROTECT, related_name="+"
    )
    # A public report names a person before anyone has a household file for them.
    applicant_name = models.CharField("申请人(被报告人)姓名", max_length=32, blank=True)
    applicant_phone = models.CharField("联系电话", max_length=20, blank=True)
    applicant_address = models.CharField("住址", max_length=128, blank=True)
    description = models.TextField("困难情况(申报人陈述)", blank=True)
    channel = models.CharField("受理渠道", max_length=16, choices=Channel.choices)
    proxy = models.CharField("办理方式", max_length=16, choices=Proxy.choices, blank=True)
    note = models.TextField("受理说明", blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=STATUS_CHOICES, default=wf.Status.RECEIVED
    )
    is_returned = models.BooleanField("被退回", default=False)
    # 一户一策: [{"policy": code, "department": code, "note": text}, …]
    measures = models.JSONField("帮扶措施", default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="重复于",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("受理时间", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    status_changed_at = models.DateTimeField("状态变更时间", default=timezone.now)
    # The legal deadlines (cases/deadlines.py) are computed from these stamps, never stored.
    assessment_started_at = models.DateTimeField("开始入户调查时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交县级时间", null=True, blank=True)
    decided_at = models.DateTimeField("县级审核同意时间", null=True, blank=True)
    publicised_at = models.DateTimeField("公示时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # 复杂案件: county staff extend the whole-process limit (30 → 45 working days).
    is_complex = models.BooleanField("复杂案件", default=False)
    complex_reason = models.TextField("认定复杂案件的理由", blank=True)

    history = HistoricalRecords(verbose_name="个案变更记录", related_name="+")
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "个案"
        verbose_name_plural = "个案"
        ordering = ["-id"]
        indexes = [
            # Lists are scoped by village code prefix, newest first (as for households).
            models.Index(
                fields=["village", "id"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="case_village_id_idx",
            ),
            models.Index(fields=["status", "id"], name="case_status_idx"),
            models.Index(fields=["applicant_phone"], name="case_phone_idx"),
        ]
        constraints = [
            # Duplicate intake is refused in the service; the database holds the line
            # when two windows open a case for the same household at once.
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(household__isnull=False, status__in=_OPEN),
                name="one_open_case_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in wf.OPEN

    @property
    def publicity_ends_on(self) -> dt.date | None:
        """The last day of the publicity period (公示期), counting the day it was posted."""
        if self.publicised_at is None or self.status != wf.Status.PUBLICISED:
            return None
        start = timezone.localdate(self.publicised_at)
        return start + dt.timedelta(days=settings.PUBLICITY_DAYS - 1)

    @property
    def publicity_over(self) -> bool:
        ends = self.publicity_ends_on
        return ends is not None and timezone.localdate() > ends

    @cached_property
    def legal_deadlines(self) -> list[deadlines.Deadline]:
        """The legal limits that apply to the case today (cases/deadlines.py)."""
        return deadlines.case_deadlines(self)

    @property
    def next_deadline(self) -> deadlines.Deadline | None:
        """The running limit that ends first (the lists show it)."""
        running = [d for d in self.legal_deadlines if d.running]
        return min(running, key=lambda d: d.due) if running else None

    @property
    def is_overdue(self) -> bool:
        return any(d.overdue for d in self.legal_deadlines)

    @property
    def subject_name(self) -> str:
        if self.household_id:
            return self.household.head_name
        return self.applicant_name


class TimelineEvent(models.Model):
    """One step of a record's audited timeline: the action, from which status to
    which, who (None: the public, the quarterly push, the system), when, and the note.
    Concrete timelines add the foreign key to their record and their label tables."""

    ACTIONS: dict[str, str] = {}
    STATUS_LABELS: dict[str, str] = {}

    action = models.CharField("操作", max_length=24)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        abstract = True

    @property
    def action_label(self) -> str:
        return self.ACTIONS.get(self.action, self.action)

    @property
    def to_label(self) -> str:
        return self.STATUS_LABELS.get(self.to_status, self.to_status)


class CaseEvent(TimelineEvent):
    """One row per move or notable step: the case's audited timeline."""

    ACTIONS = wf.ACTIONS
    STATUS_LABELS = wf.STATUS_LABELS

    case = models.ForeignKey(
        Case, verbose_name="个案", on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        verbose_name = "个案流转记录"
        verbose_name_plural = "个案流转记录"
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.action_label}"


class TicketKind(models.TextChoices):
    HELP = "help", "求助"
    CONSULT = "consult", "政策咨询"
    COMPLAINT = "complaint", "投诉举报"
    OTHER = "other", "其他"


class HotlineTicket(models.Model):
    """A call to the social-assistance hotline (社会救助热线), seed 004."""

    number = models.CharField("工单编号", max_length=24, unique=True)
    kind = models.CharField("来电类型", max_length=16, choices=TicketKind.choices)
    caller_name = models.CharField("来电人", max_length=32, blank=True)
    caller_phone = models.CharField("来电号码", max_length=20, blank=True)
    # The village when the caller knows it, else the township or the county.
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField("来电诉求")
    status = models.CharField(
        "状态", max_length=16, choices=TICKET_STATUS_CHOICES, default=wf.TicketStatus.RECEIVED
    )
    department = models.CharField("转办部门", max_length=32, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name="转入个案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_tickets",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField("受理时间", default=timezone.now, db_index=True)
    responded_at = models.DateTimeField("办理/转办/答复时间", null=True, blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(verbose_name="热线工单变更记录", related_name="+")

    class Meta:
        verbose_name = "热线工单"
        verbose_name_plural = "热线工单"
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["region", "id"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="ticket_region_id_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class HotlineEvent(TimelineEvent):
    """One row per step of a ticket, with who and when."""

    ACTIONS = wf.TICKET_ACTIONS
    STATUS_LABELS = wf.TICKET_STATUS_LABELS

    ticket = models.ForeignKey(
        HotlineTicket, verbose_name="工单", on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        verbose_name = "热线工单流转记录"
        verbose_name_plural = "热线工单流转记录"
        ordering = ["ticket", "at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.action_label}"
