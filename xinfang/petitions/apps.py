from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "xinfang.petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from xinfang.jobs.worker import TASKS, Task
        from xinfang.petitions.ledger import ledger_work_next

        if not any(task.name == "ledger_imports" for task in TASKS):
            TASKS.append(Task("ledger_imports", ledger_work_next))
