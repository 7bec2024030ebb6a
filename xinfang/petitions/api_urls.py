from django.urls import path

from xinfang.petitions import apis

app_name = "petitions_api"
urlpatterns = [
    path("matters/", apis.MatterListApi.as_view(), name="matters"),
    path("matters/<int:matter_id>/", apis.MatterDetailApi.as_view(), name="matter"),
    path("matters/<int:matter_id>/events/", apis.MatterEventApi.as_view(), name="events"),
    path("matters/<int:matter_id>/transition/", apis.MatterTransitionApi.as_view(), name="transition"),
]
