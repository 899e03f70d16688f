from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from jiuzhu.households.choices import TAGS
from jiuzhu.households.models import Household
from jiuzhu.households.selectors import township_choices, user_scope_codes
from jiuzhu.regions.models import Level, Region, prefix_of

from .forms import LoginForm
from .roles import can_read_households, can_view_dashboard


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    if can_read_households(request.user):
        return redirect("households:list")
    if can_view_dashboard(request.user):
        return redirect("dashboard")
    return render(request, "accounts/no_access.html")


def dashboard_rows(*, user) -> list[dict]:
    """Counts by township under the user's grants: aggregates only, no names."""
    codes = user_scope_codes(user)
    townships = list(township_choices(user=user))
    if not townships and codes:
        # A grant below township level: show the granted villages instead.
        townships = list(Region.objects.filter(code__in=codes))
    rows = []
    aggregates = {
        "total": Count("id"),
        **{name: Count("id", filter=Q(**{name: True})) for name, _ in TAGS},
    }
    for region in townships:
        counts = Household.objects.under_codes([region.code]).aggregate(**aggregates)
        rows.append({"region": region, **counts})
    return rows


@login_required
def dashboard(request):
    if not can_view_dashboard(request.user):
        return render(request, "accounts/no_access.html", status=403)
    rows = dashboard_rows(user=request.user)
    totals = {key: sum(r[key] for r in rows) for key in ["total", *[n for n, _ in TAGS]]}
    return render(
        request,
        "accounts/dashboard.html",
        {"rows": rows, "tags": TAGS, "totals": totals, "Level": Level},
    )


__all__ = ["LoginView", "home", "dashboard", "prefix_of"]
