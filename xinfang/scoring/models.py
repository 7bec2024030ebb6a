"""The competition's records (docs/competition.md): the county's versioned rules, each quarter's tables
(drafted, then published and frozen), the bureau's additions and vetoes, the units' appeals."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from xinfang.core.models import Attachment
from xinfang.directory.models import County, Unit
from xinfang.documents.models import IssuedDocument
from xinfang.petitions.models import Event

POINTS = {"max_digits": 6, "decimal_places": 1, "validators": [MinValueValidator(0), MaxValueValidator(1000)]}


class RuleSet(models.Model):
    """One version of a county's rules, in force from the first day of a quarter until the next version's.
    A quarter is scored with the version in force on its first day; a published quarter keeps a copy."""

    class Per(models.TextChoices):
        EVENT = "event", "按批次"
        PERSON = "person", "按人次"

    class Annual(models.TextChoices):
        AVERAGE = "average", "四个季度平均"
        SUM = "sum", "四个季度合计"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    effective_from = models.DateField("起用季度首日")
    base = models.DecimalField("基础分", max_digits=6, decimal_places=1, default=100)
    per = models.CharField("扣分方式", max_length=10, choices=Per.choices, default=Per.EVENT)
    points_beijing = models.DecimalField("进京扣分", default=5, **POINTS)  # type: ignore[arg-type]
    points_province = models.DecimalField("赴省扣分", default=3, **POINTS)  # type: ignore[arg-type]
    points_city = models.DecimalField("到市扣分", default=1, **POINTS)  # type: ignore[arg-type]
    collective_persons = models.PositiveIntegerField(
        "集体访人数", default=5, validators=[MinValueValidator(2), MaxValueValidator(1000)]
    )
    collective_factor = models.DecimalField(
        "集体访倍数", max_digits=4, decimal_places=1, default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )  # fmt: skip
    annual = models.CharField("年度成绩", max_length=10, choices=Annual.choices, default=Annual.AVERAGE)
    note = models.CharField("修改说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="修改人"
    )
    created_at = models.DateTimeField("修改时间")

    class Meta:
        verbose_name = "比拼规则"
        verbose_name_plural = "比拼规则"
        ordering: ClassVar = ["county", "-effective_from"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "effective_from"], name="one_ruleset_per_start")
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m-%d}起施行的比拼规则"


class CompetitionQuarter(models.Model):
    """A quarter's township and department tables: drafted by the worker (computed from the events as they
    are until publication), then published by the bureau head (`figures` frozen, the document archived)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已公布"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    quarter = models.CharField("季度", max_length=6)  # "2026Q1"
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    drafted_at = models.DateTimeField("起草时间")
    appeal_until = models.DateField("申诉截止日期")
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="公布人",
    )  # fmt: skip
    figures = models.JSONField("公布时的成绩", default=dict)
    document = models.ForeignKey(
        IssuedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="文件"
    )

    class Meta:
        verbose_name = "季度比拼"
        verbose_name_plural = "季度比拼"
        ordering: ClassVar = ["county", "-quarter"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "quarter"], name="one_competition_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.quarter} 季度比拼（{self.get_state_display()}）"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class Addition(models.Model):
    """Points added to a unit in a quarter by rule (e.g. a backlog case resolved), with the evidence."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    quarter = models.CharField("季度", max_length=6)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    points = models.DecimalField("加分", **POINTS)  # type: ignore[arg-type]
    reason = models.CharField("加分事由", max_length=300)
    evidence = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, related_name="+", verbose_name="证明材料"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "比拼加分"
        verbose_name_plural = "比拼加分"
        ordering: ClassVar = ["quarter", "unit", "id"]
        indexes: ClassVar = [models.Index(fields=["county", "quarter"], name="scoring_addition_idx")]

    def __str__(self) -> str:
        return f"{self.quarter} {self.unit} +{self.points}"


class Veto(models.Model):
    """一票否决 of a unit in a quarter, on an upper-level document."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    quarter = models.CharField("季度", max_length=6)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    reason = models.CharField("否决事由", max_length=300)
    document_number = models.CharField("上级文件文号", max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "一票否决"
        verbose_name_plural = "一票否决"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "quarter", "unit"], name="one_veto_per_unit_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.unit} 否决"


class Appeal(models.Model):
    """A unit's appeal (申诉) against one event's deduction, and the bureau head's decision."""

    class State(models.TextChoices):
        PENDING = "pending", "待决定"
        UPHELD = "upheld", "申诉成立"
        REJECTED = "rejected", "申诉不成立"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    quarter = models.CharField("季度", max_length=6)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+", verbose_name="信访批次")
    reason = models.CharField("申诉理由", max_length=500)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申诉人"
    )
    filed_at = models.DateTimeField("申诉时间")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="决定人",
    )  # fmt: skip
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_reason = models.CharField("决定理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "扣分申诉"
        verbose_name_plural = "扣分申诉"
        ordering: ClassVar = ["quarter", "filed_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["quarter", "unit", "event"], name="one_appeal_per_deduction"),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(decided_at__isnull=False), name="appeal_decided_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.unit} 申诉（{self.get_state_display()}）"
