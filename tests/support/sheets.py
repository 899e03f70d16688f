"""Real .xlsx ledgers built with openpyxl, and the upload → preview steps of the import page."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiuzhu.households import spreadsheets
from tests.factories import make_id_number

HH_HEADERS = [col.header for col in spreadsheets.household_columns()]
M_HEADERS = [col.header for col in spreadsheets.member_columns()]


def xlsx(households, members, *, drop=(), sheets=("家庭", "成员"), title_row=False) -> bytes:
    """A ledger with a 家庭 and a 成员 sheet: one row per dict, keyed by column header."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, headers, rows in (("家庭", HH_HEADERS, households), ("成员", M_HEADERS, members)):
        if name not in sheets:
            continue
        ws = wb.create_sheet(name)
        if title_row:
            ws.append([f"某某村困难家庭{name}台账"])
        header = [h for h in headers if h not in drop]
        ws.append(header)
        for row in rows:
            ws.append([row.get(h) for h in header])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def hh(key, village, **cells):
    """A 家庭 row: household `key` in `village` (a Region)."""
    return {"户序号": key, "所属村(居)代码": village.code, "家庭住址": f"测试组{key}号", **cells}


def mem(key, relation="户主", name=None, id_number=None, **cells):
    """A 成员 row of household `key`, with a fresh valid ID number unless given."""
    return {
        "户序号": key,
        "与户主关系": relation,
        "姓名": name or f"测试{relation}{key}",
        "身份证号": id_number or make_id_number(),
        **cells,
    }


def bad_checksum() -> str:
    """An 18-digit number whose check character is wrong."""
    number = make_id_number()
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def import_template(client) -> openpyxl.Workbook:
    """The import template the page offers for download."""
    response = client.get(reverse("households:import_template"))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def upload(client, data: bytes, name="台账.xlsx"):
    return client.post(reverse("households:import"), {"file": SimpleUploadedFile(name, data)})


def preview(client, data: bytes):
    """Upload a ledger; return the preview page's URL and the page."""
    response = upload(client, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"], client.get(response["Location"])
