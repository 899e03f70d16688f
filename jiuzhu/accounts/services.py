"""Writes of the accounts app: the access log (PIPL access trail)."""

from __future__ import annotations

from django.db import transaction

from .models import AccessLog


@transaction.atomic
def access_log_write(
    *, user, action: str, object_type: str = "", object_id: str = "", detail: str = ""
) -> AccessLog:
    """Record that a user saw or moved personal data (a reveal, an export, an import).

    The one writer of AccessLog: every module that shows or hands out personal data
    calls it, inside the transaction of what it logs when there is one. Texts longer
    than their columns are cut (an export's conditions can be long)."""
    return AccessLog.objects.create(
        user=user,
        action=action,
        object_type=object_type[:32],
        object_id=str(object_id)[:64],
        detail=detail[:255],
    )
