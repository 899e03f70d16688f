"""Stored assessments, the versioned 9-factor model and the county's economic standard.

The engine (jiuzhu.engine) computes; this app stores what it computed, with
the model version that produced it, so a score can always be explained later.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from jiuzhu.engine.model import FACTOR_LABELS, FACTORS

from .fields import JSONTextField


class ModelStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "启用中"
    RETIRED = "retired", "已停用"
    # A draft nobody will activate: kept (with its history), never previewed or activated.
    DISCARDED = "discarded", "已废弃"


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
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="废弃人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    discarded_at = models.DateTimeField("废弃时间", null=True, blank=True)

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


def _halves_field(name: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(f"{FACTOR_LABELS[name]}(半分数,得分×2)")


class AssessmentQuerySet(models.QuerySet):
    def latest_only(self) -> "AssessmentQuerySet":
        """Only each household's latest assessment.

        Joined on the household too, so that PostgreSQL finds the pointer by its
        primary key (the pointer's assessment column has no index).
        """
        return self.filter(latest_of__household_id=models.F("household_id"))


class Assessment(models.Model):
    """One assessment of one household: inputs, version, results and reasons.

    The nine factor scores are columns (not JSON) so statistics and the batch
    path read them directly. `reasons` may be empty for rows written by the
    batch job: they are recomputed from `inputs` with the same model version,
    which gives the same text (tests prove the two paths agree).
    """

    # A million rows arrive per batch run: every index and database-checked
    # foreign key costs seconds there (the household check alone ~13 s). Lookups
    # go by household (the composite index below covers them); rows are written
    # only by assessment.services and assessment.batch, for households they have
    # just read; the ORM still cascades a deleted household's rows and enforces
    # PROTECT / SET_NULL on versions and users.
    household = models.ForeignKey(
        "households.Household",
        verbose_name="家庭",
        on_delete=models.CASCADE,
        related_name="assessments",
        db_index=False,
        db_constraint=False,
    )
    model_version = models.ForeignKey(
        ModelVersion,
        verbose_name="模型版本",
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
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
    needs = JSONTextField("需求清单", default=list)  # [{"category":..., "reason":...}]
    reasons = models.JSONField(
        "评分依据", null=True, blank=True
    )  # {"factors": {...}, "economic": [...], "circle": "..."}
    inputs = JSONTextField("评估输入", null=True, blank=True)
    # A batch run stores a household's inputs again only when they changed: an
    # unchanged household's row names the earlier row holding the same inputs
    # (`inputs` is then null; `input_data()` reads either way). `inputs_hash` is
    # the batch's 64-bit Polars hash of the inputs text, compared with the next
    # run's for the same household only (a Polars upgrade that changes hashes
    # just stores the inputs once more).
    inputs_source = models.ForeignKey(
        "self",
        verbose_name="评估输入所在记录",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    inputs_hash = models.BigIntegerField("评估输入散列", null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评估人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    assessed_at = models.DateTimeField("评估时间")
    trigger = models.CharField(
        "触发方式", max_length=16, default="manual"
    )  # manual / change / batch

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = "综合评估"
        verbose_name_plural = "综合评估"
        ordering = ["-assessed_at", "-id"]
        indexes = [
            models.Index(fields=["household", "-assessed_at"], name="assessment_household_time")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.assessed_at:%Y-%m-%d} 指数{self.index}"

    def scores(self) -> dict[str, float]:
        return {f: float(getattr(self, f)) for f in FACTORS}

    @property
    def cause_labels(self) -> list[str]:
        """The causes as a person reads them (因病、劳动力), in the stored order."""
        return [FACTOR_LABELS.get(c, c) for c in self.causes or []]

    @property
    def primary_cause_label(self) -> str:
        return FACTOR_LABELS.get(self.primary_cause, "")

    def input_data(self) -> dict | None:
        """The inputs this assessment was computed from (JSON of `to_json`), wherever kept."""
        if self.inputs is not None or self.inputs_source_id is None:
            return self.inputs
        return (
            Assessment.objects.filter(pk=self.inputs_source_id)
            .values_list("inputs", flat=True)
            .first()
        )


class LatestAssessment(models.Model):
    """Which stored assessment is a household's latest, one narrow row per household,
    with the few results the statistics count (a copy of that assessment's; the
    scores as whole numbers of half points, which PostgreSQL groups several
    times faster than numerics).

    A pointer rather than a flag on the assessments: a batch run over a million
    households rewrites a million short rows here instead of flipping a flag on
    a million wide rows (each rewritten whole, with its indexes), and the
    statistics scan these short rows instead of the wide ones
    (bench/assessment_bench.py). Written only by `assessment.services` and
    `assessment.batch`, always in the transaction that stores the assessment.
    """

    household = models.OneToOneField(
        "households.Household",
        verbose_name="家庭",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="latest_assessment",
        db_constraint=False,  # as Assessment.household: a million checks per first run
    )
    # Not checked by the database (a million checks per batch run): the row is only
    # ever written together with the assessment it names, in one transaction.
    assessment = models.ForeignKey(
        Assessment,
        verbose_name="最新评估",
        on_delete=models.CASCADE,
        related_name="latest_of",
        db_index=False,
        db_constraint=False,
    )
    illness_x2 = _halves_field("illness")
    disability_x2 = _halves_field("disability")
    schooling_x2 = _halves_field("schooling")
    housing_x2 = _halves_field("housing")
    disaster_x2 = _halves_field("disaster")
    employment_x2 = _halves_field("employment")
    skills_x2 = _halves_field("skills")
    labour_x2 = _halves_field("labour")
    other_x2 = _halves_field("other")
    index = models.DecimalField("困难指数", max_digits=4, decimal_places=1)
    multi_cause = models.BooleanField("多因致困", default=False)
    cause_count = models.PositiveSmallIntegerField("致困因子数", default=0)
    circle = models.PositiveSmallIntegerField("圈层", choices=Circle.choices, default=Circle.NONE)
    below_standard = models.BooleanField("低于低保标准", default=False)
    below_edge = models.BooleanField("低于低保边缘标准", default=False)
    inputs_hash = models.BigIntegerField("评估输入散列", null=True, blank=True)
    # The assessment whose `inputs` text holds this one's inputs (itself, or its source).
    inputs_id = models.BigIntegerField("评估输入所在记录", null=True, blank=True)

    # Copied from the assessment as they are; the scores as half points (HALVES).
    # The batch path writes the same columns in SQL (assessment.batch.write._point_statements).
    COPIED = ("index", "multi_cause", "cause_count", "circle", "below_standard", "below_edge",
              "inputs_hash")  # fmt: skip
    HALVES = {f: f"{f}_x2" for f in FACTORS}

    class Meta:
        verbose_name = "最新评估"
        verbose_name_plural = "最新评估"
        # The household list sorted by the hardship index (either way) reads this
        # index and stops after a page. No index on assessment_id: it changes in every
        # row on every batch run, which would make each update rewrite every index
        # (no HOT update) — decision 0007.
        indexes = [
            models.Index(
                models.F("index").desc(),
                models.F("household").desc(),
                name="latest_index_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} → {self.assessment_id}"

    @classmethod
    def values_of(cls, row: "Assessment") -> dict:
        """The copied columns for a stored assessment (not the pointer columns)."""
        return {
            **{cls.HALVES[f]: int(getattr(row, f) * 2) for f in FACTORS},
            **{name: getattr(row, name) for name in cls.COPIED},
        }


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
