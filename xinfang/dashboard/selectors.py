"""What the home pages show: each role's to-do cards, built from the queues of the apps below."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.documents.models import Delivery
from xinfang.documents.selectors import inbox_for_user
from xinfang.ledger.models import LedgerImport
from xinfang.ledger.selectors import ledger_imports_for_user
from xinfang.ownership.pages import my_cases
from xinfang.ownership.selectors import closures_pending_for_user
from xinfang.petitions.models import OnlineSubmission
from xinfang.petitions.selectors import online_submissions_for_user, todo_counts
from xinfang.reception.duty import duty_missing, quarter_of
from xinfang.reports.models import WeeklyReport
from xinfang.supervision.selectors import item_counts

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
    return (
        cards
        + document_cards(user=user)
        + supervision_cards(user=user)
        + ownership_cards(user=user)
        + duty_cards(user=user)
    )


def document_cards(*, user: User) -> list[Card]:
    """Documents waiting for the reader: a leader's to sign off and unread; the bureau's weekly drafts."""
    if user.role in BUREAU_ROLES and user.county is not None:
        drafts = WeeklyReport.objects.filter(county=user.county, state=WeeklyReport.State.DRAFT).count()
        return [
            Card(
                "每周访情分析待印发", "全县", drafts, reverse("reports:weekly"), note="草稿待补充、待局长审定"
            )
        ]
    # The reports go to the main leaders and the standing-committee members; other leaders get none.
    recipient = user.leader is not None and (user.leader.is_main_leader or user.leader.is_standing_committee)
    if user.role not in (Role.MAIN_LEADER, Role.COUNTY_LEADER) or not recipient:
        return []
    inbox = reverse("documents:inbox")
    deliveries = inbox_for_user(user=user)
    cards = [Card("文件未读", "报送本人", deliveries.filter(read_at__isnull=True).count(), inbox)]
    if user.role == Role.MAIN_LEADER:
        to_sign = deliveries.filter(purpose=Delivery.Purpose.SIGN, signed_at__isnull=True).count()
        cards.insert(0, Card("文件待签批", "报送本人", to_sign, inbox, alert=True, note="每周访情分析等"))
    return cards


def supervision_cards(*, user: User) -> list[Card]:
    """The role's 督办 cards: a county leader's items they lead, a unit's own, the bureau's waiting for its
    decision; and the overdue ones of each scope (overdue items are counted among the open ones too)."""
    items = reverse("supervision:list")
    if user.role not in (Role.COUNTY_LEADER, Role.UNIT_USER, *BUREAU_ROLES, Role.MAIN_LEADER):
        return []
    counts = item_counts(user=user)
    overdue_note = "未办结且已过办理期限"
    if user.role == Role.COUNTY_LEADER:
        return [
            Card("督办：本人牵头", "本人牵头", counts.open, f"{items}?state=open", note="未办结的督办事项"),
            Card("督办已超期", "本人牵头", counts.overdue, f"{items}?state=overdue", True, overdue_note),
        ]
    if user.role == Role.UNIT_USER:
        return [
            Card("督办：本单位待办", "本单位", counts.open, f"{items}?state=open", note="未办结的督办事项"),
            Card("督办已超期", "本单位", counts.overdue, f"{items}?state=overdue", True, overdue_note),
        ]
    overdue = Card("督办已超期", "全县", counts.overdue, f"{items}?state=overdue", True, overdue_note)
    if user.role == Role.MAIN_LEADER:
        return [overdue]
    awaiting_note = "单位已报送、尚未验收或退回"
    return [
        Card("督办待验收", "全县", counts.awaiting, f"{items}?state=awaiting", note=awaiting_note),
        overdue,
    ]


def ownership_cards(*, user: User) -> list[Card]:
    """领导包案: the bureau's 销号 requests to confirm; a leader's own cases with a 包 still empty."""
    if user.role in BUREAU_ROLES:
        waiting = closures_pending_for_user(user=user).count()
        url = f"{reverse('ownership:index')}#closures"
        return [Card("包案销号待确认", "全县", waiting, url, note="包案领导已申请销号")]
    if user.role in (Role.MAIN_LEADER, Role.COUNTY_LEADER) and user.leader_id is not None:
        empty = my_cases(user=user, empty_only=True).count()
        url = f"{reverse('ownership:mine')}?todo=empty"
        return [Card("包案五包未填全", "本人包案", empty, url, note="五包中尚有未开展的")]
    return []


def duty_cards(*, user: User) -> list[Card]:
    """季度下沉任务: the bureau's leaders neither gone down nor planned this quarter; a bound leader's own."""
    county, today = user.county, timezone.localdate()
    if county is None:
        return []
    quarter = quarter_of(today)
    deadline = f"{quarter.label}，{quarter.last.month}月{quarter.last.day}日截止"
    missing = duty_missing(county=county, quarter=quarter, today=today)
    if user.role in BUREAU_ROLES:
        return [Card("下沉接访未安排", "全县", missing.count(), reverse("reception:duty"), note=deadline)]
    leader = user.leader if user.role in (Role.MAIN_LEADER, Role.COUNTY_LEADER) else None
    if leader is not None and leader.is_active and not leader.is_top_six:
        mine = int(missing.filter(pk=leader.pk).exists())
        return [Card("本季度下沉接访", "本人", mine, reverse("reception:duty_mine"), True, deadline)]
    return []
