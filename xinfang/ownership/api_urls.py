from django.urls import path

from xinfang.ownership import apis

app_name = "ownership_api"
urlpatterns = [
    path("ownership/batches/", apis.BatchListApi.as_view(), name="batches"),
    path("ownership/batches/<int:batch_id>/", apis.BatchDetailApi.as_view(), name="batch"),
    path("ownership/batches/<int:batch_id>/entries/", apis.BatchEntriesApi.as_view(), name="entries"),
    path(
        "ownership/batches/<int:batch_id>/entries/<int:entry_id>/remove/",
        apis.BatchEntryRemoveApi.as_view(),
        name="entry_remove",
    ),
    path(
        "ownership/batches/<int:batch_id>/entries/<int:entry_id>/owner/",
        apis.BatchEntryOwnerApi.as_view(),
        name="entry_owner",
    ),
    path("ownership/batches/<int:batch_id>/issue/", apis.BatchIssueApi.as_view(), name="issue"),
    path("ownership/cases/", apis.CaseListApi.as_view(), name="cases"),
    path("ownership/cases/<int:ownership_id>/", apis.CaseDetailApi.as_view(), name="case"),
    path("ownership/cases/<int:ownership_id>/packages/", apis.CasePackageApi.as_view(), name="packages"),
    path("ownership/cases/<int:ownership_id>/meetings/", apis.CaseMeetingApi.as_view(), name="meetings"),
    path("ownership/cases/<int:ownership_id>/closure/", apis.CaseClosureApi.as_view(), name="closure"),
    path(
        "ownership/cases/<int:ownership_id>/closure/confirm/",
        apis.CaseClosureConfirmApi.as_view(),
        name="closure_confirm",
    ),
    path(
        "ownership/cases/<int:ownership_id>/closure/return/",
        apis.CaseClosureReturnApi.as_view(),
        name="closure_return",
    ),
    path("ownership/leaders/<int:leader_id>/reassign/", apis.LeaderReassignApi.as_view(), name="reassign"),
    path(
        "ownership/matters/<int:matter_id>/escalation/", apis.MatterEscalationApi.as_view(), name="escalation"
    ),
]
