"""What every page module needs: a service's refusal as one Chinese line, and a
service call whose outcome becomes the page's message. (A page that is not for
a role answers 404 like a missing record: jiuzhu.accounts.access.require_role.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError


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
