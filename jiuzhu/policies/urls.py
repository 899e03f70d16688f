from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.library_view, name="library"),
    path("find/", views.find_view, name="find"),
    path("find.xlsx", views.find_xlsx_view, name="find_xlsx"),
    path("households/<int:household_id>/", views.household_view, name="household"),
    path("<slug:code>/", views.policy_view, name="detail"),
]
