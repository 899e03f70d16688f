from django.urls import path

from . import views, views_spreadsheets

app_name = "households"

urlpatterns = [
    path("", views.household_list_view, name="list"),
    path("new/", views.household_edit_view, name="create"),
    path("pick/", views.household_pick_view, name="pick"),
    path("<int:household_id>/", views.household_detail_view, name="detail"),
    path("<int:household_id>/edit/", views.household_edit_view, name="edit"),
    path("members/<int:member_id>/reveal/", views.member_reveal_view, name="reveal"),
    path("import/", views_spreadsheets.import_upload_view, name="import"),
    path("import/template.xlsx", views_spreadsheets.import_template_view, name="import_template"),
    path("import/<str:token>/", views_spreadsheets.import_preview_view, name="import_preview"),
    path("export.xlsx", views_spreadsheets.export_view, name="export"),
]
