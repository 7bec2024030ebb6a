from django.apps import AppConfig


class OwnershipConfig(AppConfig):
    name = "xinfang.ownership"
    verbose_name = "领导包案"
