from django.contrib import admin
from django.urls import include, path

from jiuzhu.accounts import views as account_views
from jiuzhu.households import views as household_views

from .api import api

admin.site.site_header = "救助帮扶综合评估平台 管理后台"
admin.site.site_title = "救助帮扶平台"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("dashboard/", household_views.dashboard_view, name="dashboard"),
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

# Chinese error pages (JSON under /api/); see jiuzhu/errors.py.
handler400 = "jiuzhu.errors.bad_request"
handler403 = "jiuzhu.errors.permission_denied"
handler404 = "jiuzhu.errors.page_not_found"
handler500 = "jiuzhu.errors.server_error"
