"""Stored assessments, the versioned 9-factor model and the county's economic standard.

The engine (jiuzhu.engine) computes; this app stores what it computed, with
the model version that produced it, so a score can always be explained later.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from jiuzhu.engine.model import FACTOR_LABELS, FACTORS


class ModelStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "启用中"
    RETIRED = "retired", "已停用"


class ModelVersion(models.Model):
    """One version of the 9-factor model's thresholds and weights (data, never code)."""

    version = models.CharField("版本号", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    data = models.JSONField("模型参数")
    status = models.CharField(
        "状态", max_length=16, choices=ModelStatus.choices, default=ModelStatus.DRAFT
    )
    note = models.CharField("修改说明", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="启用人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)
    # The last impact preview of a draft on the county's households: a draft is
    # activated only after someone has seen (and so answered for) these numbers.
    preview = models.JSONField("影响预览", null=True, blank=True)
    previewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="预览人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    previewed_at = models.DateTimeField("预览时间", null=True, blank=True)

    history = HistoricalRecords(verbose_name="模型版本变更记录", related_name="+")

    class Meta:
        verbose_name = "评估模型版本"
        verbose_name_plural = "评估模型版本"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active"),
                name="one_active_model_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.name}"


class EconomicStandard(models.Model):
    """A county's 低保 standard and the rules of its economic check."""

    county = models.OneToOneField("regions.Region", verbose_name="县(区)", on_delete=models.PROTECT)
    urban_standard = models.DecimalField(
        "城市低保标准(元/人·月)", max_digits=8, decimal_places=2, default=870
    )
    rural_standard = models.DecimalField(
        "农村低保标准(元/人·月)", max_digits=8, decimal_places=2, default=590
    )
    edge_multiplier = models.DecimalField(
        "低保边缘倍数", max_digits=4, decimal_places=2, default=1.5
    )
    deduct_medical = models.BooleanField("扣减刚性医疗支出", default=True)
    deduct_education = models.BooleanField("扣减教育支出", default=True)
    asset_limit_per_person = models.DecimalField(
        "人均存款限额(元)", max_digits=10, decimal_places=2, default=36000
    )
    vehicle_limit = models.PositiveSmallIntegerField("允许机动车数量", default=0)
    rigid_share_threshold = models.DecimalField(
        "刚性支出占收入比例认定线", max_digits=4, decimal_places=2, default=0.5
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(verbose_name="低保标准变更记录", related_name="+")

    class Meta:
        verbose_name = "低保标准与核对规则"
        verbose_name_plural = "低保标准与核对规则"

    def __str__(self) -> str:
        return f"{self.county} 低保标准"

    def as_engine_dict(self) -> dict:
        return {
            "urban_standard": float(self.urban_standard),
            "rural_standard": float(self.rural_standard),
            "edge_multiplier": float(self.edge_multiplier),
            "deduct_medical": self.deduct_medical,
            "deduct_education": self.deduct_education,
            "asset_limit_per_person": float(self.asset_limit_per_person),
            "vehicle_limit": self.vehicle_limit,
            "rigid_share_threshold": float(self.rigid_share_threshold),
        }


class Circle(models.IntegerChoices):
    NONE = 0, "未分层"
    FIRST = 1, "第一圈层"
    SECOND = 2, "第二圈层"
    THIRD = 3, "第三圈层"


def _factor_field(name: str) -> models.DecimalField:
    return models.DecimalField(FACTOR_LABELS[name], max_digits=2, decimal_places=1)


class Assessment(models.Model):
    """One assessment of one household: inputs, version, results and reasons.

    The nine factor scores are columns (not JSON) so statistics and the batch
    path read them directly. `reasons` may be empty for rows written by the
    batch job: they are recomputed from `inputs` with the same model version,
    which gives the same text (tests prove the two paths agree).
    """

    household = models.ForeignKey(
        "households.Household",
        verbose_name="家庭",
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    model_version = models.ForeignKey(
        ModelVersion, verbose_name="模型版本", on_delete=models.PROTECT
    )
    is_latest = models.BooleanField("最新评估", default=True)
    illness = _factor_field("illness")
    disability = _factor_field("disability")
    schooling = _factor_field("schooling")
    housing = _factor_field("housing")
    disaster = _factor_field("disaster")
    employment = _factor_field("employment")
    skills = _factor_field("skills")
    labour = _factor_field("labour")
    other = _factor_field("other")
    index = models.DecimalField("困难指数", max_digits=4, decimal_places=1)
    causes = models.JSONField("致困原因", default=list)
    primary_cause = models.CharField("主要致困原因", max_length=16, blank=True)
    multi_cause = models.BooleanField("多因致困", default=False)
    cause_count = models.PositiveSmallIntegerField("致困因子数", default=0)
    circle = models.PositiveSmallIntegerField("圈层", choices=Circle.choices, default=Circle.NONE)
    monthly_income_per_capita = models.DecimalField(
        "月人均收入(元)", max_digits=10, decimal_places=2, default=0
    )
    below_standard = models.BooleanField("低于低保标准", default=False)
    below_edge = models.BooleanField("低于低保边缘标准", default=False)
    needs = models.JSONField("需求清单", default=list)  # [{"category":..., "reason":...}]
    reasons = models.JSONField(
        "评分依据", null=True, blank=True
    )  # {"factors": {...}, "economic": [...], "circle": "..."}
    inputs = models.JSONField("评估输入", null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评估人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_at = models.DateTimeField("评估时间", db_index=True)
    trigger = models.CharField(
        "触发方式", max_length=16, default="manual"
    )  # manual / change / batch

    class Meta:
        verbose_name = "综合评估"
        verbose_name_plural = "综合评估"
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(is_latest=True),
                name="one_latest_assessment_per_household",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "-assessed_at"], name="assessment_household_time")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.assessed_at:%Y-%m-%d} 指数{self.index}"

    def scores(self) -> dict[str, float]:
        return {f: float(getattr(self, f)) for f in FACTORS}


class ElderlyAssessment(models.Model):
    """老年人能力评估 (GB/T 42195-2022) of one member."""

    member = models.ForeignKey(
        "households.Member",
        verbose_name="成员",
        on_delete=models.CASCADE,
        related_name="elderly_assessments",
    )
    items = models.JSONField("评估项目得分")
    coma = models.BooleanField("昏迷", default=False)
    dementia = models.BooleanField("确诊痴呆", default=False)
    mental_disorder = models.BooleanField("其他精神和行为障碍", default=False)
    risk_events_30d = models.PositiveSmallIntegerField("近30天照护风险事件次数", default=0)
    total = models.PositiveSmallIntegerField("总分")
    initial_level = models.PositiveSmallIntegerField("初步等级")
    level = models.PositiveSmallIntegerField("能力等级")
    level_name = models.CharField("等级名称", max_length=32)
    reasons = models.JSONField("评定依据", default=list)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评估人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_at = models.DateTimeField("评估时间", auto_now_add=True)

    class Meta:
        verbose_name = "老年人能力评估"
        verbose_name_plural = "老年人能力评估"
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.level_name}"
