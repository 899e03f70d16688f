from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list_view, name="list"),
    path("<int:job_id>/", views.job_detail_view, name="detail"),
    path("<int:job_id>/progress/", views.job_progress_view, name="progress"),
    path("<int:job_id>/download/", views.job_download_view, name="download"),
]
