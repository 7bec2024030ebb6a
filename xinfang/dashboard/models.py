"""The leaders' dashboard's daily snapshot (issue 18): what is too slow to compute per request at a
million matters — the escalation-risk ranking, the hotspots, the statistical month's KPIs and the monthly
series of the months before this one — computed once a day per county (the `dashboard_snapshot` job just
after midnight, or on the first visit of the day when the job has not run) and read by every visit.

The figures are stored as computed, county-wide: the page leaves out, per reader, the matters that report
them (Art. 46), see `dashboard.selectors`.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from xinfang.directory.models import County


class DashboardSnapshot(models.Model):
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", verbose_name="所属县")
    day = models.DateField("日期")
    computed_at = models.DateTimeField("计算时间")
    # [{"matter_id", "number", "score", "factors": {name: points}, "reasons": [...]}], highest first
    risks = models.JSONField("越级风险", default=list)
    # [{"township_id", "township", "category_id", "category", "count", "expected", "ratio", "p_value"}]
    hotspots = models.JSONField("热点", default=list)
    # {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "figures": {name: {"numerator", "denominator", "rate"}}}
    kpis = models.JSONField("考核指标", default=dict)
    # [["YYYY-MM", events or null], ...] the statistical months before the day's month, oldest first
    months = models.JSONField("月度访量", default=list)

    class Meta:
        verbose_name = "态势快照"
        verbose_name_plural = verbose_name
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "day"], name="dashboard_snapshot_county_day"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.day}"
