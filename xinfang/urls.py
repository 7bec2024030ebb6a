from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from xinfang import views
from xinfang.registry import JOBS

urlpatterns = [
    path("", include("xinfang.dashboard.urls")),
    path("", include("xinfang.accounts.urls")),
    path("directory/", include("xinfang.directory.urls")),
    path("", include("xinfang.petitions.urls")),
    path("ledger/", include("xinfang.ledger.urls")),
    path("stats/", include("xinfang.stats.urls")),
    path("supervision/", include("xinfang.supervision.urls")),
    path("ownership/", include("xinfang.ownership.urls")),
    path("", include("xinfang.reception.urls")),
    path("", include("xinfang.scoring.urls")),
    path("meetings/", include("xinfang.meetings.urls")),
    path("audit/", include("xinfang.audit.urls")),
    path("reports/", include("xinfang.reports.urls")),
    path("documents/", include("xinfang.documents.urls")),
    path("jobs/", include("xinfang.jobs.urls"), {"jobs": JOBS}),
    path("rules/", include("xinfang.petitions.rules_urls")),
    path("api/v1/", include("xinfang.petitions.api_urls")),
    path("api/v1/", include("xinfang.supervision.api_urls")),
    path("api/v1/", include("xinfang.reports.api_urls")),
    path("api/v1/", include("xinfang.documents.api_urls")),
    path("api/v1/", include("xinfang.ownership.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", views.healthz, name="healthz"),
]

handler400 = "xinfang.views.bad_request"
handler403 = "xinfang.views.permission_denied"
handler404 = "xinfang.views.page_not_found"
handler500 = "xinfang.views.server_error"
