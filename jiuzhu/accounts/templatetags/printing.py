"""{% print_header title region %}: the header a printed page carries (print.css shows it
in print only): the civil-affairs bureau of the record's county, the document's title,
and when and by whom it was printed.

The bureau is named after the county the record lies in (a household's village, a
report's village), so a province-wide installation prints each county's own name;
settings.JIUZHU_BUREAU_NAME overrides it for an installation that wants one name.
The printing user is named by their display name and role, never by anything more.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import timezone

from jiuzhu.regions.models import Region

register = template.Library()

BUREAU_SUFFIX = "民政局"


def bureau_name(region) -> str:
    """The civil-affairs bureau of the county holding `region` (a Region or its code)."""
    configured = getattr(settings, "JIUZHU_BUREAU_NAME", "")
    if configured:
        return configured
    code = getattr(region, "code", region) or ""
    if len(code) < 6:
        return BUREAU_SUFFIX
    county = Region.objects.filter(code=code[:6].ljust(12, "0")).values_list("name", flat=True)
    name = county.first()
    return f"{name}{BUREAU_SUFFIX}" if name else BUREAU_SUFFIX


@register.inclusion_tag("_print_header.html", takes_context=True)
def print_header(context, title: str, region=None):
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    return {
        "bureau": bureau_name(region),
        "title": title,
        "printed_at": timezone.localtime(),
        "printer": str(user) if signed_in else "",
        "printer_role": user.get_role_display() if signed_in else "",
    }
