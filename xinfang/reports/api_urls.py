from django.urls import path

from xinfang.reports import apis

app_name = "reports_api"
urlpatterns = [
    path("weekly/", apis.WeeklyListApi.as_view(), name="weekly"),
    path("weekly/<int:report_id>/", apis.WeeklyDetailApi.as_view(), name="weekly_issue"),
    path("weekly/<int:report_id>/approve/", apis.WeeklyApproveApi.as_view(), name="weekly_approve"),
    path(
        "weekly/<int:report_id>/instructions/",
        apis.WeeklyInstructionsApi.as_view(),
        name="weekly_instructions",
    ),
]
