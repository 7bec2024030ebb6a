from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DirectoryConfig(AppConfig):
    name = "xinfang.directory"
    verbose_name = "县域名录"

    def ready(self) -> None:
        from xinfang.directory.models import Category, Department, Leader, Township, Unit
        from xinfang.directory.services import revision_bump_receiver

        # Every save and delete of what pages keep in memory (selectors.county_cached) raises the
        # county's revision; bulk writes, which send no signal, call county_revision_bump themselves.
        for model in (Unit, Township, Department, Category, Leader):  # a proxy's save sends its own class
            for signal in (post_save, post_delete):
                uid = f"revision-{model.__name__}"
                signal.connect(revision_bump_receiver, sender=model, dispatch_uid=uid)
