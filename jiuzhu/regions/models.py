"""Administrative divisions keyed by the 12-digit statistical division code.

The code nests by prefix: 省 2 digits, 市 4, 县 6, 乡镇(街道) 9, 村(居) 12.
组 (village groups) are not in the national code; we key them by the village
code plus a 2-digit group number (14 digits), see docs/decisions/0002.
"""

from django.core.exceptions import ValidationError
from django.db import models


class Level(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县(区)"
    TOWNSHIP = 4, "乡镇(街道)"
    VILLAGE = 5, "村(居)"
    GROUP = 6, "组"


PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12, 6: 14}


def level_of(code: str) -> int:
    """Infer the level of a division code from its trailing zeros."""
    if len(code) == 14:
        return Level.GROUP
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"区划代码{code}应为12位数字(组为14位)")
    if code[2:] == "0" * 10:
        return Level.PROVINCE
    if code[4:] == "0" * 8:
        return Level.CITY
    if code[6:] == "0" * 6:
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP
    return Level.VILLAGE


def prefix_of(code: str) -> str:
    """Return the significant prefix shared by every division under `code`."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def village_kind(code: str) -> str:
    """居委会 codes run 001–199, 村委会 codes 200 and above (统计用区划代码规则)."""
    part = int(code[9:12])
    return "居委会" if 1 <= part <= 199 else "村委会"


def under_codes_q(lookup: str, codes) -> models.Q:
    """Rows whose region code (`lookup`, e.g. "village__code") lies under any of `codes`.

    Matches nothing when `codes` is empty: no grant, no rows.
    """
    if not codes:
        return models.Q(pk__in=[])
    condition = models.Q()
    for code in codes:
        condition |= models.Q(**{f"{lookup}__startswith": prefix_of(code)})
    return condition


class RegionQuerySet(models.QuerySet):
    def under(self, code: str) -> "RegionQuerySet":
        return self.filter(code__startswith=prefix_of(code))


class Region(models.Model):
    code = models.CharField("区划代码", max_length=14, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return prefix_of(self.code)

    def clean(self) -> None:
        try:
            expected = level_of(self.code)
        except ValueError as exc:
            raise ValidationError({"code": str(exc)}) from exc
        if self.level != expected:
            raise ValidationError(
                {"level": f"代码{self.code}对应的层级应为{Level(expected).label}"}
            )
        if self.parent and not self.code.startswith(self.parent.prefix):
            raise ValidationError({"parent": "下级区划代码必须以上级区划代码开头"})

    def full_name(self) -> str:
        names, node = [], self
        while node is not None and node.level >= Level.COUNTY:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))
