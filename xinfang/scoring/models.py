"""The competition's records (docs/competition.md): the county's versioned rules, each quarter's tables
(drafted, then published and frozen), the bureau's additions and vetoes, the units' appeals."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from xinfang.core.models import Attachment
from xinfang.directory.models import County, Unit, Village
from xinfang.documents.models import IssuedDocument
from xinfang.petitions.models import Event, Matter

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
    """A quarter's township and department tables: drafted by the worker, then published by the bureau head
    (the document archived). The tables (`figures`: one row per unit, without its charges) and each unit's
    charges (`CompetitionCharges`) are stored: a draft's as computed from the events at `computed_at`
    (refreshed by the draft, every addition, veto and appeal decision, and the bureau's 重新计算), a
    published quarter's frozen at publication. Pages read them and never compute a quarter."""

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
    figures = models.JSONField("成绩表", default=dict)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
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


class CompetitionCharges(models.Model):
    """One unit's charges (逐批扣分) in a quarter's stored tables, as compact rows (`engine.CHARGE_COLUMNS`):
    a unit's page reads its own row only, and the board none. Written with the tables, replaced when a
    draft is recomputed, frozen with them at publication. A unit without charges has no row."""

    competition = models.ForeignKey(
        CompetitionQuarter, on_delete=models.CASCADE, related_name="+", verbose_name="季度比拼"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    charges = models.JSONField("逐批扣分", default=list)

    class Meta:
        verbose_name = "比拼逐批扣分"
        verbose_name_plural = "比拼逐批扣分"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["competition", "unit"], name="one_charges_per_unit_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.competition} {self.unit}"


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


# ---------------------------------------------------------------------------------------------------------
# Village star ratings (星级管理, docs/villages.md)


class Star(models.Model):
    """One of the stars the county rates its villages' party organisations by; exactly one is the
    petition-related star (信访稳定星), vetoed by the village's over-level events of the year."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    name = models.CharField("星名", max_length=30)
    is_petition = models.BooleanField("信访相关星", default=False)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "星级"
        verbose_name_plural = "星级"
        ordering: ClassVar = ["county", "order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "name"], name="star_unique_name"),
            models.UniqueConstraint(
                fields=["county"], condition=Q(is_petition=True), name="one_petition_star_per_county"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StarReward(models.Model):
    """The reward a village's star count earns: work funds (工作经费) and cadre pay (干部报酬), in yuan."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    stars = models.PositiveIntegerField("星数", validators=[MinValueValidator(1), MaxValueValidator(20)])
    work_funds = models.DecimalField("工作经费（元）", max_digits=10, decimal_places=2, default=0)
    cadre_pay = models.DecimalField("干部报酬（元）", max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = "星级奖励"
        verbose_name_plural = "星级奖励"
        ordering: ClassVar = ["county", "stars"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "stars"], name="one_reward_per_stars")
        ]

    def __str__(self) -> str:
        return f"{self.stars}星"


class VillageRating(models.Model):
    """The stars a village holds in a year, as the bureau entered them (the petition star is computed)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    year = models.PositiveSmallIntegerField("年度")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name="村(社区)")
    stars = models.ManyToManyField(Star, blank=True, related_name="+", verbose_name="所获星级")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="登记人"
    )
    updated_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "村级星级评定"
        verbose_name_plural = "村级星级评定"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["village", "year"], name="one_rating_per_village_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.village}"


class RatingYear(models.Model):
    """A year's list of ratings and rewards once published: frozen (`figures`) and issued as a document."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    year = models.PositiveSmallIntegerField("年度")
    figures = models.JSONField("公布时的评定结果", default=dict)
    unmatched_reason = models.CharField("未匹配村(社区)仍公布的理由", max_length=300, blank=True)
    published_at = models.DateTimeField("公布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="公布人"
    )
    document = models.ForeignKey(
        IssuedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="文件"
    )

    class Meta:
        verbose_name = "村级星级评定公布"
        verbose_name_plural = "村级星级评定公布"
        constraints: ClassVar = [models.UniqueConstraint(fields=["county", "year"], name="one_rating_year")]

    def __str__(self) -> str:
        return f"{self.year}年村级星级评定"


class VillageVetoes(models.Model):
    """A year's petition-star vetoes as computed from the events at `computed_at` (the heavy part of the
    ratings: the year's over-level events charged to their origin villages), one row per county and year.
    `summary` maps a vetoed village's id (as text) to [its number of vetoing events, its first few charges
    as compact rows (`engine.CHARGE_COLUMNS`)] — what the list shows; each village's full charges are its
    `VillageVetoCharges` row, read by its own page and the export only (a million matters gave 170,000
    vetoing events, 15 MB of rows). Written by the nightly job, the bureau's 重新计算, a resolved unmatched
    village and publication; the pages combine it with the stars held and the rewards, read live, and never
    compute it."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    year = models.PositiveSmallIntegerField("年度")
    summary = models.JSONField("各村否决批次（摘要）", default=dict)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "村级信访否决计算结果"
        verbose_name_plural = "村级信访否决计算结果"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "year"], name="one_village_vetoes_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}年村级信访否决（{self.computed_at:%Y-%m-%d %H:%M}）"


class VillageVetoCharges(models.Model):
    """One village's vetoing events of a year's stored vetoes, as compact rows (`engine.CHARGE_COLUMNS`),
    replaced with them. A village without any has no row."""

    vetoes = models.ForeignKey(
        VillageVetoes, on_delete=models.CASCADE, related_name="+", verbose_name="计算结果"
    )
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name="村(社区)")
    charges = models.JSONField("否决批次", default=list)

    class Meta:
        verbose_name = "村级信访否决批次"
        verbose_name_plural = "村级信访否决批次"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["vetoes", "village"], name="one_veto_charges_per_village_year")
        ]

    def __str__(self) -> str:
        return f"{self.vetoes} {self.village}"


class Rectification(models.Model):
    """A village marked 软弱涣散 for rectification (村级综合整治), with its linked petition matters."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name="村(社区)")
    year = models.PositiveSmallIntegerField("年度")
    reason = models.CharField("软弱涣散情形", max_length=300)
    matters = models.ManyToManyField(Matter, blank=True, related_name="+", verbose_name="关联信访事项")
    is_closed = models.BooleanField("整治完成", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间")
    # 整治完成/销号 (the bureau): cleared again when the bureau head reopens it (the audit keeps each one).
    closed_on = models.DateField("销号日期", null=True, blank=True)
    conclusion = models.CharField("整治结论", max_length=500, blank=True)
    close_reason = models.CharField("未完成任务时销号的理由", max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="销号人",
    )  # fmt: skip
    closed_at = models.DateTimeField("销号登记时间", null=True, blank=True)
    reopen_reason = models.CharField("重新打开的理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "软弱涣散村整治"
        verbose_name_plural = "软弱涣散村整治"
        ordering: ClassVar = ["-year", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["village", "year"], name="one_rectification_per_village_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.village} 软弱涣散整治"


class RectificationTask(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "整改中"
        DONE = "done", "已完成"

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="tasks", verbose_name="整治"
    )
    text = models.CharField("整改任务", max_length=300)
    responsible = models.CharField("责任人", max_length=50)
    deadline = models.DateField("完成时限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "整改任务"
        verbose_name_plural = "整改任务"
        ordering: ClassVar = ["deadline", "id"]

    def __str__(self) -> str:
        return self.text


class RectificationNote(models.Model):
    task = models.ForeignKey(
        RectificationTask, on_delete=models.PROTECT, related_name="notes", verbose_name="任务"
    )
    text = models.CharField("进展情况", max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    created_at = models.DateTimeField("填报时间")

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class VillageVisit(models.Model):
    """An official's visit down to a village (下访): date, who, what, and optionally the matters."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name="村(社区)")
    date = models.DateField("下访日期")
    officials = models.CharField("下访人员", max_length=200)
    content = models.CharField("下访内容", max_length=1000)
    matters = models.ManyToManyField(Matter, blank=True, related_name="+", verbose_name="关联信访事项")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "下访记录"
        verbose_name_plural = "下访记录"
        ordering: ClassVar = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.village} 下访"
