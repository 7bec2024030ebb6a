from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "xinfang.jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from xinfang.jobs.services import scheduler_tick
        from xinfang.jobs.worker import TASKS, Task

        if not any(task.name == "scheduler" for task in TASKS):
            TASKS.insert(0, Task("scheduler", scheduler_tick))
