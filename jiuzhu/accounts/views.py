from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import JsonResponse
from django.shortcuts import redirect, render

from jiuzhu.accounts.scope import township_choices, user_scope_codes
from jiuzhu.households.choices import TAGS
from jiuzhu.households.models import Household
from jiuzhu.regions.models import Region

from .forms import LoginForm
from .roles import can_read_households, can_view_dashboard


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers to a locked-out username (AXES_LOCKOUT_CALLABLE)."""
    # API clients are programs: they need JSON they can parse, not the HTML page.
    if request.path.startswith("/api/"):
        minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
        detail = (
            f"密码连续输错次数过多,该账户已被锁定{minutes}分钟。如需立即解锁,请联系系统管理员。"
        )
        return JsonResponse({"detail": detail}, status=429)
    return render(request, "accounts/locked.html", status=429)


@login_required
def home(request):
    if can_read_households(request.user):
        return redirect("households:list")
    if can_view_dashboard(request.user):
        return redirect("dashboard")
    return render(request, "accounts/no_access.html")


def dashboard_rows(*, user) -> list[dict]:
    """Counts by township under the user's grants: aggregates only, no names.

    One grouped query (households by the township prefix of their village code)
    rather than one per township, so the page stays quick on a big county."""
    codes = user_scope_codes(user)
    aggregates = {
        "total": Count("id"),
        **{name: Count("id", filter=Q(**{name: True})) for name, _ in TAGS},
    }
    places = {t.code[:9]: t for t in township_choices(user=user)}
    width = 9
    if not places:
        # A grant below township level (a village): count by village instead.
        width = 12
        places = {r.code[:12]: r for r in Region.objects.filter(code__in=codes)}
    counted = {
        row.pop("place"): row
        for row in Household.objects.under_codes(codes)
        .annotate(place=Substr("village_id", 1, width))
        .order_by()
        .values("place")
        .annotate(**aggregates)
    }
    missing = [p.ljust(12, "0") for p in counted if p not in places]
    places.update({r.code[:width]: r for r in Region.objects.filter(code__in=missing)})
    empty = dict.fromkeys(aggregates, 0)
    rows = []
    for prefix, region in sorted(places.items()):
        counts = counted.get(prefix, empty)
        rows.append({"region": region, **counts, "tag_counts": [counts[n] for n, _ in TAGS]})
    return rows


@login_required
def dashboard(request):
    if not can_view_dashboard(request.user):
        return render(request, "accounts/no_access.html", status=403)
    rows = dashboard_rows(user=request.user)
    keys = ["total", *[n for n, _ in TAGS]]
    totals = {key: sum(r[key] for r in rows) for key in keys}
    return render(
        request,
        "accounts/dashboard.html",
        {
            "rows": rows,
            "tags": TAGS,
            "totals": totals,
            "total_tag_counts": [totals[n] for n, _ in TAGS],
        },
    )
