from django.contrib import admin
from django.urls import include, path

from jiuzhu.accounts import views as account_views

from .api import api

admin.site.site_header = "救助帮扶综合评估平台 管理后台"
admin.site.site_title = "救助帮扶平台"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("dashboard/", account_views.dashboard, name="dashboard"),
    path("accounts/", include("jiuzhu.accounts.urls")),
    path("households/", include("jiuzhu.households.urls")),
    path("assessment/", include("jiuzhu.assessment.urls")),
    path("policies/", include("jiuzhu.policies.urls")),
    path("cases/", include("jiuzhu.cases.urls")),
    path("referrals/", include("jiuzhu.referrals.urls")),
    path("inbox/", include("jiuzhu.referrals.urls_inbox")),
    path("reviews/", include("jiuzhu.reviews.urls")),
    path("jobs/", include("jiuzhu.jobs.urls")),
    path("apply/", include("jiuzhu.cases.urls_public")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
