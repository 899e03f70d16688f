"""The quarterly push (seed 002: 每季度末向各部门推送符合条件的家庭): every household
eligible for a department's policy and not receiving it gets one referral per
(household, policy) per quarter, set-based from the match to the tables. The rows
follow the rules of every referral (sends.referral_deadline, sends.referral_need_of,
their channel); only the writing is its own, for speed (decision 0008)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from jiuzhu.accounts.roles import PUSH_STARTERS, has_role
from jiuzhu.accounts.scope import user_scope_codes
from jiuzhu.assessment.models import LatestAssessment
from jiuzhu.frames import read_frames
from jiuzhu.jobs.services import job_start
from jiuzhu.policies.matching import match_region
from jiuzhu.policies.models import Department

from .. import workflow as wf
from ..models import Referral, ReferralChannel, ReferralEvent
from .sends import referral_deadline, referral_need_of

logger = logging.getLogger(__name__)

_QUARTER = re.compile(r"^(20\d\d)Q([1-4])$")


def quarter_parse(quarter: str) -> tuple[int, int]:
    """(year, quarter) of "2026Q4"; ValidationError for anything else."""
    match = _QUARTER.match((quarter or "").strip().upper())
    if not match:
        raise ValidationError({"quarter": "季度:格式应为 2026Q4"})
    return int(match.group(1)), int(match.group(2))


def _frame_of(sql: str, params: list, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The rows of one query as a frame (PostgreSQL: by COPY, as jiuzhu.assessment.batch reads)."""
    return read_frames([(sql, params, schema)])[0]


def _pushed_this_quarter(quarter: str) -> pl.DataFrame:
    """(household_id, policy_id, department_id) of the referrals already pushed for `quarter`."""
    table = Referral._meta.db_table
    return _frame_of(
        f"SELECT household_id, policy_id, department_id FROM {table} "  # noqa: S608
        "WHERE quarter = %s AND policy_id IS NOT NULL",
        [quarter],
        {"household_id": pl.Int64, "policy_id": pl.Int64, "department_id": pl.String},
    )


def _latest_index() -> pl.DataFrame:
    """(household_id, index) of every household's latest assessment: one query."""
    from django.db import connection

    qn = connection.ops.quote_name
    return _frame_of(
        f"SELECT household_id, CAST({qn('index')} AS FLOAT) "  # noqa: S608
        f"FROM {qn(LatestAssessment._meta.db_table)}",
        [],
        {"household_id": pl.Int64, "index": pl.Float64},
    )


def _capped(rows: pl.DataFrame, pushed: pl.DataFrame, limit: int) -> pl.DataFrame:
    """Per department at most `limit` referrals this quarter, counting those already
    pushed: the households with the highest latest index first (unassessed last)."""
    room = (
        rows.select("department_id").unique()
        .join(pushed.group_by("department_id").len("pushed"), on="department_id", how="left")
        .select("department_id", room=pl.lit(limit) - pl.col("pushed").fill_null(0))
    )  # fmt: skip
    ranked = rows.join(_latest_index(), on="household_id", how="left").sort(
        ["department_id", "index", "household_id", "policy_id"],
        descending=[False, True, False, False],
        nulls_last=True,
    )
    return (
        ranked.join(room, on="department_id", how="left", maintain_order="left")
        .filter(pl.int_range(pl.len()).over("department_id") < pl.col("room"))
        .drop("index", "room")
    )


def _push_frame(
    match, *, quarter: str, now: dt.datetime, limit_per_department: int | None = None
) -> pl.DataFrame:
    """The referral rows to insert, one column per column of the referral table (Polars).

    The eligible-not-receiving pairs join a small per-policy frame (department,
    need, note), lose the pairs already pushed for `quarter` (an anti-join
    against one query) and, with a limit, all but each department's neediest.
    """
    policies = match.policies
    per_policy = pl.DataFrame(
        {
            "policy": [p.code for p in policies],
            "policy_id": [p.pk for p in policies],
            "department_id": [p.department_id for p in policies],
            "need": [referral_need_of(p) for p in policies],
            "note": [f"{quarter} 季度推送:符合“{p.name}”条件,尚未享受" for p in policies],
        },
        schema={"policy": pl.String, "policy_id": pl.Int64, "department_id": pl.String,
                "need": pl.String, "note": pl.String},
    )  # fmt: skip
    pairs = (
        match.missing([p.code for p in policies])
        .join(match.households.select("household_id", "village_id"), on="household_id")
        .join(per_policy, on="policy")
        .drop("policy")
    )
    pushed = _pushed_this_quarter(quarter)
    rows = pairs.join(pushed, on=["household_id", "policy_id"], how="anti")
    if limit_per_department is not None:
        rows = _capped(rows, pushed, max(limit_per_department, 0))
    columns = {
        "household_id": pl.col("household_id"),
        "village_id": pl.col("village_id").cast(pl.String),
        "department_id": pl.col("department_id"),
        "policy_id": pl.col("policy_id"),
        "need": pl.col("need"),
        "note": pl.col("note"),
        "channel": pl.lit(str(ReferralChannel.QUARTERLY)),
        "quarter": pl.lit(quarter),
        "deadline": pl.lit(referral_deadline(), dtype=pl.Date),
        "status": pl.lit(str(wf.Status.SENT)),
        "created_at": pl.lit(now, dtype=pl.Datetime("us", "UTC")),
        "status_changed_at": pl.lit(now, dtype=pl.Datetime("us", "UTC")),
    }
    out = []
    for f in Referral._meta.concrete_fields:  # every column, in table order
        if f.primary_key:
            continue
        if f.column in columns:
            out.append(columns[f.column].alias(f.column))
        elif f.null:
            out.append(pl.lit(None, dtype=_NULL_TYPES[f.get_internal_type()]).alias(f.column))
        elif f.get_internal_type() in ("CharField", "TextField") and f.blank:
            out.append(pl.lit("").alias(f.column))  # return_reason, assistance, feedback
        else:
            raise TypeError(f"季度推送:未给出 {f.column} 的值")  # a new NOT NULL column
    return rows.select(out)


_NULL_TYPES = {
    "ForeignKey": pl.Int64,
    "DateTimeField": pl.Datetime("us", "UTC"),
    "DateField": pl.Date,
    "CharField": pl.String,
    "TextField": pl.String,
}


# A pair another push inserted meanwhile is left out (the constraint `one_push_per_quarter`).
_PUSHED_CONFLICT = (
    "ON CONFLICT (quarter, department_id, household_id, policy_id) WHERE NOT (quarter = '') "
    "DO NOTHING"
)


def _push_write(rows: pl.DataFrame, *, quarter: str, now: dt.datetime) -> dict[str, int]:
    """Insert the rows and one push event each; the number inserted per department."""
    from django.db import connection

    if rows.is_empty():
        return {}
    if connection.vendor == "postgresql":
        return _push_write_postgres(rows, now=now)
    return _push_write_other(rows, quarter=quarter, now=now)


# --- PostgreSQL: staged, its foreign keys proven set-based (decision 0008) ----------------------
#
# A foreign key checks each inserted row with its own trigger query: 7.4 million referrals
# and their events took 185 s of such checks at commit. For the columns every pushed row
# fills, the push instead proves the frame's keys against their tables in one query each,
# under locks that keep those tables still, writes without the constraints and adds them
# back NOT VALID in the same transaction; VALIDATE CONSTRAINT then checks the whole table
# in one pass after the commit (referral_push_validate), holding no lock that stops
# anyone reading or writing. The nullable keys a push leaves empty keep their triggers.

# (the model, the columns whose foreign keys the push proves itself)
_PROVEN = ((Referral, ("household_id", "village_id", "department_id", "policy_id")),
           (ReferralEvent, ("referral_id",)))  # fmt: skip
_LOCK_TIMEOUT = "2s"  # each try at the locks; readers queue behind a waiting lock no longer
_LOCK_TRIES = 90


def _foreign_keys(cursor, model, columns) -> list[tuple[str, str, str]]:
    """(table, constraint, definition) of the model's foreign keys on `columns`."""
    cursor.execute(
        "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
        "WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = ANY (%s) "
        "ORDER BY c.conname",
        [model._meta.db_table, list(columns)],
    )
    out = []
    for name, definition in cursor.fetchall():
        definition = definition.removesuffix(" NOT VALID")
        out.append((model._meta.db_table, name, definition))
    return out


def _parents() -> list[str]:
    """The tables the proven keys point to (locked with the referral tables)."""
    tables = []
    for model, columns in _PROVEN:
        for f in model._meta.concrete_fields:
            if f.column in columns and f.related_model is not None:
                tables.append(f.related_model._meta.db_table)
    return list(dict.fromkeys(tables))


def _lock(cursor, tables: list[str]) -> float:
    """ACCESS EXCLUSIVE on `tables`, trying in short waits; the seconds it waited."""
    from django.db import connection

    qn = connection.ops.quote_name
    t0 = time.perf_counter()
    for attempt in range(_LOCK_TRIES):
        try:
            with transaction.atomic():  # a savepoint: a timed-out try leaves the rest usable
                cursor.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
                cursor.execute(
                    f"LOCK TABLE {', '.join(qn(t) for t in tables)} IN ACCESS EXCLUSIVE MODE"
                )
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
            return time.perf_counter() - t0
        except DatabaseError as exc:  # lock_timeout (55P03) or a deadlock (40P01)
            if getattr(exc.__cause__, "sqlstate", None) not in ("55P03", "40P01"):
                raise
            logger.info("push: tables busy, try %s", attempt + 1)
            time.sleep(1.0)
    raise ValidationError("季度推送:转介、家庭或政策表长时间被占用,请稍后重试")


def _orphans(cursor, *frames: pl.DataFrame) -> list[str]:
    """What the frames name that its table does not hold: one query per key column."""
    from django.db import connection

    qn = connection.ops.quote_name
    found = []
    for f in Referral._meta.concrete_fields:
        if f.column not in _PROVEN[0][1]:
            continue
        target = f.target_field
        frame = next(x for x in frames if f.column in x.columns)
        keys = frame.get_column(f.column).unique().drop_nulls().to_list()
        cast = "bigint" if target.get_internal_type() in ("AutoField", "BigAutoField") else "text"
        cursor.execute(
            f"SELECT COUNT(*) FROM unnest(%s::{cast}[]) AS k(v) WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {qn(f.related_model._meta.db_table)} p "
            f"WHERE p.{qn(target.column)} = k.v)",
            [keys],
        )
        missing = cursor.fetchone()[0]
        if missing:
            found.append(f"{f.verbose_name} {missing} 个")
    return found


def _push_write_postgres(rows: pl.DataFrame, *, now: dt.datetime) -> dict[str, int]:
    """COPY the varying columns into a temporary table, lock, prove the keys, drop the
    proven foreign keys, move the rows in with their events in one statement, and add
    the constraints back NOT VALID (validated after the commit)."""
    import uuid

    from django.db import connection

    qn = connection.ops.quote_name
    table, events = qn(Referral._meta.db_table), qn(ReferralEvent._meta.db_table)
    tag = uuid.uuid4().hex[:12]
    stage, per_policy = qn(f"referral_push_{tag}"), qn(f"referral_push_policy_{tag}")
    varying = ["household_id", "village_id", "policy_id"]
    # Every other column is the policy's or the push's (_push_frame): one row per policy,
    # checked here, so only three columns go through COPY.
    constant = rows.group_by("policy_id").agg(pl.all().exclude(varying).n_unique())
    if constant.height and constant.drop("policy_id").max_horizontal().max() > 1:
        raise TypeError("季度推送:除家庭与村外,每项政策的转介列应相同")  # pragma: no cover
    policies = rows.drop("household_id", "village_id").unique(subset="policy_id", keep="first")
    names = rows.columns
    # By household: its index and the unique one fill in order, the village index at
    # each village's right edge.
    rows = rows.select(varying).sort("household_id", "policy_id")
    text = [
        f.column for f in Referral._meta.concrete_fields
        if f.column in policies.columns and not f.null
        and f.get_internal_type() in ("CharField", "TextField")
    ]  # fmt: skip
    # Below settings.PUSH_LOCKED_WRITE_ROWS (a county's push) the foreign keys check each
    # row as usual and nobody waits; above it (a province's) the locked write.
    locked = rows.height >= settings.PUSH_LOCKED_WRITE_ROWS
    steps = {}
    connection.ensure_connection()
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {', '.join(qn(c) for c in varying)} FROM {table} WITH NO DATA"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {per_policy} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {', '.join(qn(c) for c in policies.columns)} FROM {table} WITH NO DATA"
        )
        raw = connection.connection
        with raw.cursor() as c, c.copy(
            f"COPY {stage} ({', '.join(qn(x) for x in varying)}) FROM STDIN WITH (FORMAT csv)"
        ) as copy:  # fmt: skip
            for part in rows.iter_slices(200_000):
                copy.write(part.write_csv(include_header=False))
        forced = ", ".join(qn(x) for x in text if x in policies.columns)
        with raw.cursor() as c, c.copy(
            f"COPY {per_policy} ({', '.join(qn(x) for x in policies.columns)}) FROM STDIN "
            f"WITH (FORMAT csv, FORCE_NOT_NULL ({forced}))"
        ) as copy:  # fmt: skip
            copy.write(policies.write_csv(include_header=False))
        cursor.execute(f"ANALYZE {per_policy}")
        steps["stage"] = time.perf_counter() - t0

        keys = []
        if locked:
            # Whatever the caller's transaction left deferred is checked now (ALTER TABLE
            # refuses a table with pending checks); the keys still checked by trigger (the
            # nullable ones) are checked at the end of each statement below.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            steps["lock"] = _lock(cursor, [Referral._meta.db_table,
                                           ReferralEvent._meta.db_table, *_parents()])  # fmt: skip
            t0 = time.perf_counter()
            missing = _orphans(cursor, rows, policies)
            if missing:
                gone = ";".join(missing)
                raise ValidationError(f"季度推送:匹配之后有记录已不存在({gone}),请重新推送")
            keys = [
                fk for model, columns in _PROVEN for fk in _foreign_keys(cursor, model, columns)
            ]
            for name_table, name, _ in keys:
                cursor.execute(f"ALTER TABLE {qn(name_table)} DROP CONSTRAINT {qn(name)}")
            steps["prove"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        cursor.execute("SET LOCAL work_mem = '64MB'")
        select = ", ".join(f"s.{qn(c)}" if c in varying else f"p.{qn(c)}" for c in names)
        cursor.execute(
            f"WITH added AS (INSERT INTO {table} ({', '.join(qn(c) for c in names)}) "  # noqa: S608
            f"SELECT {select} FROM {stage} s JOIN {per_policy} p ON p.policy_id = s.policy_id "
            f"{_PUSHED_CONFLICT} RETURNING id, department_id, status), "
            f"logged AS (INSERT INTO {events} "
            "(referral_id, action, from_status, to_status, actor_id, note, at) "
            "SELECT id, 'push', '', status, NULL, '', %s FROM added) "
            "SELECT department_id, COUNT(*) FROM added GROUP BY department_id",
            [now],
        )
        counts = {department: n for department, n in cursor.fetchall()}
        cursor.execute("SET LOCAL work_mem TO DEFAULT")
        steps["insert"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        for name_table, name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {qn(name_table)} ADD CONSTRAINT {qn(name)} {definition} NOT VALID"
            )
        if locked:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares them
        cursor.execute(f"DROP TABLE {stage}, {per_policy}")
        steps["restore"] = time.perf_counter() - t0
    STEPS.clear()
    STEPS.update(steps)
    return counts


def referral_push_validate() -> float:
    """Validate the referral tables' foreign keys a push left NOT VALID (PostgreSQL):
    one set-based pass each, under SHARE UPDATE EXCLUSIVE (reads and writes go on).
    Idempotent: also what a push that stopped after its commit left. The seconds taken."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    qn = connection.ops.quote_name
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT convalidated AND conrelid = ANY (%s::regclass[]) "
            "ORDER BY 1, 2",
            [[Referral._meta.db_table, ReferralEvent._meta.db_table]],
        )
        pending = cursor.fetchall()
        if pending:
            cursor.execute(f"ANALYZE {qn(Referral._meta.db_table)}, "
                           f"{qn(ReferralEvent._meta.db_table)}")  # fmt: skip
        deferred = pending and connection.in_atomic_block
        if deferred:  # ALTER TABLE refuses a table with checks still pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name_table, name in pending:
            cursor.execute(f"ALTER TABLE {qn(name_table)} VALIDATE CONSTRAINT {qn(name)}")
        if deferred:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return time.perf_counter() - t0


# Seconds of the last PostgreSQL write's steps (the bench prints them).
STEPS: dict[str, float] = {}


def _push_write_other(rows: pl.DataFrame, *, quarter: str, now: dt.datetime) -> dict[str, int]:
    """SQLite and others: executemany in chunks, then the events in one INSERT … SELECT
    of the rows above the highest id before (the write lock is held throughout)."""
    from django.db import connection

    table, events = Referral._meta.db_table, ReferralEvent._meta.db_table
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    text = rows.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S%.6f").alias(c)  # Django's naive UTC text
         for c, t in rows.schema.items() if isinstance(t, pl.Datetime)]
        + [pl.col(c).cast(pl.String) for c, t in rows.schema.items() if t == pl.Date]
    )  # fmt: skip
    names = ", ".join(ops.quote_name(c) for c in rows.columns)
    marks = ", ".join(["%s"] * len(rows.columns))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        before = cursor.fetchone()[0]
        for part in text.iter_slices(5000):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks}) {_PUSHED_CONFLICT}",  # noqa: S608
                part.rows(),
            )
        fresh = f"FROM {table} WHERE id > %s AND quarter = %s AND channel = %s"
        params = [before, quarter, str(ReferralChannel.QUARTERLY)]
        cursor.execute(
            f"INSERT INTO {events} (referral_id, action, from_status, to_status, actor_id, "  # noqa: S608
            f"note, at) SELECT id, 'push', '', status, NULL, '', %s {fresh}",
            [stamp, *params],
        )
        cursor.execute(f"SELECT department_id, COUNT(*) {fresh} GROUP BY department_id", params)  # noqa: S608
        return {department: n for department, n in cursor.fetchall()}


def referral_push_quarter(
    *,
    quarter: str,
    region: str | None = None,
    match=None,
    limit_per_department: int | None = None,
) -> dict[str, int]:
    """Send each department the households eligible for its policies and not receiving them.

    One referral per (household, policy) per quarter: run again, it sends only
    what is new. Returns the number sent per department code. `match` may be a
    RegionMatch already computed (tests, benches); by default the whole registry
    is matched at once (jiuzhu.policies.matching, vectorised).

    Set-based from the match to the tables: the rows are one Polars frame
    (_push_frame), written by COPY and one INSERT … SELECT with their push events
    on PostgreSQL, its foreign keys proven set-based (executemany elsewhere) — no
    Python object and no foreign-key query per row.
    `limit_per_department` caps what each department receives for the quarter
    (counting what it already received): the households with the highest
    latest difficulty index first.

    On PostgreSQL the referral tables' foreign keys the push proves itself are
    validated after the commit (referral_push_validate; decision 0008): at once
    when this call is the transaction, else when the caller's commits.
    """
    from django.db import connection

    year, q = quarter_parse(quarter)
    quarter = f"{year}Q{q}"
    referral_push_validate()  # what a push stopped after its commit left (normally nothing)
    with transaction.atomic():
        match = match if match is not None else match_region(region)
        now = timezone.now()
        rows = _push_frame(
            match, quarter=quarter, now=now, limit_per_department=limit_per_department
        )
        counts = _push_write(rows, quarter=quarter, now=now)
        if counts and connection.vendor == "postgresql":
            transaction.on_commit(_validate_after_commit)
    return counts


def _validate_after_commit() -> None:
    STEPS["validate"] = referral_push_validate()


# --- the quarterly push as a background job, started by county staff from a page ----------


def _push_county(actor) -> str:
    """The county code of the county staff member's grants (the push covers one county)."""
    counties = sorted({code[:6] + "000000" for code in user_scope_codes(actor)})
    if not counties:
        raise PermissionDenied("您的账户没有授权到县(区),无法发起季度推送")
    return counties[0]


def referral_push_start(*, actor, quarter: str, limit_per_department: int | None = None):
    """Queue the quarterly push of the actor's county; the running one if already started.

    Returns (job, created). One push per quarter and county runs at a time."""
    if not has_role(actor, PUSH_STARTERS):
        raise PermissionDenied("只有县民政局可以发起季度推送")
    year, q = quarter_parse(quarter)
    quarter = f"{year}Q{q}"
    if limit_per_department is not None and limit_per_department < 1:
        raise ValidationError({"limit_per_department": "每个部门上限:应为正整数,不限请留空"})
    county = _push_county(actor)
    return job_start(
        actor=actor,
        kind="push",
        key=f"push:{quarter}:{county[:6]}",
        region=county,
        params={"quarter": quarter, "region": county, "limit_per_department": limit_per_department},
    )


def referral_push_run(
    *,
    quarter: str,
    region: str | None = None,
    limit_per_department: int | None = None,
    progress=None,
) -> dict:
    """Run the quarterly push of a region step by step and summarise it per department."""

    def report(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 3, message)

    report(0, "正在按各项政策条件匹配家庭")
    match = match_region(region)
    report(1, "正在生成推送名单并写入转介")
    counts = referral_push_quarter(
        quarter=quarter, region=region, match=match, limit_per_department=limit_per_department
    )
    names = dict(Department.objects.filter(code__in=list(counts)).values_list("code", "name"))
    total = sum(counts.values())
    report(3, f"已推送 {total} 条转介" if total else "没有需要新推送的家庭")
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "quarter": quarter,
        "total": total,
        "departments": [{"name": names.get(code, "未知部门"), "count": n} for code, n in rows],
    }
