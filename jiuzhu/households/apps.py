from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "jiuzhu.households"
    verbose_name = "困难家庭档案"
