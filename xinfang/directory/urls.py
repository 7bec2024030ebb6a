from django.urls import path

from xinfang.directory import views

app_name = "directory"
urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    path("leaders/", views.leader_list, name="leaders"),
    path("leaders/<int:leader_id>/", views.leader_detail, name="leader"),
    path("categories/", views.category_list, name="categories"),
]
