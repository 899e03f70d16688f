"""Writes to referrals and case conferences. Each service is atomic, takes the
acting user, locks the row it moves, checks the table in workflow.py and writes
its ReferralEvent in the same transaction.

Errors: IllegalTransition (a move the table forbids, HTTP 409), PermissionDenied
(wrong role, wrong department, or outside the actor's regions), ValidationError
{field: Chinese message}.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jiuzhu.frames import read_frames
from jiuzhu.households.models import Household
from jiuzhu.households.selectors import code_in_scope
from jiuzhu.policies.models import Department, Policy
from jiuzhu.validators import text_error

from . import workflow as wf
from .models import NEED_CHOICES, Conference, Referral, ReferralChannel, ReferralEvent
from .workflow import CaseError, IllegalTransition, UnknownAction

__all__ = [
    "CaseError",
    "IllegalTransition",
    "UnknownAction",
    "case_refer_measures",
    "conference_create",
    "conference_tasks_done",
    "referral_push_quarter",
    "referral_send",
    "referral_transition",
]

NOTE_MAX = 1000
_QUARTER = re.compile(r"^(20\d\d)Q([1-4])$")


def _role(actor) -> str:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return ""
    return actor.role


def _clean_note(note: str, *, label: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"{label}:不能超过{NOTE_MAX}字"})
    problem = text_error(note, label=label)
    if problem:
        raise ValidationError({"note": problem})
    return note


def _require_civil_affairs(actor, village_code: str, what: str = "该家庭") -> None:
    if _role(actor) not in wf.CIVIL_AFFAIRS:
        raise PermissionDenied("只有乡镇或县民政部门可以转介、重新转介和结案")
    if not code_in_scope(user=actor, code=village_code or ""):
        raise PermissionDenied(f"{what}不在您的管辖范围内")


def _deadline() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=wf.DEADLINE_DAYS)


@transaction.atomic
def referral_send(
    *,
    actor,
    household: Household,
    department: Department,
    need: str = "",
    policy: Policy | None = None,
    note: str = "",
    case=None,
    deadline: dt.date | None = None,
) -> Referral:
    """Refer one need of a household to one department (单一需求转介)."""
    _require_civil_affairs(actor, household.village_id)
    if need and need not in dict(NEED_CHOICES):
        raise ValidationError({"need": "需求类别:请从列表中选择"})
    if policy is not None and policy.department_id != department.pk:
        raise ValidationError({"policy": f"对应政策:该政策的责任部门不是{department.name}"})
    if case is not None and case.household_id != household.pk:
        raise ValidationError({"case": "个案:与转介的家庭不一致"})
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": "办理期限:不能早于今天"})
    note = _clean_note(note, label="转介说明")
    referral = Referral.objects.create(
        case=case, household=household, village_id=household.village_id, department=department,
        policy=policy, need=need, note=note, deadline=deadline or _deadline(), sent_by=actor,
    )  # fmt: skip
    ReferralEvent.objects.create(
        referral=referral, action="send", from_status="", to_status=referral.status,
        actor=actor, note=note, at=referral.created_at,
    )  # fmt: skip
    return referral


# A case's measures can be referred once its plan exists and until it is closed.
REFERABLE_CASE_STATUSES = frozenset({
    "planning", "submitted", "reviewing", "approved", "publicised", "implementing", "follow_up",
})  # fmt: skip


@transaction.atomic
def case_refer_measures(
    *, actor, case, policy_codes: list[str], deadline: dt.date | None = None
) -> list[Referral]:
    """Send the chosen measures of a case's 一户一策 to their departments, one referral
    each (单一需求转介). A measure already referred for this case is refused."""
    from jiuzhu.cases.models import Case
    from jiuzhu.cases.workflow import STATUS_LABELS

    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_civil_affairs(actor, case.village_id, "该个案")
    if case.household_id is None:
        raise IllegalTransition("尚未关联家庭档案:请先关联家庭档案,再转介")
    if case.status not in REFERABLE_CASE_STATUSES:
        label = STATUS_LABELS.get(case.status, case.status)
        raise IllegalTransition(f"个案当前状态为“{label}”:拟定方案后、结案前方可转介")
    codes = list(dict.fromkeys(c for c in policy_codes if c))
    if not codes:
        raise ValidationError({"policy": "帮扶措施:请勾选要转介的措施"})
    chosen = {m.get("policy"): m for m in case.measures or []}
    policies = {
        p.code: p for p in Policy.objects.filter(code__in=codes).select_related("department")
    }
    for code in codes:
        if code not in chosen or code not in policies:
            raise ValidationError({"policy": f"帮扶措施:“{code}”不是本案一户一策中的措施"})
    sent = dict(
        Referral.objects.filter(case=case, policy__code__in=codes).values_list(
            "policy__code", "status"
        )
    )
    for code in codes:
        if code in sent:
            p = policies[code]
            raise ValidationError({
                "policy": f"帮扶措施:“{p.name}”已转介{p.department.short_name or p.department.name}"
                f"({wf.STATUS_LABELS.get(sent[code], sent[code])}),不能重复转介"
            })  # fmt: skip
    needs = dict(NEED_CHOICES)
    made = []
    for code in codes:
        p = policies[code]
        need = next((n for n in p.needs or [] if n in needs), "")
        note = chosen[code].get("note") or f"个案 {case.number} 一户一策:{p.name}"
        made.append(referral_send(
            actor=actor, household=case.household, department=p.department, need=need,
            policy=p, note=note, case=case, deadline=deadline,
        ))  # fmt: skip
    from jiuzhu.cases.services import case_log

    sent_to = "、".join(
        f"{r.department.short_name or r.department.name}({r.policy.name})" for r in made
    )
    case_log(actor=actor, case=case, action="refer", note=f"转介{len(made)}项:{sent_to}")
    return made


def _require_role_for(actor, referral: Referral, action: str) -> None:
    role = _role(actor)
    if action in wf.DEPARTMENT_ACTIONS:
        if role != wf.DEPARTMENT:
            raise PermissionDenied(f"只有接收部门的经办员可以{wf.ACTION_VERBS[action]}")
        if not actor.department or actor.department != referral.department_id:
            raise PermissionDenied("该转介不是转给您所在部门的")
    else:
        _require_civil_affairs(actor, referral.village_id, "该转介")


@transaction.atomic
def referral_transition(*, actor, referral: Referral, action: str, note: str = "") -> Referral:
    """Move a referral by one row of workflow.TRANSITIONS; return the moved referral."""
    if action not in wf.ACTION_NAMES:
        raise UnknownAction(f"未知的操作“{action}”")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_role_for(actor, referral, action)
    row = wf.transition_for(action=action, status=referral.status)
    if _role(actor) not in row.roles:
        raise PermissionDenied(f"您的角色不能执行“{row.label}”")
    note = _clean_note(note, label=row.note_label or "说明")
    if row.note_required and not note:
        raise ValidationError({"note": f"{row.note_label}:请填写"})
    now = timezone.now()
    from_status = referral.status
    referral.status = row.target
    referral.status_changed_at = now
    if row.stamp:
        setattr(referral, row.stamp, now)
    if action == "return":
        referral.return_reason = note
    elif action == "assist":
        referral.assistance = note
    elif action == "feedback":
        referral.feedback = note
    elif action == "resend":
        # The department gets a fresh period for the changed referral.
        referral.deadline = _deadline()
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, action=action, from_status=from_status, to_status=referral.status,
        actor=actor, note=note, at=now,
    )  # fmt: skip
    return referral


# --- case conferences (个案会商) ---------------------------------------------------------


def conference_tasks_done(*, case) -> bool:
    """Whether every conference task of the case has been fed back (or closed)."""
    return not (
        Referral.objects.filter(conference__case_id=case.pk)
        .exclude(status__in=wf.ANSWERED)
        .exists()
    )


@transaction.atomic
def conference_create(
    *,
    actor,
    case,
    held_on: dt.date,
    departments: list[Department],
    minutes: str,
    tasks: dict[str, str] | None = None,
    deadline: dt.date | None = None,
) -> Conference:
    """Record a case conference and send one task (a referral) to each department."""
    from jiuzhu.cases.models import Case

    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_civil_affairs(actor, case.village_id, "该个案")
    if not case.is_open:
        raise IllegalTransition("个案已办结,不能再召开个案会商")
    if case.household_id is None:
        raise IllegalTransition("尚未关联家庭档案:请先关联家庭档案,再召开个案会商")
    errors: dict[str, str] = {}
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        errors["departments"] = "参会部门:请至少选择一个部门"
    minutes = (minutes or "").strip()
    if not minutes:
        errors["minutes"] = "会商纪要:请填写"
    elif len(minutes) > 5000:
        errors["minutes"] = "会商纪要:不能超过5000字"
    elif problem := text_error(minutes, label="会商纪要"):
        errors["minutes"] = problem
    if held_on is None:
        errors["held_on"] = "会商日期:请填写"
    elif held_on > timezone.localdate():
        errors["held_on"] = "会商日期:不能晚于今天"
    if errors:
        raise ValidationError(errors)
    conference = Conference.objects.create(
        case=case, held_on=held_on, minutes=minutes, convened_by=actor
    )
    conference.departments.set(departments)
    tasks = tasks or {}
    for department in departments:
        task = _clean_note(tasks.get(department.pk, ""), label=f"{department.name}的任务")
        referral = Referral.objects.create(
            case=case, conference=conference, household_id=case.household_id,
            village_id=case.household.village_id, department=department,
            channel=ReferralChannel.CONFERENCE, note=task or f"个案会商任务:{minutes[:200]}",
            deadline=deadline or _deadline(), sent_by=actor,
        )  # fmt: skip
        ReferralEvent.objects.create(
            referral=referral, action="send", from_status="", to_status=referral.status,
            actor=actor, note=f"个案会商({held_on:%Y-%m-%d})任务", at=referral.created_at,
        )  # fmt: skip
    from jiuzhu.cases.services import case_log

    names = "、".join(d.short_name or d.name for d in departments)
    case_log(actor=actor, case=case, action="conference",
             note=f"{held_on:%Y-%m-%d} 会商,参会部门:{names};各部门任务已转介")  # fmt: skip
    return conference


# --- the quarterly push (seed 002: 每季度末向各部门推送符合条件的家庭) ---------------------------


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

    from jiuzhu.assessment.models import LatestAssessment

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
            "need": [(p.needs or [""])[0] for p in policies],
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
        "deadline": pl.lit(_deadline(), dtype=pl.Date),
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


def _push_write_postgres(rows: pl.DataFrame, *, now: dt.datetime) -> dict[str, int]:
    """COPY into a temporary table, then one statement moves the rows in, writes their
    events from the ids it returns and counts them."""
    import uuid

    from django.db import connection

    qn = connection.ops.quote_name
    table, events = qn(Referral._meta.db_table), qn(ReferralEvent._meta.db_table)
    stage = qn(f"referral_push_{uuid.uuid4().hex[:12]}")
    names = ", ".join(qn(c) for c in rows.columns)
    text = ", ".join(
        qn(f.column) for f in Referral._meta.concrete_fields
        if f.column in rows.columns and not f.null
        and f.get_internal_type() in ("CharField", "TextField")
    )  # fmt: skip
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with connection.connection.cursor() as raw, raw.copy(
            f"COPY {stage} ({names}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({text}))"
        ) as copy:  # fmt: skip
            for part in rows.iter_slices(50_000):
                copy.write(part.write_csv(include_header=False))
        cursor.execute(
            f"WITH added AS (INSERT INTO {table} ({names}) SELECT {names} FROM {stage} "  # noqa: S608
            f"{_PUSHED_CONFLICT} RETURNING id, department_id, status), "
            f"logged AS (INSERT INTO {events} "
            "(referral_id, action, from_status, to_status, actor_id, note, at) "
            "SELECT id, 'push', '', status, NULL, '', %s FROM added) "
            "SELECT department_id, COUNT(*) FROM added GROUP BY department_id",
            [now],
        )
        counts = {department: n for department, n in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {stage}")
    return counts


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


@transaction.atomic
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
    (_push_frame), written by COPY on PostgreSQL (executemany elsewhere), and
    each referral's push event by INSERT … SELECT — no Python object per row.
    `limit_per_department` caps what each department receives for the quarter
    (counting what it already received): the households with the highest
    latest difficulty index first.
    """
    from jiuzhu.policies.matching import match_region

    year, q = quarter_parse(quarter)
    quarter = f"{year}Q{q}"
    match = match if match is not None else match_region(region)
    now = timezone.now()
    rows = _push_frame(match, quarter=quarter, now=now, limit_per_department=limit_per_department)
    return _push_write(rows, quarter=quarter, now=now)
