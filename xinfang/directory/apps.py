from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "xinfang.directory"
    verbose_name = "县域名录"
