"""What every API operation shares in its schema: the error bodies it may answer
with, and the bounds of the paging parameters.

Every status an operation can answer is declared (`responses(...)`), so the
published schema is a complete contract: schemathesis (tests/test_schemathesis.py)
fails on any answer the schema does not document. Paging bounds live in the schema
too, so a value out of range answers 422 naming the parameter (a page or offset
past what a 64-bit SQL OFFSET holds used to reach the database and answer 500)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 200
MAX_LIMIT = 500
MAX_OFFSET = 100_000_000  # a province's referrals, many times over

# The Chinese names the 422 handler puts in front of its message.
PARAM_LABELS = {
    "page": "页码(page)",
    "page_size": "每页条数(page_size)",
    "limit": "条数(limit)",
    "offset": "起始位置(offset)",
}


class ErrorOut(Schema):
    """Every error: a Chinese sentence; for 422 also {field path: message}."""

    detail: str
    errors: dict[str, str] = {}


def responses(ok: Any, *codes: int, ok_status: int = 200) -> dict[int, Any]:
    """`response=` for a route: its success body and the error statuses it can answer."""
    return {ok_status: ok, **dict.fromkeys(codes, ErrorOut)}


class BoundedLimitOffset(LimitOffsetPagination):
    """ninja's limit/offset paging with an upper bound on both."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"每次返回的条数,1–{MAX_LIMIT}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")
