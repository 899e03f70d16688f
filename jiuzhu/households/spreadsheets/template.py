"""The import template: the data sheets with one synthetic example household,
the filling instructions, the user's region codes and the drop-down lists."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jiuzhu.accounts.scope import region_scope, village_choices
from jiuzhu.core import cells
from jiuzhu.core.idnumber import check_char
from jiuzhu.regions.models import Level, Region

from .. import choices as c
from .columns import (
    KEY,
    MAX_HOUSEHOLD_ROWS,
    MAX_REGION_ROWS,
    SHEET_HELP,
    SHEET_HOUSEHOLDS,
    SHEET_MEMBERS,
    SHEET_OPTIONS,
    SHEET_REGIONS,
    TEMPLATE_ROWS,
    Column,
    household_columns,
    member_columns,
)
from .writing import _HEAD_FILL, _HEAD_FONT, _REQUIRED_FONT, _TEXT_KINDS, _export_value, _width


def _synthetic_id(*, birth: dt.date, sex: str, address: str) -> str:
    """A valid-looking but invented number (the sequence is random)."""
    seq = secrets.randbelow(500) * 2 + (1 if sex == "M" else 0)
    first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def _example(user) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    village = village_choices(user=user).first()
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
        region_scope(user=user)
        .filter(level__in=[Level.VILLAGE, Level.GROUP])
        .select_related("parent")
        .order_by("code")[: MAX_REGION_ROWS + 1]
    )
    for n, region in enumerate(regions):
        if n == MAX_REGION_ROWS:
            ws_regions.append(["……", f"区划较多,仅列出前 {MAX_REGION_ROWS} 个"])
            break
        ws_regions.append(cells.xlsx_row(
            ws_regions,
            [region.code, region.name, region.get_level_display(), str(region.parent or "")],
        ))  # fmt: skip
        ws_regions.cell(row=ws_regions.max_row, column=1).number_format = "@"
    wb.save(out)
