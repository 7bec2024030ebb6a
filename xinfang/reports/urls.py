from django.urls import path

from xinfang.reports import views

app_name = "reports"
urlpatterns = [
    path("daily/", views.daily, name="daily"),
    path("daily/send/", views.daily_send, name="daily_send"),
    path("daily/resend/", views.daily_resend, name="daily_resend"),
]
