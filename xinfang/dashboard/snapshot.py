"""The dashboard's daily snapshot (models.DashboardSnapshot): computed by the `dashboard_snapshot` job just
after midnight, or on demand by the first visit of a day the job has not reached yet, once, then stored.

What it holds, for its county and day D, each over complete days only so that its links stay exact:
- the escalation-risk ranking at the start of D (`stats.risk.risk_ranking(as_of=D)`), the first RISKS_KEPT;
- the hotspots of the 14 days ending on D − 1 (`stats.hotspots.hotspots(day=D − 1)`);
- the KPIs of the statistical month of D − 1, from its first day to D − 1 (`stats.kpi.kpis`);
- the events of each of the 11 statistical months before D's (`stats.series.monthly_events`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.dashboard.models import DashboardSnapshot
from xinfang.directory.models import County
from xinfang.lib.periods import Month, month_of
from xinfang.stats.hotspots import hotspots
from xinfang.stats.kpi import kpis
from xinfang.stats.risk import risk_ranking
from xinfang.stats.series import monthly_events

RISKS_KEPT = 30  # the page shows 10; a few more in case a reader's Art. 46 exclusions leave some out
CHART_MONTHS = 12  # the monthly chart's months, this one included


def kpi_period(day: dt.date) -> tuple[dt.date, dt.date]:
    """The KPIs' period of a snapshot of `day`: the statistical month of the day before, up to that day."""
    yesterday = day - dt.timedelta(days=1)
    start_day = settings.XINFANG_MONTH_START_DAY
    start, _end = month_of(yesterday, start_day).range(start_day)
    return start, yesterday


def hotspot_day(day: dt.date) -> dt.date:
    """The last day of the hotspots' 14-day window in a snapshot of `day`: the day before, complete."""
    return day - dt.timedelta(days=1)


def past_months(day: dt.date) -> list[Month]:
    """The statistical months of the monthly chart before the month of `day`, oldest first."""
    current = month_of(day, settings.XINFANG_MONTH_START_DAY)
    return [current.shifted(offset) for offset in range(1 - CHART_MONTHS, 0)]


def snapshot_figures(*, county: County, day: dt.date) -> dict[str, object]:
    """The snapshot's figures for the county and day (see the module docstring), as stored."""
    risks = risk_ranking(county=county, as_of=day, limit=RISKS_KEPT)
    date_from, date_to = kpi_period(day)
    figures = kpis(county=county, date_from=date_from, date_to=date_to)
    months = past_months(day)
    series = monthly_events(
        county=county, first=months[0], last=months[-1], start_day=settings.XINFANG_MONTH_START_DAY
    )
    return {
        "risks": [asdict(risk) for risk in risks],
        "hotspots": [asdict(hotspot) for hotspot in hotspots(county=county, day=hotspot_day(day))],
        "kpis": {
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "figures": {name: kpi.as_dict() for name, kpi in figures.items()},
        },
        "months": [[str(month), events] for month, events in zip(months, series, strict=True)],
    }


def snapshot_compute(*, county: County, day: dt.date, now: dt.datetime | None = None) -> DashboardSnapshot:
    """Compute the county's snapshot of `day` and store it, replacing one already stored."""
    figures = snapshot_figures(county=county, day=day)
    snapshot, _ = DashboardSnapshot.objects.update_or_create(
        county=county, day=day, defaults={"computed_at": now or timezone.now(), **figures}
    )
    return snapshot


def snapshot_for(*, county: County, day: dt.date) -> DashboardSnapshot:
    """The county's snapshot of `day`: the stored one, else computed now and stored (once: a visit that
    loses the race to store it reads the winner's)."""
    stored = DashboardSnapshot.objects.filter(county=county, day=day).first()
    if stored is not None:
        return stored
    figures = snapshot_figures(county=county, day=day)
    try:
        with transaction.atomic():
            return DashboardSnapshot.objects.create(
                county=county, day=day, computed_at=timezone.now(), **figures
            )
    except IntegrityError:
        return DashboardSnapshot.objects.get(county=county, day=day)


def dashboard_snapshot_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """The scheduled job: the day's snapshot, computed afresh (a repeated run replaces it)."""
    snapshot = snapshot_compute(county=county, day=day, now=now)
    return f"已生成态势快照：越级风险 {len(snapshot.risks)} 件，热点 {len(snapshot.hotspots)} 个"
