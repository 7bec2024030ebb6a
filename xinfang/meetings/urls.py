from django.urls import path

from xinfang.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.schedule, name="schedule"),
    path("screening/", views.screening, name="screening"),
    path("screening/run/", views.screening_refresh, name="screening_run"),
    path("<int:meeting_id>/", views.detail, name="detail"),
    path("<int:meeting_id>/attendees/", views.attendees, name="attendees"),
    path("<int:meeting_id>/add/", views.add, name="add"),
    path("<int:meeting_id>/approve/", views.approve, name="approve"),
    path("agenda/<int:item_id>/remove/", views.remove, name="remove"),
    path("agenda/<int:item_id>/decide/", views.decide, name="decide"),
    path("minutes/", views.minutes, name="minutes"),
    path("minutes/<int:copy_id>/<str:file_format>/", views.minutes_file, name="minutes_file"),
]
