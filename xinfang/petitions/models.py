"""The petition registry: matters (信访事项), their events (访), petitioners, and the workflow records.

Personal data (ID number, phone, address) is stored only encrypted (`*_enc`, see `rows.py`) with
a keyed blind index (`*_index`) for exact lookups; names are stored in clear because staff search and
read them, and are masked wherever the viewer does not handle the matter.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from xinfang.directory.models import Category, County, Leader, Unit, Village


class Level(models.TextChoices):
    """访别: where an event reached the government. Ordered from lowest to highest."""

    COUNTY = "county", "到县"
    CITY = "city", "到市"
    PROVINCE = "province", "赴省"
    BEIJING = "beijing", "进京"


LEVEL_RANK = {Level.COUNTY: 0, Level.CITY: 1, Level.PROVINCE: 2, Level.BEIJING: 3}
OVER_LEVELS = frozenset({Level.CITY, Level.PROVINCE, Level.BEIJING})  # 越级 / 上三级


class Channel(models.TextChoices):
    VISIT = "visit", "来访"
    LETTER = "letter", "来信"
    CALL = "call", "来电"
    ONLINE = "online", "网上"
    SMS = "sms", "短信"


COLLECTIVE_PERSONS = 5  # 集体访: an event with 5 or more persons


class Stage(models.TextChoices):
    INITIAL = "initial", "初次办理"
    REVIEW = "review", "复查"
    RE_REVIEW = "re_review", "复核"


class NumberSequence(models.Model):
    """The last registration number issued per county and year, locked while the next is taken."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "year"], name="one_sequence_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.county_id}/{self.year}: {self.last}"


class Matter(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", "登记"
        ACCEPTED = "accepted", "受理"
        REJECTED = "rejected", "不予受理"
        TRANSFERRED = "transferred", "转送"
        IN_PROGRESS = "in_progress", "办理中"
        ANSWERED = "answered", "已答复"
        RESOLVED = "resolved", "已化解"
        REVIEW = "review", "复查"
        RE_REVIEW = "re_review", "复核"
        CONCLUDED = "concluded", "办结"
        CLOSED = "closed", "终结"

    class Source(models.TextChoices):
        LOCAL = "local", "本级登记"
        CENTRAL = "central", "中央转办/交办"
        PROVINCE = "province", "省转办/交办"
        CITY = "city", "市转办/交办"
        ONLINE = "online", "网上信访"

    class Purpose(models.TextChoices):
        DEMAND = "demand", "求决"
        APPEAL = "appeal", "申诉"
        ACCUSATION = "accusation", "揭发控告"
        SUGGESTION = "suggestion", "意见建议"
        OTHER = "other", "其他"

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="matters", verbose_name="所属县"
    )
    number = models.CharField("登记编号", max_length=40)
    query_code = models.CharField("查询码", max_length=16, unique=True)
    registered_at = models.DateTimeField("登记时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="登记人",
    )  # fmt: skip
    origin_township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="origin_matters", verbose_name="乡镇"
    )
    origin_village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matters",
        verbose_name="村(社区)",
    )
    origin_village_text = models.CharField("村(社区)(未登记)", max_length=50, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="matters", verbose_name="问题类别"
    )
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="responsible_matters",
        verbose_name="责任单位",
    )  # fmt: skip
    content = models.TextField("反映问题")
    appeal = models.TextField("诉求", blank=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.LOCAL)
    source_number = models.CharField("上级转交办编号", max_length=60, blank=True)
    purpose = models.CharField("信访目的", max_length=20, choices=Purpose.choices, default=Purpose.DEMAND)
    reported_units = models.ManyToManyField(
        Unit, blank=True, related_name="reported_in_matters", verbose_name="被反映单位"
    )
    reported_persons = models.CharField("被反映人", max_length=200, blank=True)
    reported_accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reported_in_matters", verbose_name="被反映人账号"
    )
    is_threat = models.BooleanField("扬言", default=False)
    is_urgent = models.BooleanField("重大紧急", default=False)
    is_litigation = models.BooleanField("涉法涉诉", default=False)
    is_backlog = models.BooleanField("积案", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.REGISTERED)
    # Which answer the matter is at: the first (初次), the review's (复查) or the re-review's (复核).
    stage = models.CharField("程序", max_length=20, choices=Stage.choices, default=Stage.INITIAL)

    # Denormalised from the events, kept by the services, so lists filter and sort on one table.
    first_event_date = models.DateField("首次信访日期")
    last_event_date = models.DateField("最近信访日期")
    event_count = models.PositiveIntegerField("批次", default=1)
    person_count = models.PositiveIntegerField("人次", default=1)
    channel = models.CharField("首次信访形式", max_length=20, choices=Channel.choices)
    top_level = models.CharField("最高访别", max_length=20, choices=Level.choices)
    is_collective = models.BooleanField("集体访", default=False)

    # The statutory clock running now (see xinfang.lib.deadlines.Clock), its due date and extension.
    clock = models.CharField("当前时限", max_length=30, blank=True)
    clock_started = models.DateField("时限起算日", null=True, blank=True)
    due_date = models.DateField("到期日", null=True, blank=True)
    extension_days = models.PositiveIntegerField("延期天数", default=0)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    # 送达日期 of the current written answer or decision: the petitioner's windows run from receipt.
    answer_delivered_on = models.DateField("送达日期", null=True, blank=True)
    resolved_on = models.DateField("化解日期", null=True, blank=True)
    answer = models.TextField("答复意见", blank=True)
    # A matter imported from a ledger row without 登记编号 is known again by this keyed digest of the
    # row (date, township, petitioners, content), so importing the same file twice creates nothing.
    ledger_key = models.CharField("台账行标识", max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = "信访事项"
        verbose_name_plural = "信访事项"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "number"], name="matter_unique_number"),
            models.CheckConstraint(condition=Q(event_count__gte=1), name="matter_has_event"),
        ]
        indexes: ClassVar = [
            # The default list: newest first, keyset-paginated on (last_event_date, id).
            models.Index(fields=["county", "-last_event_date", "-id"], name="matter_list_idx"),
            models.Index(
                fields=["county", "origin_township", "-last_event_date"], name="matter_township_idx"
            ),
            # A unit's matters newest first, and (id last) their ids alone from the index: a department's
            # statistics read the ids of the tens of thousands it is responsible for without their rows.
            models.Index(
                fields=["county", "responsible_unit", "-last_event_date", "id"], name="matter_unit_id_idx"
            ),
            # A unit's matters in one state (待评价: answered, not yet rated).
            models.Index(
                fields=["county", "responsible_unit", "status", "-last_event_date"],
                name="matter_unit_status_idx",
            ),
            # The matters in some states, and (id last) their ids alone from the index: the open matters
            # joined to current ownerships (the 包案 overview) without reading a matter's row.
            models.Index(fields=["county", "status", "-last_event_date", "id"], name="matter_status_id_idx"),
            models.Index(fields=["county", "due_date"], name="matter_due_idx"),
            # The open matters with what the escalation-risk score reads of them, from the index alone (a
            # tenth of a county's matters; a pass over its rows otherwise).
            models.Index(
                fields=[
                    "county",
                    "first_event_date",
                    "id",
                    "due_date",
                    "clock",
                    "clock_started",
                    "is_threat",
                    "category",
                ],
                name="matter_open_risk_idx",
                condition=~Q(status__in=["rejected", "resolved", "concluded", "closed"]),
            ),
            # The deadline queues (due soon, overdue) of the county and of a unit: a range per running
            # clock, with the list's order; only matters with a clock are in them.
            models.Index(
                fields=["county", "clock", "due_date", "last_event_date"],
                name="matter_clock_due_idx",
                condition=Q(due_date__isnull=False),
            ),
            models.Index(
                fields=["responsible_unit", "clock", "due_date", "last_event_date"],
                name="matter_unit_clock_due_idx",
                condition=Q(due_date__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number  # audit records name matters by it: never the content

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("petitions:detail", args=[self.pk])


class Petitioner(models.Model):
    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="petitioners", verbose_name="信访事项"
    )
    name = models.CharField("姓名", max_length=30, blank=True)
    id_number_enc = models.TextField("身份证号(密文)", blank=True)
    id_number_index = models.CharField("身份证号索引", max_length=32, blank=True, db_index=True)
    phone_enc = models.TextField("联系电话(密文)", blank=True)
    phone_index = models.CharField("联系电话索引", max_length=32, blank=True, db_index=True)
    # The masked forms are kept too, so lists never need to decrypt.
    id_number_masked = models.CharField("身份证号(脱敏)", max_length=20, blank=True)
    phone_masked = models.CharField("联系电话(脱敏)", max_length=20, blank=True)
    address_enc = models.TextField("住址(密文)", blank=True)
    address_brief = models.CharField("住址(乡镇村)", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "信访人"
        verbose_name_plural = "信访人"
        ordering: ClassVar = ["matter", "order", "id"]

    def __str__(self) -> str:
        return self.name or "匿名"


class Event(models.Model):
    """One occurrence of a matter reaching the government: a visit, letter, call, SMS or online form."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="events", verbose_name="信访事项"
    )
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    date = models.DateField("信访日期")
    channel = models.CharField("信访形式", max_length=20, choices=Channel.choices)
    level = models.CharField("访别", max_length=20, choices=Level.choices)
    persons = models.PositiveIntegerField(
        "人数", default=1, validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    is_collective = models.BooleanField("集体访", default=False)
    # 重复访: not the earliest event of its matter (ties by registration order); kept by the services.
    is_repeat = models.BooleanField("重复访", default=False)
    # For exact statistics without COUNT(DISTINCT): the matter's origin and first-level category, and the
    # date of the matter's previous event — overall, at the same level, by the same channel (None: none).
    # An event opens its matter's count in a period [a, b] when that previous date is None or before a.
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, related_name="+", db_index=False)
    category_top = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    prev_date = models.DateField(null=True)
    prev_level_date = models.DateField(null=True)
    prev_channel_date = models.DateField(null=True)
    note = models.CharField("说明", max_length=200, blank=True)
    registered_at = models.DateTimeField("登记时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="登记人",
    )  # fmt: skip
    # Brought in by a ledger import: history, counted on its date, never news (no SMS, no 补报 line).
    imported = models.BooleanField("台账导入", default=False)
    # Who of the matter's petitioners came this time (registration and repeat visits record them; a
    # ledger row does not).
    visitors = models.ManyToManyField(Petitioner, blank=True, related_name="visits", verbose_name="来访人")

    class Meta:
        verbose_name = "信访批次"
        verbose_name_plural = "信访批次"
        ordering: ClassVar = ["matter", "date", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(persons__gte=1), name="event_persons_positive")
        ]
        indexes: ClassVar = [
            models.Index(fields=["county", "date"], name="event_date_idx"),
            # The daily report's 补报: earlier days' events registered since the last report.
            models.Index(fields=["county", "registered_at"], name="event_registered_idx"),
            # Covers every statistics query and the home pages' situation: an index-only range scan on
            # the county and date, the matter for a scoped user's statistics.
            models.Index(
                fields=[
                    "county",
                    "date",
                    "level",
                    "channel",
                    "township",
                    "category_top",
                    "persons",
                    "is_repeat",
                    "prev_date",
                    "prev_level_date",
                    "prev_channel_date",
                    "is_collective",
                    "matter",
                ],
                name="event_stats_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_level_display()} {self.get_channel_display()} {self.persons}人"


class Transition(models.Model):
    """A status change of a matter, with who, when, why: the matter's workflow history."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="transitions", verbose_name="信访事项"
    )
    from_status = models.CharField("原状态", max_length=20, choices=Matter.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Matter.Status.choices)
    at = models.DateTimeField("时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    reason = models.TextField("说明", blank=True)
    imported = models.BooleanField("导入的历史状态", default=False)

    class Meta:
        verbose_name = "状态变更"
        verbose_name_plural = "状态变更"
        ordering: ClassVar = ["matter", "at", "id"]
        indexes: ClassVar = [
            # The matters whose status changed since a day (the escalation risk's open matters at a past
            # day): a range of this index, not a pass over every status change.
            models.Index(fields=["at", "matter"], name="transition_at_idx", condition=Q(imported=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Assignment(models.Model):
    """转送/交办 of a matter to a unit, its receipt (签收) and any jurisdiction objection."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", "转送"
        ASSIGN = "assign", "交办"

    class State(models.TextChoices):
        SENT = "sent", "待签收"
        RECEIVED = "received", "已签收"
        OBJECTED = "objected", "提出异议"
        OBJECTION_UPHELD = "upheld", "异议成立"
        OBJECTION_REJECTED = "rejected", "异议不成立"

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="assignments", verbose_name="信访事项"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name="承办单位"
    )
    kind = models.CharField("方式", max_length=20, choices=Kind.choices)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.SENT)
    sent_at = models.DateTimeField("转交时间")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="转交人"
    )
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    objection_due = models.DateField("异议截止日", null=True, blank=True)
    objection_reason = models.TextField("异议理由", blank=True)
    decision_note = models.TextField("局方决定", blank=True)
    is_current = models.BooleanField("当前", default=True)

    class Meta:
        verbose_name = "转送交办"
        verbose_name_plural = "转送交办"
        ordering: ClassVar = ["matter", "sent_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["matter"], condition=Q(is_current=True), name="one_current_assignment"
            )
        ]
        indexes: ClassVar = [
            # A unit's current assignments (its scope, 待签收, 待受理) and the county's by state (异议), read
            # from the index alone (a partial index would still send SQLite to the table for is_current).
            models.Index(fields=["unit", "state", "matter", "is_current"], name="assignment_unit_idx"),
            models.Index(fields=["state", "is_current", "matter"], name="assignment_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit.name}（{self.get_state_display()}）"


class Review(models.Model):
    """A request for 复查 (Art. 35) or 复核 (Art. 36): when the petitioner asked, the organ that decides it
    (one level above the handling unit: a county-level organ of the directory, or an external one typed
    in with its document number), and its decision; recorded by the bureau on the organ's behalf."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="reviews", verbose_name="信访事项"
    )
    stage = models.CharField("程序", max_length=20, choices=Stage.choices)
    requested_on = models.DateField("请求日期")
    organ_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="复查(复核)机关"
    )
    organ_name = models.CharField("复查(复核)机关(名录外)", max_length=60, blank=True)
    document_number = models.CharField("文号", max_length=60, blank=True)
    # 听证: days of hearing, not counted in the decision's 30 days (Art. 36).
    hearing_days = models.PositiveIntegerField("听证天数", default=0)
    decision = models.TextField("意见", blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "复查复核"
        verbose_name_plural = "复查复核"
        ordering: ClassVar = ["matter", "requested_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}：{self.organ_unit or self.organ_name}"

    @property
    def organ(self) -> str:
        return str(self.organ_unit) if self.organ_unit_id else self.organ_name


class Extension(models.Model):
    """延期 (Art. 34): the handling unit asks, within the handling time, with a reason; the handling organ's
    负责人 approves or refuses, also within it, and the petitioner is told. At most one is approved."""

    class State(models.TextChoices):
        REQUESTED = "requested", "待批准"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="extensions", verbose_name="信访事项"
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.REQUESTED)
    days = models.PositiveIntegerField("延长天数")
    reason = models.TextField("理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="审批人",
    )  # fmt: skip
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    petitioner_notified = models.BooleanField("已告知信访人", default=False)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["matter"], condition=Q(state__in=["requested", "approved"]), name="one_live_extension"
            )
        ]

    def __str__(self) -> str:
        return f"延期{self.days}天（{self.get_state_display()}）"


class Rating(models.Model):
    """The petitioner's satisfaction with the handling, for the bureau and the responsible unit."""

    class Score(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    matter = models.OneToOneField(
        Matter, on_delete=models.CASCADE, related_name="rating", verbose_name="信访事项"
    )
    bureau_score = models.CharField("对信访部门", max_length=20, choices=Score.choices)
    unit_score = models.CharField("对责任单位", max_length=20, choices=Score.choices)
    comment = models.CharField("意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        indexes: ClassVar = [
            # The 不满意 ratings given before a day (escalation risk, the joint meeting's screening): a small
            # index of those alone, not a pass over every rating.
            models.Index(
                fields=["rated_at", "matter"],
                name="rating_unhappy_idx",
                condition=Q(bureau_score="dissatisfied") | Q(unit_score="dissatisfied"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_bureau_score_display()}/{self.get_unit_score_display()}"


class Ownership(models.Model):
    """包案: a county leader owns a matter until the case is closed (销号) or handed to another leader. The
    batches, the five 包 and the meetings are `ownership/`'s, linked to these rows."""

    class EndReason(models.TextChoices):
        REPLACED = "replaced", "改派"
        CLOSED = "closed", "销号"

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="ownerships", verbose_name="信访事项"
    )
    leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, related_name="ownerships", verbose_name="包案领导"
    )
    since = models.DateField("包案日期")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="确定人",
    )  # fmt: skip
    ended_on = models.DateField("结束日期", null=True, blank=True)
    is_current = models.BooleanField("当前", default=True)
    end_reason = models.CharField("结束原因", max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        verbose_name = "包案"
        verbose_name_plural = "包案"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["matter"], condition=Q(is_current=True), name="one_current_owner")
        ]
        indexes: ClassVar = [
            # A leader's current matters (their scope and 包案 queues), read from the index alone.
            models.Index(fields=["leader", "is_current", "matter"], name="ownership_leader_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.leader.name} 包案 {self.matter.number}"


class MatterText(models.Model):
    """The bigram document of a matter's content and appeal, indexed for Chinese substring search.

    SQLite indexes it with FTS5 (tokens are the bigrams), PostgreSQL with a GIN index on the array of
    bigrams; see `search.py`.
    """

    matter = models.OneToOneField(Matter, on_delete=models.CASCADE, primary_key=True, related_name="text")
    grams = models.TextField("二元词")

    class Meta:
        verbose_name = "检索文本"
        verbose_name_plural = "检索文本"

    def __str__(self) -> str:
        return f"{self.matter_id}"


class RegistryRules(models.Model):
    """A county's registry rules the bureau may edit (SPEC §4): repeat detection and deadlines."""

    county = models.OneToOneField(County, on_delete=models.CASCADE, related_name="registry_rules")
    repeat_window_days = models.PositiveIntegerField(
        "重复件检测时间范围(天)", default=180, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    repeat_similarity = models.FloatField(
        "内容相似度阈值", default=0.5, validators=[MinValueValidator(0.1), MaxValueValidator(1.0)]
    )
    deadline_warning_days = models.PositiveIntegerField(
        "到期预警(提前天数)", default=3, validators=[MaxValueValidator(30)]
    )

    class Meta:
        verbose_name = "登记规则"
        verbose_name_plural = "登记规则"

    def __str__(self) -> str:
        return f"{self.county.name}登记规则"


class RuleProfileAssignment(models.Model):
    """From `effective_from` on, the county's clocks follow the named statutory profile."""

    class Profile(models.TextChoices):
        NATIONAL_2022 = "national-2022", "《信访工作条例》（2022年）"
        HENAN = "henan", "《河南省信访条例》"

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="rule_profiles")
    profile = models.CharField("时限规则", max_length=30, choices=Profile.choices)
    effective_from = models.DateField(
        "生效日期",
        validators=[MinValueValidator(dt.date(2000, 1, 1)), MaxValueValidator(dt.date(2099, 12, 31))],
    )

    class Meta:
        verbose_name = "时限规则"
        verbose_name_plural = "时限规则"
        ordering: ClassVar = ["county", "effective_from"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "effective_from"], name="one_profile_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.effective_from} 起 {self.get_profile_display()}"


class OnlineSubmission(models.Model):
    """A petition submitted on the public page (网上信访), waiting to be screened (待审核): not a matter,
    so it counts nowhere until the bureau accepts it, which registers the matter (with the same query code,
    its clock running from the day of submission); a rejection keeps the reason the petitioner reads on
    the query page. The personal data is kept as the petitioners' is: encrypted, masked for lists."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        ACCEPTED = "accepted", "已登记"
        REJECTED = "rejected", "不予登记"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    query_code = models.CharField("查询码", max_length=16, unique=True)
    submitted_at = models.DateTimeField("提交时间")
    submitted_on = models.DateField("提交日期")  # the county's day of receipt: the clock starts here
    state = models.CharField("审核状态", max_length=20, choices=State.choices, default=State.PENDING)
    name = models.CharField("姓名", max_length=30)
    id_number_enc = models.TextField("身份证号(密文)", blank=True)
    id_number_masked = models.CharField("身份证号(脱敏)", max_length=20, blank=True)
    phone_enc = models.TextField("联系电话(密文)", blank=True)
    phone_masked = models.CharField("联系电话(脱敏)", max_length=20, blank=True)
    address_enc = models.TextField("住址(密文)", blank=True)
    origin_township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    origin_village_text = models.CharField("村(社区)", max_length=50, blank=True)
    content = models.TextField("反映问题")
    appeal = models.TextField("诉求", blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="审核人",
    )  # fmt: skip
    reason = models.TextField("不予登记理由", blank=True)
    matter = models.OneToOneField(
        Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="online_submission",
        verbose_name="登记的信访事项",
    )  # fmt: skip

    class Meta:
        verbose_name = "网上信访"
        verbose_name_plural = "网上信访"
        indexes: ClassVar = [
            models.Index(fields=["county", "state", "-submitted_at"], name="online_state_idx"),
        ]

    def __str__(self) -> str:
        return f"网上信访#{self.pk}"  # audit records name it so: the query code is the petitioner's key
