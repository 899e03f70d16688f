"""Search texts kept in the session, so that a search never puts its text in a URL.

A search sent as ?q=<identity number> would be written to every access log on its
way (gunicorn, nginx, a proxy) and kept in the browser's history. The list form posts
the text instead; the session keeps it under a random token and the URL carries only
the token (?s=…), which means nothing outside that session."""

from __future__ import annotations

import secrets

from jiuzhu.core.text import query_text

SESSION_KEY = "household_searches"
KEPT = 20  # a clerk's recent searches; older tokens answer "search expired"


def search_remember(*, session, text: str) -> str:
    """Keep a search text in the session and return its token ("" for no text)."""
    # As for a query string (jiuzhu.middleware): no character a stored text may not hold
    # (a NUL would not even reach the session table on PostgreSQL).
    text = query_text(text or "").strip()
    if not text:
        return ""
    kept: dict[str, str] = dict(session.get(SESSION_KEY, {}))
    for token, earlier in kept.items():
        if earlier == text:  # the same search again (typing, paging back): the same URL
            return token
    token = secrets.token_urlsafe(9)
    kept[token] = text
    session[SESSION_KEY] = dict(list(kept.items())[-KEPT:])
    return token


def search_recall(*, session, token: str) -> str | None:
    """The search text kept under a token, or None when the session no longer holds it."""
    if not token:
        return ""
    return session.get(SESSION_KEY, {}).get(token)
