from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jiuzhu.reviews"
    verbose_name = "县级联席会议审核"
