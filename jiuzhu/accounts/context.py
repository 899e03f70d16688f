from .roles import (
    CASE_OPENERS,
    MODEL_EDITORS,
    REVIEW_LIST_READERS,
    can_handle_referrals,
    can_read_households,
    can_view_dashboard,
    has_inbox,
    has_role,
)


def ui(request):
    """Which menu entries the user's role has (accounts.roles names who may do what)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_households": can_read_households(user),
        "nav_dashboard": can_view_dashboard(user),
        "nav_model": has_role(user, MODEL_EDITORS),
        "nav_cases": has_role(user, CASE_OPENERS),
        "nav_inbox": has_inbox(user),
        "nav_referrals": can_handle_referrals(user),
        "nav_reviews": has_role(user, REVIEW_LIST_READERS),
    }
