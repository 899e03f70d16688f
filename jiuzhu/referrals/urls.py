from django.urls import path

from . import views, views_push

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list_view, name="list"),
    path("push/", views_push.push_view, name="push"),
    path("accept/", views.referrals_accept_view, name="accept_many"),
    path("<int:referral_id>/", views.referral_detail_view, name="detail"),
    path("<int:referral_id>/transition/", views.referral_transition_view, name="transition"),
    path("households/<int:household_id>/", views.household_view, name="household"),
    path("cases/<int:case_id>/conferences/", views.conference_list_view, name="conferences"),
    path("cases/<int:case_id>/send/", views.case_refer_view, name="case_send"),
    path(
        "cases/<int:case_id>/conferences/new/", views.conference_create_view, name="conference_new"
    ),
]
