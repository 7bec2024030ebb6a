from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "xinfang.demo"
    verbose_name = "演示数据"
