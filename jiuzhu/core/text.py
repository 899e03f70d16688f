"""What a person may type: no control characters, no characters that reorder text,
and a name that can be seen. Pure functions returning a Chinese message (without
the field's label, which the caller puts in front) or None when the text is fine.

Why: a C0 character cannot be stored in XML (every export covering it failed), NUL
cannot be stored in PostgreSQL at all, and bidirectional overrides (U+202E …) make
"张三\u202e1234" display as something else than what is stored — on a list a clerk
signs, that is forgery. A name made only of invisible characters looks blank on
every page and cannot be searched.

    problem = text_problem(value, multiline=True)   # free text, e.g. 情况说明
    problem = name_problem(value)                   # 姓名, 户主姓名, 来电人
    cleaned = query_text(request_value)             # search boxes: never refuse
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls, DEL and C1 controls. Tab, line feed and carriage return are allowed in
# multi-line text only.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("[\t\n\r]")
# Embeddings, overrides and isolates, the directional marks, the Arabic letter mark.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BIDI = re.compile("[" + "".join(sorted(BIDI)) + "]")
# Characters that take no room: refused in names (a Chinese or Latin name needs none).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_ZERO_WIDTH = re.compile("[" + "".join(sorted(ZERO_WIDTH)) + "]")
# Blank-looking letters: Hangul fillers, braille blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_NOT_VISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"}

_NAMES = {"\x00": "空字符", "\t": "制表符", "\n": "换行符", "\r": "回车符"}


def _code(ch: str) -> str:
    return _NAMES.get(ch) or f"U+{ord(ch):04X}"


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with typed text, or None."""
    if not value:
        return None
    found = _CONTROL.search(value) or (None if multiline else _LINE_BREAKS.search(value))
    if found:
        return f"不能含有控制字符({_code(found.group())}),请删除后重新输入"
    found = _BIDI.search(value)
    if found:
        return f"不能含有改变文字方向的不可见字符({_code(found.group())}),请删除后重新输入"
    return None


def is_visible(ch: str) -> bool:
    return unicodedata.category(ch) not in _NOT_VISIBLE and ch not in _BLANK_LETTERS


def name_problem(value: str) -> str | None:
    """What is wrong with a person's name (single line, visible, no zero-width)."""
    if not value:
        return None
    problem = text_problem(value)
    if problem:
        return problem
    found = _ZERO_WIDTH.search(value)
    if found:
        return f"不能含有不占位置的不可见字符({_code(found.group())}),请删除后重新输入"
    if not any(is_visible(ch) for ch in value):
        return "必须包含看得见的文字"
    return None


_QUERY_BAD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(sorted(BIDI | ZERO_WIDTH)) + "]"
)


def query_text(value: str) -> str:
    """A search or filter value with every character no stored text may hold replaced
    by U+FFFD: the query then matches nothing instead of failing (NUL cannot even be
    sent to PostgreSQL)."""
    return _QUERY_BAD.sub("\ufffd", value) if _QUERY_BAD.search(value) else value
