"""Receipt codes and the public page's county: shared by services and selectors."""

from __future__ import annotations

import re

from django.conf import settings

from jiuzhu.regions import luquan

# No 0/O or 1/I/L: a code read out over the phone is not misheard.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 10  # 31^10 ≈ 8×10^14 codes: not guessable, short enough to copy down


def receipt_normalise(text: str) -> str:
    """What a person typed (spaces, dashes, lower case) as a stored receipt code."""
    return re.sub(r"[\s\-]", "", text or "").upper()[: RECEIPT_LENGTH + 2]


def receipt_display(code: str) -> str:
    """ABCDE-FGHJK: two groups of five, easier to read and copy."""
    return f"{code[:5]}-{code[5:]}" if len(code) == RECEIPT_LENGTH else code


def public_county() -> str:
    """The county whose villages the public page offers (the demo county by default)."""
    return getattr(settings, "JIUZHU_PUBLIC_COUNTY", "") or luquan.COUNTY
