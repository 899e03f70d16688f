from django.urls import path

from . import views, views_hotline

app_name = "cases"

urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("<int:case_id>/", views.case_detail_view, name="detail"),
    path("<int:case_id>/transition/", views.case_transition_view, name="transition"),
    path("<int:case_id>/plan/", views.case_plan_view, name="plan"),
    path("<int:case_id>/link/", views.case_link_view, name="link"),
    path("<int:case_id>/complex/", views.case_complex_view, name="complex"),
    path("open/<int:household_id>/", views.case_open_view, name="open"),
    path("hotline/", views_hotline.ticket_list_view, name="hotline"),
    path("hotline/new/", views_hotline.ticket_create_view, name="hotline_new"),
    path("hotline/<int:ticket_id>/", views_hotline.ticket_detail_view, name="hotline_detail"),
    path(
        "hotline/<int:ticket_id>/transition/",
        views_hotline.ticket_transition_view,
        name="hotline_transition",
    ),
    path("hotline/<int:ticket_id>/open-case/", views_hotline.ticket_open_case_view, name="hotline_case"),
]
