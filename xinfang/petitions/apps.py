from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PetitionsConfig(AppConfig):
    name = "xinfang.petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from xinfang.directory.services import revision_bump_receiver
        from xinfang.petitions.models import RegistryRules

        # The registry rules are kept in memory with the county's directory (county_cached).
        for signal in (post_save, post_delete):
            uid = "revision-RegistryRules"
            signal.connect(revision_bump_receiver, sender=RegistryRules, dispatch_uid=uid)
