from django.urls import path

from xinfang.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:document_id>/", views.document_page, name="document"),
    path("<int:document_id>/sign/", views.document_sign, name="sign"),
    path("<int:document_id>/<str:file_format>/", views.document_file, name="file"),
]
