"""Cells that an export fills from what people typed: never a formula, never a
character the file format refuses. Every .xlsx and .csv the platform writes passes
its values through here (exports to come too):

    ws.append(cells.xlsx_row(ws, [household.number, member.name, amount]))
    writer.writerow(cells.csv_row([member.name, amount]))

Formula injection (OWASP "CSV injection"): a spreadsheet program runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (and some also after a leading tab or
carriage return) as a formula — ``=HYPERLINK("http://x","y")`` in a member's name
would become a live link in the county's ledger. In .xlsx such text is written as a
string cell (openpyxl would otherwise store a text starting with ``=`` as a
formula); in .csv, which has no cell types, it is prefixed with an apostrophe, as
OWASP recommends. Numbers, dates and booleans are left alone: -5 stays a number.

Control characters: XML 1.0 cannot hold most C0 characters (openpyxl raises
IllegalCharacterError, lxml ValueError), so one stored before the input checks
existed would make every export covering it fail. They are replaced with U+FFFD
(�), which shows the clerk where the text needs fixing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"
# What XML 1.0 refuses: C0 controls but tab, line feed and carriage return;
# lone surrogates; the two non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """The text with every character XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, value)


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def xlsx_value(ws, value: Any) -> Any:
    """One value for ``ws.append`` (write-only or normal sheet): text that a
    spreadsheet would run becomes a string cell; anything else is unchanged."""
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    if not value.startswith(FORMULA_PREFIXES):
        return value
    cell = WriteOnlyCell(ws, value=None)
    cell.value = value
    cell.data_type = "s"  # after the value: openpyxl infers "f" from a leading "="
    return cell


def xlsx_row(ws, values: Iterable[Any]) -> list[Any]:
    return [xlsx_value(ws, v) for v in values]


def set_text(cell, value: Any) -> None:
    """Fill a cell of a normal (not write-only) sheet the same way."""
    if isinstance(value, str):
        value = xml_text(value)
        cell.value = value
        if value.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
    else:
        cell.value = value


def csv_value(value: Any) -> Any:
    """One value for ``csv.writer``: formula-like text prefixed with an apostrophe."""
    if not isinstance(value, str):
        return value
    value = xml_text(value) if _NOT_XML.search(value) else value
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in values]
