from django.urls import path

from xinfang.reception import views

app_name = "reception"
urlpatterns = [
    path("reception/", views.index, name="index"),
    path("reception/generate/", views.generate, name="generate"),
    path("reception/<int:schedule_id>/publish/", views.publish, name="publish"),
    path("reception/slots/<int:slot_id>/", views.slot, name="slot"),
    path("public/reception/", views.public, name="public"),
    path("public/reception/sheet.<str:fmt>", views.public_sheet, name="public_sheet"),
]
