"""Spreadsheets built to hurt a reader: what an attacker (or an unlucky clerk) uploads.

Shared by the upload tests and bench/spreadsheet_limits_bench.py, which measures what
each one costs. The raw builder writes the zip parts by hand so that a file can hold
what openpyxl would never write (a lying dimension, a gigantic shared string, a
deflate bomb)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

import openpyxl

from jiuzhu.households import spreadsheets

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HH_HEADERS = [col.header for col in spreadsheets.household_columns()]
M_HEADERS = [col.header for col in spreadsheets.member_columns()]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)


def col_letter(index: int) -> str:
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref: str, value) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row_xml(number: int, values: Iterable, start_col: int = 1) -> str:
    cells = "".join(
        _cell(f"{col_letter(i)}{number}", v)
        for i, v in enumerate(values, start=start_col)
        if v is not None and v != ""
    )
    return f'<row r="{number}">{cells}</row>'


def raw_xlsx(
    sheets: dict[str, Iterable[str]],
    *,
    shared_strings: Iterable[str] = (),
    dimension: str = "A1",
    compresslevel: int = 6,
) -> bytes:
    """A minimal .xlsx whose sheets' <sheetData> is the given row XML, streamed
    into the zip (so a bomb of hundreds of MB never sits in memory)."""
    out = io.BytesIO()
    names = list(sheets)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        book = "".join(
            f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, n in enumerate(names, start=1)
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
            f"<sheets>{book}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        rels += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>",
        )
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode())
            for text in shared_strings:
                fh.write(b"<si><t>")
                fh.write(escape(text).encode())
                fh.write(b"</t></si>")
            fh.write(b"</sst>")
        for i, name in enumerate(names, start=1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                fh.write(
                    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
                    f'<dimension ref="{dimension}"/><sheetData>'.encode()
                )
                for chunk in sheets[name]:
                    fh.write(chunk.encode())
                fh.write(b"</sheetData></worksheet>")
    return out.getvalue()


def ledger(*, households: int = 1, members_per_household: int = 1, village: str) -> dict:
    """Sheets' row XML for a ledger of well-formed rows (values need not validate)."""
    from tests.factories import make_id_number

    def hh_rows() -> Iterator[str]:
        yield row_xml(1, HH_HEADERS)
        for k in range(1, households + 1):
            yield row_xml(k + 1, [k, village, None, f"测试组{k}号"])

    def m_rows() -> Iterator[str]:
        yield row_xml(1, M_HEADERS)
        n = 2
        for k in range(1, households + 1):
            for j in range(members_per_household):
                relation = "户主" if j == 0 else "子女"
                yield row_xml(n, [k, relation, f"测试{k}-{j}", make_id_number()])
                n += 1

    return {"家庭": hh_rows(), "成员": m_rows()}


def openpyxl_ledger_with_far_cell(ref: str, *, village: str) -> bytes:
    """A one-household ledger, saved by openpyxl, with one more cell at `ref` on the
    成员 sheet: the dimension then claims A1:`ref` (6.8 KB for XFD1048576)."""
    from tests.factories import make_id_number

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("家庭")
    ws.append(HH_HEADERS)
    ws.append([1, village, None, "测试组1号"])
    ws = wb.create_sheet("成员")
    ws.append(M_HEADERS)
    ws.append([1, "户主", "测试甲", make_id_number()])
    ws[ref] = "x"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bomb(*, inflated_mb: int = 400) -> bytes:
    """A ledger whose 成员 sheet inflates to `inflated_mb` MB of whitespace (about
    1,000 : 1), declared honestly in the zip's headers."""
    chunk = " " * (1024 * 1024)
    sheets = {
        "家庭": [row_xml(1, HH_HEADERS)],
        "成员": (chunk if i else row_xml(1, M_HEADERS) for i in range(inflated_mb + 1)),
    }
    return raw_xlsx(sheets, compresslevel=9)


def too_many_rows(*, village: str, members: int) -> bytes:
    households = max(1, members // 6)
    sheets = ledger(households=households, members_per_household=1, village=village)

    def m_rows() -> Iterator[str]:
        yield row_xml(1, M_HEADERS)
        for n in range(2, members + 2):
            yield row_xml(n, [1, "子女", f"测试{n}", "x"])

    sheets["成员"] = m_rows()
    return raw_xlsx(sheets)


def too_many_columns(*, village: str, column: int = 300) -> bytes:
    sheets = ledger(village=village)
    sheets["成员"] = [
        row_xml(1, M_HEADERS),
        row_xml(2, [1, "户主", "测试甲", "x"]),
        f'<row r="3"><c r="{col_letter(column)}3"><v>1</v></c></row>',
    ]
    return raw_xlsx(sheets)


def huge_shared_string(*, village: str, chars: int = 1_000_000) -> bytes:
    """One cell of `chars` random Chinese characters (random, so that it does not
    deflate like a bomb: the cell-length limit is what refuses it)."""
    import random

    rng = random.Random(1)
    text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(chars))
    sheets = ledger(village=village)
    sheets["成员"] = [
        row_xml(1, M_HEADERS),
        row_xml(2, [1, "户主"])[:-6] + '<c r="C2" t="s"><v>0</v></c></row>',
    ]
    return raw_xlsx(sheets, shared_strings=[text])


def sparse_rows_far_below(*, village: str, empty_rows: int = 200_000) -> bytes:
    """One good household, then `empty_rows` rows that hold only a style (what a
    sheet formatted down to row 1,048,576 can carry), the last at the sheet's end."""
    sheets = ledger(village=village)
    step = max(1, (1_048_576 - 10) // empty_rows)

    def m_rows() -> Iterator[str]:
        from tests.factories import make_id_number

        yield row_xml(1, M_HEADERS)
        yield row_xml(2, [1, "户主", "测试甲", make_id_number()])
        for k in range(empty_rows):
            n = min(10 + k * step, 1_048_576)
            yield f'<row r="{n}" s="1" customFormat="1"><c r="A{n}" s="1"/><c r="AH{n}" s="1"/></row>'

    sheets["成员"] = m_rows()
    return raw_xlsx(sheets, dimension="A1:AH1048576")
