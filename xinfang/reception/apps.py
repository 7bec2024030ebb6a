from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "xinfang.reception"
    verbose_name = "领导接访"
