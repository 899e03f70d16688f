"""The file name of every download: Chinese, as the clerk reads it, in every browser.

Every view that answers a file (an export, a template, a meeting's documents, a job's
output) names it here:

    return downloads.attachment(HttpResponse(data, content_type=XLSX), "翠华镇应享未享名单.xlsx")

`Content-Disposition` then carries the name twice, as RFC 6266 asks: `filename*` in
UTF-8 (RFC 5987 percent-encoding), which every current browser uses, and a plain ASCII
`filename` for the few clients that read nothing else (the name's ASCII characters,
each run of others one underscore, e.g. `20261208.xlsx`). Characters a file system
or the header cannot hold (path separators, quotes, control characters) become `_`,
so a name built from a region's or a meeting's title is always a safe single name.

Pure Python: the response only needs item assignment (`response[header] = value`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from typing import TypeVar
from urllib.parse import quote, unquote

__all__ = ["attachment", "content_disposition", "filename_of", "safe_name"]

R = TypeVar("R")

# Refused in a file name on Windows or Unix, or breaking the header's syntax.
_UNSAFE = re.compile(r'[\\/:*?"<>|;\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e]')
_FALLBACK_RUN = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 150  # characters, short of the 255 bytes most file systems allow (UTF-8: 3 a 汉字)


def safe_name(name: str) -> str:
    """One file name a file system and the header can hold, close to the one given."""
    name = unicodedata.normalize("NFC", str(name))
    name = _UNSAFE.sub("_", name).strip(" .")
    stem, suffix = _split(name or "下载文件")
    return stem[: MAX_NAME - len(suffix)] + suffix


def _split(name: str) -> tuple[str, str]:
    suffix = PurePosixPath(name).suffix
    if not re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix or "."):
        suffix = ""
    return name[: len(name) - len(suffix)] or "下载文件", suffix


def _fallback(name: str) -> str:
    stem, suffix = _split(name)
    ascii_stem = _FALLBACK_RUN.sub("_", stem).strip("_.")
    return f"{ascii_stem or 'download'}{suffix}"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """The header value for a file named `name` (any language): ASCII fallback first,
    then the UTF-8 name (RFC 6266 § 4.3: a client that knows `filename*` prefers it)."""
    name = safe_name(name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment(response: R, name: str) -> R:
    """The response, offered for download under `name` (it replaces any name set before,
    e.g. by Django's FileResponse)."""
    response["Content-Disposition"] = content_disposition(name)  # type: ignore[index]
    return response


def filename_of(header: str) -> str:
    """The name a browser saves a download under, from a `Content-Disposition` value:
    `filename*` when present (decoded in its charset), else `filename`; "" when neither."""
    star = re.search(r"filename\*\s*=\s*([^;]+)", header, re.IGNORECASE)
    if star:
        charset, _, rest = star.group(1).strip().partition("'")
        _, _, encoded = rest.partition("'")
        try:
            return unquote(encoded, encoding=charset or "utf-8", errors="strict")
        except (LookupError, UnicodeDecodeError):
            return ""
    plain = re.search(r'filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', header, re.IGNORECASE)
    if not plain:
        return ""
    value = plain.group(1).strip()
    return re.sub(r"\\(.)", r"\1", value[1:-1]) if value.startswith('"') else value
