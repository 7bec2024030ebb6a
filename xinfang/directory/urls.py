from django.urls import path

from xinfang.directory import views

app_name = "directory"
urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    path("units/<int:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:unit_id>/officials/new/", views.official_new, name="official_new"),
    path("officials/<int:official_id>/edit/", views.official_edit, name="official_edit"),
    path(
        "officials/<int:official_id>/unavailable/",
        views.official_unavailability_add,
        name="official_unavailability_add",
    ),
    path(
        "official-unavailable/<int:period_id>/remove/",
        views.official_unavailability_remove,
        name="official_unavailability_remove",
    ),
    path("units/<int:unit_id>/villages/new/", views.village_new, name="village_new"),
    path("villages/<int:village_id>/edit/", views.village_edit, name="village_edit"),
    path("leaders/", views.leader_list, name="leaders"),
    path("leaders/new/", views.leader_new, name="leader_new"),
    path("leaders/<int:leader_id>/", views.leader_detail, name="leader"),
    path("leaders/<int:leader_id>/edit/", views.leader_edit, name="leader_edit"),
    path("leaders/<int:leader_id>/unavailable/", views.unavailability_add, name="unavailability_add"),
    path("unavailable/<int:period_id>/remove/", views.unavailability_remove, name="unavailability_remove"),
    path("categories/", views.category_list, name="categories"),
    path("categories/new/", views.category_new, name="category_new"),
    path("categories/<int:category_id>/edit/", views.category_edit, name="category_edit"),
]
