"""Bounds for every API list's paging parameters, declared in the schema so a value
out of range answers 422 naming the parameter (a page or offset past what a
64-bit SQL OFFSET holds used to reach the database and answer 500)."""

from __future__ import annotations

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


class BoundedLimitOffset(LimitOffsetPagination):
    """ninja's limit/offset paging with an upper bound on both."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"每次返回的条数,1–{MAX_LIMIT}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")
