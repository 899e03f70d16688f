from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render

from .forms import LoginForm
from .roles import can_handle_referrals, can_read_households, can_view_dashboard


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
    """Each role's landing page: the household list, the leader's dashboard, or — for a
    department officer and a social organisation — their inbox (待办) of referrals."""
    if can_handle_referrals(request.user):
        return redirect("inbox")
    if can_read_households(request.user):
        return redirect("households:list")
    if can_view_dashboard(request.user):
        return redirect("dashboard")
    return render(request, "accounts/no_access.html")
