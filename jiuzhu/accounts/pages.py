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


SHOWN_FAILURES = 20


def bulk_report(request, result, *, verb: str) -> None:
    """A bulk action's outcome as the page's messages (jiuzhu.core.bulk.BulkResult): one
    line for what was done, one per refused item with its reason."""
    if result.done:
        messages.success(request, result.summary(verb).split(";")[0])
    lines = result.failure_lines()
    if lines:
        messages.error(request, f"{len(lines)}件未能{verb}:")
        for line in lines[:SHOWN_FAILURES]:
            messages.error(request, line)
        if len(lines) > SHOWN_FAILURES:
            messages.error(request, f"另有{len(lines) - SHOWN_FAILURES}件未能{verb},未逐一列出")
    if not result.total:
        messages.error(request, f"请先勾选要{verb}的事项")
