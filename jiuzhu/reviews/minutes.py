"""The joint review's minutes (会议纪要) as a Word document (.docx, python-docx).

Civil-affairs offices file and print Word documents; the minutes carry the
meeting's particulars, every case on the agenda with its decision and reason,
the totals, the other matters agreed, and the publicity rule the decisions
are subject to.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .models import Decision, ReviewMeeting
from .selectors import AgendaRow

HEADERS = ("序号", "个案编号", "乡镇(街道)", "村(居)", "户主", "人口", "拟定帮扶措施",
           "会议决定", "理由或修改意见")  # fmt: skip
WIDTHS_CM = (1.0, 3.6, 2.4, 2.4, 1.8, 1.0, 6.4, 1.6, 5.0)


def _chinese_font(document, name: str = "宋体") -> None:
    # Word picks the East Asian face from w:eastAsia; python-docx's font.name sets only ASCII.
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[style_name]
        style.font.name = name
        rpr = style.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _measures_text(row: AgendaRow) -> str:
    if not row.measures:
        return "—"
    return ";".join(f"{m['name']}({m['department']})" for m in row.measures)


def minutes_docx(*, meeting: ReviewMeeting, rows: list[AgendaRow]) -> bytes:
    document = Document()
    _chinese_font(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{meeting.county.name}困难家庭救助帮扶综合评审联席会议纪要")
    run.bold = True
    run.font.size = Pt(18)
    sub = document.add_paragraph(f"({meeting.month:%Y年%m月})")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if meeting.is_draft:
        sub.add_run("  讨论稿,尚未形成纪要").bold = True

    departments = "、".join(d.name for d in meeting.departments.order_by("code"))
    facts = [
        ("会议时间", f"{meeting.held_on:%Y年%m月%d日}"),
        ("会议地点", meeting.place or "—"),
        ("主持人", meeting.chair),
        ("参会部门", departments or "—"),
        ("参会人员", meeting.attendees or "—"),
        ("记录人", meeting.recorder or "—"),
    ]
    for label, value in facts:
        p = document.add_paragraph()
        p.add_run(f"{label}:").bold = True
        p.add_run(value)

    counts = {d: sum(1 for r in rows if r.item.decision == d) for d in Decision.values}
    document.add_heading("一、审议个案", level=2)
    document.add_paragraph(
        f"会议逐户审议了各乡(镇、街道)上报的{len(rows)}户困难家庭救助帮扶需求:"
        f"同意{counts[Decision.APPROVE]}户,不同意{counts[Decision.REJECT]}户,"
        f"修改{counts[Decision.MODIFY]}户(退回乡镇修改帮扶方案)。"
    )
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for r in rows:
        values = (
            str(r.item.position), r.case.number, r.township, r.village, r.case.subject_name,
            str(r.people or "—"), _measures_text(r), r.item.get_decision_display() or "待定",
            r.item.reason or "—",
        )  # fmt: skip
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS_CM, strict=True):
            cell.width = Cm(width)
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)

    document.add_heading("二、其他议定事项", level=2)
    for line in (meeting.minutes or "无。").splitlines() or ["无。"]:
        document.add_paragraph(line)

    document.add_heading("三、公示与实施", level=2)
    document.add_paragraph(
        f"会议同意的个案,在户籍所在村(居)公示{settings.PUBLICITY_DAYS}天;"
        "公示期满无异议的,由各责任部门按帮扶方案落实救助帮扶措施;"
        "公示有异议的,县民政局复核后提交下次联席会议审议。"
    )
    if meeting.concluded_at:
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        signer = meeting.concluded_by
        who = (signer.display_name or signer.username) if signer else ""
        p.add_run(f"纪要形成:{timezone.localtime(meeting.concluded_at):%Y年%m月%d日} {who}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
