from django.urls import path

from xinfang.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.runs, name="runs"),
    path("runs/<int:run_id>/retry/", views.run_retry, name="retry"),
]
