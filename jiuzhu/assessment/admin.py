"""Reference views of the assessment tables. Model versions and the 低保 standard
are changed on their own pages (draft → preview → activate; history kept), so
the admin only reads them; stored assessments are never edited by hand."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jiuzhu.households.selectors import household_scope

from .models import Assessment, EconomicStandard, ElderlyAssessment, ModelVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["version", "name", "status", "created_by", "created_at", "activated_at"]
    list_filter = ["status"]


@admin.register(EconomicStandard)
class EconomicStandardAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["county", "rural_standard", "urban_standard", "edge_multiplier", "updated_at"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["household", "assessed_at", "model_version", "index", "circle", "trigger"]
    list_filter = ["model_version", "circle", "trigger"]
    raw_id_fields = ["household", "assessed_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(household__in=household_scope(user=request.user))
            .select_related("household", "model_version")
        )


@admin.register(ElderlyAssessment)
class ElderlyAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["member", "assessed_at", "total", "level", "level_name"]
    raw_id_fields = ["member", "assessed_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(member__household__in=household_scope(user=request.user))
            .select_related("member")
        )
