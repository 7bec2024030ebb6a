from django.apps import AppConfig


class XinfangConfig(AppConfig):
    name = "xinfang"
    verbose_name = "信访工作平台"

    def ready(self) -> None:
        from xinfang import checks  # noqa: F401 - registers the system checks
        from xinfang.audit.labels import values_register

        def job_titles() -> dict[str, str]:
            from xinfang.registry import JOBS

            return {job.name: job.title for job in JOBS}

        # The audit page names a retried job by its title; the jobs are known up here, in the registry,
        # which imports every app's work: read when the audit page first needs it, not at every start.
        values_register("job", job_titles)
