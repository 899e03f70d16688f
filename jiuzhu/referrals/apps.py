from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "jiuzhu.referrals"
    verbose_name = "转介与个案会商"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers the push job
