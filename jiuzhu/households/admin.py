from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Household
from .selectors import household_scope


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    """Read-only reference view: households are edited through the home-visit form."""

    list_display = ["number", "head_name", "village", "member_count"]
    search_fields = ["number"]
    raw_id_fields = ["village", "group", "created_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return household_scope(user=request.user)
