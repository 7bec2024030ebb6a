from django.urls import path

from xinfang.scoring import views, village_views

app_name = "scoring"
urlpatterns = [
    path("competition/", views.board, name="board"),
    path("competition/villages/", village_views.villages, name="villages"),
    path("competition/villages/config/", village_views.config, name="village_config"),
    path("competition/villages/unmatched/", village_views.unmatched, name="village_unmatched"),
    path("competition/villages/<int:year>/publish/", village_views.publish, name="village_publish"),
    path("competition/villages/<int:year>/recompute/", village_views.recompute, name="village_recompute"),
    path("competition/villages/<int:year>/export.xlsx", village_views.export, name="village_export"),
    path("competition/villages/<int:village_id>/", village_views.village, name="village"),
    path(
        "competition/villages/<int:village_id>/rectification/",
        village_views.rectification,
        name="village_rectification",
    ),
    path("competition/villages/<int:village_id>/visits/", village_views.visit, name="village_visit"),
    path("competition/rectifications/<int:rectification_id>/tasks/", village_views.task, name="village_task"),
    path(
        "competition/rectifications/<int:rectification_id>/close/",
        village_views.close,
        name="village_rectification_close",
    ),
    path(
        "competition/rectifications/<int:rectification_id>/reopen/",
        village_views.reopen,
        name="village_rectification_reopen",
    ),
    path(
        "competition/rectification-tasks/<int:task_id>/progress/",
        village_views.progress,
        name="village_progress",
    ),
    path("competition/rules/", views.rules, name="rules"),
    path("competition/appeals/<int:appeal_id>/decide/", views.decide, name="decide"),
    path("competition/additions/<int:addition_id>/evidence/", views.evidence, name="evidence"),
    path("competition/<str:code>/draft/", views.draft, name="draft"),
    path("competition/<str:code>/recompute/", views.recompute, name="recompute"),
    path("competition/<str:code>/additions/", views.addition, name="addition"),
    path("competition/<str:code>/vetoes/", views.veto, name="veto"),
    path("competition/<str:code>/publish/", views.publish, name="publish"),
    path("competition/<str:code>/export.xlsx", views.export, name="export"),
    path("competition/<str:code>/units/<int:unit_id>/", views.unit, name="unit"),
    path("competition/<str:code>/units/<int:unit_id>/appeal/", views.appeal, name="appeal"),
]
