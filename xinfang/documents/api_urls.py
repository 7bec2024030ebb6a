from django.urls import path

from xinfang.documents import apis

app_name = "documents_api"
urlpatterns = [
    path("documents/", apis.DocumentListApi.as_view(), name="documents"),
    path("documents/<int:document_id>/", apis.DocumentDetailApi.as_view(), name="document"),
    path("documents/<int:document_id>/sign/", apis.DocumentSignApi.as_view(), name="sign"),
]
