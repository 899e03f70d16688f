from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.meeting_list_view, name="list"),
    path("new/", views.meeting_create_view, name="new"),
    path("publicity/", views.publicity_view, name="publicity"),
    path("publicity/implement/", views.implement_view, name="implement_many"),
    path("<int:meeting_id>/", views.meeting_detail_view, name="detail"),
    path("<int:meeting_id>/agenda/", views.agenda_add_view, name="agenda_add"),
    path("<int:meeting_id>/items/<int:item_id>/decide/", views.item_decide_view, name="decide"),
    path("<int:meeting_id>/decide/", views.items_decide_view, name="decide_many"),
    path("<int:meeting_id>/items/<int:item_id>/remove/", views.item_remove_view, name="remove"),
    path("<int:meeting_id>/conclude/", views.meeting_conclude_view, name="conclude"),
    path("<int:meeting_id>/publicise/", views.publicise_view, name="publicise"),
    path("<int:meeting_id>/minutes.docx", views.minutes_view, name="minutes"),
    path("<int:meeting_id>/publicity.docx", views.publicity_notice_view, name="notices"),
]
