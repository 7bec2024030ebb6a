"""办结 by the lapse of a review window (the worker, every working day): an answer or a review decision
whose 复查 (复核) window ran out with no request concludes its matter (办结); a matter already marked 已化解
keeps its status and loses the window's clock. Recorded as the system, with a status record and an audit
record per matter. 终结 is not this: it follows the decision of the last review the profile allows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinfang.audit.services import audit_record_many
from xinfang.core.bulk import bulk_insert
from xinfang.core.matter_hooks import matters_changed
from xinfang.directory.models import County
from xinfang.lib.deadlines import Clock
from xinfang.petitions.models import Matter, Transition

WINDOWS = (Clock.REVIEW_REQUEST.value, Clock.RE_REVIEW_REQUEST.value)
CHUNK = 2000
REASON = {Clock.REVIEW_REQUEST.value: "复查期限届满，信访人未请求复查，办结",
          Clock.RE_REVIEW_REQUEST.value: "复核期限届满，信访人未请求复核，办结"}  # fmt: skip


def review_windows_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """Conclude the county's matters whose review window ended before `day`."""
    lapsed = Matter.objects.filter(county=county, clock__in=WINDOWS, due_date__lt=day)
    concluded = kept = 0
    while rows := list(lapsed.order_by("pk").values_list("pk", "number", "status", "clock")[:CHUNK]):
        answered = [row for row in rows if row[2] == Matter.Status.ANSWERED]
        Matter.objects.filter(pk__in=[row[0] for row in answered]).update(
            status=Matter.Status.CONCLUDED, clock="", clock_started=None, due_date=None
        )
        Matter.objects.filter(pk__in=[row[0] for row in rows if row[2] != Matter.Status.ANSWERED]).update(
            clock="", clock_started=None, due_date=None
        )
        at = timezone.now()
        bulk_insert(Transition, [
            {"matter_id": pk, "from_status": status, "to_status": Matter.Status.CONCLUDED, "at": at,
             "by_id": None, "reason": REASON[clock]}
            for pk, _number, status, clock in answered
        ])  # fmt: skip
        matters_changed([row[0] for row in rows])
        audit_record_many(
            action="matter.window_lapsed",
            actor=None,
            county=county,
            object_type=Matter._meta.label_lower,
            objects=[(pk, number, _lapsed(status, clock)) for pk, number, status, clock in rows],
            actor_name="system",
        )
        concluded, kept = concluded + len(answered), kept + len(rows) - len(answered)
    if not concluded and not kept:
        return "没有期限届满的事项"
    return f"{concluded} 件事项复查（复核）期限届满办结" + (f"，{kept} 件已化解事项期限届满" if kept else "")


def _lapsed(status: str, clock: str) -> dict[str, object]:
    after = Matter.Status.CONCLUDED if status == Matter.Status.ANSWERED else status
    return {"status": [status, after], "window": clock}
