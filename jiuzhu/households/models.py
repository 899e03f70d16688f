"""One file per household (一户一档): the household, its members and the 28
indicators of seed 002. Amounts are yuan per year unless named otherwise."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Right
from django.utils import timezone
from simple_history.models import HistoricalRecords

from jiuzhu.core.idnumber import age_on
from jiuzhu.regions.models import under_codes_q

from . import choices as c

MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(0)],
}
AREA = {
    "max_digits": 8,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(0)],
}


class HouseholdQuerySet(models.QuerySet):
    def under_codes(self, codes: list[str]) -> "HouseholdQuerySet":
        """Households under any of the given region codes (prefix match)."""
        return self.filter(under_codes_q("village__code", codes))


class Household(models.Model):
    number = models.CharField("户编号", max_length=20, unique=True)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name="所属村(居)",
        on_delete=models.PROTECT,
        related_name="households",
    )
    group = models.ForeignKey(
        "regions.Region",
        verbose_name="所属组",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_households",
    )
    address = models.CharField("家庭住址", max_length=128, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    source = models.CharField(
        "发现渠道", max_length=16, choices=c.Source.choices, default=c.Source.SURVEY
    )

    # Status tags (PRODUCT.md): circles are derived from these in the assessment.
    tag_tekun = models.BooleanField("特困人员", default=False)
    tag_dibao = models.BooleanField("低保对象", default=False)
    tag_dibao_edge = models.BooleanField("低保边缘家庭", default=False)
    tag_orphan = models.BooleanField("孤儿", default=False)
    tag_unsupported_child = models.BooleanField("事实无人抚养儿童", default=False)
    tag_monitored = models.BooleanField("防止返贫监测对象", default=False)
    tag_rigid_expense = models.BooleanField("刚性支出困难家庭", default=False)

    # 财产状况 (indicators 13–22)
    business_income = models.DecimalField("经营性收入(元/年)", **MONEY)  # 13
    rental_income = models.DecimalField("出租房屋收入(元/年)", **MONEY)  # 14
    support_income = models.DecimalField("赡养(抚养、扶养)费(元/年)", **MONEY)  # 15
    subsidy_income = models.DecimalField("政府补贴收入(元/年)", **MONEY)  # 17
    land_planted_mu = models.DecimalField("种植面积(亩)", **AREA)  # 18
    land_transferred_mu = models.DecimalField("土地流转面积(亩)", **AREA)  # 19
    land_transfer_income = models.DecimalField("土地流转收入(元/年)", **MONEY)  # 19
    livestock_sheds = models.PositiveIntegerField("圈舍数量(间)", default=0)  # 20
    livestock_kind = models.CharField(
        "养殖种类", max_length=16, choices=c.Livestock.choices, default=c.Livestock.NONE
    )  # 21
    livestock_count = models.PositiveIntegerField("养殖数量(头/只)", default=0)  # 22
    # Assets for the economic check (asset_limit_per_person, vehicle_limit). The
    # database supplies 0 too, so bulk inserts that name no such column keep working.
    deposits = models.DecimalField("家庭存款及有价证券(元)", **MONEY, db_default=Decimal("0"))
    vehicles = models.PositiveSmallIntegerField(
        "机动车数量(辆)", default=0, db_default=0, help_text="不含残疾人代步车、农用车"
    )
    # 刚性支出 (23–24)
    serious_illness_expense = models.DecimalField("大病医疗自付支出(元/年)", **MONEY)  # 23
    daily_medical_expense = models.DecimalField("日常医药费支出(元/年)", **MONEY)  # 24
    # 家庭居住条件 (25–26)
    housing_safety = models.CharField(
        "住房安全状况", max_length=16, choices=c.HousingSafety.choices, default=c.HousingSafety.SAFE
    )  # 25
    housing_tenure = models.CharField(
        "住房性质", max_length=16, choices=c.HousingTenure.choices, default=c.HousingTenure.OWN
    )
    rent_expense = models.DecimalField("租房支出(元/年)", **MONEY)  # 26
    # 享受补助类型 (27–28)
    assistance_received = models.JSONField(
        "已享受救助帮扶", default=list, blank=True
    )  # 27, codes of c.Assistance
    special_circumstances = models.JSONField(
        "其他特殊情况", default=list, blank=True
    )  # 28, codes of c.Special
    disaster_loss = models.DecimalField("灾害或意外损失(元)", **MONEY)
    special_note = models.CharField("特殊情况说明", max_length=255, blank=True)

    # Denormalised from members so that lists need no join.
    head_name = models.CharField("户主姓名", max_length=32, blank=True, db_index=True)
    member_count = models.PositiveSmallIntegerField("家庭人口", default=0)

    surveyed_on = models.DateField("入户调查日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(verbose_name="家庭档案变更记录", related_name="+")
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "困难家庭"
        verbose_name_plural = "困难家庭"
        ordering = ["-id"]
        # Lists are scoped by village code prefix (LIKE '530128109%', which
        # varchar_pattern_ops lets PostgreSQL answer from an index; other
        # databases ignore opclasses) and ordered newest first: (village, id)
        # covers both. A partial index per rare status tag keeps a tag filter and
        # its count cheap among a million households (bench/registry_bench.py);
        # 低保 covers about half of all files, so a plain scan meets its rows at once.
        indexes = [
            models.Index(
                fields=["village", "id"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="household_village_id_idx",
            ),
        ] + [
            models.Index(
                fields=["village", "id"],
                condition=models.Q(**{field: True}),
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name=f"household_{short}_idx",
            )
            for field, short in [
                ("tag_tekun", "tekun"),
                ("tag_dibao_edge", "edge"),
                ("tag_orphan", "orphan"),
                ("tag_unsupported_child", "unsupported"),
                ("tag_monitored", "monitored"),
                ("tag_rigid_expense", "rigid"),
            ]
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"

    @property
    def tags(self) -> list[str]:
        return [label for field, label in c.TAGS if getattr(self, field)]

    def assistance_labels(self) -> list[str]:
        return [
            c.Assistance(code).label
            for code in self.assistance_received
            if code in c.Assistance.values
        ]

    def special_labels(self) -> list[str]:
        return [
            c.Special(code).label for code in self.special_circumstances if code in c.Special.values
        ]


class Member(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name="家庭"
    )
    relation = models.CharField("与户主关系", max_length=16, choices=c.Relation.choices)
    name = models.CharField("姓名", max_length=32, db_index=True)
    id_cipher = models.TextField("身份证号(密文)", editable=False)
    id_hash = models.CharField("身份证号检索码", max_length=64, unique=True, editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    sex = models.CharField("性别", max_length=1, choices=c.Sex.choices, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    occupation = models.CharField(
        "职业", max_length=16, choices=c.Occupation.choices, default=c.Occupation.FARMER
    )  # 1
    labour_ability = models.CharField(
        "劳动能力", max_length=16, choices=c.LabourAbility.choices, default=c.LabourAbility.FULL
    )
    skill = models.CharField(
        "职业技能", max_length=16, choices=c.Skill.choices, default=c.Skill.NONE
    )
    wage_income = models.DecimalField("工资性收入(元/年)", **MONEY)  # 3
    pension_income = models.DecimalField("养老金或退休金(元/年)", **MONEY)  # 16
    health_status = models.CharField(
        "健康状况", max_length=16, choices=c.HealthStatus.choices, default=c.HealthStatus.HEALTHY
    )  # 4
    disease = models.CharField(
        "主要疾病", max_length=16, choices=c.Disease.choices, default=c.Disease.NONE
    )  # 10
    self_care = models.CharField(
        "自理程度", max_length=16, choices=c.SelfCare.choices, default=c.SelfCare.FULL
    )  # 9
    dibao_status = models.CharField(
        "享受低保情况", max_length=16, choices=c.DibaoStatus.choices, default=c.DibaoStatus.NONE
    )  # 5
    disability_type = models.CharField(
        "残疾类型", max_length=16, choices=c.DisabilityType.choices, default=c.DisabilityType.NONE
    )  # 6
    disability_grade = models.PositiveSmallIntegerField(
        "残疾等级", choices=c.DisabilityGrade.choices, default=0
    )  # 7
    disability_subsidy = models.CharField(
        "残疾补贴享受情况",
        max_length=16,
        choices=c.DisabilitySubsidy.choices,
        default=c.DisabilitySubsidy.NONE,
    )  # 8
    school_stage = models.CharField(
        "就学阶段",
        max_length=16,
        choices=c.SchoolStage.choices,
        default=c.SchoolStage.NOT_IN_SCHOOL,
    )  # 11
    education_expense = models.DecimalField("教育支出(元/年)", **MONEY)  # 12
    # 退役军人 (for the 退役军人事务局's policies). The database supplies False too,
    # so bulk inserts that name no such column (demo, benchmarks) keep working.
    veteran = models.BooleanField("退役军人", default=False, db_default=False)

    history = HistoricalRecords(
        verbose_name="家庭成员变更记录",
        excluded_fields=["id_cipher", "id_hash"],
        related_name="+",
    )

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]
        # Name search (a surname, a full name) goes either way between names and
        # households: household ids by name prefix, or "has this household a
        # member named 李…". With both columns in each index PostgreSQL answers
        # from the index alone instead of reading a member row per step.
        indexes = [
            models.Index(
                fields=["name", "household"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="member_name_household_idx",
            ),
            models.Index(
                fields=["household", "name"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="member_household_name_idx",
            ),
            # The household picker finds a person by the last four characters of the
            # ID number (the part a masked number shows): selectors.household_pick.
            models.Index(Right("id_masked", 4), models.F("household"), name="member_id_tail_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (models.Q(disability_type="none") & models.Q(disability_grade=0))
                    | (~models.Q(disability_type="none") & models.Q(disability_grade__gte=1))
                ),
                name="member_disability_type_matches_grade",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relation="head"),
                name="one_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def age(self) -> int:  # 指标2 年龄
        return age_on(self.birth_date, timezone.localdate())


class ImportedHousehold(models.Model):
    """Which household of an uploaded ledger (upload token, 户序号) an import wrote.

    Written in the same transaction as the household, so an import interrupted
    between batches knows what it already did: started again it continues, and
    it never writes one of the file's households twice."""

    token = models.CharField("上传编号", max_length=64)
    key = models.CharField("户序号", max_length=255)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="one_household_per_import_key")
        ]

    def __str__(self) -> str:
        return f"户序号 {self.key} → {self.household_id}"
