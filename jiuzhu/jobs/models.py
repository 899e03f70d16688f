"""One record per long job (季度推送, 台账导入, 批量重新评估, 台账导出…): who started
it, for what, how far it has got, and how it ended.

The queue itself (django-tasks-db's table) only carries the job's id; this
record is what pages poll and what a restarted worker inspects."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .registry import label_of


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobQuerySet(models.QuerySet):
    def active(self) -> JobQuerySet:
        return self.filter(status__in=ACTIVE)


class Job(models.Model):
    kind = models.CharField("类型", max_length=32)
    # What the job is about, e.g. "push:2026Q4:530128": at most one active job per key.
    key = models.CharField("任务对象", max_length=128)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name="发起人",
    )
    # The region the job concerns: county staff see the jobs under their regions.
    region = models.CharField("区划", max_length=14, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("进度说明", max_length=200, blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)
    # A file the job wrote under VAR_DIR/jobs (an export), offered for download until it expires.
    file = models.CharField("文件", max_length=200, blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    task_id = models.CharField("队列任务编号", max_length=64, blank=True)
    worker = models.CharField("执行进程", max_length=128, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            # "Cannot be started twice for the same thing", enforced by the database.
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_job_per_key",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")) | Q(total=0),
                name="job_done_within_total",
            ),
        ]
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="job_actor_recent"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.key}({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def kind_label(self) -> str:
        return label_of(self.kind)
