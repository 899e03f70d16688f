"""The public pages (no login): apply or report, the receipt, the progress lookup."""

from django.urls import path

from . import views_public

app_name = "apply"

urlpatterns = [
    path("", views_public.apply_view, name="form"),
    path("receipt/", views_public.receipt_view, name="receipt"),
    path("status/", views_public.status_view, name="status"),
]
