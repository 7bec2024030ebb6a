from django.urls import path

from xinfang.petitions import public_views, views

app_name = "petitions"
urlpatterns = [
    path("matters/", views.matter_list, name="list"),
    path("matters/new/", views.register, name="register"),
    path("matters/repeat-check/", views.repeat_check, name="repeat_check"),
    path("matters/export.xlsx", views.matter_export, name="export"),
    path("matters/export-named.xlsx", views.matter_export_named, name="export_named"),
    path("matters/<int:matter_id>/", views.matter_detail, name="detail"),
    path("matters/<int:matter_id>/edit/", views.matter_edit, name="edit"),
    path("matters/<int:matter_id>/receipt/", views.receipt, name="receipt"),
    path("matters/<int:matter_id>/receipt.pdf", views.receipt, {"pdf": True}, name="receipt_pdf"),
    path("matters/villages/", views.villages, name="villages"),
    path("matters/<int:matter_id>/transition/", views.transition, name="transition"),
    path("matters/<int:matter_id>/assign/", views.assign, name="assign"),
    path("matters/<int:matter_id>/receive/", views.receive, name="receive"),
    path("matters/<int:matter_id>/object/", views.object_, name="object"),
    path("matters/<int:matter_id>/decide/", views.decide, name="decide"),
    path("matters/<int:matter_id>/extend/", views.extend, name="extend"),
    path("matters/<int:matter_id>/extension/", views.decide_extension, name="decide_extension"),
    path("matters/<int:matter_id>/hearing/", views.hearing, name="hearing"),
    path("matters/<int:matter_id>/owner/", views.owner, name="owner"),
    path("matters/<int:matter_id>/event/", views.add_event, name="event"),
    path("matters/<int:matter_id>/reveal/", views.reveal, name="reveal"),
    path("public/query/", public_views.query, name="public_query"),
    path("public/submit/", public_views.submit, name="public_submit"),
    path("public/captcha/", public_views.captcha, name="public_captcha"),
    path("matters/online/", views.online_list, name="online_list"),
    path("matters/online/<int:submission_id>/", views.online_detail, name="online_detail"),
    path("public/rate/<str:code>/", public_views.rate, name="public_rate"),
]
