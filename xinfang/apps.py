from django.apps import AppConfig


class XinfangConfig(AppConfig):
    name = "xinfang"
    verbose_name = "信访工作平台"

    def ready(self) -> None:
        from xinfang import checks  # noqa: F401 - registers the system checks
