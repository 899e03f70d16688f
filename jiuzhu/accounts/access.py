"""The one answer to "may this user see that record?" when the answer is no.

Every app's `access_<thing>_by_<key>(*, user, …)` selector (Zulip's pattern)
fetches one record through the user's role and region scope and raises
NotFound when the record is missing, outside the scope, or not for the user's
role — one exception, one message, so a clerk cannot tell a hidden household
from one that does not exist. NotFound is an Http404: pages answer the 404
page, and the API answers a 404 whose JSON detail is the message (jiuzhu/api.py).
"""

from __future__ import annotations

from django.http import Http404

from .roles import role_of


class NotFound(Http404):
    """Missing, outside the user's scope, or not for the user's role (HTTP 404)."""

    def __init__(self, message: str = "记录不存在") -> None:
        super().__init__(message)
        self.message = message


def pk_of(value, *, message: str = "记录不存在") -> int:
    """An id from a URL or a form as an integer; NotFound for anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(message) from None


def require_role(user, roles, *, message: str = "记录不存在") -> None:
    """NotFound unless the user has one of the roles: a page or record that is not for
    a role answers as if it did not exist."""
    if role_of(user) not in roles:
        raise NotFound(message)
