"""{% inbox_count %}: the nav badge of the inbox (待办)."""

from django import template

from jiuzhu.referrals.inbox import inbox_count as count

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return count(user=user)
