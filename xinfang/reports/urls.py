from django.urls import URLPattern, path

from xinfang.reports import views

app_name = "reports"


def analysis_urls(kind: views.Analysis) -> list[URLPattern]:
    """The weekly and the monthly analyses' pages: the same views, told which analysis."""
    name, extra = kind.name, {"kind": kind}
    return [
        path(f"{name}/", views.analysis_list, extra, name=name),
        path(f"{name}/draft/", views.analysis_new, extra, name=f"{name}_new"),
        path(f"{name}/<int:report_id>/", views.analysis_issue, extra, name=f"{name}_issue"),
        path(f"{name}/<int:report_id>/recount/", views.analysis_recount, extra, name=f"{name}_recount"),
        path(f"{name}/<int:report_id>/approve/", views.analysis_approve, extra, name=f"{name}_approve"),
    ]


urlpatterns = [
    path("daily/", views.daily, name="daily"),
    path("daily/send/", views.daily_send, name="daily_send"),
    path("daily/resend/", views.daily_resend, name="daily_resend"),
    *analysis_urls(views.WEEKLY),
    path("weekly/<int:report_id>/instruct/", views.weekly_instruct_view, name="weekly_instruct"),
    *analysis_urls(views.MONTHLY),
]
