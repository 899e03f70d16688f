"""Statistics of the latest assessments: seed 002's factor × score table, counts by place.

Aggregates only (no names), for the regions in the user's scope, read with one
grouped query each. The factor × score table groups the nine score columns of
the latest rows; the partial index `assessment_latest_factors` (migration 0003)
holds exactly those columns in that order, so PostgreSQL reads the index alone,
already sorted, and never the wide rows (0.4 s for a million households).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from jiuzhu.accounts.access import NotFound
from jiuzhu.accounts.roles import can_view_dashboard
from jiuzhu.accounts.scope import code_in_scope, user_scope_codes
from jiuzhu.core import cells
from jiuzhu.engine import alkire_foster
from jiuzhu.engine.factors import ABLE, NOT_IN_LABOUR_MARKET
from jiuzhu.engine.inputs import SERIOUS_DISEASES
from jiuzhu.engine.model import FACTOR_LABELS, FACTORS
from jiuzhu.engine.needs import CIRCLE_LABELS
from jiuzhu.regions.models import Level, Region, level_of, prefix_of, under_codes_q

from .batch import RegionFrames, load_region, model_of, score_region
from .models import LatestAssessment
from .services import active_model_version

# Rows in the order of seed 002's 致困原因统计表.
SEED_ORDER = ("schooling", "housing", "illness", "disability", "disaster", "employment",
              "skills", "labour", "other")  # fmt: skip
SCORES = tuple(k / 2 for k in range(11))  # 0, 0.5, … 5
SCORE_LABELS = tuple(f"{s:g}" for s in SCORES)


class OutOfScope(NotFound):
    """The region is not in the user's scope, or the role sees no statistics: answered
    like a region that does not exist (a 404, as NotFound always is)."""

    def __init__(self, message: str = "区划不存在") -> None:
        super().__init__(message)


@dataclass
class FactorTable:
    region: Region | None
    regions_label: str
    total: int
    rows: list[dict]  # {"key", "label", "counts": [11 ints], "subtotal"}
    threshold: float
    places: list[dict] = field(default_factory=list)  # counts by township (or village)
    place_level: str = "乡镇(街道)"
    as_of: dt.date | None = None
    seconds: float = 0.0


def stats_regions(*, user) -> list[Region]:
    """The regions a user may pick: their granted regions and everything under them to village."""
    if not can_view_dashboard(user):
        return []
    codes = user_scope_codes(user)
    if not codes:
        return []
    return list(
        Region.objects.filter(
            under_codes_q("code", codes), level__lte=Level.VILLAGE, level__gte=Level.PROVINCE
        )
        .order_by("code")
        .only("code", "name", "level", "parent")
    )


def region_options(*, user) -> list[dict]:
    """The region selector of the statistics pages (and 政策找人): the granted regions and
    every county, township and village under them, indented by level."""
    out = []
    for r in stats_regions(user=user):
        indent = "\u3000" * max(0, r.level - Level.COUNTY)
        out.append({"code": r.code, "label": f"{indent}{r.name}", "level": r.level})
    return out


def resolve_regions(*, user, region: str | None) -> tuple[list[str], Region | None]:
    """The region prefixes to count: the picked region, or all the user's grants."""
    if not can_view_dashboard(user):
        raise OutOfScope
    codes = user_scope_codes(user)
    if not codes:
        raise OutOfScope
    if not region:
        picked = Region.objects.filter(code=codes[0]).first() if len(codes) == 1 else None
        return sorted({prefix_of(c) for c in codes}), picked
    try:
        prefix = prefix_of(region)
    except (ValueError, KeyError):
        raise OutOfScope from None
    if not code_in_scope(user=user, code=prefix):
        raise OutOfScope
    picked = Region.objects.filter(code=region).first()
    if picked is None or level_of(region) == Level.GROUP:
        raise OutOfScope
    return [prefix], picked


def _covers_everything(prefixes: list[str]) -> bool:
    """Every household in the database is under one of the prefixes (a county deployment).

    The first and last village codes bound all the others (two index lookups),
    so one prefix covering both covers every household.
    """
    if len(prefixes) != 1:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(village_id), MAX(village_id) FROM households_household")
        low, high = cursor.fetchone()
    return low is None or (low.startswith(prefixes[0]) and high.startswith(prefixes[0]))


def _scope_sql(prefixes: list[str]) -> tuple[str, list]:
    if _covers_everything(prefixes):
        return "", []
    likes = " OR ".join(["h.village_id LIKE %s"] * len(prefixes))
    # "(… IN (subquery)) IS TRUE" keeps PostgreSQL from turning the subquery into a
    # join: a hashed filter on the index scan keeps the index's order for the grouping.
    return (
        f" AND (a.household_id IN (SELECT h.id FROM households_household h WHERE {likes})) IS TRUE",  # noqa: S608
        [p + "%" for p in prefixes],
    )


def _fast_session(cursor) -> None:
    if connection.vendor == "postgresql":
        # Planning a JIT costs more than this query takes.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")


def _threshold() -> float:
    return float(active_model_version().data.get("cause_threshold", 2.0))


def factor_table(*, user, region: str | None = None, places: bool = True) -> FactorTable:
    """Seed 002's table for a region in the user's scope: households by factor and score.

    Raises OutOfScope for a region outside the user's grants (or a role without
    the dashboard), exactly as for a region that does not exist.
    """
    started = timezone.now()
    prefixes, picked = resolve_regions(user=user, region=region)
    table = LatestAssessment._meta.db_table
    scope, params = _scope_sql(prefixes)
    # The nine half-point scores (0–10) packed into one base-11 number per household:
    # grouping by one integer is several times cheaper than by nine columns, and
    # the ~70,000 distinct profiles unpack with numpy into the per-factor counts.
    halves = LatestAssessment.HALVES
    key = " + ".join(f"CAST(a.{halves[f]} AS BIGINT) * {11**i}" for i, f in enumerate(FACTORS))
    with transaction.atomic(), connection.cursor() as cursor:
        _fast_session(cursor)
        cursor.execute(
            f"SELECT k, COUNT(*) FROM (SELECT {key} AS k FROM {table} a WHERE TRUE{scope}) p "  # noqa: S608
            "GROUP BY k",
            params,
        )
        grouped = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
        profiles, n = grouped[:, 0], grouped[:, 1]
        counts = {
            f: np.bincount(np.minimum((profiles // 11**i) % 11, 10), weights=n, minlength=11)
            .astype(np.int64)
            .tolist()
            for i, f in enumerate(FACTORS)
        }
        total = int(n.sum())
        threshold = _threshold()
        by_place, level = _places(cursor, prefixes, picked, threshold) if places else ([], "")
    rows = [
        {"key": f, "label": FACTOR_LABELS[f], "counts": counts[f], "subtotal": sum(counts[f])}
        for f in SEED_ORDER
    ]
    return FactorTable(
        region=picked,
        regions_label=regions_label(picked, prefixes),
        total=total,
        rows=rows,
        threshold=threshold,
        places=by_place,
        place_level=level,
        as_of=timezone.localdate(),
        seconds=(timezone.now() - started).total_seconds(),
    )


def regions_label(picked: Region | None, prefixes: list[str]) -> str:
    if picked is not None:
        return picked.full_name() if picked.level >= Level.COUNTY else picked.name
    names = Region.objects.filter(code__in=[p.ljust(12, "0") for p in prefixes]).values_list(
        "name", flat=True
    )
    return "、".join(names) or "全部授权区域"


def _places(cursor, prefixes, picked, threshold: float) -> tuple[list[dict], str]:
    """Counts by the level below the picked region: causes, multi-cause, circles."""
    level = (
        picked.level if picked is not None else min(level_of(p.ljust(12, "0")) for p in prefixes)
    )
    width, label = {
        Level.PROVINCE: (4, "市"), Level.CITY: (6, "县(区)"), Level.COUNTY: (9, "乡镇(街道)"),
    }.get(level, (12, "村(居)"))  # fmt: skip
    table = LatestAssessment._meta.db_table
    likes = " OR ".join(["h.village_id LIKE %s"] * len(prefixes))
    halves = LatestAssessment.HALVES
    causes = ", ".join(f"SUM(CASE WHEN a.{halves[f]} >= %s THEN 1 ELSE 0 END)" for f in FACTORS)
    circles = ", ".join(f"SUM(CASE WHEN a.circle = {c} THEN 1 ELSE 0 END)" for c in CIRCLE_LABELS)
    cursor.execute(
        f"SELECT SUBSTR(h.village_id, 1, {width}) AS place, COUNT(*), {causes}, "  # noqa: S608
        f"SUM(CASE WHEN a.multi_cause THEN 1 ELSE 0 END), {circles} "
        f"FROM {table} a JOIN households_household h ON h.id = a.household_id "
        f"WHERE ({likes}) GROUP BY SUBSTR(h.village_id, 1, {width}) ORDER BY 1",
        [*([threshold * 2] * len(FACTORS)), *[p + "%" for p in prefixes]],
    )
    fetched = cursor.fetchall()
    names = dict(
        Region.objects.filter(code__in=[r[0].ljust(12, "0") for r in fetched]).values_list(
            "code", "name"
        )
    )
    out = []
    for row in fetched:
        place, total, *rest = row
        cause_counts = [int(v or 0) for v in rest[: len(FACTORS)]]
        multi = int(rest[len(FACTORS)] or 0)
        circle_counts = [int(v or 0) for v in rest[len(FACTORS) + 1 :]]
        out.append(
            {
                "code": place.ljust(12, "0"),
                "name": names.get(place.ljust(12, "0"), place),
                "total": int(total),
                "causes": dict(zip(FACTORS, cause_counts, strict=True)),
                "cause_list": cause_counts,
                "multi_cause": multi,
                "circles": dict(zip(CIRCLE_LABELS, circle_counts, strict=True)),
                "circle_list": [circle_counts[c] for c in (1, 2, 3, 0)],
            }
        )
    return out, label


def place_totals(places: list[dict]) -> dict:
    return {
        "total": sum(p["total"] for p in places),
        "cause_list": [sum(p["cause_list"][i] for p in places) for i in range(len(FACTORS))],
        "multi_cause": sum(p["multi_cause"] for p in places),
        "circle_list": [sum(p["circle_list"][i] for p in places) for i in range(4)],
    }


def table_xlsx(table: FactorTable) -> bytes:
    """The table laid out like seed 002's 致困原因统计表, plus a sheet of counts by place."""
    wb = Workbook()
    ws = wb.active
    ws.title = "致困原因统计表"
    thin = Side(style="thin", color="9AA5B1")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center")
    head_fill = PatternFill("solid", fgColor="F4F6F8")
    last = 2 + len(SCORES)  # columns: 致困因子, 11 scores, 小计
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    cells.set_text(ws.cell(1, 1), f"{table.regions_label}困难家庭致困原因统计表")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = centre
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws.cell(2, 1, f"统计日期:{table.as_of:%Y年%m月%d日};按各户最新评估;单位:户").alignment = centre
    ws.cell(3, 1, "致困因子")
    ws.merge_cells(start_row=3, start_column=2, end_row=3, end_column=1 + len(SCORES))
    ws.cell(3, 2, "赋分")
    ws.cell(3, last, "小计")
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    ws.merge_cells(start_row=3, start_column=last, end_row=4, end_column=last)
    for i, label in enumerate(SCORE_LABELS):
        ws.cell(4, 2 + i, float(label) if "." in label else int(label))
    for r, row in enumerate(table.rows, start=5):
        ws.cell(r, 1, row["label"])
        for i, n in enumerate(row["counts"]):
            ws.cell(r, 2 + i, n)
        ws.cell(r, last, row["subtotal"])
    end = 5 + len(table.rows)
    ws.merge_cells(start_row=end, start_column=1, end_row=end, end_column=last)
    ws.cell(end, 1, f"合计:{table.total}户")
    for row in ws.iter_rows(min_row=3, max_row=end, max_col=last):
        for cell in row:
            cell.border = box
            cell.alignment = centre
            if cell.row <= 4:
                cell.font = Font(bold=True)
                cell.fill = head_fill
    ws.column_dimensions["A"].width = 12
    for c in range(2, last + 1):
        ws.column_dimensions[get_column_letter(c)].width = 9

    if table.places:
        sheet = wb.create_sheet(f"按{table.place_level}")
        header = [table.place_level, "评估户数",
                  *[f"{FACTOR_LABELS[f]}致困" for f in FACTORS], "多因致困",
                  *[CIRCLE_LABELS[c] for c in (1, 2, 3, 0)]]  # fmt: skip
        sheet.append(
            [f"{table.regions_label}致困原因与圈层(致困认定:因子得分≥{table.threshold:g}分)"]
        )
        sheet.append(header)
        for p in table.places:
            # Place names are records people keep: through the formula-safe helper.
            sheet.append(cells.xlsx_row(
                sheet, [p["name"], p["total"], *p["cause_list"], p["multi_cause"], *p["circle_list"]]
            ))  # fmt: skip
        totals = place_totals(table.places)
        sheet.append(["合计", totals["total"], *totals["cause_list"], totals["multi_cause"],
                      *totals["circle_list"]])  # fmt: skip
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.fill = head_fill
        sheet.column_dimensions["A"].width = 16
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Alkire–Foster on the registry


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    label: str
    criterion: str  # when a household is deprived, in words
    cutoff: float  # deprived when the value is below it (Alkire–Foster's convention)


# Nine indicators from the 28 of seed 002, grouped in five dimensions, equal weights.
AF_INDICATORS = (
    Indicator("income", "收入", "收入", "月人均可支配收入低于当地低保标准的1.5倍(低保边缘线)", 1.5),
    Indicator("rigid", "收入", "刚性支出", "医疗和教育支出超过家庭年收入的一半", 0.5),
    Indicator("illness", "健康", "大病", "有成员患大病(尿毒症、恶性肿瘤等)", 1.0),
    Indicator("disability", "健康", "重度残疾或失能", "有一、二级残疾或完全不能自理的成员", 1.0),
    Indicator("schooling", "教育", "辍学或教育负担", "有成员因经济困难辍学,或教育支出占家庭收入30%以上", 1.0),
    Indicator("housing", "住房", "住房不安全", "住C级、D级危房或无房", 1.0),
    Indicator("labour", "就业", "劳动力不足", "折算劳动力不足家庭人口的一半", 1.0),
    Indicator("employment", "就业", "失业", "劳动年龄段有劳动能力的成员中有人失业或无业", 1.0),
    Indicator("skills", "就业", "无技能", "劳动年龄段有劳动能力的成员都没有专业技能", 1.0),
)  # fmt: skip
AF_DEFAULT_K = 1 / 3


def af_matrix(frames) -> tuple[np.ndarray, list[str]]:
    """The households × indicators matrix of AF_INDICATORS, and each household's village code.

    Values are achievements: a household is deprived in an indicator when its
    value is below the cutoff. Computed for all households at once (Polars).
    """
    h, m = frames.households, frames.members
    if h.height == 0:
        return np.zeros((0, len(AF_INDICATORS))), []
    result = score_region(frames, model_of(active_model_version()), needs=False)
    text = {c: pl.col(c).cast(pl.String) for c in ("health_status", "disease", "self_care",
            "school_stage", "labour_ability", "occupation", "skill")}  # fmt: skip
    able = (
        text["labour_ability"].is_in(ABLE)
        & ~text["occupation"].is_in(NOT_IN_LABOUR_MARKET)
        & pl.col("age").is_between(16, 60)
    )
    per_household = m.group_by("household_id").agg(
        ill=(text["health_status"] == "serious").any() | text["disease"].is_in(SERIOUS_DISEASES).any(),
        severe=pl.col("disability_grade").is_in([1, 2]).any() | (text["self_care"] == "none").any(),
        dropout=(text["school_stage"] == "dropout").any(),
        education=pl.col("education_expense").sum(),
        able=able.sum(),
        idle=(able & text["occupation"].is_in(["unemployed", "none"])).sum(),
        unskilled=(able & (text["skill"] == "none")).sum(),
    )  # fmt: skip
    joined = h.select("household_id", "village_id", "housing_safety").join(
        per_household, on="household_id", how="left", maintain_order="left"
    ).join(result.select("household_id", "ratio_to_standard", "rigid_share", "annual_income", "labour"),
           on="household_id", how="left", maintain_order="left")  # fmt: skip
    flag = lambda e: pl.when(e.fill_null(False)).then(0.0).otherwise(1.0)  # noqa: E731 - 0 = deprived
    values = joined.select(
        income=pl.col("ratio_to_standard"),
        rigid=1.0 - pl.col("rigid_share").clip(0.0, 1.0),
        illness=flag(pl.col("ill")),
        disability=flag(pl.col("severe")),
        schooling=flag(
            pl.col("dropout")
            | (pl.col("education").fill_null(0.0) >= 0.3 * pl.col("annual_income"))
            & (pl.col("education").fill_null(0.0) > 0)
        ),
        housing=flag(pl.col("housing_safety").cast(pl.String).is_in(["c", "d", "none"])),
        # the labour factor scores 5·(1 − coverage): coverage below ½ is a score above 2.5
        labour=flag(pl.col("labour") > 2.5),
        employment=flag(pl.col("idle").fill_null(0) > 0),
        skills=flag((pl.col("able").fill_null(0) > 0) & (pl.col("unskilled") == pl.col("able"))),
    )
    matrix = values.select([i.key for i in AF_INDICATORS]).to_numpy().astype(float)
    # No income at all is the lowest income ratio there is (and ∞ spending share).
    matrix = np.nan_to_num(matrix, nan=0.0, posinf=1e9, neginf=0.0)
    return matrix, joined["village_id"].to_list()


def af_registry(*, user, region: str | None = None, k: float = AF_DEFAULT_K) -> dict:
    """Alkire–Foster measures of the households in scope, overall and by township (or village)."""
    prefixes, picked = resolve_regions(user=user, region=region)
    parts = [load_region(p.ljust(12, "0")) for p in prefixes]
    frames = RegionFrames(
        pl.concat([f.households for f in parts], how="diagonal_relaxed"),
        pl.concat([f.members for f in parts], how="diagonal_relaxed"),
        parts[0].after_id,
    )
    matrix, villages = af_matrix(frames)
    level = picked.level if picked is not None else Level.COUNTY
    width, place_level = (9, "乡镇(街道)") if level <= Level.COUNTY else (12, "村(居)")
    weights = [1 / len(AF_INDICATORS)] * len(AF_INDICATORS)
    cutoffs = [i.cutoff for i in AF_INDICATORS]
    out = {
        "indicators": AF_INDICATORS,
        "k": k,
        "region": picked,
        "regions_label": regions_label(picked, prefixes),
        "place_level": place_level,
        "n": len(villages),
    }
    if not villages:
        out.update(whole=None, places=[])
        return out
    places = [v[:width] for v in villages]
    res = alkire_foster(matrix, cutoffs, weights, k, groups=places,
                        names=[i.key for i in AF_INDICATORS])  # fmt: skip
    names = dict(
        Region.objects.filter(code__in=[p.ljust(12, "0") for p in set(places)]).values_list(
            "code", "name"
        )
    )
    out["whole"] = res
    out["places"] = [
        {"code": code, "name": names.get(code.ljust(12, "0"), code), "result": g}
        for code, g in sorted(res.groups.items())
    ]
    return out
