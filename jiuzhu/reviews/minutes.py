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

from jiuzhu.core import cells

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


def _new_document(*, landscape: bool) -> Document:
    document = Document()
    _chinese_font(document)
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    return document


def _title(document, text: str) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(text)
    run.bold = True
    run.font.size = Pt(18)


def _table(document, headers, rows, widths_cm, *, size: int = 9) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            # Names and reasons were typed by people; XML cannot hold every character.
            cell.text = cells.xml_text(text)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(size)


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def minutes_docx(*, meeting: ReviewMeeting, rows: list[AgendaRow]) -> bytes:
    document = _new_document(landscape=True)
    _title(document, f"{meeting.county.name}困难家庭救助帮扶综合评审联席会议纪要")
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
        p.add_run(cells.xml_text(value))

    counts = {d: sum(1 for r in rows if r.item.decision == d) for d in Decision.values}
    document.add_heading("一、审议个案", level=2)
    document.add_paragraph(
        f"会议逐户审议了各乡(镇、街道)上报的{len(rows)}户困难家庭救助帮扶需求:"
        f"同意{counts[Decision.APPROVE]}户,不同意{counts[Decision.REJECT]}户,"
        f"修改{counts[Decision.MODIFY]}户(退回乡镇修改帮扶方案)。"
    )
    _table(document, HEADERS, [
        (str(r.item.position), r.case.number, r.township, r.village, r.case.subject_name,
         str(r.people or "—"), _measures_text(r), r.item.get_decision_display() or "待定",
         r.item.reason or "—")
        for r in rows
    ], WIDTHS_CM)  # fmt: skip

    document.add_heading("二、其他议定事项", level=2)
    for line in (meeting.minutes or "无。").splitlines() or ["无。"]:
        document.add_paragraph(cells.xml_text(line))

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
    return _save(document)


NOTICE_HEADERS = ("序号", "户主", "家庭人口", "所在村(居)", "救助帮扶措施")
NOTICE_WIDTHS_CM = (1.2, 2.2, 1.8, 3.6, 8.2)


def publicity_notice_docx(
    *, county_name: str, rows: list[AgendaRow], phone: str, days: int
) -> bytes:
    """The publicity notices (公示) to post in each village: one page per village with
    the households the joint review approved, their measures, the period and where
    to object. No identity numbers, no incomes: what a village notice board shows."""
    document = _new_document(landscape=False)
    # One notice per village and day of posting (a case re-posted after an objection
    # has its own period).
    by_village: dict[tuple[str, object], list[AgendaRow]] = {}
    for r in rows:
        key = (f"{r.township}{r.village}", timezone.localdate(r.case.publicised_at))
        by_village.setdefault(key, []).append(r)
    for i, ((place, _), village_rows) in enumerate(by_village.items()):
        if i:
            document.add_page_break()
        first = village_rows[0].case
        start = timezone.localdate(first.publicised_at)
        end = first.publicity_ends_on
        _title(document, f"{place}社会救助帮扶公示")
        document.add_paragraph(
            f"经本人申请(或村民报告)、入户评估、乡(镇、街道)审核,{county_name}困难家庭综合评审"
            f"联席会议审议同意,以下{len(village_rows)}户拟给予救助帮扶,现予公示。"
        )
        _table(document, NOTICE_HEADERS, [
            (str(n), r.case.subject_name, f"{r.people}人" if r.people else "—",
             r.village, ";".join(m["name"] for m in r.measures) or "—")
            for n, r in enumerate(village_rows, 1)
        ], NOTICE_WIDTHS_CM, size=10)  # fmt: skip
        document.add_paragraph(
            f"公示期{days}天:{start:%Y年%m月%d日}至{end:%Y年%m月%d日}。"
            f"如有异议,请在公示期内向村(居)委会、乡(镇、街道)民政办反映,"
            f"或拨打县民政局监督电话 {phone or '(见县民政局公告)'}。"
        )
        p = document.add_paragraph(f"{county_name}民政局\n{start:%Y年%m月%d日}")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if not by_village:
        _title(document, "社会救助帮扶公示")
        document.add_paragraph("本次会议没有正在公示的个案。")
    return _save(document)
