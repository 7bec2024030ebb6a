from __future__ import annotations

from typing import Any

from django.apps import AppConfig

from xinfang.core.matter_extras import MatterExtras


def _ownership_extras(user: Any, matter: Any) -> MatterExtras:
    # Imported at the first matter page, not at start-up: its forms and pages cost a command like
    # `xinfang kpi` 0.2 s (the CAPTCHA's Pillow among them) for nothing.
    from xinfang.ownership.extras import ownership_extras

    return ownership_extras(user, matter)


class OwnershipConfig(AppConfig):
    name = "xinfang.ownership"
    verbose_name = "领导包案"

    def ready(self) -> None:
        # The matter page shows the 领导包案 card and timeline lines without petitions importing this app.
        from xinfang.core.matter_extras import matter_extras_register

        matter_extras_register("ownership", _ownership_extras)
