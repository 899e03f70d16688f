from django.urls import path

from . import views, views_model, views_stats

app_name = "assessment"

urlpatterns = [
    path("households/<int:household_id>/", views.household_assessment_view, name="household"),
    path("households/<int:household_id>/run/", views.household_assessment_run_view, name="run"),
    path("model/", views_model.model_view, name="model"),
    path("model/new/", views_model.model_new_view, name="model_new"),
    path("model/reassess/", views_model.model_reassess_view, name="reassess"),
    path("model/<str:version>/", views_model.model_version_view, name="model_version"),
    path("model/<str:version>/preview/", views_model.model_version_preview_view, name="model_preview"),
    path("model/<str:version>/activate/", views_model.model_version_activate_view, name="model_activate"),
    path("model/<str:version>/discard/", views_model.model_version_discard_view, name="model_discard"),
    path("standard/", views_model.standard_view, name="standard"),
    path("members/<int:member_id>/elderly/", views.elderly_view, name="elderly"),
    path("stats/", views_stats.stats_view, name="stats"),
    path("stats.xlsx", views_stats.stats_xlsx_view, name="stats_xlsx"),
    path("af/", views_stats.af_view, name="af"),
]
