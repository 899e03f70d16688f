"""Re-assess a whole region at once: households in, stored assessments out.

The vectorised engine path (jiuzhu.engine.batch) scores the households; this
module feeds it from the database and writes its results:

1. load: one query for the households, one for their members, one for the
   members' latest elderly-ability levels. On PostgreSQL the rows stream out
   by `COPY (SELECT …) TO STDOUT` as CSV and Polars parses them; amounts are
   cast to float in SQL (what `float(Decimal)` gives in `household_input`).
2. score with the active model (or the one given) and each county's economic
   standard.
3. write, in one transaction: lock the assessment table against concurrent
   single re-assessments, leave out households someone re-assessed since the
   load began, insert the new rows (PostgreSQL: COPY; SQLite: bulk insert) and
   point each household's LatestAssessment at its new row. Rows carry `trigger="batch"`, no assessor and
   no reasons (recomputed on display from the stored `inputs`, which equal
   `to_json(household_input(household))` — tests check it).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.engine import batch as engine
from jiuzhu.engine.model import FACTORS, FactorModel
from jiuzhu.households.models import Household, Member
from jiuzhu.regions.models import Level, Region, level_of, prefix_of

from .inputs import HOUSEHOLD_KEYS, MEMBER_KEYS
from .models import Assessment, ElderlyAssessment, LatestAssessment, ModelVersion

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


# ---------------------------------------------------------------------------
# Loading


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


def _parse_csv(data: bytes, types: dict[str, pl.DataType]) -> pl.DataFrame:
    names = list(types)
    if not data:
        return pl.DataFrame(schema=types)
    try:
        return pl.read_csv(data, has_header=False, new_columns=names, schema=types)
    except pl.exceptions.PolarsError:  # a code outside the choices (an old import): as text
        text = {n: (pl.String if isinstance(t, pl.Enum) else t) for n, t in types.items()}
        return pl.read_csv(data, has_header=False, new_columns=names, schema=text)


def _copy_out(raw, sql: str, params: list) -> bytes:
    """The rows of a query as CSV, by COPY (libpq hands them over one row at a time)."""
    from psycopg import ClientCursor

    query = ClientCursor(raw).mogrify(sql, params)  # COPY takes no bind parameters
    buffer = io.BytesIO()
    with raw.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
        for row in copy:
            buffer.write(row)
    return buffer.getvalue()


def _read_all(queries: list[tuple[str, list, dict]]) -> list[pl.DataFrame]:
    """Run the queries into frames.

    PostgreSQL outside a transaction: two fresh connections sharing one
    snapshot (exported by the first, as pg_dump does), so the biggest query
    (the members) and the others run on both cores and still see one moment
    of the registry. Inside a transaction (tests, a caller's atomic block) the
    queries run on Django's connection, which sees that transaction's rows.
    Other databases: a cursor.
    """
    if connection.vendor != "postgresql":
        frames = []
        for sql, params, types in queries:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            # Django's SQLite adapter already turns dates into datetime.date.
            text = {n: (pl.String if isinstance(t, pl.Enum) else t) for n, t in types.items()}
            frames.append(pl.DataFrame(rows, schema=text, orient="row"))
        return frames
    if connection.in_atomic_block:
        connection.ensure_connection()
        return [_parse_csv(_copy_out(connection.connection, sql, params), types)
                for sql, params, types in queries]  # fmt: skip
    from concurrent.futures import ThreadPoolExecutor

    from psycopg import sql as psql

    params = connection.get_connection_params()
    first = connection.get_new_connection(params)
    second = connection.get_new_connection(params)
    try:
        first.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = first.execute("SELECT pg_export_snapshot()").fetchone()[0]
        second.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        second.execute(psql.SQL("SET TRANSACTION SNAPSHOT {}").format(psql.Literal(snapshot)))
        big, rest = queries[0], queries[1:]
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(lambda: _parse_csv(_copy_out(second, big[0], big[1]), big[2]))
            others = [_parse_csv(_copy_out(first, q, p), t) for q, p, t in rest]
            return [pending.result(), *others]
    finally:
        for raw in (first, second):
            raw.rollback()
            raw.close()


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
    members, households, levels = _read_all(
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


# ---------------------------------------------------------------------------
# Scoring


def model_of(version) -> FactorModel:
    if isinstance(version, FactorModel):
        return version
    if isinstance(version, ModelVersion):
        return FactorModel.from_data(version.data, version.version)
    return FactorModel.from_data(version, "draft")


def standards_of(frames: RegionFrames) -> dict[str, dict]:
    """Each county's economic standard (county code prefix → the engine's settings)."""
    from .services import economic_standard_for

    return {c: economic_standard_for(c + "000000") for c in frames.counties}


def score_region(
    frames: RegionFrames,
    model: FactorModel,
    *,
    needs: bool = True,
    standards: dict[str, dict] | None = None,
) -> pl.DataFrame:
    """The engine's results for every household of the frames, in household order.

    Each county is scored with its own economic standard (`standards`, read
    from the database when not given).
    """
    standards = standards if standards is not None else standards_of(frames)
    h, m = frames.households, frames.members
    counties = frames.counties
    if len(counties) <= 1:
        standard = standards.get(counties[0], {}) if counties else {}
        return engine.assess_frames(h, m, model, standard, needs=needs)
    parts = []
    county_of = h["village_id"].str.slice(0, 6)
    for county in counties:
        hc = h.filter(county_of == county)
        mc = m.filter(pl.col("household_id").is_in(hc["household_id"].implode()))
        parts.append(engine.assess_frames(hc, mc, model, standards.get(county, {}), needs=needs))
    # One Enum type per part: compare and store their text.
    texts = [c for c, t in parts[0].schema.items() if isinstance(t, pl.Enum)]
    parts = [p.with_columns(pl.col(texts).cast(pl.String)) for p in parts]
    return pl.concat(parts).sort("household_id")


# Always written, whatever their value: what a reader looks for first.
ALWAYS = {"rural", "age", "relation", "name"}
COMPACT_INPUTS = True
MEMBER_FLOATS = ("wage_income", "pension_income", "education_expense")


def _key(name: str) -> str:
    return json.dumps(name) + ":"


def _codes_of(frame: pl.DataFrame, name: str) -> np.ndarray:
    """Small integer codes of a column's values (equal values, equal codes)."""
    col = frame[name]
    if isinstance(col.dtype, pl.Enum):
        return col.to_physical().fill_null(len(col.dtype.categories)).to_numpy().astype(np.int64)
    if col.dtype == pl.Boolean:
        return col.cast(pl.Int64).fill_null(2).to_numpy()
    if isinstance(col.dtype, pl.List):
        col = col.list.join("\x1f").fill_null("\x1e")
    return col.rank("dense").fill_null(0).to_numpy().astype(np.int64)


def _rendered(frame: pl.DataFrame, names: list[str], defaults: dict, *, compact: bool,
              raw: dict[str, str] | None = None) -> pl.Series:  # fmt: skip
    """'"k":v,…' of the given columns per row, made once per distinct combination of values.

    Null where nothing is written (compact and every value at its default).
    `raw` names columns holding a value's JSON text already (the lists as stored).
    Keep `names` to a few columns of few values each: the combinations stay few.
    """
    raw = raw or {}
    first, ids = engine.distinct_rows(*[_codes_of(frame, n) for n in names])
    sample = frame.select(names + list(raw.values()))[first.tolist()].rows()
    keys = [_key(n) for n in names]
    skip = [defaults.get(n) for n in names]
    skip = [list(d) if isinstance(d, tuple) else d for d in skip]
    always = [n in ALWAYS or not compact for n in names]
    raw_at = {names.index(n): len(names) + k for k, n in enumerate(raw)}
    texts = []
    for row in sample:
        parts = []
        for c, value in enumerate(row[: len(names)]):
            if always[c] or value != skip[c]:
                text = row[raw_at[c]] if c in raw_at else json.dumps(value, ensure_ascii=False)
                parts.append(keys[c] + text)
        texts.append(",".join(parts))
    unique = list(dict.fromkeys(texts))
    position = {t: i for i, t in enumerate(unique)}
    remap = np.array([position[t] for t in texts], dtype=np.uint32)
    if not ids.size:
        return pl.Series([], dtype=pl.String)
    column = pl.Series(unique, dtype=pl.String).gather(remap[ids])
    return pl.select(pl.when(pl.lit(column) != "").then(pl.lit(column))).to_series()


def _rendered_groups(frame: pl.DataFrame, groups: list[list[str]], defaults: dict, *,
                     compact: bool, raw: dict[str, str] | None = None) -> list[pl.Series]:  # fmt: skip
    return [
        _rendered(frame, g, defaults, compact=compact,
                  raw={k: v for k, v in (raw or {}).items() if k in g}).alias(f"g{i}")
        for i, g in enumerate(groups)
    ]  # fmt: skip


def _number(name: str, *, compact: bool) -> pl.Expr:
    # Polars writes the shortest text that reads back as the same float.
    text = pl.lit(_key(name)) + pl.col(name).cast(pl.String)
    return pl.when(pl.col(name) != 0).then(text) if compact else text


def _string(name: str) -> pl.Expr:
    text = pl.col(name).cast(pl.String)
    plain = pl.lit(_key(name) + '"') + text + pl.lit('"')
    # Quotes, backslashes and control characters need JSON escapes (rare in names).
    escaped = pl.lit(_key(name)) + pl.struct(text.alias("v")).struct.json_encode().str.slice(5)
    escaped = escaped.str.strip_suffix("}")
    return pl.when(text.str.contains(r'["\\\x00-\x1f]')).then(escaped).otherwise(plain)


def _joined_by_household(
    households: pl.DataFrame, members: pl.DataFrame, texts: pl.Series
) -> pl.Series:
    """Each household's member texts joined with "," in member order (null without members).

    Members are sorted by household: the k-th members of all households are
    gathered at once and the positions concatenated, which beats a group-by.
    """
    n = households.height
    rows, found = engine.household_rows(
        households["household_id"].to_numpy(), members["household_id"].to_numpy()
    )
    rows = rows[found]
    texts = texts.filter(pl.Series(found)) if not found.all() else texts
    counts = np.bincount(rows, minlength=n)
    starts = np.cumsum(counts) - counts
    columns = []
    for k in range(int(counts.max(initial=0))):
        index = np.where(counts > k, starts + k, -1)
        gather = pl.Series(index, dtype=pl.Int64)
        gather = pl.select(pl.when(gather >= 0).then(gather)).to_series().cast(pl.UInt32)
        columns.append(texts.gather(gather).alias(f"m{k}"))
    if not columns:
        return pl.Series([None] * n, dtype=pl.String)
    return (
        pl.DataFrame(columns)
        .select(pl.concat_str(pl.all(), separator=",", ignore_nulls=True))
        .to_series()
    )


def inputs_json(frames: RegionFrames, *, compact: bool | None = None) -> pl.Series:
    """Per household, the JSON of `household_input(household)`: from_json(it) gives it back.

    compact (the default, COMPACT_INPUTS) leaves out the values equal to the
    engine's defaults, which from_json() restores: a household's inputs are
    about a third of `to_json()`'s size (≈ 0.6 instead of 1.8 GB for a
    million households), and PostgreSQL parses jsonb at only ~30 MB/s.
    compact=False writes every key, exactly the keys and values of to_json().
    Code-like fields are rendered once per distinct combination of values,
    numbers and names by Polars; no Python loop runs over households.
    """
    compact = COMPACT_INPUTS if compact is None else compact
    h = engine.with_defaults(frames.households.select(
        "household_id", *[k for k in HOUSEHOLD_KEYS if k in frames.households.columns]
    )).with_columns(frames.households.select([c for c in frames.households.columns if c.startswith("_json_")]))  # fmt: skip
    m = engine.with_member_defaults(frames.members)
    member_defaults = {f.name: engine.field_default(f) for f in engine.MEMBER_FIELDS.values()}
    house_defaults = {f.name: engine.field_default(f) for f in engine.HOUSEHOLD_FIELDS.values()}

    coded = [k for k in MEMBER_KEYS if k not in (*MEMBER_FLOATS, "age", "name")]
    groups = [coded[i : i + 4] for i in range(0, len(coded), 4)]
    parts = _rendered_groups(m, groups, member_defaults, compact=compact)
    member_text = pl.DataFrame(parts).with_columns(m.select("age", *MEMBER_FLOATS, "name")).select(
        pl.concat_str(
            pl.lit("{"),
            pl.concat_str(
                [_number("age", compact=False), *[p.name for p in parts],
                 *[_number(k, compact=compact) for k in MEMBER_FLOATS], _string("name")],
                separator=",", ignore_nulls=True,
            ),
            pl.lit("}"),
        )
    ).to_series()  # fmt: skip
    members_text = _joined_by_household(h, m, member_text)

    numbers = [k for k in HOUSEHOLD_KEYS if h.schema[k] in (pl.Float64, pl.Int64)]
    flags = [k for k in HOUSEHOLD_KEYS if h.schema[k] == pl.Boolean]
    others = [k for k in HOUSEHOLD_KEYS if k not in numbers and k not in flags]
    raw = {k: f"_json_{k}" for k in engine.LIST_FIELDS if f"_json_{k}" in h.columns}
    parts = _rendered_groups(h, [flags, others], house_defaults, compact=compact, raw=raw)
    house_text = pl.DataFrame(parts).with_columns(h.select(numbers)).select(
        pl.concat_str([*[p.name for p in parts], *[_number(k, compact=compact) for k in numbers]],
                      separator=",", ignore_nulls=True)
    ).to_series()  # fmt: skip
    return (
        pl.DataFrame({"m": members_text, "h": house_text})
        .select(
            pl.concat_str(
                pl.lit('{"members":['),
                pl.col("m").fill_null(""),
                pl.lit("],"),
                pl.col("h"),
                pl.lit("}"),
            )
        )
        .to_series()
    )


# ---------------------------------------------------------------------------
# Writing

_COLUMNS = ["household_id", "model_version_id", *FACTORS, "index", "causes",
            "primary_cause", "multi_cause", "cause_count", "circle", "monthly_income_per_capita",
            "below_standard", "below_edge", "needs", "reasons", "inputs", "inputs_source_id",
            "inputs_hash", "assessed_by_id", "assessed_at", "trigger"]  # fmt: skip


def previous_inputs(code: str | None) -> pl.DataFrame:
    """Each household's latest inputs hash and the row holding those inputs (by household)."""
    latest = connection.ops.quote_name(LatestAssessment._meta.db_table)
    where, params = _where(code)
    join = " JOIN households_household h ON h.id = l.household_id" if where else ""
    sql = f"SELECT l.household_id, l.inputs_hash, l.inputs_id FROM {latest} l{join} {where}"  # noqa: S608
    types = {"household_id": pl.Int64, "inputs_hash": pl.Int64, "inputs_id": pl.Int64}
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        raw = connection.get_new_connection(connection.get_connection_params())
        try:
            return _parse_csv(_copy_out(raw, sql, params), types)
        finally:
            raw.close()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        return _parse_csv(_copy_out(connection.connection, sql, params), types)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pl.DataFrame(cursor.fetchall(), schema=types, orient="row")


def inputs_hash(inputs: pl.Series) -> pl.Series:
    """64-bit hash of each inputs text (fixed seeds: the same text, the same number)."""
    return inputs.hash(seed=0, seed_1=1, seed_2=2, seed_3=3).reinterpret(signed=True)


def _rows(result: pl.DataFrame, inputs: pl.Series, version: ModelVersion, now,
          previous: pl.DataFrame | None = None) -> pl.DataFrame:  # fmt: skip
    """The rows to store. A household whose inputs hash equals its latest row's
    (`previous`, from previous_inputs) gets no inputs text, only the row holding it."""
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    hashes = inputs_hash(inputs)
    source = pl.Series("inputs_source_id", [None] * len(inputs), dtype=pl.Int64)
    if previous is not None and previous.height:
        joined = pl.DataFrame({"household_id": result["household_id"], "new": hashes}).join(
            previous, on="household_id", how="left", maintain_order="left"
        )
        same = (joined["new"] == joined["inputs_hash"]) & joined["inputs_id"].is_not_null()
        same = same.fill_null(False)
        source = joined["inputs_id"].zip_with(same, source).alias("inputs_source_id")
        inputs = pl.select(pl.when(pl.lit(same)).then(None).otherwise(pl.lit(inputs))).to_series()
    return result.select(
        "household_id",
        pl.lit(version.pk, dtype=pl.Int64).alias("model_version_id"),
        *FACTORS,
        "index",
        pl.col("causes_json").cast(pl.String).alias("causes"),
        pl.col("primary_cause").cast(pl.String).fill_null("").alias("primary_cause"),
        "multi_cause",
        "cause_count",
        "circle",
        pl.col("monthly_per_capita").alias("monthly_income_per_capita"),
        "below_standard",
        "below_edge",
        pl.col("needs_json").cast(pl.String).alias("needs"),
        pl.lit(None, dtype=pl.String).alias("reasons"),
        pl.lit(inputs).alias("inputs"),
        pl.lit(source).alias("inputs_source_id"),
        pl.lit(hashes).alias("inputs_hash"),
        pl.lit(None, dtype=pl.Int64).alias("assessed_by_id"),
        pl.lit(stamp).alias("assessed_at"),
        pl.lit("batch").alias("trigger"),
    )


def _copy_sql(table: str, columns: list[str]) -> str:
    qn = connection.ops.quote_name
    # JSON is full of double quotes; quoting fields with \x01 (never in JSON) keeps them as is.
    return (
        f"COPY {table} ({', '.join(qn(c) for c in columns)}) FROM STDIN WITH (FORMAT csv, "
        f"QUOTE E'\\x01', FORCE_NOT_NULL ({qn('primary_cause')}, {qn('trigger')}))"
    )


def _copy_into(raw, table: str, rows: pl.DataFrame, step: int = 50_000) -> None:
    with raw.cursor() as cursor, cursor.copy(_copy_sql(table, rows.columns)) as copy:
        for start in range(0, rows.height, step):
            copy.write(rows.slice(start, step).write_csv(include_header=False, quote_char="\x01"))


class _Stage:
    """COPY rows into a fresh unlogged table on `workers` connections, in the background.

    Parsing a million rows of jsonb takes PostgreSQL ~20 s of one core; the
    staging table lets two backends share it outside the final transaction
    (which meanwhile marks the old rows) and then only moves parsed rows
    (INSERT … SELECT).
    """

    def __init__(self, rows: pl.DataFrame, workers: int = 2):
        from concurrent.futures import ThreadPoolExecutor

        qn = connection.ops.quote_name
        self.name = f"assessment_batch_{uuid.uuid4().hex[:12]}"
        self.params = connection.get_connection_params()
        columns = ", ".join(qn(c) for c in rows.columns)
        source = qn(Assessment._meta.db_table)
        self._run(
            f"CREATE UNLOGGED TABLE {qn(self.name)} AS SELECT {columns} FROM {source} WITH NO DATA"  # noqa: S608
        )
        size = -(-rows.height // workers)
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.futures = [
            self.pool.submit(self._copy, rows.slice(k * size, size)) for k in range(workers)
        ]

    def _run(self, sql: str) -> None:
        raw = connection.get_new_connection(self.params)
        raw.autocommit = True
        try:
            raw.execute(sql)
        finally:
            raw.close()

    def _copy(self, part: pl.DataFrame) -> None:
        raw = connection.get_new_connection(self.params)
        try:
            _copy_into(raw, connection.ops.quote_name(self.name), part)
            raw.commit()
        finally:
            raw.close()

    def wait(self) -> None:
        try:
            for future in self.futures:
                future.result()
        finally:
            self.pool.shutdown(wait=True)

    def drop(self) -> None:
        for future in self.futures:
            future.cancel()
        self.pool.shutdown(wait=True)
        self._run(f"DROP TABLE IF EXISTS {connection.ops.quote_name(self.name)}")


def _insert_rows(rows: pl.DataFrame) -> None:
    """SQLite and other databases: the ORM's bulk insert, in batches."""
    objects = []
    for r in rows.iter_rows(named=True):
        objects.append(
            Assessment(
                household_id=r["household_id"],
                model_version_id=r["model_version_id"],
                **{f: r[f] for f in FACTORS},
                index=r["index"],
                causes=json.loads(r["causes"]),
                primary_cause=r["primary_cause"],
                multi_cause=r["multi_cause"],
                cause_count=r["cause_count"],
                circle=r["circle"],
                monthly_income_per_capita=r["monthly_income_per_capita"],
                below_standard=r["below_standard"],
                below_edge=r["below_edge"],
                needs=json.loads(r["needs"]),
                reasons=None,
                inputs=None if r["inputs"] is None else json.loads(r["inputs"]),
                inputs_source_id=r["inputs_source_id"],
                inputs_hash=r["inputs_hash"],
                assessed_by=None,
                assessed_at=dt.datetime.fromisoformat(r["assessed_at"]),
                trigger="batch",
            )
        )
        if len(objects) >= 2000:
            Assessment.objects.bulk_create(objects)
            objects = []
    if objects:
        Assessment.objects.bulk_create(objects)


def _pointer_values(alias: str) -> dict[str, str]:
    """Pointer column → its value from an assessment row aliased `alias`."""
    qn = connection.ops.quote_name
    a = alias
    return {
        "assessment_id": f"{a}.id",
        "inputs_id": f"COALESCE({a}.inputs_source_id, {a}.id)",
        **{h: f"CAST({a}.{qn(f)} * 2 AS SMALLINT)" for f, h in LatestAssessment.HALVES.items()},
        **{c: f"{a}.{qn(c)}" for c in LatestAssessment.COPIED},
    }


def _point_statements(source: str, *, moved: str | None = None) -> tuple[str, str]:
    """(UPDATE, INSERT) pointing each household of `source` (assessment rows) at its row.

    An UPDATE joined to the new rows, then an INSERT of the households not
    there yet: on PostgreSQL much cheaper than INSERT … ON CONFLICT for a
    million rows, the more so as the pointer table leaves room for in-page
    (HOT) updates (fillfactor 50, migration 0004). `moved` names a relation of
    the household ids the UPDATE touched (when both run in one statement and
    cannot see each other's rows).
    """
    qn = connection.ops.quote_name
    latest = qn(LatestAssessment._meta.db_table)
    values = _pointer_values("a")
    sets = ", ".join(f"{qn(c)} = {v}" for c, v in values.items())
    update = (
        f"UPDATE {latest} SET {sets} FROM {source} a "  # noqa: S608
        f"WHERE {latest}.household_id = a.household_id"
    )
    existing = moved or latest
    insert = (
        f"INSERT INTO {latest} (household_id, {', '.join(qn(c) for c in values)}) "  # noqa: S608
        f"SELECT a.household_id, {', '.join(values.values())} FROM {source} a "
        f"WHERE NOT EXISTS (SELECT 1 FROM {existing} m WHERE m.household_id = a.household_id)"
    )
    return update, insert


def _replace_latest(after_id: int | None, produce) -> dict:
    """One transaction: lock, insert what `produce` gives and point each household at it.

    A household whose latest assessment is newer than `after_id` (someone edited
    it after the households were read) keeps that newer result. None: nothing
    to skip.

    `produce()` returns (rows, staged): the rows to store and, on PostgreSQL, the
    staging table already holding them (or None). It may still be running in
    another thread while this waits for the lock — the two overlap.
    """
    timings: dict[str, float] = {}
    postgres = connection.vendor == "postgresql"
    qn = connection.ops.quote_name
    table = qn(Assessment._meta.db_table)
    staged = None
    newer: list[int] = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            t0 = time.perf_counter()
            if postgres:
                # Single re-assessments (a household edited) wait until this commits.
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute("SET LOCAL work_mem = '256MB'")  # the region's ids hash in memory
            if after_id is not None:
                cursor.execute(
                    f"SELECT household_id FROM {qn(LatestAssessment._meta.db_table)} "  # noqa: S608
                    "WHERE assessment_id > %s",
                    [after_id],
                )
                newer = [r[0] for r in cursor.fetchall()]
            skip, skip_params = "", []
            if newer:  # an anti-join (a list of ids would be scanned once per row)
                skip = (
                    f" AND NOT EXISTS (SELECT 1 FROM {qn(LatestAssessment._meta.db_table)} l "  # noqa: S608
                    "WHERE l.household_id = s.household_id AND l.assessment_id > %s)"
                )
                skip_params = [after_id]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            before = cursor.fetchone()[0]
            timings["lock"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            rows, staged = produce()
            timings["wait"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            if newer:
                rows = rows.filter(~pl.col("household_id").is_in(newer))
            if staged:
                # One statement: the new rows go in and their ids and results come
                # back out straight into the pointers (no second read of wide rows).
                columns = ", ".join(qn(c) for c in rows.columns)
                copied = ", ".join(qn(c) for c in (*FACTORS, *LatestAssessment.COPIED))
                update, insert = _point_statements("added", moved="moved")
                latest = qn(LatestAssessment._meta.db_table)
                cursor.execute(
                    f"WITH added AS (INSERT INTO {table} ({columns}) "  # noqa: S608
                    f"SELECT {columns} FROM {qn(staged.name)} s WHERE TRUE{skip} "
                    f"RETURNING id, household_id, inputs_source_id, {copied}), "
                    f"moved AS ({update} RETURNING {latest}.household_id) {insert}",
                    skip_params,
                )
            else:
                if postgres:
                    connection.ensure_connection()
                    _copy_into(connection.connection, table, rows)
                else:
                    _insert_rows(rows)
                timings["insert"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                fresh = f"(SELECT * FROM {table} WHERE id > %s)"  # noqa: S608
                for statement in _point_statements(fresh):
                    cursor.execute(statement, [before])
            timings["point"] = time.perf_counter() - t0
            t0 = time.perf_counter()
        timings["commit"] = time.perf_counter() - t0  # deferred foreign-key checks
    finally:
        if staged:
            staged.drop()
    return {"written": rows.height, "skipped_newer": len(newer), "timings": timings}


def write_results(
    frames: RegionFrames, result: pl.DataFrame, version: ModelVersion, code: str | None
) -> dict:
    """Store computed results as the latest assessments, in one transaction (see the module doc)."""
    t0 = time.perf_counter()
    rows = _rows(result, inputs_json(frames), version, timezone.now(), previous_inputs(code))
    prepared = time.perf_counter() - t0
    # Outside a transaction, PostgreSQL parses the rows on two connections while
    # this one marks the old rows; inside one (tests), a plain COPY.
    staged = (
        _Stage(rows)
        if connection.vendor == "postgresql" and not connection.in_atomic_block
        else None
    )

    def produce():
        if staged:
            staged.wait()
        return rows, staged

    try:
        out = _replace_latest(frames.after_id, produce)
    except BaseException:
        if staged:
            staged.drop()
        raise
    out["timings"]["prepare"] = prepared
    return out


# ---------------------------------------------------------------------------
# Entry points


def _summary(result: pl.DataFrame) -> dict:
    mask = result["cause_mask"].to_numpy().astype(np.int64)
    circle = result["circle"].to_numpy()
    return {
        "households": result.height,
        "multi_cause": int(result["multi_cause"].sum()),
        "circles": {str(c): int((circle == c).sum()) for c in range(4)},
        "causes": {f: int(((mask >> i) & 1).sum()) for i, f in enumerate(FACTORS)},
    }


def assess_region(
    code: str | None = None,
    *,
    model_version: ModelVersion | None = None,
    dry_run: bool = False,
    log: Callable[[str], None] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Re-assess every household under `code` (all when None) and store the results.

    Returns counts (households, members, written, skipped_newer, causes,
    multi_cause, circles) and the seconds of each step. With dry_run nothing is
    written. `progress(done, total, message)` hears of each of the three steps.
    """
    from .services import active_model_version, economic_standard_for

    def step(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 3, message)

    step(0, "正在读取家庭与成员数据")
    started = time.perf_counter()
    version = model_version or active_model_version()
    model = model_of(version)
    out = {"model_version": version.version, "dry_run": dry_run, "written": 0, "skipped_newer": 0}
    seconds: dict[str, float] = {}
    overlap = not dry_run and connection.vendor == "postgresql" and not connection.in_atomic_block
    if not overlap:
        frames = load_region(code)
        seconds["load"] = frames.seconds
        step(1, f"正在按模型 {version.version} 计算 {frames.households.height:,} 户")
        t0 = time.perf_counter()
        result = score_region(frames, model)
        seconds["score"] = time.perf_counter() - t0
        step(2, "正在保存评估结果")
        if not dry_run and result.height:
            written = write_results(frames, result, version, code)
            out.update(written=written["written"], skipped_newer=written["skipped_newer"])
            seconds.update(written["timings"])
    else:
        # The table is locked first (one backend) while this process reads the
        # households (two backends), scores them, builds the rows and has two
        # backends parse them into a staging table; then one INSERT and the pointers.
        # Single re-assessments (household edits) wait for the commit meanwhile.
        from concurrent.futures import ThreadPoolExecutor

        made: dict = {}
        standards = {
            c[:6]: economic_standard_for(c)
            for c in Region.objects.filter(level=Level.COUNTY).values_list("code", flat=True)
        }

        def make():
            frames = made["frames"] = load_region(code)
            made["load"] = frames.seconds
            step(1, f"正在按模型 {version.version} 计算 {frames.households.height:,} 户")
            t0 = time.perf_counter()
            made["result"] = score_region(frames, model, standards=standards)
            made["score"] = time.perf_counter() - t0
            step(2, "正在保存评估结果")
            t0 = time.perf_counter()
            previous = previous_inputs(code)
            rows = _rows(made["result"], inputs_json(frames), version, timezone.now(), previous)
            made["prepare"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            if rows.height:
                made["staged"] = _Stage(rows)
                made["staged"].wait()
            made["stage"] = time.perf_counter() - t0
            return rows, made.get("staged")

        after_id = _newest_assessment_id()  # before the load can begin
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(make)
            try:
                written = _replace_latest(after_id, future.result)
            except BaseException:
                future.cancel()
                if "staged" in made:
                    made["staged"].drop()
                raise
        result, frames = made["result"], made["frames"]
        out.update(written=written["written"], skipped_newer=written["skipped_newer"])
        seconds.update({k: made[k] for k in ("load", "score", "prepare", "stage")})
        seconds.update(written["timings"])
    if log:
        log(f"评估 {result.height:,} 户、{frames.members.height:,} 人")
    out["members"] = frames.members.height
    out.update(_summary(result))
    step(3, f"已重新评估 {out['written']:,} 户")
    seconds["total"] = time.perf_counter() - started
    out["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    return out


def reassess_region(*, actor, region: str, progress=None) -> dict:
    """assess_region for an officer: county staff (or an administrator) within their scope."""
    from jiuzhu.households.selectors import code_in_scope

    from .services import MODEL_EDITORS

    if actor.role not in MODEL_EDITORS:
        raise PermissionDenied("只有县民政局可以批量重新评估")
    if not code_in_scope(user=actor, code=region):
        raise PermissionDenied("该区域不在您的管辖范围内")
    return assess_region(region, progress=progress)


def preview_region(code: str | None, draft_version, *, sample: int = 50) -> dict:
    """What activating `draft_version` would change under `code`, without writing.

    Scores the households with the active model and with the draft (same
    data, both vectorised) and summarises with `preview.compare`: per factor
    who becomes or stops being a cause, multi-cause before/after, circle and
    primary-cause changes, index histograms and a sample of changed households.
    """
    from . import preview
    from .services import active_model_version

    active = active_model_version()
    frames = load_region(code)
    before = score_region(frames, model_of(active), needs=False)
    draft = model_of(draft_version)
    after = score_region(frames, draft, needs=False)
    summary = preview.compare(_scored(before, model_of(active)), _scored(after, draft))
    summary["sample"] = summary["sample"][:sample]
    summary.update(active_version=active.version, version=draft.version)
    return summary


def _scored(result: pl.DataFrame, model: FactorModel):
    from .preview import Scored

    n = result.height
    scores = np.column_stack([result[f].to_numpy() for f in FACTORS]) if n else np.zeros((0, 9))
    mask = result["cause_mask"].to_numpy().astype(np.int64)
    is_cause = ((mask[:, None] >> np.arange(len(FACTORS))) & 1).astype(bool)
    primary_name = result["primary_cause"].cast(pl.String)
    lookup = {f: i for i, f in enumerate(FACTORS)}
    primary = primary_name.replace_strict(lookup, default=-1, return_dtype=pl.Int64).to_numpy()
    return Scored(
        ids=result["household_id"].to_numpy(),
        scores=scores,
        index=result["index"].to_numpy(),
        is_cause=is_cause,
        primary=primary,
        multi=result["multi_cause"].to_numpy(),
        circle=result["circle"].to_numpy().astype(int),
    )
