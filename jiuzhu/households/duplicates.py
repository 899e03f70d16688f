"""The one-person-one-file check as an oracle, and its guard.

Refusing a second file for an ID number tells the user that this person is on file
somewhere — for a number outside the user's regions, something they could not
otherwise see. So every refused duplicate is written to the access log (who asked
about which person: a short digest of the keyed hash, never the number), and a user
who is refused more than DUPLICATE_ID_LIMIT numbers on file outside their regions
within DUPLICATE_ID_WINDOW_MINUTES is refused every ID check until the window has
passed (page, API and spreadsheet import alike: the guard sits in MemberForm).
Duplicates inside the user's own regions teach nothing new and are not counted,
so re-uploading one's own ledger never locks a clerk out.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from jiuzhu.accounts.models import AccessAction, AccessLog
from jiuzhu.accounts.scope import code_in_scope
from jiuzhu.accounts.services import access_log_write

OUTSIDE = "辖区外"
INSIDE = "辖区内"
DIGEST_CHARS = 16  # of the HMAC: enough to tell people apart, useless without the key


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.DUPLICATE_ID_WINDOW_MINUTES)


class DuplicateIdGuard:
    """One user's refused duplicates in the current window, read once per request
    (a 30,000-row import asks the database once, not per row)."""

    def __init__(self, *, actor, channel: str) -> None:
        self.actor = actor
        self.channel = channel
        rows = AccessLog.objects.filter(
            user=actor, action=AccessAction.DUPLICATE_ID, at__gte=timezone.now() - _window()
        ).values_list("object_id", "detail", "at")
        self._logged: set[str] = set()
        self._outside: dict[str, dt.datetime] = {}
        for digest, detail, at in rows:
            self._logged.add(digest)
            if detail.startswith(OUTSIDE):
                self._outside[digest] = min(at, self._outside.get(digest, at))

    @property
    def blocked(self) -> bool:
        return len(self._outside) >= settings.DUPLICATE_ID_LIMIT

    def blocked_message(self) -> str:
        window = settings.DUPLICATE_ID_WINDOW_MINUTES
        if self._outside:
            oldest = min(self._outside.values())
            left = oldest + _window() - timezone.now()
            minutes = max(1, -(-int(left.total_seconds()) // 60))
        else:
            minutes = window
        return (
            f"您在{window}分钟内已多次填写已在其他辖区建档的身份证号,为保护个人信息,"
            f"暂停查验身份证号,请约{minutes}分钟后再试"
        )

    def refused(self, *, id_hash: str, village_code: str) -> None:
        """Log one refused duplicate (once per person and window) and count it."""
        digest = id_hash[:DIGEST_CHARS]
        outside = not code_in_scope(user=self.actor, code=village_code)
        if digest not in self._logged:
            access_log_write(
                user=self.actor,
                action=AccessAction.DUPLICATE_ID,
                object_type="member",
                object_id=digest,
                detail=f"{OUTSIDE if outside else INSIDE}:身份证号已建档,拒绝重复建档({self.channel})",
            )
            self._logged.add(digest)
        if outside:
            self._outside.setdefault(digest, timezone.now())
