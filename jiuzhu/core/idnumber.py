"""Resident identity numbers under GB 11643-1999 (公民身份号码).

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence
(odd = male, even = female) and a check character computed by ISO 7064 MOD 11-2.
Old 15-digit numbers (YYMMDD birth date, no check character) are upgraded by
inserting the century "19" and appending the check character.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Province-level codes of GB/T 2260 (including 71 台湾, 81 香港, 82 澳门).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip

_RE_18 = re.compile(r"^\d{17}[\dX]$")
_RE_15 = re.compile(r"^\d{15}$")
EARLIEST_BIRTH = dt.date(1890, 1, 1)
BEIJING = dt.timezone(dt.timedelta(hours=8))


class InvalidIdNumber(ValueError):
    """The text is not a valid identity number; the message says why, in Chinese."""


@dataclass(frozen=True, slots=True)
class IdNumber:
    number: str
    address_code: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    upgraded_from_15: bool = False

    @property
    def masked(self) -> str:
        return mask(self.number)


def check_char(first17: str) -> str:
    """Return the check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(text: str) -> str:
    return (text or "").strip().replace(" ", "").replace("x", "X")


def upgrade_15(number15: str) -> str:
    """Turn a 15-digit number into its 18-digit form."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


def parse(text: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate and decode an identity number, raising InvalidIdNumber."""
    number = normalise(text)
    upgraded = False
    if _RE_15.match(number):
        number = upgrade_15(number)
        upgraded = True
    elif not _RE_18.match(number):
        if len(number) not in (15, 18):
            raise InvalidIdNumber(f"长度应为18位(或旧15位),实际为{len(number)}位")
        raise InvalidIdNumber("只能包含数字,最后一位可以是X")
    address = number[:6]
    if address[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber(f"地址码{address}不是有效的行政区划代码(省级代码{address[:2]}不存在)")
    if address[2:4] == "00" and address[4:6] != "00":
        raise InvalidIdNumber(f"地址码{address}不是有效的行政区划代码")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"出生日期{number[6:14]}不是真实日期") from None
    # China has one time zone; the check runs on Beijing dates.
    today = today or dt.datetime.now(BEIJING).date()
    if birth > today or birth < EARLIEST_BIRTH:
        raise InvalidIdNumber(f"出生日期{birth.isoformat()}不在合理范围内")
    if number[17] != check_char(number[:17]):
        raise InvalidIdNumber("校验码不正确,请核对号码是否抄错")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(number, address, birth, sex, upgraded)


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except InvalidIdNumber:
        return False
    return True


def mask(number: str) -> str:
    """Show the address code and the last four characters only."""
    if not number:
        return ""
    if len(number) <= 10:
        return number[:2] + "*" * max(len(number) - 2, 0)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# An identity number inside free text (a log line, a URL): 18 characters (the last may
# be X) or 15 digits, not part of a longer run of digits. A second pass catches one
# typed in groups ("5301 2819 …", "+" or "%20" in a query string, "-").
_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
_GROUPED = re.compile(r"(?<![0-9])[0-9](?:(?:[ +-]|%20)?[0-9])+(?:(?:[ +-]|%20)?[Xx])?(?![0-9])")
_SEPARATORS = re.compile(r"[ +-]|%20")


def _mask_grouped(match: re.Match) -> str:
    compact = _SEPARATORS.sub("", match.group(0))
    if _RE_15.match(compact) or _RE_18.match(compact.upper()):
        return mask(compact)
    return match.group(0)


def mask_in_text(text: str) -> str:
    """Mask every identity number in a text, as mask() shows one (530128********123X)."""
    if not text:
        return text
    text = _IN_TEXT.sub(lambda m: mask(m.group(0)), text)
    return _GROUPED.sub(_mask_grouped, text)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
