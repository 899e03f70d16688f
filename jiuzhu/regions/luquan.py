"""The demo county's region tree: 禄劝彝族苗族自治县 (530128).

Province, city, county and townships are real (shared/data/luquan_townships.csv,
copied into data/). Villages and groups are synthetic but follow the code rules:
village part 001–199 for 居委会, 200+ for 村委会; groups add 2 digits.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from django.db import transaction

from .models import Level, Region

DATA = Path(__file__).with_name("data") / "luquan_townships.csv"
COUNTY = "530128000000"
VILLAGE_TOTAL = 197  # seed 000: 197 村委会 service points

_FIRST = "青松石竹云龙凤马鹿金银水山新双福安河溪岩平兴和德茂民华仁义丰乐顺红桃李梨花茶林坪坝箐"
_SECOND = "坪坝沟塘岭箐村庄湾营冲哨铺屯田山河寨溪"
_NUM = "一二三四五六七八九十"


def _group_name(i: int) -> str:
    if i <= 10:
        return f"第{_NUM[i - 1]}村民小组"
    return f"第{_NUM[i // 10 - 1] if i // 10 > 1 else ''}十{_NUM[i % 10 - 1] if i % 10 else ''}村民小组"


def township_rows() -> list[tuple[str, str]]:
    with DATA.open(encoding="utf-8") as fh:
        return [(row["code"] + "000", row["name"]) for row in csv.DictReader(fh)]


def build(
    *,
    seed: int = 530128,
    villages: int = VILLAGE_TOTAL,
    groups_per_village: tuple[int, int] = (4, 10),
) -> list[Region]:
    """Return the unsaved region tree (deterministic for a seed)."""
    rng = random.Random(seed)
    province = Region(code="530000000000", name="云南省", level=Level.PROVINCE)
    city = Region(code="530100000000", name="昆明市", level=Level.CITY, parent=province)
    county = Region(code=COUNTY, name="禄劝彝族苗族自治县", level=Level.COUNTY, parent=city)
    regions = [province, city, county]
    townships = [
        Region(code=code, name=name, level=Level.TOWNSHIP, parent=county)
        for code, name in township_rows()
    ]
    regions += townships
    # 街道 and 园区 hold 居委会 (社区); towns and townships mostly 村委会 plus one 居委会.
    rural = [t for t in townships if not t.name.endswith(("街道", "园区"))]
    urban = [t for t in townships if t.name.endswith("街道")]
    quota = {t.code: 0 for t in townships}
    for t in urban:
        quota[t.code] = 6
    remaining = villages - sum(quota.values())
    for i in range(remaining):
        quota[rural[i % len(rural)].code] += 1
    used_names: set[str] = set()
    for t in townships:
        n = quota[t.code]
        for i in range(n):
            if t in urban or i == 0 and n > 1:
                part, suffix = (i + 1 if t in urban else 1), "社区"
            else:
                part, suffix = 200 + i, "村"
            while True:
                name = rng.choice(_FIRST) + rng.choice(_SECOND) + suffix
                if name not in used_names:
                    used_names.add(name)
                    break
            village = Region(
                code=f"{t.code[:9]}{part:03d}", name=name, level=Level.VILLAGE, parent=t
            )
            regions.append(village)
            for g in range(1, rng.randint(*groups_per_village) + 1):
                regions.append(
                    Region(
                        code=f"{village.code}{g:02d}",
                        name=_group_name(g),
                        level=Level.GROUP,
                        parent=village,
                    )
                )
    return regions


@transaction.atomic
def load(*, seed: int = 530128) -> int:
    """Create or refresh the demo county's regions; return how many there are."""
    regions = build(seed=seed)
    existing = set(
        Region.objects.filter(code__in=[r.code for r in regions]).values_list("code", flat=True)
    )
    # Parents first: the list is already ordered top-down.
    Region.objects.bulk_create([r for r in regions if r.code not in existing], batch_size=2000)
    return len(regions)
