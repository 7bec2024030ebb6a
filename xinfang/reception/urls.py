from django.urls import path

from xinfang.reception import downvisit_views, duty_views, record_views, views

app_name = "reception"
urlpatterns = [
    path("reception/", views.index, name="index"),
    path("reception/generate/", views.generate, name="generate"),
    path("reception/<int:schedule_id>/publish/", views.publish, name="publish"),
    path("reception/slots/<int:slot_id>/", views.slot, name="slot"),
    path("public/reception/", views.public, name="public"),
    path("public/reception/sheet.<str:fmt>", views.public_sheet, name="public_sheet"),
    path("reception/records/", record_views.records, name="records"),
    path("reception/records/new/", record_views.record_new, name="record_new"),
    path("reception/records/<int:reception_id>/", record_views.record, name="record"),
    path("reception/stats/", record_views.stats, name="stats"),
    path("reception/stats/matters/", record_views.stats_matters, name="stats_matters"),
    path("reception/downvisit/", downvisit_views.downvisit, name="downvisit"),
    path("reception/downvisit/draw/", downvisit_views.downvisit_draw, name="downvisit_draw"),
    path("reception/duty/", duty_views.duty, name="duty"),
    path("reception/duty/plan/", duty_views.duty_plan, name="duty_plan"),
    path("reception/duty/visits/<int:visit_id>/cancel/", duty_views.duty_cancel, name="duty_cancel"),
    path("reception/duty/mine/", duty_views.duty_mine, name="duty_mine"),
]
