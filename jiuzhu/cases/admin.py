from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Case, HotlineTicket
from .selectors import case_scope, ticket_scope


class _ReadOnly(SimpleHistoryAdmin):
    """Reference views: cases and tickets move only through their services."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(_ReadOnly):
    list_display = ["number", "status", "channel", "village", "created_at"]
    list_filter = ["status", "channel"]
    search_fields = ["number"]
    raw_id_fields = ["household", "village", "duplicate_of", "created_by"]

    def get_queryset(self, request):
        return case_scope(user=request.user)


@admin.register(HotlineTicket)
class HotlineTicketAdmin(_ReadOnly):
    list_display = ["number", "kind", "status", "region", "received_at"]
    list_filter = ["status", "kind"]
    search_fields = ["number"]
    raw_id_fields = ["region", "case", "received_by"]

    def get_queryset(self, request):
        return ticket_scope(user=request.user)
