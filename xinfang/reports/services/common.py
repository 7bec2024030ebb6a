"""What the weekly and the monthly analyses' flows share: the bounded text staff write, and who an issue
is sent to."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models import Q

from xinfang.directory.models import County, Leader
from xinfang.documents.models import Delivery
from xinfang.documents.services import Recipient, recipients_for
from xinfang.lib.text import clean_text

TEXT_LIMIT = 20_000  # characters of each text staff write on an issue (analysis, suggestions)


def bounded_text(text: str, label: str) -> str:
    """Staff's text cleaned (control characters out) and at most TEXT_LIMIT characters."""
    text = clean_text(text, multiline=True).strip()
    if len(text) > TEXT_LIMIT:
        raise ValidationError(f"{label}不超过{TEXT_LIMIT}字（现有{len(text)}字）")
    return text


def leaders_recipients(county: County, numbers: Sequence[str]) -> list[Recipient]:
    """The main leaders sign off, the other standing-committee members read; each gets a copy without the
    listed matters (`numbers`) that report their own account (Art. 46)."""
    leaders = Leader.objects.filter(county=county, is_active=True).filter(
        Q(post_kind__in=Leader.MAIN_POSTS) | Q(is_standing_committee=True)
    )
    return recipients_for(
        county=county,
        leaders=list(leaders.order_by("protocol_order", "id")),
        purpose=lambda leader: Delivery.Purpose.SIGN if leader.is_main_leader else Delivery.Purpose.READ,
        numbers=numbers,
    )
