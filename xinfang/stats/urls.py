from django.urls import path

from xinfang.stats import views

app_name = "stats"
urlpatterns = [path("events/", views.event_list, name="events")]
