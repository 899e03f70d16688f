"""The ledger's layout: its sheets, its columns (the fields' Chinese labels, kinds
and choices, with the filling notes the template shows) and its limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import models

from .. import choices as c
from ..forms import HOUSEHOLD_FIELDS, MEMBER_FIELDS
from ..models import Household, Member

SHEET_HOUSEHOLDS = "家庭"
SHEET_MEMBERS = "成员"
SHEET_HELP = "填写说明"
SHEET_REGIONS = "区划代码"
SHEET_OPTIONS = "选项"
KEY = "key"
KEY_HEADER = "户序号"

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A commit runs as a background job in batches; these keep one file to minutes.
MAX_HOUSEHOLD_ROWS = 5_000
MAX_MEMBER_ROWS = 30_000
# Uploads never confirmed hold ID numbers: housekeeping deletes them after this.
UPLOAD_TTL_SECONDS = 24 * 3600
# Households per transaction of a commit: SQLite has one writer, so other writes
# wait for one batch (well under a second), never for the whole file.
IMPORT_BATCH = 25
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
