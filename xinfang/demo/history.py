"""The demo county's history, up to the day the demo runs.

The first start loads two years of generated petitions ending yesterday, then today's work through the
registry's own services (visits registered, transferred, signed, objected to, answered, extensions asked,
cases owned) and the last weeks' reports (weekly analyses issued and drafted, a 批示 in supervision, the
latest progress summary) and leaders' case batches (包案期次 issued, the five 包, a 销号 and a unit's request
waiting, this week's draft), so every role's to-do cards, inbox and reports have something on the first
login.
A later start tops it up: each missing day's new matters from the generator (seeded by the day), then today's
work again. `DemoHistory` records the last day loaded, so a second start on the same day adds nothing.

The services record steps on the day they run (a step may be back-dated a week at most), so what must
have begun weeks ago — a handling time about to lapse, or lapsed — is generated as history
(`generate_planned`), and today's steps are taken on it through the services.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.demo.competition import competition_load
from xinfang.demo.directory import DEMO_SECRETARY_NAME, DEMO_VICE_HEAD_NAME
from xinfang.demo.generator import (
    MatterPlan,
    PlannedEvent,
    day_seed,
    draw_person,
    generate_day,
    generate_matters,
    generate_planned,
)
from xinfang.demo.models import DemoHistory
from xinfang.demo.receptions import receptions_load
from xinfang.demo.services import DEMO_ONLINE_SUBMISSIONS, demo_online_submissions, demo_rules_load
from xinfang.directory.models import Category, County, Leader, Unit, Village
from xinfang.directory.selectors import bureau_unit
from xinfang.documents.models import Delivery
from xinfang.documents.services import delivery_sign
from xinfang.ledger.uploads import ledger_upload
from xinfang.lib.workdays import UnknownYear
from xinfang.ownership.models import Batch, Closure, Escalation, OwnerMeeting, Package, PackageEntry
from xinfang.ownership.services import (
    batch_draft_week,
    batch_entry_remove,
    batch_issue,
    closure_request,
    escalation_request,
    owner_meeting_add,
    package_entry_add,
)
from xinfang.petitions import todo
from xinfang.petitions.models import Assignment, Channel, Event, Level, Matter, Ownership
from xinfang.petitions.rows import rule_profile
from xinfang.petitions.selectors import matters_for_user
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput, RegistryError
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.public import online_submit
from xinfang.petitions.services.registration import event_add, matter_register
from xinfang.petitions.services.transfer import assignment_object, assignment_receive, matter_assign
from xinfang.petitions.services.workflow import extension_request, matter_transition
from xinfang.reception.downvisits import downvisit_date, draw_make, draw_of, upcoming_month
from xinfang.reception.models import Schedule
from xinfang.reception.planning import month_add, next_month, previous_month
from xinfang.reception.services import schedule_generate, schedule_publish
from xinfang.reports.models import WeeklyReport
from xinfang.reports.selectors import weekly_instructions
from xinfang.reports.services.weekly import weekly_approve, weekly_draft, weekly_edit, weekly_instruct
from xinfang.reports.weekly import previous_week
from xinfang.supervision.models import SupervisionItem
from xinfang.supervision.services import progress_report
from xinfang.supervision.summary import summary_previous
from xinfang.supervision.summary_issue import progress_summary_issue

DEMO_HISTORY_MATTERS = 3000
HISTORY_DAYS = 730  # the first load's history: two years before today

Status = Matter.Status
Say = Callable[[str], None]


@dataclass(frozen=True)
class HistoryLoad:
    """What a start added: the days from `first_day` to `last_day` (none when `days` is 0)."""

    first_day: dt.date | None
    last_day: dt.date
    days: int
    initial: bool = False


def demo_history_load(
    *,
    county: County,
    matters: int = DEMO_HISTORY_MATTERS,
    progress: Callable[[int, int], None] | None = None,
    say: Say | None = None,
) -> HistoryLoad:
    """Bring the demo county's history up to today (its local date): two years the first time (`matters`
    generated matters ending yesterday, then today's work), else the days since the last load, each once.
    All or nothing, but for today's work on a demo edited since its first load (`_top_up`). `say` hears,
    in Chinese, what is about to be loaded."""
    today = timezone.localdate()
    with transaction.atomic():
        marker = DemoHistory.objects.select_for_update().filter(county=county).first()
        last = marker.loaded_through if marker else _legacy_last_day(county, today)
        if last is not None and last >= today:
            return HistoryLoad(None, today, 0)
        if last is None:
            if say:
                say(f"正在生成演示信访数据（{matters:,} 件，截至今天 {today:%Y年%m月%d日}）…")
            _first_load(county, today, matters, progress)
            _today_load(county, today)
            _documents_load(county, today, say)
            _ownership_load(county, today, say)
            _reception_load(county, today, say)
            _downvisit_load(county, today, say)
            _receptions_held_load(county, today, say)
            _competition_load(county, today, say)
            first = today - dt.timedelta(days=HISTORY_DAYS)
        else:
            first = last + dt.timedelta(days=1)
            if say:
                say(f"正在补充演示数据：{first:%Y年%m月%d日}至今天（{(today - first).days + 1} 天）…")
            _top_up(county, first, today, say)
        DemoHistory.objects.update_or_create(county=county, defaults={"loaded_through": today})
    return HistoryLoad(first, today, (today - first).days + 1, initial=last is None)


# What today's work meets when the demo's accounts, units or leaders were changed on its pages since the
# first load (a unit user moved, a leader retired): the services refuse, or a row is gone.
EDITED_DEMO = (RegistryError, PermissionDenied, ObjectDoesNotExist, ValidationError)


def _top_up(county: County, first: dt.date, today: dt.date, say: Say | None) -> None:
    """The generated days from `first` to yesterday, then today's work. The days are added even when
    today's work no longer fits the edited demo: the demo starts, and says so."""
    day = first
    while day < today:
        generate_day(county=county, day=day)
        day += dt.timedelta(days=1)
    try:
        with transaction.atomic():
            _online_submission(county, today)
            _today_load(county, today)
        _documents_load(county, today, say)
        _ownership_load(county, today, say)
        _reception_load(county, today, say)
        _downvisit_load(county, today, say)
        _receptions_held_load(county, today, say)
        _competition_load(county, today, say)
    except EDITED_DEMO as error:
        if say:
            say(f"今天的演示办理数据未能载入（演示账号或名录已被修改）：{error}")


def _legacy_last_day(county: County, today: dt.date) -> dt.date | None:
    """A county loaded before the marker existed: its history runs to its latest event (before today, so
    that today's work is added); None when it has no matters yet."""
    if not Matter.objects.filter(county=county).exists():
        return None
    latest = Event.objects.filter(county=county).aggregate(latest=Max("date"))["latest"]
    return min(latest or today, today - dt.timedelta(days=1))


def _first_load(
    county: County, today: dt.date, matters: int, progress: Callable[[int, int], None] | None
) -> None:
    demo_rules_load(county)  # before the history, whose clocks follow it
    start = today - dt.timedelta(days=HISTORY_DAYS)
    generate_matters(
        county=county,
        matters=matters,
        seed=day_seed(today),
        start=start,
        end=today - dt.timedelta(days=1),
        progress=progress,
    )
    demo_online_submissions(county)
    _ledger_upload(county, start)


def _online_submission(county: County, today: dt.date) -> None:
    """A later day's online submission, one of the demo's, in turn."""
    township, name, phone, content, appeal = DEMO_ONLINE_SUBMISSIONS[today.toordinal() % 3]
    online_submit(
        county=county,
        township=Unit.objects.get(county=county, name=township),
        village="",
        petitioner=PetitionerInput(name, "", phone),
        content=content,
        appeal=appeal,
    )


LEDGER_COLUMNS = (
    "登记编号", "信访日期", "信访人", "身份证号", "联系电话", "人数", "信访形式", "访别", "乡镇",
    "问题类别", "责任单位", "反映问题", "办理状态", "是否化解", "化解日期",
)  # fmt: skip
# The bureau's Excel ledger (台账) of the month before the history begins, uploaded and waiting for the
# worker's check and the bureau's confirmation: (problem, category, responsible unit, channel).
LEDGER_ROWS = (
    ("反映拖欠农民工工资", "工资福利", "县人社局", "来访"),
    ("反映宅基地界址纠纷", "村镇建设", "", "来访"),
    ("反映低保资格认定", "社会救助", "县民政局", "来信"),
    ("反映惠农补贴未发放", "惠农补贴", "县农业农村局", "来电"),
    ("反映养殖场异味扰民", "环境污染", "县生态环境分局", "来访"),
    ("反映土地承包合同纠纷", "土地承包经营", "", "来访"),
)


def _ledger_upload(county: County, start: dt.date) -> None:
    month = (start.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rng = random.Random(day_seed(month))  # noqa: S311 - demo data, not a secret
    categories = {
        c.name: c
        for c in Category.objects.filter(county=county, parent__isnull=False).select_related("parent")
    }
    townships = list(Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP).order_by("pk"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LEDGER_COLUMNS)
    for row in range(12):
        problem, category_name, unit, channel = LEDGER_ROWS[row % len(LEDGER_ROWS)]
        category = categories[category_name]
        township = rng.choice(townships)
        day = month + dt.timedelta(days=rng.randrange(28))
        name, id_number, phone = draw_person(rng, county.code)
        writer.writerow([
            "", day.isoformat(), name, id_number, phone, rng.choice((1, 1, 2, 3)), channel, "到县",
            township.name, str(category),
            unit or township.name, problem, "已化解", "是", (day + dt.timedelta(days=20)).isoformat(),
        ])  # fmt: skip
    ledger_upload(
        by=_user("bureau"),
        county=county,
        file_name=f"{month:%Y年%m月}信访台账.csv",
        content=buffer.getvalue().encode("utf-8-sig"),
    )


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _unit(county: County, name: str) -> Unit:
    return Unit.objects.get(county=county, name=name)


def _leader(county: County, name: str) -> Leader:
    return Leader.objects.get(county=county, name=name)


def _category(county: County, name: str) -> Category:
    category = Category.objects.filter(county=county, parent__isnull=False, name=name).order_by("pk").first()
    if category is None:
        raise RuntimeError(f"the demo county has no category {name}")
    return category


@dataclass(frozen=True)
class Visit:
    """A visit registered today, as the bureau types it."""

    township: str
    category: str
    content: str
    appeal: str
    level: str = Level.COUNTY
    channel: str = Channel.VISIT
    persons: int = 1
    named: int = 1  # petitioners named at registration


def _today_load(county: County, today: dt.date) -> None:
    """Today's work on the demo county, through the registry's services: new visits (over-level ones and a
    collective one), each step a matter waits at on a first login, and the steps taken today on matters
    whose handling began weeks ago (generated)."""
    rng = random.Random(day_seed(today))  # noqa: S311 - demo data, not a secret
    bureau, zhouzhuang, renshe = _user("bureau"), _user("zhouzhuang"), _user("renshe")
    zhou, labour = _unit(county, "周庄镇"), _unit(county, "县人社局")
    vice_head, secretary = _leader(county, DEMO_VICE_HEAD_NAME), _leader(county, DEMO_SECRETARY_NAME)

    def register(visit: Visit) -> Matter:
        township = _unit(county, visit.township)
        villages = list(Village.objects.filter(township=township).order_by("pk"))
        village = rng.choice(villages) if villages else None
        people = [PetitionerInput(*_person(rng, county, village)) for _ in range(visit.named)]
        return matter_register(
            by=bureau,
            data=RegistrationInput(
                county=county,
                event=EventInput(date=today, channel=visit.channel, level=visit.level, persons=visit.persons),
                origin_township=township,
                origin_village=village,
                category=_category(county, visit.category),
                content=f"{village.name if village else ''}{visit.content}",
                appeal=visit.appeal,
                petitioners=people,
            ),
        )

    # 待转送: registered this morning, the bureau has not disposed of them yet.
    collective = register(TODAY_VISITS["collective"])
    ownership_assign(by=bureau, matter=collective, leader=vice_head)
    register(TODAY_VISITS["call"])
    register(TODAY_VISITS["subsistence"])
    # 待签收: transferred to the two demo units, not signed for yet.
    wages = register(TODAY_VISITS["wages"])
    matter_assign(by=bureau, matter=wages, unit=labour, kind=Assignment.Kind.TRANSFER)
    homestead = register(TODAY_VISITS["homestead"])
    ownership_assign(by=bureau, matter=homestead, leader=vice_head)
    matter_assign(by=bureau, matter=homestead, unit=zhou, kind=Assignment.Kind.ASSIGN)
    # 待受理: signed for, not accepted yet.
    pension = register(TODAY_VISITS["pension"])
    matter_assign(by=bureau, matter=pension, unit=labour, kind=Assignment.Kind.TRANSFER)
    assignment_receive(by=renshe, matter=pension)
    road = register(TODAY_VISITS["road"])
    matter_assign(by=bureau, matter=road, unit=zhou, kind=Assignment.Kind.TRANSFER)
    assignment_receive(by=zhouzhuang, matter=road)
    # 管辖异议: 周庄镇 signs and objects at once; the bureau decides.
    insurance = register(TODAY_VISITS["insurance"])
    matter_assign(by=bureau, matter=insurance, unit=zhou, kind=Assignment.Kind.TRANSFER)
    assignment_receive(by=zhouzhuang, matter=insurance)
    assignment_object(
        by=zhouzhuang, matter=insurance, reason="社保缴费年限认定属县人社局职责，本镇无权认定，请改转县人社局"
    )
    _today_on_history(county, today, bureau=bureau, units=((zhou, zhouzhuang), (labour, renshe)),
                      owners=(vice_head, secretary))  # fmt: skip


TODAY_VISITS: dict[str, Visit] = {
    "collective": Visit(
        "周庄镇", "土地征收", "十六名村民集体来访，反映修路占地的征地补偿款至今未足额发放，每亩差约八千元。",
        "要求足额发放征地补偿款", persons=16, named=3,
    ),
    "call": Visit(
        "城关镇", "环境污染", "居民来电反映小区旁建筑工地夜间施工，噪音扰民，多次劝阻无效。",
        "要求依法限制夜间施工", channel=Channel.CALL,
    ),
    "subsistence": Visit(
        "李庄乡", "社会救助", "村民反映家中低保资格被取消，家庭情况没有变化。", "要求恢复低保"
    ),
    "wages": Visit(
        "闹店镇", "工资福利", "三名农民工到市反映在县城某工地务工八个月，包工头拖欠工资共四万余元。",
        "帮助讨回工资", level=Level.CITY, persons=3, named=2,
    ),
    "homestead": Visit(
        "周庄镇", "村镇建设", "村民赴省反映与邻居宅基地界址纠纷，村里调解两次未果。",
        "依法确认宅基地界址", level=Level.PROVINCE,
    ),
    "pension": Visit(
        "石桥镇", "退休政策及待遇", "退休职工反映养老保险待遇核定有误，每月少发三百余元。", "重新核定养老金"
    ),
    "road": Visit(
        "周庄镇", "城市建设和市政管理", "群众来信反映村里通往镇上的道路损坏严重，雨天无法通行。",
        "尽快维修道路", channel=Channel.LETTER,
    ),
    "insurance": Visit(
        "周庄镇", "城镇职工社会保险", "群众反映在原单位的社保缴费年限未被认定，影响退休。", "认定缴费年限"
    ),
}  # fmt: skip


def _person(rng: random.Random, county: County, village: Village | None) -> tuple[str, str, str, str]:
    name, id_number, phone = draw_person(rng, county.code)
    address = f"{village.township.name}{village.name}{rng.randrange(1, 9)}组" if village else ""
    return name, id_number, phone, address


def _today_on_history(
    county: County,
    today: dt.date,
    *,
    bureau: User,
    units: tuple[tuple[Unit, User], ...],
    owners: tuple[Leader, Leader],
) -> None:
    """Matters whose handling began weeks ago, generated with their history, and today's steps on them:
    for each demo unit one due within days, one overdue, one whose extension it asks for today and one it
    answers today; one the bureau handles itself and asks to extend; the demo leader's and the
    secretary's overdue cases, each with a visit today."""
    handle = rule_profile(county, today).handle_days

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    def handled(township: Unit, unit: Unit, accepted: int, issue: str) -> MatterPlan:
        """Registered, transferred, accepted `accepted` days ago and in progress since."""
        steps = (
            (Status.REGISTERED, ago(accepted + 4)), (Status.TRANSFERRED, ago(accepted + 3)),
            (Status.ACCEPTED, ago(accepted)), (Status.IN_PROGRESS, ago(max(accepted - 5, 1))),
        )  # fmt: skip
        return MatterPlan(township=township, unit=unit, steps=steps, issue=issue)

    townships = list(Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP).order_by("pk"))
    rng = random.Random(day_seed(today) + 1)  # noqa: S311 - demo data, not a secret
    plans: list[MatterPlan] = []
    for unit, _ in units:
        # A township's own matters come from it; a department's (县人社局: wages) from anywhere.
        origin = unit if unit.is_township else rng.choice(townships)
        issue = "" if unit.is_township else "拖欠农民工工资"
        plans += [
            handled(origin, unit, handle - 2, issue),  # due in two days
            handled(origin, unit, handle + 12, issue),  # twelve days overdue
            handled(origin, unit, handle // 2 + 3, issue),  # its extension asked today
            handled(origin, unit, 12, issue),  # answered today
        ]
    bureau_itself = bureau_unit(county.pk)
    vice_head, secretary = owners
    home, naodian = _unit(county, "周庄镇"), _unit(county, "闹店镇")
    backlog_start = handle + 90
    plans += [
        MatterPlan(
            township=_unit(county, "城关镇"), unit=bureau_itself, issue="反映干部作风问题",
            steps=((Status.REGISTERED, ago(22)), (Status.ACCEPTED, ago(20)), (Status.IN_PROGRESS, ago(12))),
        ),
        MatterPlan(
            township=home, unit=_unit(county, "县自然资源局"), owner=vice_head, issue="征地补偿款未到位",
            is_backlog=True,
            steps=((Status.REGISTERED, ago(backlog_start)), (Status.TRANSFERRED, ago(backlog_start - 1)),
                   (Status.ACCEPTED, ago(backlog_start - 5)), (Status.IN_PROGRESS, ago(backlog_start - 20))),
            visits=(PlannedEvent(ago(backlog_start), Channel.VISIT, Level.COUNTY, 3),
                    PlannedEvent(ago(backlog_start - 45), Channel.VISIT, Level.CITY, 2)),
        ),
        MatterPlan(
            township=naodian, unit=_unit(county, "县住建局"), owner=secretary, issue="拆迁安置房未交付",
            steps=((Status.REGISTERED, ago(handle + 30)), (Status.TRANSFERRED, ago(handle + 29)),
                   (Status.ACCEPTED, ago(handle + 26)), (Status.IN_PROGRESS, ago(handle + 15))),
            visits=(PlannedEvent(ago(handle + 30), Channel.VISIT, Level.CITY, 12),),
        ),
    ]  # fmt: skip
    matters = generate_planned(county=county, plans=plans, seed=day_seed(today) + 1)
    for index, (_, user) in enumerate(units):
        _, _, extended, answered = matters[index * 4 : index * 4 + 4]
        extension_request(
            by=user, matter=extended, days=30, reason="涉及多个部门，需进一步调查核实，申请延长办理期限"
        )
        matter_transition(
            by=user, matter=answered, to=Status.ANSWERED, on=today,
            answer="经调查核实，已依法依规处理，并向信访人当面答复，告知其可在三十日内请求复查。",
        )  # fmt: skip
    bureau_case, backlog, resettlement = matters[-3:]
    extension_request(
        by=bureau, matter=bureau_case, days=30, reason="需等待纪检部门核查结论，申请延长办理期限"
    )
    # The owners' cases come again this week: the backlog to the county, the resettlement to the city.
    event_add(by=bureau, matter=backlog, event=EventInput(today, Channel.VISIT, Level.COUNTY, persons=2))
    event_add(by=bureau, matter=resettlement, event=EventInput(today, Channel.VISIT, Level.CITY, persons=9))


DEMO_ANALYSIS = (
    "本周全县信访总量与上周基本持平，越级访仍集中在拖欠农民工工资和征地补偿两类问题，"
    "个别乡镇重复访有所上升，需防止矛盾上行。"
)
DEMO_SUGGESTIONS = (
    "一是压实属地责任，对重复访事项逐件落实包案领导；二是对越级访事项实行“一事一专班”，"
    "限期化解；三是加强节前排查，做到早发现、早报告、早处置。"
)


def _documents_load(county: County, today: dt.date, say: Say | None) -> None:
    try:
        with transaction.atomic():
            _documents(county, today)
    except EDITED_DEMO as error:
        if say:
            say(f"演示报告未能载入（演示账号或名录已被修改）：{error}")


def _documents(county: County, today: dt.date) -> None:
    """The reports a bureau has on the demo's first login: the last three weeks' analyses — the two older
    issued (the older signed off by the secretary with a 批示 that became a supervision item, which a
    unit has reported on), the last one a draft — and the latest 10-day progress summary. Each through
    the services, each once (a later start adds only what is missing)."""
    bureau, head, secretary = _user("bureau"), _user("bureau_head"), _user("secretary")
    weeks = [previous_week(today - dt.timedelta(days=7 * back)) for back in (2, 1, 0)]
    for index, (week_from, week_to) in enumerate(weeks):
        report, _ = weekly_draft(county=county, date_from=week_from, date_to=week_to, by=bureau)
        if index < 2 and report.state == WeeklyReport.State.DRAFT:
            report = weekly_edit(
                report=report, by=bureau, analysis=DEMO_ANALYSIS, suggestions=DEMO_SUGGESTIONS
            )
            weekly_approve(report=report, by=head)
    oldest = WeeklyReport.objects.get(county=county, date_from=weeks[0][0])
    if oldest.document is not None and not weekly_instructions(report=oldest):
        delivery = Delivery.objects.filter(document=oldest.document, leader=secretary.leader).first()
        if delivery is not None and delivery.signed_at is None:
            delivery_sign(delivery=delivery, user=secretary, note="请相关县级领导按批示抓好落实。")
        vice_head = _leader(county, DEMO_VICE_HEAD_NAME)
        demo_units = [_unit(county, "周庄镇"), _unit(county, "县人社局")]
        for row in oldest.document.snapshot["key_matters"][:1]:
            matter = Matter.objects.get(county=county, number=row["number"])
            reported = set(matter.reported_units.values_list("pk", flat=True))
            item = weekly_instruct(
                report=oldest, by=secretary, matter_number=matter.number,
                instruction=f"请{vice_head.name}同志牵头，相关单位抓紧化解，十日内报结果。", leader=vice_head,
                units=[unit for unit in demo_units if unit.pk not in reported],
                deadline=today + dt.timedelta(days=10),
            )  # fmt: skip
            progress_report(item=item, user=bureau, date=today, text="已约谈信访人，正在核实欠薪数额。")
        # An instruction on the whole issue given two weeks ago, due last week and not yet done: history,
        # so its dates are set as they were (the service dates what it records today).
        late = weekly_instruct(
            report=oldest, by=secretary, matter_number="", leader=vice_head, units=demo_units,
            instruction="请各乡镇、县直单位对本期重点事项逐件落实包案责任，一周内报送化解进展。",
            deadline=today + dt.timedelta(days=1),
        )  # fmt: skip
        SupervisionItem.objects.filter(pk=late.pk).update(
            instructed_at=weeks[1][0], created_at=late.created_at - dt.timedelta(days=14),
            deadline=today - dt.timedelta(days=3),
        )  # fmt: skip
    progress_summary_issue(county=county, day=summary_previous(today + dt.timedelta(days=1)))


# -- 领导包案 -------------------------------------------------------------------------------------------

# The weeks (back from the week before this one) whose batches a first load issues: the oldest is past its
# deadlines (30 days), so the bureau's overview shows overdue cases.
OWNERSHIP_WEEKS_BACK = (5, 2, 1)
# Matters each drafted week gets (it always has some, whatever the generated history holds): one of 杜文博's
# portfolio and liaison township (拖欠工资, 周庄镇, to the city), one of 范晓峰's (拆迁安置, 商酒务镇, to the
# province). (issue, township, responsible unit, level, persons)
OWNERSHIP_CASES = (
    ("拖欠农民工工资", "周庄镇", "县人社局", Level.CITY, 4),
    ("拆迁安置房未交付", "商酒务镇", "县住建局", Level.PROVINCE, 2),
)
PACKAGE_WORK = (
    (Package.GRASP, "到村入户走访信访人，核实欠薪人数和金额，建立工作台账。", True),
    (Package.SOLVE, "召集县人社局、施工企业协调，已落实首批欠薪支付方案。", False),
    (Package.EDUCATE, "向信访人讲解劳动保障法律法规，引导依法理性表达诉求。", True),
    (Package.STABILISE, "落实周庄镇包村干部日常联系，及时掌握信访人动态。", True),
    (Package.LAW, "指导信访人申请劳动仲裁，依法维护自身权益。", True),
)


def _ownership_load(county: County, today: dt.date, say: Say | None) -> None:
    try:
        with transaction.atomic():
            _ownership(county, today)
    except EDITED_DEMO as error:
        if say:
            say(f"演示包案数据未能载入（演示账号或名录已被修改）：{error}")


def _ownership(county: County, today: dt.date) -> None:
    """Leaders' case batches through the services: on a first load the batches of three earlier weeks,
    each issued on the Monday after its week (杜文博, the demo leader, owning some of each), the five 包
    and a meeting on his cases, one of them resolved with its 销号 waiting for the bureau; then (on every
    start) a draft left from an earlier start is issued, a unit's request to escalate waits, and this
    week's draft is made. Each once: what exists is not made again."""
    bureau, owner = _user("bureau"), _user("leader")
    this_week = previous_week(today)  # the week the Monday job drafts this week
    if not Batch.objects.filter(county=county).exists():
        for back in OWNERSHIP_WEEKS_BACK:
            week = previous_week(today - dt.timedelta(days=7 * back))
            _ownership_week(county, today, week, resolved=back == OWNERSHIP_WEEKS_BACK[0])
            _ownership_issue(county, week, bureau)
    left = Batch.objects.filter(county=county, state=Batch.State.DRAFT, week_from__lt=this_week[0])
    for batch in left.order_by("week_from"):
        assert batch.week_from is not None and batch.week_to is not None
        _ownership_issue(county, (batch.week_from, batch.week_to), bureau)
    _escalation(county)
    if not Batch.objects.filter(county=county, week_from=this_week[0]).exists():
        _ownership_week(county, today, this_week, resolved=False)
        monday = this_week[1] + dt.timedelta(days=1)
        batch_draft_week(county=county, week_from=this_week[0], week_to=this_week[1], by=None,
                         now=min(timezone.now(), _at(monday, 8)))  # fmt: skip
    _cases_worked(county, today, bureau, owner)


def _reception_load(county: County, today: dt.date, say: Say | None) -> None:
    """The leaders' reception schedules through the services: this month's, generated on the 20th of the
    month before and published by the bureau head; next month's generated as the job leaves it, a draft
    for the head to publish. Each once. A month in a year the working calendar does not know yet is left
    out, and said."""
    head = _user("bureau_head")
    this_month = today.replace(day=1)
    before = previous_month(this_month)
    for month, publish in ((this_month, True), (next_month(this_month), False)):
        try:
            with transaction.atomic():
                if not Schedule.objects.filter(county=county, month=month).exists():
                    made = _at(previous_month(month).replace(day=20), 9)
                    schedule_generate(county=county, month=month, by=None, now=min(timezone.now(), made))
                schedule = Schedule.objects.get(county=county, month=month)
                if publish and not schedule.is_published:
                    published = min(timezone.now(), _at(before.replace(day=26), 10))
                    schedule_publish(schedule=schedule, by=head, now=published)
        except UnknownYear as error:
            if say:
                say(f"{month:%Y年%m月}的演示接访排班未生成：{error}")
        except EDITED_DEMO as error:
            if say:
                say(f"演示接访排班未能载入（演示账号或名录已被修改）：{error}")


def _downvisit_load(county: County, today: dt.date, say: Say | None) -> None:
    """The last three months' down-to-township draws whose day has passed, as the worker draws them on the
    working day before, with fixed seeds (so the demo's weights show the halving); each once."""
    upcoming = upcoming_month(today)
    for month in (month_add(upcoming, -3), month_add(upcoming, -2), month_add(upcoming, -1)):
        try:
            with transaction.atomic():
                if draw_of(county, month) is None:
                    eve = downvisit_date(month) - dt.timedelta(days=1)
                    name = f"xinfang-demo-{county.code}-{month:%Y-%m}"
                    seed = hashlib.sha256(name.encode()).hexdigest()[:32]
                    draw_make(county=county, month=month, by=None, now=_at(eve, 16), seed=seed)
        except UnknownYear as error:
            if say:
                say(f"{month:%Y年%m月}的演示下沉接访抽签未生成：{error}")
        except EDITED_DEMO as error:
            if say:
                say(f"演示下沉接访抽签未能载入（演示名录已被修改）：{error}")


def _receptions_held_load(county: County, today: dt.date, say: Say | None) -> None:
    """The receptions held since the last load (xinfang/demo/receptions.py), after the schedules and draws
    they fulfil. A day in a year the calendar does not know is left out, and said."""
    try:
        receptions_load(county, today, _user("bureau"))
    except UnknownYear as error:
        if say:
            say(f"演示接访记录未能载入：{error}")
    except EDITED_DEMO as error:
        if say:
            say(f"演示接访记录未能载入（演示账号或名录已被修改）：{error}")


def _competition_load(county: County, today: dt.date, say: Say | None) -> None:
    """The quarter before last published, the last one drafted (xinfang/demo/competition.py)."""
    try:
        competition_load(county, today, bureau=_user("bureau"), head=_user("bureau_head"))
    except UnknownYear as error:
        if say:
            say(f"演示季度比拼未能载入：{error}")
    except EDITED_DEMO as error:
        if say:
            say(f"演示季度比拼未能载入（演示账号或名录已被修改）：{error}")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _ownership_week(county: County, today: dt.date, week: tuple[dt.date, dt.date], *, resolved: bool) -> None:
    """The week's planned matters (OWNERSHIP_CASES), visiting in the week and handled since; with
    `resolved`, 杜文博's is answered ten days ago (to be resolved and closed: `_cases_worked`)."""
    start, _ = week
    plans = []
    for index, (issue, township, unit, level, persons) in enumerate(OWNERSHIP_CASES):
        day = start + dt.timedelta(days=1 + index)
        steps: tuple[tuple[str, dt.date], ...] = (
            (Status.REGISTERED, day), (Status.TRANSFERRED, day + dt.timedelta(days=1)),
            (Status.ACCEPTED, min(day + dt.timedelta(days=3), today - dt.timedelta(days=1))),
        )  # fmt: skip
        if resolved and index == 0:
            steps += (
                (Status.IN_PROGRESS, day + dt.timedelta(days=6)),
                (Status.ANSWERED, today - dt.timedelta(days=10)),
            )
        plans.append(MatterPlan(
            township=_unit(county, township), unit=_unit(county, unit), issue=issue, steps=steps,
            visits=(PlannedEvent(day, Channel.VISIT, level, persons),),
        ))  # fmt: skip
    generate_planned(county=county, plans=plans, seed=day_seed(start) + 7)


def _ownership_issue(county: County, week: tuple[dt.date, dt.date], bureau: User) -> None:
    """The week's draft (made now if missing), its matters without a suggested owner taken out, issued
    on the Monday after the week."""
    monday = week[1] + dt.timedelta(days=1)
    batch, _ = batch_draft_week(county=county, week_from=week[0], week_to=week[1], by=bureau,
                                now=_at(monday, 8))  # fmt: skip
    for entry in batch.entries.filter(leader__isnull=True):
        batch_entry_remove(by=bureau, entry=entry, reason="无分管或联系该事项的县级领导，由属地乡镇包案化解")
    if batch.entries.exists():
        batch_issue(by=bureau, batch=batch, now=_at(monday, 10))


def _escalation(county: County) -> None:
    """周庄镇 asks that one of its open matters, not owned, be handed to a county leader (once pending)."""
    unit_user = _user("zhouzhuang")
    if Escalation.objects.filter(unit_id=unit_user.unit_id or 0, state=Escalation.State.PENDING).exists():
        return
    open_matters = (
        matters_for_user(user=unit_user)
        .exclude(status__in=todo.FINISHED)
        .exclude(pk__in=Ownership.objects.filter(is_current=True).values("matter_id"))
        .order_by("-last_event_date", "-pk")
    )
    for matter in open_matters[:5]:
        try:
            escalation_request(by=unit_user, matter=matter,
                               reason="涉及县直多个部门，镇级协调无法解决，提请县级领导包案")  # fmt: skip
        except ValidationError:
            continue
        return


def _cases_worked(county: County, today: dt.date, bureau: User, owner: User) -> None:
    """杜文博's work on his batch cases: the answered one resolved today, its five 包 filled and its 销号
    asked (waiting for the bureau); on the two others, some of the five 包 and a meeting."""
    cases = list(
        Ownership.objects.filter(leader_id=owner.leader_id or 0, is_current=True, batch_entry__isnull=False)
        .select_related("matter")
        .order_by("since", "pk")
    )
    answered = next((case for case in cases if case.matter.status == Status.ANSWERED), None)
    if (
        answered is not None
        and not Closure.objects.filter(ownership__leader_id=owner.leader_id or 0).exists()
    ):
        matter_transition(by=bureau, matter=answered.matter, to=Status.RESOLVED, on=today)
        for index, (package, content, _) in enumerate(PACKAGE_WORK):
            package_entry_add(by=owner, ownership=answered, package=package, completes=True,
                              date=today - dt.timedelta(days=8 - index), content=content)  # fmt: skip
        closure_request(
            by=owner, ownership=answered, note="欠薪已全部支付，信访人签字确认息诉罢访，五包工作均已完成。"
        )
    worked = [case for case in cases if case != answered and case.matter.status not in todo.FINISHED][:2]
    for number, case in enumerate(worked):
        if PackageEntry.objects.filter(ownership=case).exists():
            continue
        for index, (package, content, completes) in enumerate(PACKAGE_WORK[: 3 - number]):
            day = max(case.since, today - dt.timedelta(days=6 - index))
            package_entry_add(by=owner, ownership=case, package=package, date=day, content=content,
                              completes=completes)  # fmt: skip
        if number == 0 and not OwnerMeeting.objects.filter(ownership=case).exists():
            owner_meeting_add(
                by=owner, ownership=case, date=max(case.since, today - dt.timedelta(days=3)),
                place="周庄镇信访接待室", attendees="杜文博、周庄镇党委书记、县人社局分管负责人、信访人3人",
                agreed="县人社局牵头核算欠薪，施工企业十日内支付首批款项；镇里每周向信访人通报进展。",
            )  # fmt: skip
