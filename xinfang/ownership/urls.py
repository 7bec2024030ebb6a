from django.urls import path

from xinfang.ownership import views

app_name = "ownership"
urlpatterns = [
    path("", views.index, name="index"),
    path("batches/", views.batches, name="batches"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:batch_id>/", views.batch, name="batch"),
    path("batches/<int:batch_id>/add/", views.entry_add, name="entry_add"),
    path("batches/<int:batch_id>/issue/", views.batch_issue_view, name="batch_issue"),
    path("entries/<int:entry_id>/remove/", views.entry_remove, name="entry_remove"),
    path("entries/<int:entry_id>/choose/", views.entry_choose, name="entry_choose"),
    path("mine/", views.mine, name="mine"),
    path("cases/<int:ownership_id>/", views.case, name="case"),
    path("cases/<int:ownership_id>/package/", views.package_add, name="package_add"),
    path("cases/<int:ownership_id>/meeting/", views.meeting_add, name="meeting_add"),
    path("cases/<int:ownership_id>/close/", views.closure_request_view, name="closure_request"),
    path("cases/<int:ownership_id>/files/<int:attachment_id>/", views.attachment, name="file"),
    path("closures/<int:closure_id>/decide/", views.closure_decide_view, name="closure_decide"),
    path("reassign/", views.reassign, name="reassign"),
    path("escalate/<int:matter_id>/", views.escalate, name="escalate"),
]
