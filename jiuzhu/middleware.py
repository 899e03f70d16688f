"""Request guards that every page, export and API endpoint shares."""

from __future__ import annotations

from django.http import Http404, QueryDict

from jiuzhu.core import text


class QueryTextMiddleware:
    """Query-string values never carry a character that no stored text may hold
    (control characters, direction overrides, zero-width characters): each is
    replaced by U+FFFD, so `?q=%01` searches for something that matches nothing
    instead of reaching PostgreSQL with a NUL (a 500) or an export with a control
    character. A path holding such a character names nothing: 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if text.query_text(request.path) != request.path:
            raise Http404
        if request.META.get("QUERY_STRING"):
            lists = list(request.GET.lists())
            if any(text.query_text(v) != v for key, values in lists for v in (key, *values)):
                cleaned = QueryDict(mutable=True, encoding=request.GET.encoding)
                for key, values in lists:
                    cleaned.setlist(text.query_text(key), [text.query_text(v) for v in values])
                cleaned._mutable = False
                request.GET = cleaned
        return self.get_response(request)
