from django.urls import path

from xinfang.scoring import views

app_name = "scoring"
urlpatterns = [
    path("competition/", views.board, name="board"),
    path("competition/rules/", views.rules, name="rules"),
    path("competition/appeals/<int:appeal_id>/decide/", views.decide, name="decide"),
    path("competition/additions/<int:addition_id>/evidence/", views.evidence, name="evidence"),
    path("competition/<str:code>/draft/", views.draft, name="draft"),
    path("competition/<str:code>/additions/", views.addition, name="addition"),
    path("competition/<str:code>/vetoes/", views.veto, name="veto"),
    path("competition/<str:code>/publish/", views.publish, name="publish"),
    path("competition/<str:code>/export.xlsx", views.export, name="export"),
    path("competition/<str:code>/units/<int:unit_id>/", views.unit, name="unit"),
    path("competition/<str:code>/units/<int:unit_id>/appeal/", views.appeal, name="appeal"),
]
