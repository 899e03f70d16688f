"""Spreadsheet ledgers (台账): the import template, reading and validating an
uploaded .xlsx, committing its good households, and the registry export.

Two sheets carry the data: 「家庭」 (one row per household) and 「成员」 (one row
per member), linked by a sheet-local 户序号. Headers are the fields' Chinese
labels, so a ledger built from the template can be read back by header name in
any column order. Every row is validated by the same forms as the home-visit
page (labels are first mapped to codes), so a spreadsheet can never store
anything the page would refuse.

Reading uses python-calamine (fast, ignores styles); writing uses openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import secrets
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import python_calamine
from django.conf import settings
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jiuzhu.accounts.models import AccessAction, AccessLog
from jiuzhu.core import idnumber
from jiuzhu.core.idnumber import check_char
from jiuzhu.regions.models import Level, Region

from . import choices as c
from . import selectors, services
from .forms import HOUSEHOLD_FIELDS, MEMBER_FIELDS, HouseholdForm, MemberForm, members_cross_check
from .models import Household, Member

SHEET_HOUSEHOLDS = "家庭"
SHEET_MEMBERS = "成员"
SHEET_HELP = "填写说明"
SHEET_REGIONS = "区划代码"
SHEET_OPTIONS = "选项"
KEY = "key"
KEY_HEADER = "户序号"

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# One commit is one transaction inside one request: keep it to minutes, not hours.
MAX_HOUSEHOLD_ROWS = 5_000
MAX_MEMBER_ROWS = 30_000
UPLOAD_TTL_SECONDS = 24 * 3600
# A commit whose worker died leaves its claimed file behind; free it after this.
STALE_CLAIM_SECONDS = 3600
# Drop-downs and text formats cover this many rows of the blank template.
TEMPLATE_ROWS = {SHEET_HOUSEHOLDS: 2000, SHEET_MEMBERS: 8000}
MAX_REGION_ROWS = 20_000
EXPORT_CHUNK = 2000

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MULTI_CHOICES = {
    "assistance_received": c.Assistance.choices,
    "special_circumstances": c.Special.choices,
}
_SPLIT_MULTI = re.compile(r"[、,,;;\s]+")
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", ""}


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (type, sheets, columns); nothing is written."""


class UploadNotFound(Exception):
    """No upload with this token for this user (also when it belongs to someone else)."""


# ---------------------------------------------------------------------------
# Columns


@dataclass(frozen=True)
class Column:
    name: str  # form field name, or KEY
    header: str
    kind: str  # key, text, region, id, bool, choice, multi, decimal, int, date
    choices: tuple[tuple[Any, str], ...] = ()
    required: bool = False
    default: Any = None
    note: str = ""

    def labels(self) -> list[str]:
        return [str(label) for _, label in self.choices]


def _kind_of(model_field: models.Field, name: str) -> str:
    if name in _MULTI_CHOICES:
        return "multi"
    if isinstance(model_field, models.BooleanField):
        return "bool"
    if model_field.choices:
        return "choice"
    if isinstance(model_field, models.DecimalField):
        return "decimal"
    if isinstance(model_field, models.IntegerField):
        return "int"
    if isinstance(model_field, models.DateField):
        return "date"
    return "text"


def _model_column(model: type[models.Model], name: str, **overrides: Any) -> Column:
    f = model._meta.get_field(name)
    kind = _kind_of(f, name)
    choices: tuple = ()
    if kind == "multi":
        choices = tuple(_MULTI_CHOICES[name])
    elif kind == "choice":
        choices = tuple(f.choices)
    default = f.get_default() if f.has_default() else None
    values = {"name": name, "header": str(f.verbose_name), "kind": kind, "choices": choices}
    values["default"] = default
    values.update(overrides)
    return Column(**values)


_NOTES = {
    "key": "本文件内的家庭序号(如 1、2、3),每户一个,不可重复;「成员」表用它把成员对应到家庭",
    "region": "12位统计用区划代码,必须在您的管辖范围内,见「区划代码」表",
    "group": "14位组代码(村代码加2位组号),可不填,见「区划代码」表",
    "id": "18位公民身份号码(旧15位号码自动升为18位);请保持本列为“文本”格式,否则 Excel 会改写末几位",
    "bool": "填“是”或“否”,不填视为“否”",
    "decimal": "数字,单位见列名,不填视为0",
    "int": "整数,不填视为0",
    "date": "日期,如 2024-05-01,可不填",
    "text": "文字,可不填",
}


def _with_note(col: Column) -> Column:
    if col.kind == "choice":
        note = "从下拉列表选择,可填:" + "、".join(col.labels())
        if col.default is not None:
            note += f";不填视为“{dict(col.choices).get(col.default, col.default)}”"
    elif col.kind == "multi":
        note = "可多选,用“、”或“,”分隔,不填视为无。可填:" + "、".join(col.labels())
    elif col.name == "group":
        note = _NOTES["group"]
    else:
        note = _NOTES.get(col.kind, "")
    if col.required:
        note = "必填。" + note
    return Column(**{**col.__dict__, "note": note})


def household_columns() -> list[Column]:
    cols = [
        Column(KEY, KEY_HEADER, "key", required=True),
        _model_column(Household, "village", header="所属村(居)代码", kind="region", required=True),
        _model_column(Household, "group", header="所属组代码", kind="region"),
    ]
    # The source of an imported household is always 台账导入, so it has no column.
    cols += [
        _model_column(Household, name)
        for name in HOUSEHOLD_FIELDS
        if name not in ("village", "group", "source")
    ]
    return [_with_note(col) for col in cols]


# Yes/no member columns read as a question in a ledger (the field's label elsewhere).
_MEMBER_HEADERS = {"veteran": {"header": "是否退役军人"}}


def member_columns() -> list[Column]:
    cols = [
        Column(KEY, KEY_HEADER, "key", required=True),
        _model_column(Member, "relation", required=True),
        _model_column(Member, "name", required=True),
        Column("id_number", "身份证号", "id", required=True),
    ]
    cols += [
        _model_column(Member, name, **_MEMBER_HEADERS.get(name, {}))
        for name in MEMBER_FIELDS
        if name not in ("relation", "name")
    ]
    return [_with_note(col) for col in cols]


# ---------------------------------------------------------------------------
# Cell values → form data


class _Bad(Exception):
    """A cell that cannot be turned into form data; the message says why."""


def _norm(text: str) -> str:
    """Compare labels and headers the way a clerk sees them: full-width and
    half-width forms alike, spaces and required-field stars ignored."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s*]+", "", text).lower()


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(round(raw, 6))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).replace("\u3000", " ").replace("\xa0", " ").strip()


_choice_maps: dict[tuple, dict[str, Any]] = {}


def _choice_map(col: Column) -> dict[str, Any]:
    found = _choice_maps.get(col.choices)
    if found is None:
        found = {}
        for value, label in col.choices:
            found[_norm(str(value))] = value
            found[_norm(str(label))] = value
            if isinstance(value, int) and value:
                found[f"{value}级"] = value
        _choice_maps[col.choices] = found
    return found


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _date(raw: Any) -> Any:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 20_000 < raw < 80_000:
        # A date typed into a cell formatted as a number: Excel's day serial.
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(raw))
    text = _text(raw)
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return text  # the form says it is not a date


def _convert(col: Column, raw: Any) -> Any:
    """Turn one cell into the value the form expects, mapping labels to codes."""
    if col.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = _norm(_text(raw))
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _Bad(f"“{_text(raw)}”无法识别,请填“是”或“否”")
    if col.kind == "choice":
        text = _text(raw)
        if not text:
            return col.default
        value = _choice_map(col).get(_norm(text))
        if value is None:
            raise _Bad(f"“{text}”不是可选项,可填:{'、'.join(col.labels())}")
        return value
    if col.kind == "multi":
        parts = [p for p in _SPLIT_MULTI.split(_text(raw)) if p]
        mapping = _choice_map(col)
        unknown = [p for p in parts if _norm(p) not in mapping]
        if unknown:
            raise _Bad(f"“{'、'.join(unknown)}”不是可选项,可填:{'、'.join(col.labels())}")
        return list(dict.fromkeys(mapping[_norm(p)] for p in parts))
    if col.kind in ("decimal", "int"):
        if isinstance(raw, bool):
            raise _Bad("应填数字")
        text = _text(raw).replace(",", "").replace(",", "")
        return text if text else str(col.default if col.default is not None else "")
    if col.kind == "date":
        return _date(raw)
    return _text(raw)


# ---------------------------------------------------------------------------
# Reading a workbook


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    index: dict[str, int]  # column name → position in a row
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cells)

    def value(self, cells: list[Any], name: str) -> Any:
        i = self.index.get(name)
        return cells[i] if i is not None and i < len(cells) else ""


def _open(source: Path | bytes | IO[bytes]) -> python_calamine.CalamineWorkbook:
    if isinstance(source, (bytes, bytearray)):
        head = bytes(source[:8])
        source = io.BytesIO(source)
    elif isinstance(source, Path):
        with source.open("rb") as fh:
            head = fh.read(8)
    else:
        head = source.read(8)
        source.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            "这是旧版 Excel(.xls)文件,请在 Excel 中“另存为”“Excel 工作簿(*.xlsx)”后再上传。"
        )
    if not head.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(
            "无法识别的文件类型:请上传 Excel 工作簿(.xlsx)文件,可先在本页下载导入模板。"
        )
    try:
        return python_calamine.load_workbook(source)
    except Exception as exc:  # calamine raises several unrelated types for bad files
        raise SpreadsheetError(
            "文件已损坏或不是 Excel 工作簿(.xlsx),请用 Excel 或 WPS 打开检查后重新保存再上传。"
        ) from exc


def _read_sheet(book, name: str, columns: list[Column], limit: int) -> Sheet:
    names = {n.strip(): n for n in book.sheet_names}
    rows = book.get_sheet_by_name(names[name]).to_python(skip_empty_area=False)
    wanted = {_norm(col.header): col for col in columns}
    wanted.update({_norm(col.name): col for col in columns if col.name != KEY})
    header_at = None
    # A ledger often has a title line above the header: look a few rows down.
    for i, cells in enumerate(rows[:10]):
        if any(_norm(_text(v)) == _norm(KEY_HEADER) for v in cells):
            header_at = i
            break
    if header_at is None:
        raise SpreadsheetError(
            f"「{name}」表找不到表头行(应有一行以“{KEY_HEADER}”等列名作表头),请使用导入模板。"
        )
    index: dict[str, int] = {}
    for pos, value in enumerate(rows[header_at]):
        col = wanted.get(_norm(_text(value)))
        if col is not None and col.name not in index:
            index[col.name] = pos
    missing = [col.header for col in columns if col.name not in index]
    if missing:
        raise SpreadsheetError(
            f"「{name}」表缺少以下列:{'、'.join(missing)}。请使用最新的导入模板,不要删除或改写列名。"
        )
    positions = list(index.values())
    data: list[tuple[int, list[Any]]] = []
    for i in range(header_at + 1, len(rows)):
        cells = rows[i]
        if all(_text(cells[p]) == "" for p in positions if p < len(cells)):
            continue
        data.append((i + 1, cells))
        if len(data) > limit:
            raise SpreadsheetError(f"「{name}」表超过 {limit} 行,请拆分为多个文件分批导入。")
    return Sheet(name, columns, index, data)


def read_workbook(*, source: Path | bytes | IO[bytes]) -> tuple[Sheet, Sheet]:
    """Open an .xlsx and return its 家庭 and 成员 sheets; raise SpreadsheetError."""
    book = _open(source)
    try:
        present = {n.strip() for n in book.sheet_names}
        missing = [n for n in (SHEET_HOUSEHOLDS, SHEET_MEMBERS) if n not in present]
        if missing:
            raise SpreadsheetError(
                f"文件缺少工作表「{'」「'.join(missing)}」。导入文件需要「{SHEET_HOUSEHOLDS}」和"
                f"「{SHEET_MEMBERS}」两张工作表,请使用导入模板。"
            )
        households = _read_sheet(book, SHEET_HOUSEHOLDS, household_columns(), MAX_HOUSEHOLD_ROWS)
        members = _read_sheet(book, SHEET_MEMBERS, member_columns(), MAX_MEMBER_ROWS)
    finally:
        book.close()
    if not households.rows:
        raise SpreadsheetError(f"「{SHEET_HOUSEHOLDS}」表没有填写任何家庭。")
    return households, members


# ---------------------------------------------------------------------------
# Validation report


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str
    key: str = ""

    @property
    def where(self) -> str:
        return f"{self.sheet} 第{self.row}行" if self.row else self.sheet

    @property
    def text(self) -> str:
        """One line a clerk can act on, e.g. '成员 第7行 身份证号:身份证号无效:…'."""
        if self.column:
            return f"{self.where} {self.column}:{self.message}"
        return f"{self.where} {self.message}"

    def __str__(self) -> str:
        return self.text


@dataclass
class MemberRow:
    row: int
    key: str
    name: str
    relation: Any
    id_number: str  # normalised, only when valid
    cleaned: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class HouseholdRow:
    row: int
    key: str
    village: str
    cleaned: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.cleaned is not None
            and not self.problems
            and bool(self.members)
            and all(m.cleaned is not None and not m.problems for m in self.members)
        )

    @property
    def head_name(self) -> str:
        heads = [m.name for m in self.members if m.relation == c.Relation.HEAD]
        return heads[0] if heads else ""

    def all_problems(self) -> list[Problem]:
        return self.problems + [p for m in self.members for p in m.problems]


@dataclass
class Report:
    households: list[HouseholdRow]
    orphans: list[Problem]  # member rows that belong to no household of the file

    @property
    def good(self) -> list[HouseholdRow]:
        return [h for h in self.households if h.ok]

    @property
    def bad(self) -> list[HouseholdRow]:
        return [h for h in self.households if not h.ok]

    @property
    def member_count(self) -> int:
        return sum(len(h.members) for h in self.good)

    def problems(self) -> list[Problem]:
        found = [p for h in self.households for p in h.all_problems()] + self.orphans
        # A member row under a duplicated 户序号 hangs under both households.
        found = list({id(p): p for p in found}.values())
        order = {SHEET_HOUSEHOLDS: 0, SHEET_MEMBERS: 1}
        return sorted(found, key=lambda p: (order.get(p.sheet, 2), p.row or 0))


def _form_problems(
    form, *, sheet: Sheet, row: int, key: str, skip: set[str], extra: dict[str, str]
) -> list[Problem]:
    headers = {col.name: col.header for col in sheet.columns}
    problems = []
    for name, messages in form.errors.items():
        if name in skip:
            continue
        message = ";".join(messages)
        if name in extra:
            message += extra[name]
        column = headers.get(name) or (
            str(form.fields[name].label) if name in form.fields else "整体"
        )
        problems.append(Problem(sheet.name, row, column, message, key))
    return problems


def _row_data(sheet: Sheet, cells: list[Any], row: int, key: str):
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for col in sheet.columns:
        if col.name == KEY:
            continue
        try:
            data[col.name] = _convert(col, sheet.value(cells, col.name))
        except _Bad as exc:
            problems.append(Problem(sheet.name, row, col.header, str(exc), key))
    return data, problems


def _key(sheet: Sheet, cells: list[Any]) -> str:
    return _text(sheet.value(cells, KEY))


def validate(*, source: Path | bytes | IO[bytes], user) -> Report:
    """Validate every row of an uploaded ledger; write nothing.

    Raises SpreadsheetError when the file as a whole is unusable."""
    hh_sheet, m_sheet = read_workbook(source=source)
    villages = selectors.village_choices(user=user)
    households: list[HouseholdRow] = []
    by_key: dict[str, list[HouseholdRow]] = defaultdict(list)

    for row, cells in hh_sheet.rows:
        key = _key(hh_sheet, cells)
        data, problems = _row_data(hh_sheet, cells, row, key)
        data["source"] = c.Source.IMPORT
        form = HouseholdForm(data=data, village_choices=villages)
        valid = form.is_valid()
        problems += _form_problems(
            form, sheet=hh_sheet, row=row, key=key, skip=_names_of(hh_sheet, problems), extra={}
        )
        if not key:
            problems.insert(0, Problem(hh_sheet.name, row, KEY_HEADER, "不能为空", key))
        cleaned = form.cleaned_data if valid and not problems else None
        household = HouseholdRow(row, key, _text(data.get("village")), cleaned, problems)
        households.append(household)
        if key:
            by_key[key].append(household)

    for key, rows in by_key.items():
        if len(rows) > 1:
            numbers = "、".join(str(h.row) for h in rows)
            for h in rows:
                h.problems.append(
                    Problem(
                        hh_sheet.name, h.row, KEY_HEADER,
                        f"户序号“{key}”在第{numbers}行重复,无法确定成员属于哪一户", key,
                    )
                )  # fmt: skip

    orphans: list[Problem] = []
    seen_ids: dict[str, list[MemberRow]] = defaultdict(list)
    for row, cells in m_sheet.rows:
        key = _key(m_sheet, cells)
        data, problems = _row_data(m_sheet, cells, row, key)
        hints = {}
        raw_id = m_sheet.value(cells, "id_number")
        if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
            hints["id_number"] = (
                "(该单元格是数字格式,Excel 只保留15位有效数字,末几位可能已被改写;"
                "请把本列设为“文本”格式后重新录入)"
            )
        form = MemberForm(data=data, instance=Member())
        valid = form.is_valid()
        problems += _form_problems(
            form,
            sheet=m_sheet,
            row=row,
            key=key,
            skip=_names_of(m_sheet, problems),
            extra=hints,
        )
        cleaned = None
        number = ""
        if valid and not problems:
            cleaned = {name: form.cleaned_data[name] for name in MEMBER_FIELDS}
            cleaned["id_number"] = number = form.cleaned_data.get("id_number", "")
        elif "id_number" in form.cleaned_data:
            number = form.cleaned_data["id_number"]
        member = MemberRow(
            row, key, _text(data.get("name")), data.get("relation"), number, cleaned, problems
        )
        if number:
            seen_ids[number].append(member)
        owners = by_key.get(key) if key else None
        if not key:
            problems.insert(0, Problem(m_sheet.name, row, KEY_HEADER, "不能为空", key))
            orphans.extend(problems)
        elif not owners:
            problems.insert(
                0,
                Problem(
                    m_sheet.name, row, KEY_HEADER,
                    f"「{SHEET_HOUSEHOLDS}」表中没有户序号为“{key}”的家庭", key,
                ),
            )  # fmt: skip
            orphans.extend(problems)
        else:
            for owner in owners:
                owner.members.append(member)

    # One person, one file: the same number twice in the file spoils every
    # household it appears in (the clerk must decide which one is right).
    for number, rows in seen_ids.items():
        keys = {m.key for m in rows}
        if len(rows) > 1 and len(keys) > 1:
            for m in rows:
                others = "、".join(str(o.row) for o in rows if o is not m)
                m.problems.append(
                    Problem(
                        m_sheet.name, m.row, "身份证号",
                        f"{idnumber.mask(number)} 与本表第{others}行重复,同一人只能登记在一户中",
                        m.key,
                    )
                )  # fmt: skip

    for h in households:
        if not h.members:
            h.problems.append(
                Problem(
                    hh_sheet.name, h.row, KEY_HEADER,
                    f"该户在「{SHEET_MEMBERS}」表中没有成员(户序号“{h.key}”)", h.key,
                )
            )  # fmt: skip
            continue
        summary = [{"relation": m.relation, "id_number": m.id_number} for m in h.members]
        rows_text = "、".join(str(m.row) for m in h.members)
        for problem in members_cross_check(summary):
            column, _, message = problem.partition(":")
            h.problems.append(
                Problem(
                    hh_sheet.name, h.row, column,
                    f"{message}(见「{SHEET_MEMBERS}」表第{rows_text}行)", h.key,
                )
            )  # fmt: skip
    return Report(households, orphans)


def _names_of(sheet: Sheet, problems: list[Problem]) -> set[str]:
    by_header = {col.header: col.name for col in sheet.columns}
    return {by_header[p.column] for p in problems if p.column in by_header}


# ---------------------------------------------------------------------------
# Commit


@dataclass
class ImportResult:
    imported: list[dict[str, Any]]
    members: int
    skipped: int
    problems: list[str]


def import_commit(*, actor, report: Report, token: str = "", filename: str = "") -> ImportResult:
    """Write every good household of a validated report in one transaction.

    A household with any bad row is skipped whole; the access log records the
    counts. Any database error rolls the whole import back."""
    imported = []
    members = 0
    with transaction.atomic():
        for h in report.good:
            household = services.household_create(
                actor=actor,
                fields=h.cleaned,
                members=[m.cleaned for m in h.members],
            )
            members += len(h.members)
            imported.append(
                {
                    "id": household.pk,
                    "number": household.number,
                    "head_name": household.head_name,
                    "member_count": household.member_count,
                    "key": h.key,
                }
            )
        skipped = len(report.bad)
        AccessLog.objects.create(
            user=actor,
            action=AccessAction.IMPORT,
            object_type="import",
            object_id=token[:64],
            detail=f"{filename}:导入{len(imported)}户{members}人,跳过{skipped}户(有错误)"[-255:],
        )
    return ImportResult(imported, members, skipped, [p.text for p in report.problems()])


# ---------------------------------------------------------------------------
# Uploaded files kept server-side between preview and commit


@dataclass
class Upload:
    token: str
    path: Path
    meta: dict[str, Any]

    @property
    def committed(self) -> bool:
        return self.meta.get("status") == "committed"


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def _upload_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _purge_old(folder: Path) -> None:
    # Uploaded ledgers hold personal data: keep them no longer than a day.
    limit = time.time() - UPLOAD_TTL_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            continue


def upload_save(*, data: bytes, user, filename: str) -> Upload:
    folder = _upload_dir()
    _purge_old(folder)
    token = secrets.token_urlsafe(32)
    path = folder / f"{token}.xlsx"
    # Personal data: readable by the service account only, from the first byte.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
        fh.write(data)
    meta = {
        "user_id": user.pk,
        "filename": Path(filename).name[:128],
        "uploaded_at": timezone.now().isoformat(),
        "status": "uploaded",
    }
    _write_meta(folder / f"{token}.json", meta)
    return Upload(token, path, meta)


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False))
    tmp.chmod(0o600)
    tmp.replace(path)


def upload_get(*, token: str, user) -> Upload:
    """The user's own upload; someone else's looks exactly like a missing one."""
    if not _TOKEN.match(token or ""):
        raise UploadNotFound
    folder = _upload_dir()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
    except (FileNotFoundError, ValueError):
        raise UploadNotFound from None
    if meta.get("user_id") != user.pk:
        raise UploadNotFound
    return Upload(token, folder / f"{token}.xlsx", meta)


def upload_claim(*, upload: Upload) -> Path:
    """Move the file aside so that a second commit of the same upload finds
    nothing (rename is atomic); raise UploadNotFound if already claimed."""
    claimed = upload.path.with_suffix(".committing")
    try:
        upload.path.rename(claimed)
    except FileNotFoundError:
        raise UploadNotFound from None
    return claimed


def upload_in_progress(*, upload: Upload) -> bool:
    """True while a commit of this upload runs (its file is claimed)."""
    if upload.path.exists():
        return False
    claimed = upload.path.with_suffix(".committing")
    try:
        claimed_at = claimed.stat().st_ctime  # rename sets ctime, not mtime
    except FileNotFoundError:
        return False
    if time.time() - claimed_at > STALE_CLAIM_SECONDS:
        # The transaction of a dead worker was rolled back: the file can be retried.
        claimed.rename(upload.path)
        return False
    return True


def upload_release(*, upload: Upload, claimed: Path) -> None:
    claimed.rename(upload.path)


def upload_finish(*, upload: Upload, claimed: Path, result: ImportResult) -> None:
    upload.meta.update(
        status="committed",
        committed_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        imported=result.imported,
        members=result.members,
        skipped=result.skipped,
        problems=result.problems[:500],
        problem_total=len(result.problems),
    )
    _write_meta(upload.path.with_suffix(".json"), upload.meta)
    claimed.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# Writing: template and export

_HEAD_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="B42318")
_HEAD_FILL = PatternFill("solid", fgColor="FDE7E4")
_TEXT_KINDS = {"key", "region", "id", "text"}


_WIDTHS = {"id": 22.0, "region": 18.0, "multi": 30.0}


def _width(col: Column) -> float:
    return _WIDTHS.get(col.kind) or max(8.0, min(30.0, len(col.header) * 2.2 + 2))


def _export_value(col: Column, value: Any) -> Any:
    # None leaves the cell out entirely: smaller files, faster writing.
    if value is None or value == "":
        return None
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "choice":
        return str(dict(col.choices).get(value, value))
    if col.kind == "multi":
        labels = dict(col.choices)
        return "、".join(str(labels.get(v, v)) for v in value) or None
    return value


def _synthetic_id(*, birth: dt.date, sex: str, address: str) -> str:
    """A valid-looking but invented number (the sequence is random)."""
    seq = secrets.randbelow(500) * 2 + (1 if sex == "M" else 0)
    first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def _example(user) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    village = selectors.village_choices(user=user).first()
    group = (
        Region.objects.filter(parent=village, level=Level.GROUP).order_by("code").first()
        if village
        else None
    )
    address = village.code[:6] if village else "530128"
    household = {
        KEY: "1",
        "village": village.code if village else "(填写12位村(居)代码)",
        "group": group.code if group else "",
        "address": f"{village.name if village else ''}示例组1号(示例数据,请删除)",
        "phone": "",
        "tag_dibao": True,
        "tag_rigid_expense": True,
        "business_income": Decimal("2000"),
        "subsidy_income": Decimal("1200"),
        "land_planted_mu": Decimal("3.5"),
        "livestock_sheds": 1,
        "livestock_kind": c.Livestock.PIG,
        "livestock_count": 2,
        "deposits": Decimal("4500"),
        "vehicles": 0,
        "serious_illness_expense": Decimal("8500"),
        "daily_medical_expense": Decimal("1500"),
        "housing_safety": c.HousingSafety.DAMAGED,
        "assistance_received": [c.Assistance.DIBAO, c.Assistance.MEDICAL],
        "special_circumstances": [c.Special.DEBT],
        "surveyed_on": timezone.localdate(),
    }
    today = timezone.localdate()
    members = [
        {
            KEY: "1",
            "relation": c.Relation.HEAD,
            "name": "示例户主",
            "id_number": _synthetic_id(
                birth=dt.date(today.year - 56, 3, 12), sex="M", address=address
            ),
            "occupation": c.Occupation.FARMER,
            "labour_ability": c.LabourAbility.WEAK,
            "wage_income": Decimal("3000"),
            "health_status": c.HealthStatus.CHRONIC,
            "disease": c.Disease.HYPERTENSION,
            "veteran": True,
        },
        {
            KEY: "1",
            "relation": c.Relation.SPOUSE,
            "name": "示例配偶",
            "id_number": _synthetic_id(
                birth=dt.date(today.year - 53, 8, 2), sex="F", address=address
            ),
            "occupation": c.Occupation.INCAPABLE,
            "labour_ability": c.LabourAbility.LOST,
            "health_status": c.HealthStatus.SERIOUS,
            "disease": c.Disease.KIDNEY,
            "self_care": c.SelfCare.PARTIAL,
            "dibao_status": c.DibaoStatus.INDIVIDUAL,
            "disability_type": c.DisabilityType.PHYSICAL,
            "disability_grade": 2,
            "disability_subsidy": c.DisabilitySubsidy.LIVING,
        },
        {
            KEY: "1",
            "relation": c.Relation.CHILD,
            "name": "示例子女",
            "id_number": _synthetic_id(
                birth=dt.date(today.year - 16, 11, 20), sex="F", address=address
            ),
            "occupation": c.Occupation.STUDENT,
            "labour_ability": c.LabourAbility.NONE,
            "school_stage": c.SchoolStage.SENIOR,
            "education_expense": Decimal("3200"),
        },
    ]
    return household, members


def _template_sheet(wb: Workbook, ws, columns: list[Column], options: dict[str, str]) -> None:
    rows = TEMPLATE_ROWS[ws.title]
    ws.freeze_panes = "B2"
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font = _REQUIRED_FONT if col.required else _HEAD_FONT
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = Comment(col.note, "模板", height=150, width=320) if col.note else None
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _width(col)
        if col.kind in _TEXT_KINDS:
            # Without text format Excel turns an 18-digit ID into 5.30128E+17.
            ws.column_dimensions[letter].number_format = "@"
        area = f"{letter}2:{letter}{rows}"
        if col.kind == "bool":
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        elif col.kind == "choice":
            dv = DataValidation(type="list", formula1=options[col.header], allow_blank=True)
        elif col.kind == "multi":
            dv = DataValidation(allow_blank=True)
        else:
            continue
        # A warning, not a stop: codes and several labels are accepted too.
        dv.errorStyle = "warning"
        dv.showErrorMessage = col.kind != "multi"
        dv.errorTitle = "不在下拉列表中"
        dv.error = "请从下拉列表中选择;如确认无误可点“是”继续。"
        dv.promptTitle = col.header[:32]
        dv.prompt = col.note[:255]
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(area)
    ws.row_dimensions[1].height = 36


def _template_row(ws, columns: list[Column], values: dict[str, Any], row: int) -> None:
    for i, col in enumerate(columns, start=1):
        value = values.get(col.name, col.default if col.kind != "text" else "")
        if col.kind == "date" and value is not None and value != "":
            cell = ws.cell(row=row, column=i, value=value)
            cell.number_format = "yyyy-mm-dd"
            continue
        cell = ws.cell(row=row, column=i, value=_export_value(col, value))
        if col.kind in _TEXT_KINDS:
            cell.number_format = "@"


def build_template(*, user, out: IO[bytes]) -> None:
    """Write the import template: data sheets with one synthetic example
    household, the filling instructions, the user's region codes, drop-down lists."""
    hh_cols, m_cols = household_columns(), member_columns()
    wb = Workbook()
    ws_h = wb.active
    ws_h.title = SHEET_HOUSEHOLDS
    ws_m = wb.create_sheet(SHEET_MEMBERS)
    ws_help = wb.create_sheet(SHEET_HELP)
    ws_regions = wb.create_sheet(SHEET_REGIONS)
    ws_opt = wb.create_sheet(SHEET_OPTIONS)

    options: dict[str, str] = {}
    listed = [col for col in hh_cols + m_cols if col.kind == "choice"]
    for i, col in enumerate(listed, start=1):
        letter = get_column_letter(i)
        ws_opt.cell(row=1, column=i, value=col.header)
        for j, label in enumerate(col.labels(), start=2):
            ws_opt.cell(row=j, column=i, value=label)
        options[col.header] = f"'{SHEET_OPTIONS}'!${letter}$2:${letter}${len(col.choices) + 1}"
    ws_opt.sheet_state = "hidden"

    _template_sheet(wb, ws_h, hh_cols, options)
    _template_sheet(wb, ws_m, m_cols, options)
    example_h, example_m = _example(user)
    _template_row(ws_h, hh_cols, example_h, 2)
    for n, member in enumerate(example_m, start=2):
        _template_row(ws_m, m_cols, member, n)

    ws_help.column_dimensions["A"].width = 10
    ws_help.column_dimensions["B"].width = 28
    ws_help.column_dimensions["C"].width = 8
    ws_help.column_dimensions["D"].width = 90
    lines = [
        "家庭档案导入模板 填写说明",
        f"1. 「{SHEET_HOUSEHOLDS}」表每行一户;「{SHEET_MEMBERS}」表每行一人,用“户序号”对应到所属家庭。每户必须有且只有一名户主。",
        "2. 第2行起为一户示例(示例姓名和身份证号均为虚构),请删除示例后再填写本村(居)的家庭。",
        "3. 不要修改、删除第1行的列名;列的先后顺序可以调整。红色列名为必填项。",
        "4. 有下拉列表的列请从列表中选择(也可填写代码);多选列用“、”或“,”分隔多个选项。",
        "5. 身份证号、区划代码、电话请保持“文本”格式,避免 Excel 把长数字改成科学计数法。",
        "6. 上传后系统先逐行检查并显示结果,确认后才写入;有错误的家庭整户跳过,改正后可再次导入。",
        f"7. 一次最多导入 {MAX_HOUSEHOLD_ROWS} 户;同一身份证号在全县只能登记在一户中。",
        "",
    ]
    for line in lines:
        ws_help.append([line])
    ws_help["A1"].font = Font(bold=True, size=14)
    header = ["工作表", "列名", "必填", "填写要求"]
    ws_help.append(header)
    for cell in ws_help[ws_help.max_row]:
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
    for sheet_name, cols in ((SHEET_HOUSEHOLDS, hh_cols), (SHEET_MEMBERS, m_cols)):
        for col in cols:
            ws_help.append([sheet_name, col.header, "是" if col.required else "", col.note])
            ws_help.cell(row=ws_help.max_row, column=4).alignment = Alignment(wrap_text=True)

    ws_regions.append(["代码", "名称", "层级", "所属上级"])
    for cell in ws_regions[1]:
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
    ws_regions.column_dimensions["A"].width = 18
    ws_regions.column_dimensions["B"].width = 20
    ws_regions.column_dimensions["D"].width = 24
    regions = (
        selectors.region_scope(user=user)
        .filter(level__in=[Level.VILLAGE, Level.GROUP])
        .select_related("parent")
        .order_by("code")[: MAX_REGION_ROWS + 1]
    )
    for n, region in enumerate(regions):
        if n == MAX_REGION_ROWS:
            ws_regions.append(["……", f"区划较多,仅列出前 {MAX_REGION_ROWS} 个"])
            break
        ws_regions.append(
            [region.code, region.name, region.get_level_display(), str(region.parent or "")]
        )
        ws_regions.cell(row=ws_regions.max_row, column=1).number_format = "@"
    wb.save(out)


def _head_cells(ws, columns: Iterable[str]) -> list[WriteOnlyCell]:
    cells = []
    for header in columns:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
        cells.append(cell)
    return cells


EXPORT_HOUSEHOLD_EXTRA = [
    "所属乡镇(街道)",
    "所属村(居)名称",
    "户主姓名",
    "家庭人口",
    "发现渠道",
    "更新时间",
]
EXPORT_MEMBER_EXTRA = ["性别", "出生日期", "年龄"]


@dataclass
class ExportResult:
    households: int
    members: int


def export_ledger(
    *, households: QuerySet[Household], out: IO[bytes], note: str = ""
) -> ExportResult:
    """Write the 一户一档 ledger of the given (already scoped) households in the
    template's two-sheet layout, ID numbers masked. Memory stays flat: openpyxl
    write-only mode and a chunked iterator with members prefetched per chunk."""
    hh_cols, m_cols = household_columns(), member_columns()
    wb = Workbook(write_only=True)
    ws_h = wb.create_sheet(SHEET_HOUSEHOLDS)
    ws_m = wb.create_sheet(SHEET_MEMBERS)
    ws_info = wb.create_sheet("说明")
    for ws in (ws_h, ws_m):
        ws.freeze_panes = "B2"
    for i, col in enumerate(hh_cols, start=1):
        ws_h.column_dimensions[get_column_letter(i)].width = _width(col)
    for i, col in enumerate(m_cols, start=1):
        ws_m.column_dimensions[get_column_letter(i)].width = _width(col)
    ws_h.append(_head_cells(ws_h, [col.header for col in hh_cols] + EXPORT_HOUSEHOLD_EXTRA))
    ws_m.append(_head_cells(ws_m, [col.header for col in m_cols] + EXPORT_MEMBER_EXTRA))

    sources = dict(c.Source.choices)
    sexes = dict(c.Sex.choices)
    today = timezone.localdate()
    members_qs = Member.objects.defer("id_cipher", "id_hash").order_by("id")
    qs = (
        households.select_related("village", "village__parent", "group")
        .prefetch_related(Prefetch("members", queryset=members_qs))
        .order_by("village_id", "number")
    )
    n_households = n_members = 0
    for h in qs.iterator(chunk_size=EXPORT_CHUNK):
        n_households += 1
        row = []
        for col in hh_cols:
            if col.name == KEY:
                row.append(h.number)
            elif col.name in ("village", "group"):
                row.append(getattr(h, f"{col.name}_id") or "")
            else:
                row.append(_export_value(col, getattr(h, col.name)))
        row += [
            h.village.parent.name if h.village.parent else "",
            h.village.name,
            h.head_name,
            h.member_count,
            sources.get(h.source, h.source),
            timezone.localtime(h.updated_at).replace(tzinfo=None, microsecond=0),
        ]
        ws_h.append(row)
        for m in h.members.all():
            n_members += 1
            mrow = []
            for col in m_cols:
                if col.name == KEY:
                    mrow.append(h.number)
                elif col.name == "id_number":
                    mrow.append(m.id_masked)
                else:
                    mrow.append(_export_value(col, getattr(m, col.name)))
            mrow += [
                sexes.get(m.sex, m.sex),
                m.birth_date,
                idnumber.age_on(m.birth_date, today),
            ]
            ws_m.append(mrow)
    ws_info.append(["家庭档案台账(一户一档)"])
    ws_info.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws_info.append(["家庭数", n_households])
    ws_info.append(["成员数", n_members])
    ws_info.append(
        ["说明", "身份证号已脱敏;户序号即户编号。本台账含个人信息,请妥善保管,不得外传。"]
    )
    if note:
        ws_info.append(["导出条件", note])
    wb.save(out)
    return ExportResult(n_households, n_members)
