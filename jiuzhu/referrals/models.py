"""Referrals (转介, 单一需求) to one department, their audited timeline, and case
conferences (个案会商, 多元/疑难需求) whose tasks are referrals too.

The statuses and allowed moves live in workflow.py.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.cases.models import TimelineEvent
from jiuzhu.engine.needs import NEED_LABELS

from . import workflow as wf

STATUS_CHOICES = [(str(k), v) for k, v in wf.STATUS_LABELS.items()]
NEED_CHOICES = list(NEED_LABELS.items())


class ReferralChannel(models.TextChoices):
    MANUAL = "manual", "民政转介"
    QUARTERLY = "quarterly", "季度推送"
    CONFERENCE = "conference", "个案会商任务"


def default_deadline() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=wf.DEADLINE_DAYS)


class Conference(models.Model):
    """A case conference: civil affairs and the departments a household's needs call for."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="个案", on_delete=models.PROTECT, related_name="conferences"
    )
    held_on = models.DateField("会商日期")
    departments = models.ManyToManyField(
        "policies.Department", verbose_name="参会部门", related_name="conferences"
    )
    minutes = models.TextField("会商纪要")
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="召集人", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "个案会商"
        verbose_name_plural = "个案会商"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case} 个案会商 {self.held_on:%Y-%m-%d}"


class Referral(models.Model):
    # The foreign keys' indexes are in Meta.indexes (decision 0008): no redundant one,
    # and none holding the NULLs of the millions of pushed referrals.
    case = models.ForeignKey(
        "cases.Case", verbose_name="个案", null=True, blank=True, on_delete=models.PROTECT,
        related_name="referrals", db_index=False,
    )  # fmt: skip
    conference = models.ForeignKey(
        Conference, verbose_name="个案会商", null=True, blank=True, on_delete=models.PROTECT,
        related_name="tasks", db_index=False,
    )  # fmt: skip
    household = models.ForeignKey(
        "households.Household", verbose_name="家庭", on_delete=models.PROTECT,
        related_name="referrals",
    )  # fmt: skip
    # The household's village when sent: the civil-affairs scope follows it (as for cases).
    village = models.ForeignKey(
        "regions.Region", verbose_name="所在村(居)", on_delete=models.PROTECT, related_name="+",
        db_index=False,  # referral_village_id_idx
    )  # fmt: skip
    department = models.ForeignKey(
        "policies.Department", verbose_name="接收部门", on_delete=models.PROTECT,
        related_name="referrals", db_index=False,  # referral_inbox_idx
    )  # fmt: skip
    policy = models.ForeignKey(
        "policies.Policy", verbose_name="对应政策", null=True, blank=True,
        on_delete=models.PROTECT, related_name="referrals",
    )  # fmt: skip
    need = models.CharField("需求类别", max_length=16, choices=NEED_CHOICES, blank=True)
    channel = models.CharField(
        "来源", max_length=16, choices=ReferralChannel.choices, default=ReferralChannel.MANUAL
    )
    quarter = models.CharField("推送季度", max_length=6, blank=True)  # "2026Q4"
    note = models.TextField("转介说明", blank=True)
    deadline = models.DateField("办理期限", default=default_deadline)
    status = models.CharField("状态", max_length=16, choices=STATUS_CHOICES, default=wf.Status.SENT)
    # The latest texts of the steps that need one (the timeline keeps every one).
    return_reason = models.TextField("退回原因", blank=True)
    assistance = models.TextField("帮扶内容", blank=True)
    feedback = models.TextField("反馈意见", blank=True)

    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="转介人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField("转介时间", default=timezone.now)
    status_changed_at = models.DateTimeField("状态变更时间", default=timezone.now)
    accepted_at = models.DateTimeField("接收时间", null=True, blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    class Meta:
        verbose_name = "转介"
        verbose_name_plural = "转介"
        ordering = ["-id"]
        indexes = [
            # The department inbox: its open referrals by deadline (100k per department).
            models.Index(fields=["department", "status", "deadline"], name="referral_inbox_idx"),
            models.Index(
                fields=["village", "id"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="referral_village_id_idx",
            ),
            models.Index(fields=["status", "deadline"], name="referral_status_idx"),
            # Only the referrals that have one (a pushed referral has none of the three).
            models.Index(
                fields=["case"], condition=models.Q(case__isnull=False), name="referral_case_idx"
            ),
            models.Index(
                fields=["conference"], condition=models.Q(conference__isnull=False),
                name="referral_conference_idx",
            ),  # fmt: skip
            models.Index(
                fields=["sent_by"], condition=models.Q(sent_by__isnull=False),
                name="referral_sent_by_idx",
            ),  # fmt: skip
        ]
        constraints = [
            # The quarterly push names each (household, policy) once per quarter.
            models.UniqueConstraint(
                fields=["quarter", "department", "household", "policy"],
                condition=~models.Q(quarter=""),
                name="one_push_per_quarter",
            ),
        ]

    def __str__(self) -> str:
        return f"转介 {self.pk} → {self.department_id}"

    @property
    def status_label(self) -> str:
        return wf.STATUS_LABELS.get(self.status, self.status)

    @property
    def is_overdue(self) -> bool:
        return self.status in wf.OVERDUE_STATUSES and self.deadline < timezone.localdate()


class ReferralEvent(TimelineEvent):
    """One row per step: who, when, from which status to which, and the note."""

    ACTIONS = wf.ACTIONS
    STATUS_LABELS = wf.STATUS_LABELS

    referral = models.ForeignKey(
        Referral, verbose_name="转介", on_delete=models.CASCADE, related_name="events",
        db_index=False,  # referral_event_at_idx
    )  # fmt: skip
    # As the timeline's, indexed only where there is one (a push's event has no actor).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_index=False,
    )  # fmt: skip

    class Meta:
        verbose_name = "转介流转记录"
        verbose_name_plural = "转介流转记录"
        ordering = ["referral", "at", "id"]
        indexes = [
            models.Index(fields=["referral", "at"], name="referral_event_at_idx"),
            models.Index(
                fields=["actor"], condition=models.Q(actor__isnull=False),
                name="referral_event_actor_idx",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.referral} {self.action_label}"
