"""The county directory: the county (root of all data), its units, villages, leaders and categories.

Townships (乡镇) and county departments (县直单位) share one table, `Unit`, because either can be a
matter's responsible unit (责任单位), hold unit users and be scored; `Township` and `Department` are
proxies that keep the glossary's names in code.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

county_code_validator = RegexValidator(r"^[0-9]{6}$", "行政区划代码应为6位数字")
phone_validator = RegexValidator(
    r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?)$", "请填写11位手机号码或带区号的固定电话"
)


class County(models.Model):
    code = models.CharField("行政区划代码", max_length=6, unique=True, validators=[county_code_validator])
    name = models.CharField("县(市、区)名称", max_length=50)
    city = models.CharField("所属市", max_length=50)
    province = models.CharField("所属省", max_length=50)
    bureau_name = models.CharField("信访局名称", max_length=80)
    # Raised by every change of the county's units, categories, leaders and registry rules (signals in
    # apps.py): what pages keep of them in memory is keyed on it (selectors.county_cached).
    revision = models.PositiveBigIntegerField("目录版本", default=0, editable=False)

    class Meta:
        verbose_name = "县(市、区)"
        verbose_name_plural = "县(市、区)"
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A township or a county department: a possible responsible unit with a head (一把手)."""

    class Kind(models.TextChoices):
        TOWNSHIP = "township", "乡镇"
        DEPARTMENT = "department", "县直单位"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="units", verbose_name="所属县")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=50)
    short_name = models.CharField(
        "简称", max_length=20, blank=True, help_text="如“周庄”“人社局”，用于导入时匹配"
    )
    code = models.CharField("代码", max_length=20, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering: ClassVar = ["county", "kind", "order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "name"], name="unit_unique_name_per_county"),
            models.CheckConstraint(condition=Q(kind__in=["township", "department"]), name="unit_kind_valid"),
        ]
        indexes: ClassVar = [models.Index(fields=["county", "kind", "order"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.short_name and self.county_id:
            clash = Unit.objects.filter(county_id=self.county_id, short_name=self.short_name).exclude(
                pk=self.pk
            )
            if clash.exists():
                raise ValidationError({"short_name": f"简称“{self.short_name}”已被本县其他单位使用"})

    @property
    def is_township(self) -> bool:
        return self.kind == self.Kind.TOWNSHIP


class TownshipManager(models.Manager["Township"]):
    def get_queryset(self) -> models.QuerySet[Township]:
        return super().get_queryset().filter(kind=Unit.Kind.TOWNSHIP)


class DepartmentManager(models.Manager["Department"]):
    def get_queryset(self) -> models.QuerySet[Department]:
        return super().get_queryset().filter(kind=Unit.Kind.DEPARTMENT)


class Township(Unit):
    objects: ClassVar[TownshipManager] = TownshipManager()

    class Meta:
        proxy = True
        verbose_name = "乡镇"
        verbose_name_plural = "乡镇"

    def save(self, *args: object, **kwargs: object) -> None:
        self.kind = Unit.Kind.TOWNSHIP
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Department(Unit):
    objects: ClassVar[DepartmentManager] = DepartmentManager()

    class Meta:
        proxy = True
        verbose_name = "县直单位"
        verbose_name_plural = "县直单位"

    def save(self, *args: object, **kwargs: object) -> None:
        self.kind = Unit.Kind.DEPARTMENT
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", "村"
        COMMUNITY = "community", "社区"

    township = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="villages",
        verbose_name="所属乡镇",
        limit_choices_to={"kind": Unit.Kind.TOWNSHIP},
    )
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.VILLAGE)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "村(社区)"
        verbose_name_plural = "村(社区)"
        ordering: ClassVar = ["township", "order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["township", "name"], name="village_unique_name_per_township"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitOfficial(models.Model):
    """A township leader (党委书记, 乡镇长, 班子成员) or a department's head, with a phone."""

    class Position(models.TextChoices):
        PARTY_SECRETARY = "party_secretary", "党委书记"
        TOWNSHIP_HEAD = "township_head", "乡镇长"
        TEAM_MEMBER = "team_member", "班子成员"
        DEPARTMENT_HEAD = "department_head", "主要负责人"
        DEPUTY = "deputy", "副职"

    MAIN_POSITIONS: ClassVar = (Position.PARTY_SECRETARY, Position.TOWNSHIP_HEAD)

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="officials", verbose_name="单位")
    name = models.CharField("姓名", max_length=30)
    position = models.CharField("岗位", max_length=30, choices=Position.choices)
    title = models.CharField("职务", max_length=50, blank=True, help_text="如“副镇长”“局长”")
    mobile = models.CharField("手机", max_length=20, blank=True, validators=[phone_validator])
    is_head = models.BooleanField("一把手", default=False)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在职", default=True)

    class Meta:
        verbose_name = "单位领导"
        verbose_name_plural = "单位领导"
        ordering: ClassVar = ["unit", "order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(is_head=True, is_active=True),
                name="unit_one_active_head",
                violation_error_message="每个单位只能有一位在职的一把手",
            ),
            models.UniqueConstraint(fields=["unit", "name"], name="unit_official_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.title or self.get_position_display()} {self.name}"

    @property
    def is_main_leader(self) -> bool:
        return self.position in self.MAIN_POSITIONS


def category_label(name: str, parent: str | None) -> str:
    """How a category is named wherever it is shown: under its parent as "parent/name"."""
    return f"{parent}/{name}" if parent else name


class Category(models.Model):
    """A problem category (问题分类): two levels, national taxonomy seeded, editable per county."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="categories", verbose_name="所属县"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="一级分类",
        limit_choices_to={"parent__isnull": True},
    )
    code = models.CharField("代码", max_length=10)
    name = models.CharField("名称", max_length=50)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "问题分类"
        verbose_name_plural = "问题分类"
        ordering: ClassVar = ["county", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "code"], name="category_unique_code"),
            models.UniqueConstraint(fields=["county", "parent", "name"], name="category_unique_name"),
            models.UniqueConstraint(
                fields=["county", "name"], condition=Q(parent__isnull=True), name="category_unique_top_name"
            ),
        ]

    def __str__(self) -> str:
        return category_label(self.name, self.parent.name if self.parent_id and self.parent else None)

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": "分类不能以自己为上级"})
        if self.parent is not None and self.parent.parent_id is not None:
            raise ValidationError({"parent": "上级只能是一级分类（问题分类只有两级）"})
        if self.pk and Category.objects.filter(parent_id=self.pk).exists():
            raise ValidationError({"parent": "该分类下还有二级分类，不能再设上级"})
        if self.parent is not None and self.parent.county_id != self.county_id:
            raise ValidationError({"parent": "上级分类不在本县"})

    @property
    def level(self) -> int:
        return 2 if self.parent_id else 1


class Leader(models.Model):
    """A county-level leader (县级领导) of one of the four bodies."""

    class Body(models.TextChoices):
        PARTY = "party", "县委"
        GOVERNMENT = "government", "县政府"
        CONGRESS = "congress", "县人大"
        CPPCC = "cppcc", "县政协"

    class PostKind(models.TextChoices):
        SECRETARY = "secretary", "县委书记"
        COUNTY_HEAD = "county_head", "县长"
        DEPUTY_SECRETARY = "deputy_secretary", "县委副书记"
        CONGRESS_CHAIR = "congress_chair", "县人大常委会主任"
        CPPCC_CHAIR = "cppcc_chair", "县政协主席"
        POLITICAL_LEGAL_SECRETARY = "political_legal_secretary", "县委政法委书记"
        STANDING_MEMBER = "standing_member", "县委常委"
        EXECUTIVE_VICE_HEAD = "executive_vice_head", "常务副县长"
        VICE_HEAD = "vice_head", "副县长"
        CONGRESS_VICE_CHAIR = "congress_vice_chair", "县人大常委会副主任"
        CPPCC_VICE_CHAIR = "cppcc_vice_chair", "县政协副主席"
        OTHER = "other", "其他县级领导"

    # The two posts whose holders see the whole county and sign off reports (SPEC §3).
    MAIN_POSTS: ClassVar = (PostKind.SECRETARY, PostKind.COUNTY_HEAD)
    # The main leaders of the four bodies, who receive every Wednesday (SPEC §6.1).
    FOUR_BODIES_MAIN_POSTS: ClassVar = (
        PostKind.SECRETARY,
        PostKind.COUNTY_HEAD,
        PostKind.CONGRESS_CHAIR,
        PostKind.CPPCC_CHAIR,
    )

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="leaders", verbose_name="所属县"
    )
    name = models.CharField("姓名", max_length=30)
    post_kind = models.CharField("职务类别", max_length=40, choices=PostKind.choices)
    post = models.CharField("职务全称", max_length=80, help_text="如“县委常委、常务副县长”")
    body = models.CharField("所属班子", max_length=20, choices=Body.choices)
    protocol_order = models.PositiveIntegerField("排序(按职务)", default=0)
    is_standing_committee = models.BooleanField("县委常委", default=False)
    is_top_six = models.BooleanField("六大班子主要领导(下沉抽签)", default=False)
    liaison_townships = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="liaison_leaders",
        verbose_name="分包联系乡镇",
        limit_choices_to={"kind": Unit.Kind.TOWNSHIP},
    )
    portfolio_categories = models.ManyToManyField(
        Category, blank=True, related_name="leaders", verbose_name="分管领域(问题分类)"
    )
    portfolio_departments = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="supervising_leaders",
        verbose_name="分管单位",
        limit_choices_to={"kind": Unit.Kind.DEPARTMENT},
    )
    mobile = models.CharField("手机", max_length=20, blank=True, validators=[phone_validator])
    is_active = models.BooleanField("在任", default=True)

    class Meta:
        verbose_name = "县级领导"
        verbose_name_plural = "县级领导"
        ordering: ClassVar = ["county", "protocol_order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "name"], name="leader_unique_name_per_county"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.post})"

    @property
    def is_main_leader(self) -> bool:
        return self.post_kind in self.MAIN_POSTS


class Unavailability(models.Model):
    """A period when someone cannot receive (meetings out of the county, leave): the reception schedules
    skip its days. County leaders and township officials each have a table of them."""

    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.person.name} {self.start}—{self.end}"

    @property
    def person(self) -> Leader | UnitOfficial:
        raise NotImplementedError


class LeaderUnavailability(Unavailability):
    """A county leader's unavailable period (edited on the leader's page)."""

    leader = models.ForeignKey(
        Leader, on_delete=models.CASCADE, related_name="unavailable_periods", verbose_name="县级领导"
    )

    class Meta:
        verbose_name = "不能接访时段"
        verbose_name_plural = "不能接访时段"
        ordering: ClassVar = ["leader", "start"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="unavailability_end_after_start",
                violation_error_message="结束日期不能早于开始日期",
            ),
        ]

    @property
    def person(self) -> Leader:
        return self.leader


class OfficialUnavailability(Unavailability):
    """A township official's unavailable period (edited on the official's page)."""

    official = models.ForeignKey(
        UnitOfficial, on_delete=models.CASCADE, related_name="unavailable_periods", verbose_name="乡镇领导"
    )

    class Meta:
        verbose_name = "乡镇领导不能接访时段"
        verbose_name_plural = "乡镇领导不能接访时段"
        ordering: ClassVar = ["official", "start"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="official_unavailability_end_after_start",
                violation_error_message="结束日期不能早于开始日期",
            ),
        ]

    @property
    def person(self) -> UnitOfficial:
        return self.official
