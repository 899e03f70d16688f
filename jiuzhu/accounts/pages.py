"""What every page module needs: the acting user's role, a 404 for a role a page
is not for (it answers as if it did not exist, like an out-of-scope record), a
service's error as one Chinese line, and a service call whose outcome becomes
the page's message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


def role_of(user) -> str:
    return user.role if user.is_authenticated and user.is_active else ""


def require_role(user, roles) -> None:
    if role_of(user) not in roles:
        raise Http404


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return ";".join(exc.messages)
    return str(exc)


def attempt(
    request,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    errors: tuple[type[Exception], ...] = (),
) -> Any | None:
    """Run a service; on success add its message and return the result, on a refusal
    (ValidationError, PermissionDenied, or one of `errors`) add the Chinese reason and
    return None."""
    try:
        result = action()
    except (ValidationError, PermissionDenied, *errors) as exc:
        messages.error(request, error_text(exc))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
