from django.urls import path

from xinfang.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.statistics_page, name="page"),
    path("events/", views.event_list, name="events"),
    path("kpi/", views.kpi_page, name="kpi"),
]
