"""Monthly history a county enters (历史月度数据, docs/statistics.md "历史月度数据"): past monthly totals for
the months before its registry's records begin, so that 同比 and the forecast have a year to go on.

`month` is the statistical month's name, "YYYY-MM" (lib.periods.Month as text): the same string whatever
the county's month start day, sorted as text in calendar order. The category is a first-level category
(the level `xinfang stats` breaks down by); NULL is 未分类.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from xinfang.directory.models import Category, County
from xinfang.petitions.models import Level


class MonthlyHistory(models.Model):
    """One month × 访别 × first-level category of a county's past: its 批次 and, when known, 人次."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    month = models.CharField(
        "月份", max_length=7, validators=[RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "月份应写作 YYYY-MM")]
    )
    level = models.CharField("访别", max_length=10, choices=Level.choices)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="问题类别",
        help_text="一级分类；空为未分类",
    )
    events = models.PositiveIntegerField("批次")
    persons = models.PositiveIntegerField("人次", null=True, blank=True)
    imported_at = models.DateTimeField("导入时间", default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="导入人",
    )

    class Meta:
        verbose_name = "历史月度数据"
        verbose_name_plural = "历史月度数据"
        ordering: ClassVar = ["county", "month", "level", "category"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["county", "month", "level", "category"],
                condition=Q(category__isnull=False),
                name="monthlyhistory_unique_cell",
            ),
            models.UniqueConstraint(
                fields=["county", "month", "level"],
                condition=Q(category__isnull=True),
                name="monthlyhistory_unique_uncategorized",
            ),
            models.CheckConstraint(condition=Q(persons__isnull=True) | Q(persons__gte=models.F("events")),
                                   name="monthlyhistory_persons_not_below_events"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.month} {self.get_level_display()} {self.category or '未分类'}：{self.events}批次"


class KpiFact(models.Model):
    """A matter's entry into one KPI (stats/kpi_facts.py, docs/statistics.md "考核指标"): the day it enters
    (a due day, the answer, rating or closing day, or for `excluded` the 信访日期), whether it is in the
    numerator, or only counted as left out for want of dates. A late answer's second row carries the due
    day in `other_day` and counts only in a period that does not also hold that day (the matter enters a
    period once). Rows are of the matter as it is now: kept by `facts_refresh` in each writing
    transaction, and equal to `kpis_recount` (a property test)."""

    class Kpi(models.IntegerChoices):
        TIMELY_ACCEPTANCE = 0, "及时受理率"
        ON_TIME_HANDLING = 1, "按期办结率"
        RATING_RATE = 2, "参评率"
        SATISFACTION = 3, "满意率"
        UNIT_SATISFACTION = 4, "单位满意率"
        RESOLUTION = 5, "化解率"
        OWNED_RESOLUTION = 6, "包案化解率"

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", db_index=False)
    matter = models.ForeignKey("petitions.Matter", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    kpi = models.PositiveSmallIntegerField(choices=Kpi.choices)
    day = models.DateField()
    other_day = models.DateField(null=True)
    numerator = models.BooleanField(default=False)
    excluded = models.BooleanField(default=False)

    class Meta:
        verbose_name = "考核指标事实"
        verbose_name_plural = "考核指标事实"
        indexes: ClassVar = [
            # The read: one range of a county's days, every column it needs in the index.
            models.Index(
                fields=["county", "day"],
                include=["kpi", "unit", "numerator", "excluded", "other_day", "matter"],
                name="kpifact_read_idx",
            ),
            # The late answers' second rows, which a period holding both days subtracts from its `KpiDay`s.
            models.Index(
                fields=["county", "day"],
                include=["kpi", "unit", "numerator", "excluded", "other_day"],
                condition=Q(other_day__isnull=False),
                name="kpifact_late_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.get_kpi_display()} {self.day}"


class KpiDay(models.Model):
    """The facts of a county counted per day, responsible unit and KPI (stats/kpi_facts.py): a year is
    365 days of these, not three million facts. Kept by database triggers on every insert, change and
    delete of a fact (cascades included), in the writing transaction: on SQLite by adding to the day's row
    (one writer at a time); on PostgreSQL by inserting the statement's counts as a new row, never updating
    one (concurrent writers never wait on each other or deadlock), which the worker merges later
    (`days_compact`, the rows `compacted` false). A read sums whatever rows there are, merged or not."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    unit = models.IntegerField()  # the responsible unit's id, 0 without one (a key SQLite's upsert names)
    kpi = models.PositiveSmallIntegerField(choices=KpiFact.Kpi.choices)
    numerator = models.IntegerField(default=0)
    denominator = models.IntegerField(default=0)
    excluded = models.IntegerField(default=0)
    compacted = models.BooleanField(default=True)

    class Meta:
        verbose_name = "考核指标日汇总"
        verbose_name_plural = "考核指标日汇总"
        indexes: ClassVar = [
            models.Index(
                fields=["county", "day"],
                include=["unit", "kpi", "numerator", "denominator", "excluded"],
                name="kpiday_read_idx",
            ),
            models.Index(fields=["id"], condition=Q(compacted=False), name="kpiday_uncompacted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kpi_display()} {self.numerator}/{self.denominator}"


class KpiPending(models.Model):
    """A matter whose KPI facts are to be recomputed: written by database triggers on every write to the
    rows the facts come from (matters, status records, assignments, ratings, ownerships), so that no
    write path can leave facts stale unnoticed; emptied by `facts_refresh` in the same transaction, by the
    worker, or by a read. No foreign key: a deleted matter's row is simply dropped."""

    matter_id = models.BigIntegerField(primary_key=True)

    class Meta:
        verbose_name = "待重算考核指标的事项"
        verbose_name_plural = "待重算考核指标的事项"

    def __str__(self) -> str:
        return str(self.matter_id)
