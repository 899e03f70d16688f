"""Loading a region from the database into the engine's frames: one query for the
households, one for their members, one for the members' latest elderly-ability
levels. On PostgreSQL the rows stream out by COPY as CSV (jiuzhu.frames)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import polars as pl
from django.db import connection
from django.utils import timezone

from jiuzhu.engine import batch as engine
from jiuzhu.frames import read_frames
from jiuzhu.households.models import Household, Member
from jiuzhu.regions.models import Level, level_of, prefix_of

from ..inputs import HOUSEHOLD_KEYS, MEMBER_KEYS
from ..models import Assessment, ElderlyAssessment, ModelVersion

# Codes read as categories: parsing them once is cheaper than comparing strings.
MEMBER_CODES = ("relation", "occupation", "labour_ability", "skill", "health_status", "disease",
                "self_care", "dibao_status", "disability_type", "disability_subsidy",
                "school_stage", "sex")  # fmt: skip
HOUSEHOLD_CODES = ("housing_safety", "housing_tenure", "livestock_kind")


@dataclass
class RegionFrames:
    """The engine's input frames of a region, plus what the write needs."""

    households: pl.DataFrame  # engine columns + village_id, sorted by household_id
    members: pl.DataFrame  # engine columns + id, sorted by (household_id, id)
    after_id: int  # the newest stored assessment's id when the load began
    seconds: float = 0.0

    @property
    def counties(self) -> list[str]:
        return self.households["village_id"].str.slice(0, 6).unique().sort().to_list()


@dataclass
class RegionResult:
    """Per-household results of a region, in household order."""

    frame: pl.DataFrame  # engine.assess_frames columns
    model_version: ModelVersion | None
    timings: dict[str, float] = field(default_factory=dict)


def _where(code: str | None, alias: str = "h") -> tuple[str, list]:
    if not code:
        return "", []
    if level_of(code) == Level.GROUP:
        return f"WHERE {alias}.group_id = %s", [code]
    return f"WHERE {alias}.village_id LIKE %s", [prefix_of(code) + "%"]


def _codes_type(f) -> pl.DataType:
    """An Enum of the field's choices: parsed once, compared as small integers."""
    return pl.Enum([str(value) for value, _ in f.choices]) if f.choices else pl.String


def _household_sql(code: str | None) -> tuple[str, list, dict[str, pl.DataType]]:
    fields = {f.name: f for f in Household._meta.concrete_fields}
    schema = engine.household_schema()
    select = ["h.id", "h.village_id"]
    types: dict[str, pl.DataType] = {"household_id": pl.Int64, "village_id": pl.String}
    for name in HOUSEHOLD_KEYS:
        if name not in fields:  # not recorded by the registry (deposits, vehicles): defaults
            continue
        kind = fields[name].get_internal_type()
        column = f"h.{connection.ops.quote_name(fields[name].column)}"
        if kind == "DecimalField":
            select.append(f"CAST({column} AS DOUBLE PRECISION)")
            types[name] = pl.Float64
        elif kind == "BooleanField":
            select.append(f"CAST({column} AS INTEGER)")
            types[name] = pl.Int8
        elif kind == "JSONField":
            select.append(f"CAST({column} AS TEXT)")
            types[name] = pl.String
        else:
            select.append(column)
            types[name] = _codes_type(fields[name]) if name in HOUSEHOLD_CODES else schema[name]
    where, params = _where(code)
    sql = f"SELECT {', '.join(select)} FROM households_household h {where}"  # noqa: S608
    return sql, params, types


def _member_sql(code: str | None) -> tuple[str, list, dict[str, pl.DataType]]:
    fields = {f.name: f for f in Member._meta.concrete_fields}
    schema = engine.member_schema()
    select = ["m.household_id", "m.id", "m.birth_date"]
    types: dict[str, pl.DataType] = {
        "household_id": pl.Int64,
        "id": pl.Int64,
        "birth_date": pl.Date,
    }
    for name in MEMBER_KEYS:
        if name in ("age", "elderly_level"):
            continue
        kind = fields[name].get_internal_type()
        column = f"m.{connection.ops.quote_name(fields[name].column)}"
        if kind == "DecimalField":
            select.append(f"CAST({column} AS DOUBLE PRECISION)")
            types[name] = pl.Float64
        elif kind == "BooleanField":  # CSV and SQLite both give 0/1 this way
            select.append(f"CAST({column} AS INTEGER)")
            types[name] = pl.Int8
        else:
            select.append(column)
            types[name] = _codes_type(fields[name]) if name in MEMBER_CODES else schema[name]
    where, params = _where(code)
    join = " JOIN households_household h ON h.id = m.household_id" if where else ""
    sql = f"SELECT {', '.join(select)} FROM households_member m{join} {where}"  # noqa: S608
    return sql, params, types


def _elderly_sql(code: str | None) -> tuple[str, list, dict[str, pl.DataType]]:
    where, params = _where(code)
    join = (
        " JOIN households_member m ON m.id = e.member_id"
        " JOIN households_household h ON h.id = m.household_id"
        if where
        else ""
    )
    table = ElderlyAssessment._meta.db_table
    # newest = rank of (assessed_at, id) descending: 1 for the member's latest
    sql = (
        "SELECT e.member_id, e.level, ROW_NUMBER() OVER ("  # noqa: S608
        "PARTITION BY e.member_id ORDER BY e.assessed_at DESC, e.id DESC) "
        f"FROM {table} e{join} {where}"
    )
    return sql, params, {"member_id": pl.Int64, "level": pl.Int64, "newest": pl.Int64}


def _ids_ordered_within(members: pl.DataFrame) -> bool:
    """Member ids increase within each household (given household ids are sorted)."""
    same = members["household_id"].diff().fill_null(1) == 0
    return bool((~same | (members["id"].diff().fill_null(1) > 0)).all())


def load_region(code: str | None = None) -> RegionFrames:
    """Households (with members and elderly levels) under a region code, or all of them.

    Ages are taken on today's date and 村/居 from the village code, as
    `inputs.household_input` does, so the frames describe exactly the
    HouseholdInput that the per-household path would build.
    """
    after_id = _newest_assessment_id()
    t0 = time.perf_counter()
    members, households, levels = read_frames(
        [_member_sql(code), _household_sql(code), _elderly_sql(code)]
    )
    # No ORDER BY in SQL (a sequential scan is much cheaper than an index scan):
    # members in id order within their household, as `household.members.all()`.
    if not households["household_id"].is_sorted():
        households = households.sort("household_id")
    if not (members["household_id"].is_sorted() and _ids_ordered_within(members)):
        members = members.sort("household_id", "id")
    levels = levels.filter(pl.col("newest") == 1).select("member_id", "level")
    today = timezone.localdate()
    part = pl.col("village_id").str.slice(9, 3).cast(pl.Int64, strict=False).fill_null(0)
    households = households.with_columns(
        [pl.col(c).cast(pl.Boolean) for c, t in households.schema.items() if t == pl.Int8]
        + [pl.col(c).alias(f"_json_{c}") for c in engine.LIST_FIELDS if c in households.columns]
        + [
            pl.col(c).str.json_decode(pl.List(pl.String)).fill_null(pl.lit([], pl.List(pl.String)))
            for c in engine.LIST_FIELDS
            if c in households.columns
        ]
        + [~((part >= 1) & (part <= 199)).alias("rural")]  # village_kind() == "村委会"
    )
    born = pl.col("birth_date")
    before_birthday = (born.dt.month() > today.month) | (
        (born.dt.month() == today.month) & (born.dt.day() > today.day)
    )
    members = members.join(
        levels.rename({"member_id": "id", "level": "elderly_level"}), on="id", how="left",
        maintain_order="left",
    ).with_columns(
        [pl.col(c).cast(pl.Boolean) for c, t in members.schema.items() if t == pl.Int8],
        age=(today.year - born.dt.year().cast(pl.Int64) - before_birthday.cast(pl.Int64)),
    )  # fmt: skip
    return RegionFrames(households, members, after_id, time.perf_counter() - t0)


def _newest_assessment_id() -> int:
    from django.db.models import Max

    return Assessment.objects.aggregate(newest=Max("id"))["newest"] or 0
