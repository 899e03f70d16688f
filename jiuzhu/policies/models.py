"""Departments, social organisations and the policy library (政策一本通).

A policy's eligibility is a condition tree (jiuzhu.engine.conditions): data,
checked against the field catalogue when saved and interpreted when matched,
never executed. Every change bumps the policy's version and is kept in its
history (who, when, what).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from jiuzhu.core import text
from jiuzhu.engine.conditions import ConditionError, validate
from jiuzhu.engine.needs import NEED_LABELS
from jiuzhu.households.choices import Assistance

from .codes import CODES


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", "政府部门"
    GROUP = "group", "群团组织"
    CHARITY = "charity", "慈善组织"
    SOCIAL_WORK = "social_work", "社工机构"
    VOLUNTEER = "volunteer", "志愿服务组织"


class Department(models.Model):
    """A department, group or social organisation that owns policies and takes referrals."""

    code = models.SlugField("代码", max_length=32, primary_key=True)
    name = models.CharField("名称", max_length=64)
    short_name = models.CharField("简称", max_length=16)
    kind = models.CharField("类别", max_length=16, choices=DepartmentKind.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "部门与社会组织"
        verbose_name_plural = "部门与社会组织"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_social(self) -> bool:
        return self.kind in (DepartmentKind.CHARITY, DepartmentKind.SOCIAL_WORK,
                             DepartmentKind.VOLUNTEER)  # fmt: skip


class Measure(models.TextChoices):
    """The 12 kinds of measures (seed 000, PRODUCT.md)."""

    BASIC_LIVING = "basic_living", "基本生活救助"
    DISASTER = "disaster", "受灾救助"
    MEDICAL = "medical", "医疗救助"
    EDUCATION = "education", "教育资助"
    HOUSING = "housing", "住房救助"
    EMPLOYMENT = "employment", "就业产业帮扶"
    DISABILITY = "disability", "扶残助残"
    SOCIAL = "social", "社会力量帮扶"
    MICROCREDIT = "microcredit", "小额信贷"
    INSURANCE = "insurance", "防贫保险"
    TEMPORARY = "temporary", "临时救助"
    SERVICE = "service", "服务类救助"


FIELDS = ("name", "department", "measure", "needs", "condition", "summary", "benefit", "amount",
          "legal_basis", "how_to_apply", "receipt_code", "valid_from", "valid_to", "active")  # fmt: skip


class PolicyError(ValueError):
    """Bad policy data; the message names the field, in Chinese."""


def policy_check(data: dict) -> None:
    """Raise PolicyError unless the policy's data is complete and its condition well formed."""
    for name, label in (("name", "政策名称"), ("benefit", "救助帮扶内容"),
                        ("legal_basis", "政策依据")):  # fmt: skip
        if not str(data.get(name) or "").strip():
            raise PolicyError(f"{label}:不能为空")
    for name in ("name", "summary", "benefit", "amount", "legal_basis", "how_to_apply"):
        problem = text.text_problem(str(data.get(name) or ""), multiline=name != "name")
        if problem:
            raise PolicyError(f"{Policy._meta.get_field(name).verbose_name}:{problem}")
    if data.get("measure") not in Measure.values:
        raise PolicyError(f"措施类型:无效的值“{data.get('measure')}”")
    needs = data.get("needs") or []
    bad = [n for n in needs if n not in NEED_LABELS]
    if bad:
        raise PolicyError(f"对应需求:无效的需求“{'、'.join(map(str, bad))}”")
    receipt = data.get("receipt_code") or ""
    if receipt and receipt not in Assistance.values:
        raise PolicyError(f"已享受标记:无效的值“{receipt}”")
    try:
        validate(data.get("condition"), codes=CODES, _path="享受条件")
    except ConditionError as exc:
        raise PolicyError(str(exc)) from exc
    start, end = data.get("valid_from"), data.get("valid_to")
    if not isinstance(start, dt.date):
        raise PolicyError("生效日期:不能为空")
    if end is not None and end < start:
        raise PolicyError("失效日期:不能早于生效日期")



class PolicyQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Active policies valid on the given date (today by default)."""
        day = on or timezone.localdate()
        return self.filter(active=True, valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )


class Policy(models.Model):
    code = models.SlugField("政策代码", max_length=48, unique=True)
    name = models.CharField("政策名称", max_length=80)
    department = models.ForeignKey(
        Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="policies"
    )
    measure = models.CharField("措施类型", max_length=16, choices=Measure.choices)
    needs = models.JSONField("对应需求", default=list, blank=True)  # need categories
    condition = models.JSONField("享受条件")  # jiuzhu.engine.conditions
    summary = models.CharField("政策要点", max_length=255, blank=True)
    benefit = models.TextField("救助帮扶内容")
    amount = models.CharField("标准与金额", max_length=255, blank=True)
    legal_basis = models.TextField("政策依据")
    how_to_apply = models.CharField("办理方式", max_length=255, blank=True)
    # The 指标27 code that shows a household already receives it (blank: not recorded there).
    receipt_code = models.CharField("已享受标记", max_length=24, blank=True)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)

    history = HistoricalRecords(verbose_name="政策变更记录", related_name="+")
    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = "政策"
        verbose_name_plural = "政策一本通"
        ordering = ["department__order", "measure", "code"]

    def __str__(self) -> str:
        return f"{self.name}({self.department.short_name})"

    def clean(self) -> None:
        """The same checks as policy_save, for the admin's form."""
        try:
            policy_check({f: getattr(self, f, None) for f in FIELDS})
        except PolicyError as exc:
            raise ValidationError(str(exc)) from exc
