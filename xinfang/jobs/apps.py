from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "xinfang.jobs"
    verbose_name = "后台任务"
