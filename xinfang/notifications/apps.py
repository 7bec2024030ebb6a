from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "xinfang.notifications"
    verbose_name = "短信"

    def ready(self) -> None:
        from xinfang.jobs.worker import TASKS, Task
        from xinfang.notifications.services import sms_dispatch_due

        if not any(task.name == "sms_outbox" for task in TASKS):
            TASKS.append(Task("sms_outbox", sms_dispatch_due))
