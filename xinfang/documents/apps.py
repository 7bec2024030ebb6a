from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xinfang.documents"
    verbose_name = "公文"
