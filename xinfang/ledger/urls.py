from django.urls import path

from xinfang.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.ledger_list, name="list"),
    path("template.xlsx", views.ledger_template_download, name="template"),
    path("<int:ledger_import_id>/", views.ledger_detail, name="detail"),
    path("<int:ledger_import_id>/status/", views.ledger_status, name="status"),
    path("<int:ledger_import_id>/confirm/", views.ledger_confirm, name="confirm"),
    path("<int:ledger_import_id>/discard/", views.ledger_discard, name="discard"),
    path("<int:ledger_import_id>/undo/", views.ledger_undo, name="undo"),
]
