from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiuzhu.cases"
    verbose_name = "个案办理"
    default_auto_field = "django.db.models.BigAutoField"
