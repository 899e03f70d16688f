from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Policy


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "order"]
    list_filter = ["kind"]


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "department", "measure", "version", "active", "valid_to"]
    list_filter = ["department", "measure", "active"]
    search_fields = ["code", "name", "summary"]
    readonly_fields = ["version", "updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        # As policy_save: a change is a new version, and who made it is kept.
        if change and form.changed_data:
            obj.version += 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
