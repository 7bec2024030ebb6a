"""What the home pages show: each role's to-do cards, built from the queues of the apps below."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES
from xinfang.ledger.models import LedgerImport
from xinfang.ledger.selectors import ledger_imports_for_user
from xinfang.petitions.models import OnlineSubmission
from xinfang.petitions.selectors import online_submissions_for_user, todo_counts

# Imports that wait for someone: checked and not yet confirmed, or still being checked or written.
WAITING_IMPORTS = (
    LedgerImport.State.CHECKING,
    LedgerImport.State.CHECKED,
    LedgerImport.State.QUEUED,
    LedgerImport.State.WRITING,
)


@dataclass(frozen=True)
class Card:
    label: str
    scope: str
    count: int
    url: str
    alert: bool = False
    note: str = ""


def todo_cards(*, user: User) -> list[Card]:
    """Every to-do card of the user's role, each shown even at 0 and linking to exactly what it counts."""
    matters = reverse("petitions:list")
    cards = [
        Card(
            item.queue.label,
            item.queue.scope,
            item.count,
            f"{matters}?todo={item.queue.key}",
            item.queue.alert,
            item.queue.note,
        )
        for item in todo_counts(user=user)
    ]
    if user.role in BUREAU_ROLES:
        pending = online_submissions_for_user(user=user).filter(state=OnlineSubmission.State.PENDING)
        waiting = ledger_imports_for_user(user=user).filter(state__in=WAITING_IMPORTS)
        cards += [
            Card(
                "网上信访待审核",
                "全县",
                pending.count(),
                f"{reverse('petitions:online_list')}?state=pending",
                note="审核后登记为事项",
            ),
            Card(
                "台账导入待处理",
                "全县",
                waiting.count(),
                reverse("ledger:list"),
                note="检查中、待确认或写入中",
            ),
        ]
    return cards
