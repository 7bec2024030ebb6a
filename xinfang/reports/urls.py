from django.urls import path

from xinfang.reports import views

app_name = "reports"
urlpatterns = [
    path("daily/", views.daily, name="daily"),
    path("daily/send/", views.daily_send, name="daily_send"),
    path("daily/resend/", views.daily_resend, name="daily_resend"),
    path("weekly/", views.weekly_list, name="weekly"),
    path("weekly/draft/", views.weekly_new, name="weekly_new"),
    path("weekly/<int:report_id>/", views.weekly_issue, name="weekly_issue"),
    path("weekly/<int:report_id>/recount/", views.weekly_recount_view, name="weekly_recount"),
    path("weekly/<int:report_id>/approve/", views.weekly_approve_view, name="weekly_approve"),
    path("weekly/<int:report_id>/instruct/", views.weekly_instruct_view, name="weekly_instruct"),
    path("monthly/", views.monthly_list, name="monthly"),
    path("monthly/draft/", views.monthly_new, name="monthly_new"),
    path("monthly/<int:report_id>/", views.monthly_issue, name="monthly_issue"),
    path("monthly/<int:report_id>/recount/", views.monthly_recount_view, name="monthly_recount"),
    path("monthly/<int:report_id>/approve/", views.monthly_approve_view, name="monthly_approve"),
]
