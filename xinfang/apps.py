from django.apps import AppConfig


class XinfangConfig(AppConfig):
    name = "xinfang"
    verbose_name = "信访工作平台"

    def ready(self) -> None:
        from xinfang import checks  # noqa: F401 - registers the system checks
        from xinfang.audit.labels import values_register
        from xinfang.registry import JOBS

        # The audit page names a retried job by its title; the jobs are known up here, in the registry.
        values_register("job", {job.name: job.title for job in JOBS})
