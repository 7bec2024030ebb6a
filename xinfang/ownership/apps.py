from django.apps import AppConfig


class OwnershipConfig(AppConfig):
    name = "xinfang.ownership"
    verbose_name = "领导包案"

    def ready(self) -> None:
        # The matter page shows the 领导包案 card and timeline lines without petitions importing this app.
        from xinfang.core.matter_extras import matter_extras_register
        from xinfang.ownership.extras import ownership_extras

        matter_extras_register("ownership", ownership_extras)
