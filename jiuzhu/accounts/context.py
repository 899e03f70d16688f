from .roles import can_read_households, can_view_dashboard


def ui(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_households": can_read_households(user), "nav_dashboard": can_view_dashboard(user)}
