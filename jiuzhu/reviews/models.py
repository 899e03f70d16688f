"""The county joint review (月度联席会议, seed 000): the county's leading group for
the comprehensive assessment of families in hardship meets once a month and
decides, household by household, on the cases the townships submitted.

A meeting is drafted with its agenda (one item per case), each item gets a
decision (同意 / 不同意 / 修改) with its reason, and concluding the meeting
carries every decision out on its case at once and fixes the minutes.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", "议程拟定"
    CONCLUDED = "concluded", "已形成纪要"


class Decision(models.TextChoices):
    APPROVE = "approve", "同意"
    REJECT = "reject", "不同意"
    MODIFY = "modify", "修改"


# What each decision does to the case (an action of cases.workflow.TRANSITIONS).
CASE_ACTION = {Decision.APPROVE: "approve", Decision.REJECT: "reject", Decision.MODIFY: "return"}


class ReviewMeeting(models.Model):
    county = models.ForeignKey(
        "regions.Region", verbose_name="县(区)", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("会议月份")  # the first day of the month
    held_on = models.DateField("会议日期")
    place = models.CharField("会议地点", max_length=64, blank=True)
    chair = models.CharField("主持人", max_length=32)
    recorder = models.CharField("记录人", max_length=32, blank=True)
    departments = models.ManyToManyField(
        "policies.Department", verbose_name="参会部门", related_name="review_meetings"
    )
    attendees = models.TextField("参会人员", blank=True)
    minutes = models.TextField("其他议定事项", blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="纪要签发人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    concluded_at = models.DateTimeField("纪要形成时间", null=True, blank=True)

    history = HistoricalRecords(verbose_name="联席会议变更记录", related_name="+")

    class Meta:
        verbose_name = "县级联席会议"
        verbose_name_plural = "县级联席会议"
        ordering = ["-month", "-id"]
        constraints = [
            # One monthly meeting per county; an extra sitting is next month's.
            models.UniqueConstraint(fields=["county", "month"], name="one_review_per_month"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return f"{self.month:%Y年%m月}联席会议"

    @property
    def is_draft(self) -> bool:
        return self.status == MeetingStatus.DRAFT


class ReviewItem(models.Model):
    """One case on a meeting's agenda and the decision taken on it."""

    meeting = models.ForeignKey(
        ReviewMeeting, verbose_name="联席会议", on_delete=models.CASCADE, related_name="items"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="个案", on_delete=models.PROTECT, related_name="review_items"
    )
    position = models.PositiveIntegerField("序号")
    decision = models.CharField("会议决定", max_length=16, choices=Decision.choices, blank=True)
    reason = models.TextField("理由或修改意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField("登记时间", null=True, blank=True)

    history = HistoricalRecords(verbose_name="议程事项变更记录", related_name="+")

    class Meta:
        verbose_name = "议程事项"
        verbose_name_plural = "议程事项"
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="one_item_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} 第{self.position}项"

    @property
    def decision_required_reason(self) -> bool:
        return self.decision in (Decision.REJECT, Decision.MODIFY)
