from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "jiuzhu.policies"
    verbose_name = "政策一本通"
    default_auto_field = "django.db.models.BigAutoField"
