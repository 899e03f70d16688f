"""The registry export: the 一户一档 ledger of a scoped set of households."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from jiuzhu.core import cells, idnumber

from .. import choices as c
from ..models import Household, Member
from .columns import (
    EXPORT_CHUNK,
    KEY,
    SHEET_HOUSEHOLDS,
    SHEET_MEMBERS,
    household_columns,
    member_columns,
)
from .writing import _HEAD_FILL, _HEAD_FONT, _export_value, _width


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
    *,
    households: QuerySet[Household],
    out: IO[bytes],
    note: str = "",
    progress: Callable[[int, int, str], None] | None = None,
) -> ExportResult:
    """Write the 一户一档 ledger of the given (already scoped) households in the
    template's two-sheet layout, ID numbers masked, every typed text through
    `jiuzhu.core.cells` (never a formula, never a character XML refuses). Memory stays
    flat: openpyxl write-only mode and a chunked iterator with members prefetched per
    chunk. `progress(done, total, message)` hears of each chunk."""
    total = households.count() if progress is not None else 0
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
        if progress is not None and n_households % EXPORT_CHUNK == 0:
            progress(n_households, total, f"正在写入第 {n_households + 1} 户,共 {total} 户")
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
        ws_h.append(cells.xlsx_row(ws_h, row))
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
            ws_m.append(cells.xlsx_row(ws_m, mrow))
    ws_info.append(["家庭档案台账(一户一档)"])
    ws_info.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws_info.append(["家庭数", n_households])
    ws_info.append(["成员数", n_members])
    ws_info.append(
        ["说明", "身份证号已脱敏;户序号即户编号。本台账含个人信息,请妥善保管,不得外传。"]
    )
    if note:
        ws_info.append(cells.xlsx_row(ws_info, ["导出条件", note]))
    wb.save(out)
    return ExportResult(n_households, n_members)
