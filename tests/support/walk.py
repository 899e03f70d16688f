"""Walking the pages a user can reach, as a person would: what a page shows (its visible
text), every code a person must never read there, and the file name of a download.

`walk(client)` starts at the home page and follows every same-site link and htmx GET
(`hx-get`) it finds, a bounded number of pages with one page per URL shape
(`/cases/12/` and `/cases/13/` are the same page) and per query-parameter name, so a
walk of the demo county stays short while it still reaches every kind of page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.db.models import Choices

from jiuzhu.core.downloads import filename_of

# Pages the walk never opens: they change something on GET or leave the site.
SKIP = ("/accounts/logout/", "/admin/", "/api/", "/static/", "/apply/")
# Tags whose text a person does not read as the page's text: scripts and styles, and a
# textarea's content, which is a value being edited (like an input's value).
HIDDEN = {"script", "style", "template", "noscript", "textarea"}
# Attributes a person reads (a tooltip, a placeholder, an image's text).
READ_ATTRS = ("title", "placeholder", "alt", "aria-label")
# Query parameters whose values do not make another kind of page.
FREE_PARAMS = {"page", "q", "s", "next"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in HIDDEN:
            self._hidden += 1
        if "hidden" in a:
            return
        for name in READ_ATTRS:
            if a.get(name):
                self.text.append(a[name])
        for name in ("href", "hx-get"):
            if a.get(name):
                self.links.append(a[name])

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data)


def visible_text(html: str) -> str:
    """The text a person reads on the page: text nodes outside scripts and styles, and
    the tooltips, placeholders and labels of elements, one space between runs."""
    page = _Page()
    page.feed(html)
    return re.sub(r"\s+", " ", " ".join(page.text)).strip()


def page_links(html: str) -> list[str]:
    page = _Page()
    page.feed(html)
    return page.links


def _codes_of(values) -> set[str]:
    return {str(v) for v in values if re.fullmatch(r"[a-z][a-z_]{2,}", str(v))}


def enum_codes(*enums: type[Enum] | type[Choices]) -> set[str]:
    """The stored values of the enums that look like codes (lowercase identifiers)."""
    return _codes_of(member.value for enum in enums for member in enum)


def code_pattern(codes: set[str]) -> re.Pattern:
    """A code standing alone: not part of a longer word, a path or a file name."""
    alternatives = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_./-])(?:{alternatives})(?![A-Za-z0-9_./-])")


def codes_in(text: str, pattern: re.Pattern) -> list[str]:
    return sorted(set(pattern.findall(text)))


def has_chinese(name: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", name) is not None


@dataclass
class Visit:
    url: str
    status: int
    text: str = ""
    download: str | None = None  # the file name, for a download
    found_on: str = ""


@dataclass
class Walk:
    visits: list[Visit] = field(default_factory=list)

    @property
    def pages(self) -> list[Visit]:
        return [v for v in self.visits if v.download is None and v.status == 200]

    @property
    def downloads(self) -> list[Visit]:
        return [v for v in self.visits if v.download is not None]


def _shape(url: str) -> str:
    """What makes a page another kind of page: its path with ids and tokens taken out,
    and its query's short non-numeric values (a status, a department), not its ids,
    search text or page number."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/<id>", parts.path)
    path = re.sub(r"/[0-9a-f]{8,}(?=/|$)|/[A-Za-z0-9_-]{20,}(?=/|$)", "/<token>", path)
    query = sorted(
        (k, "" if k in FREE_PARAMS or re.fullmatch(r"[\d.]*", v) or len(v) > 20 else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    )  # fmt: skip
    return f"{path}?{urlencode(query)}"


def _normal(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if any(parts.path.startswith(s) for s in SKIP):
        return None
    query = urlencode(parse_qsl(parts.query))
    return parts.path + (f"?{query}" if query else "")


def walk(
    client, *, start: str = "/", limit: int = 400, per_shape: int = 2, extra: tuple[str, ...] = ()
) -> Walk:
    """Every page reachable from `start` (and `extra`) by links and htmx GETs, at most
    `per_shape` of each shape (two households' files, not all of them) and `limit` in
    all; downloads are kept with the file name they offer."""
    result = Walk()
    queue: list[tuple[str, str]] = [(start, ""), *((u, "") for u in extra)]
    opened: set[str] = set()
    shapes: dict[str, int] = {}
    while queue and len(result.visits) < limit:
        url, found_on = queue.pop(0)
        url = _normal(url)
        if url is None or url in opened or shapes.get(_shape(url), 0) >= per_shape:
            continue
        opened.add(url)
        shapes[_shape(url)] = shapes.get(_shape(url), 0) + 1
        response = client.get(url)
        disposition = response.headers.get("Content-Disposition", "")
        if disposition:
            result.visits.append(Visit(url, response.status_code, download=filename_of(
                disposition), found_on=found_on))  # fmt: skip
            continue
        if response.status_code in (301, 302) and response.headers.get("Location"):
            queue.append((urljoin(url, response.headers["Location"]), url))
            continue
        content_type = response.headers.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            result.visits.append(Visit(url, response.status_code, found_on=found_on))
            continue
        html = b"".join(response.streaming_content).decode() if response.streaming \
            else response.content.decode()  # fmt: skip
        result.visits.append(Visit(url, 200, text=visible_text(html), found_on=found_on))
        queue.extend((urljoin(url, link), url) for link in page_links(html))
    return result
