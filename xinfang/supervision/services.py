"""督办 actions, the only way supervision items are created or changed: one transaction each, with its
audit record and its SMS in the outbox. Bad input is a ValidationError in Chinese; an action the user's
role may not take is PermissionDenied; an action the item's state does not allow (or a second click
of the same one) is `SupervisionConflict`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.attachments import Upload, attachment_store
from xinfang.core.models import Attachment
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import County, Leader, Unit, UnitOfficial
from xinfang.lib.sms_text import MULTI_PART
from xinfang.lib.text import clean_text
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.petitions.models import Matter
from xinfang.supervision.models import SupervisionItem, SupervisionProgress, SupervisionReview
from xinfang.supervision.selectors import can_report

State = SupervisionItem.State
INSTRUCTION_MAX = 1000
TEXT_MAX = 2000
MAX_FILES = 5
# A progress report the same user sent with the same text and date this recently is a second click.
REPEAT_WINDOW = dt.timedelta(minutes=10)
# How much of an instruction an SMS quotes: the platform's page holds the rest.
SMS_QUOTE = 60
ART_46 = "《信访工作条例》第四十六条"


class SupervisionConflict(ValidationError):
    """The item's state does not allow the action (already done, nothing to review, a repeated click)."""


def _text(value: str, field: str, label: str, most: int, *, multiline: bool = True) -> str:
    text = clean_text(value or "", multiline=multiline).strip()
    if not text:
        raise ValidationError({field: f"请填写{label}"})
    if len(text) > most:
        raise ValidationError({field: f"{label}不能超过{most}字（现有{len(text)}字）"})
    return text


def _day(value: dt.date | dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


@transaction.atomic
def item_create(
    *,
    county: County,
    source_kind: str,
    source_id: int,
    source_title: str,
    source_url: str,
    matter: Matter | None,
    instruction: str,
    instructed_by: Leader | None,
    instructed_at: dt.date | dt.datetime,
    leader: Leader,
    units: Iterable[Unit],
    deadline: dt.date,
    recorded_by: User,
    on_paper: bool = False,
    scan: Attachment | None = None,
) -> SupervisionItem:
    """A 批示 or a meeting's decision becomes a supervision item, and its leader and its units' heads get
    an SMS. `recorded_by` is the bureau, or the main leader writing their own instruction on the platform;
    a paper instruction (`on_paper`) is recorded by the bureau with its scan. Refused: a deadline already
    past, a leader or unit of another county or no longer active, a leader or unit the matter reports
    (《信访工作条例》 Art. 46: whoever is reported never handles the matter)."""
    units = list(dict.fromkeys(units))
    today = timezone.localdate()
    if recorded_by.county_id != county.pk:
        raise PermissionDenied("只能为本县录入督办事项")
    own_instruction = (
        recorded_by.role == Role.MAIN_LEADER
        and instructed_by is not None
        and recorded_by.leader_id == instructed_by.pk
    )
    if recorded_by.role not in BUREAU_ROLES and not (own_instruction and not on_paper):
        raise PermissionDenied("督办事项由信访局录入，或由县主要领导本人批示")
    if source_kind not in SupervisionItem.SourceKind.values:
        raise ValidationError({"source_kind": "来源类型无效"})
    title = _text(source_title, "source_title", "来源名称", 200, multiline=False)
    url = clean_text(source_url or "", multiline=False).strip()
    if url and (not url.startswith("/") or url.startswith("//") or " " in url or len(url) > 300):
        raise ValidationError({"source_url": "来源链接应为本平台内以 / 开头的地址"})
    text = _text(instruction, "instruction", "批示内容", INSTRUCTION_MAX)
    if source_kind == SupervisionItem.SourceKind.WEEKLY and instructed_by is None:
        raise ValidationError({"instructed_by": "请选择批示领导"})
    if instructed_by is not None and instructed_by.county_id != county.pk:
        raise ValidationError({"instructed_by": "批示领导不在本县"})
    instructed_on = _day(instructed_at)
    if instructed_on > today:
        raise ValidationError({"instructed_at": "批示日期不能晚于今天"})
    if on_paper and scan is None:
        raise ValidationError({"scan": "纸质批示代录须上传批示扫描件"})
    if leader.county_id != county.pk:
        raise ValidationError({"leader": "牵头领导不在本县"})
    if not leader.is_active:
        raise ValidationError({"leader": f"{leader.name}已不在任，请选择在任的县级领导"})
    for unit in units:
        if unit.county_id != county.pk:
            raise ValidationError({"units": f"{unit.name}不是本县单位"})
        if not unit.is_active:
            raise ValidationError({"units": f"{unit.name}已停用"})
    if deadline < today:
        raise ValidationError({"deadline": "办理期限不能早于今天"})
    if deadline < instructed_on:
        raise ValidationError({"deadline": "办理期限不能早于批示日期"})
    if matter is not None:
        if matter.county_id != county.pk:
            raise ValidationError({"matter": "信访事项不在本县"})
        reported = matter.reported_units.filter(pk__in=[unit.pk for unit in units])
        if reported:
            names = "、".join(sorted(unit.name for unit in reported))
            raise ValidationError({"units": f"该事项反映的是{names}，被反映单位不能承办（{ART_46}）"})
        if matter.reported_accounts.filter(leader_id=leader.pk).exists():
            raise ValidationError(
                {"leader": f"该事项反映的是{leader.name}本人，被反映人不能牵头办理（{ART_46}）"}
            )
    now = timezone.now()
    item = SupervisionItem.objects.create(
        county=county, source_kind=source_kind, source_id=source_id, source_title=title, source_url=url,
        matter=matter, instruction=text, instructed_by=instructed_by, instructed_at=instructed_on,
        on_paper=on_paper, scan=scan if on_paper else None, leader=leader, deadline=deadline,
        created_by=recorded_by, created_at=now,
    )  # fmt: skip
    item.units.set(units)
    audit_record(
        action="supervision.create",
        actor=recorded_by,
        obj=item,
        changes={
            "source_title": title,
            "matter": matter.number if matter else "",
            "instructed_by": instructed_by.name if instructed_by else "",
            "leader": leader.name,
            "units": [unit.name for unit in units],
            "deadline": deadline,
            "on_paper": on_paper,
        },
    )
    _notify(item, "supervision_new", _new_text(item), units=units, to_leader=True, key="new")
    return item


def _locked(item: SupervisionItem) -> SupervisionItem:
    """The item re-read under a row lock (PostgreSQL; SQLite's writers queue for the database's lock):
    two clicks apply once, the second seeing what the first did."""
    return (
        SupervisionItem.objects.select_for_update(of=("self",))
        .select_related("county", "leader", "matter")
        .get(pk=item.pk)
    )


@transaction.atomic
def progress_report(
    *,
    item: SupervisionItem,
    user: User,
    date: dt.date,
    text: str,
    files: Sequence[Upload] = (),
    unit: Unit | None = None,
) -> SupervisionProgress:
    """A progress report on the item: by a user of one of its units (for that unit), by the responsible
    leader's own account (no unit), or by the bureau on behalf of one of its units (`unit`) or of the
    leader (no unit). Moves 待办 to 办理中; refused on an item already done."""
    if not can_report(user=user, item=item):
        raise PermissionDenied("您无权报送该督办事项的办理情况")
    locked = _locked(item)
    if locked.state == State.DONE:
        raise SupervisionConflict("该督办事项已办结，不能再报送办理情况")
    if user.role == Role.UNIT_USER:
        unit = user.unit
    elif user.role not in BUREAU_ROLES:
        unit = None  # the leader's own report
    elif unit is not None and not locked.units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": f"{unit.name}不是该督办事项的责任单位"})
    body = _text(text, "text", "办理情况", TEXT_MAX)
    today = timezone.localdate()
    if date > today:
        raise ValidationError({"date": "办理日期不能晚于今天"})
    if date < locked.instructed_at:
        raise ValidationError({"date": "办理日期不能早于批示日期"})
    if len(files) > MAX_FILES:
        raise ValidationError({"attachments": f"每次最多上传{MAX_FILES}个附件"})
    now = timezone.now()
    repeated = SupervisionProgress.objects.filter(
        item=locked, reported_by=user, date=date, text=body, created_at__gte=now - REPEAT_WINDOW
    )
    if repeated.exists():
        raise SupervisionConflict("相同的办理情况刚刚已报送，请勿重复提交")
    stored = []
    for upload in files:
        try:
            stored.append(attachment_store(upload, user_id=user.pk))
        except ValidationError as error:
            raise ValidationError({"attachments": error.messages}) from error
    progress = SupervisionProgress.objects.create(
        item=locked, unit=unit, reported_by=user, date=date, text=body, created_at=now
    )
    progress.attachments.set(stored)
    changed = ["last_progress_at"]
    locked.last_progress_at = now
    if locked.state == State.TODO:
        locked.state = State.IN_PROGRESS
        changed.append("state")
    locked.save(update_fields=changed)
    audit_record(
        action="supervision.progress",
        actor=user,
        obj=locked,
        changes={
            "progress": progress.pk,
            "unit": unit.name if unit else "",
            "date": date,
            "attachments": [attachment.name for attachment in stored],
        },
    )
    item.state, item.last_progress_at = locked.state, locked.last_progress_at
    return progress


def _bureau(user: User, item: SupervisionItem) -> None:
    if user.role not in BUREAU_ROLES or user.county_id != item.county_id:
        raise PermissionDenied("只有本县信访局可以验收或退回督办事项")


@transaction.atomic
def item_accept(*, item: SupervisionItem, user: User, note: str = "") -> SupervisionItem:
    """The bureau accepts the item as done (已办结). It needs a progress report; a second click finds it
    done and is refused."""
    _bureau(user, item)
    locked = _locked(item)
    if locked.state == State.DONE:
        raise SupervisionConflict("该督办事项已办结")
    if locked.state != State.IN_PROGRESS:
        raise SupervisionConflict("尚未报送办理情况，不能验收办结")
    remark = clean_text(note or "").strip()
    if len(remark) > TEXT_MAX:
        raise ValidationError({"note": f"意见不能超过{TEXT_MAX}字"})
    now = timezone.now()
    # The conditional update is the guard wherever the lock is not (it counts the rows it changed).
    done = SupervisionItem.objects.filter(pk=locked.pk, state=State.IN_PROGRESS).update(
        state=State.DONE, closed_at=now, closed_by=user, last_review_at=now
    )
    if not done:
        raise SupervisionConflict("该督办事项已办结")
    SupervisionReview.objects.create(
        item=locked, decision=SupervisionReview.Decision.ACCEPT, note=remark, decided_by=user, decided_at=now
    )
    audit_record(
        action="supervision.accept",
        actor=user,
        obj=locked,
        changes={"state": [locked.state, State.DONE], "note": remark},
    )
    item.state, item.closed_at, item.closed_by, item.last_review_at = State.DONE, now, user, now
    return item


@transaction.atomic
def item_return(*, item: SupervisionItem, user: User, reason: str) -> SupervisionItem:
    """The bureau sends the item back (退回): it stays 办理中, its units' heads (the leader when it has no
    unit) get an SMS with the reason. Only a report not yet reviewed can be sent back, so a second click
    is refused."""
    _bureau(user, item)
    locked = _locked(item)
    if locked.state == State.DONE:
        raise SupervisionConflict("该督办事项已办结，不能退回")
    if not locked.awaiting_review:
        raise SupervisionConflict("没有待验收的办理情况：退回后须等单位重新报送")
    why = _text(reason, "reason", "退回理由", TEXT_MAX)
    now = timezone.now()
    SupervisionReview.objects.create(
        item=locked, decision=SupervisionReview.Decision.RETURN, note=why, decided_by=user, decided_at=now
    )
    locked.last_review_at = now
    locked.save(update_fields=["last_review_at"])
    audit_record(action="supervision.return", actor=user, obj=locked, changes={"reason": why})
    units = list(locked.units.all())
    _notify(
        locked, "supervision_return", _return_text(locked, why), units=units, to_leader=not units,
        key=f"return:{now.timestamp():.0f}",
    )  # fmt: skip
    item.last_review_at = now
    return item


# SMS ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    key: str
    name: str
    mobile: str


def quoted(text: str, most: int = SMS_QUOTE) -> str:
    line = clean_text(text, multiline=False).strip()
    return line if len(line) <= most else f"{line[: most - 1]}…"


def _by_whom(item: SupervisionItem) -> str:
    if item.source_kind == SupervisionItem.SourceKind.MEETING:
        return "联席会议决定"
    who = item.instructed_by.get_post_kind_display() if item.instructed_by else "县领导"
    return f"{who}批示"


def _when(deadline: dt.date) -> str:
    return f"{deadline.month}月{deadline.day}日"


def _new_text(item: SupervisionItem) -> str:
    return (
        f"督办：{_by_whom(item)}“{quoted(item.instruction)}”，牵头领导{item.leader.name}，"
        f"请于{_when(item.deadline)}前办理并反馈。"
    )


def _return_text(item: SupervisionItem, reason: str) -> str:
    return (
        f"督办退回：{_by_whom(item)}“{quoted(item.instruction, 30)}”的办理情况未通过验收"
        f"（{quoted(reason, 40)}），请补充办理后于{_when(item.deadline)}前重新报送。"
    )


def item_recipients(item: SupervisionItem, *, units: Sequence[Unit], to_leader: bool) -> list[Recipient]:
    """The people an item's SMS goes to: its leader (if `to_leader`) and the head (一把手) of each of
    `units`, each with a mobile, each once. Never a unit or a leader's account the item's matter reports
    (Art. 46), even when the matter came to report it after the item was created."""
    reported_units: set[int] = set()
    leader_reported = False
    if item.matter_id:
        reported_units = set(
            Matter.reported_units.through.objects.filter(matter_id=item.matter_id).values_list(
                "unit_id", flat=True
            )
        )
        leader_reported = User.objects.filter(
            reported_in_matters=item.matter_id, leader_id=item.leader_id
        ).exists()
    people: dict[str, Recipient] = {}
    leader = item.leader
    if to_leader and leader.is_active and leader.mobile and not leader_reported:
        people[leader.mobile] = Recipient(f"leader:{leader.pk}", leader.name, leader.mobile)
    heads = UnitOfficial.objects.filter(
        unit_id__in=[unit.pk for unit in units if unit.pk not in reported_units], is_head=True, is_active=True
    ).exclude(mobile="")
    for official in heads.order_by("unit_id", "id"):
        people.setdefault(
            official.mobile, Recipient(f"official:{official.pk}", official.name, official.mobile)
        )
    return list(people.values())


def sms_fit(text: str) -> str:
    """One message at most XINFANG_SMS_MAX_PARTS parts long with the signature."""
    room = MULTI_PART * max(settings.XINFANG_SMS_MAX_PARTS, 1) - len(settings.XINFANG_SMS_SIGNATURE)
    return text if len(text) <= room else f"{text[: room - 1]}…"


def _notify(
    item: SupervisionItem, template: str, text: str, *, units: Sequence[Unit], to_leader: bool, key: str
) -> int:
    topic = f"supervision:{item.pk}"
    drafts = [
        SmsDraft(
            recipient_key=person.key,
            recipient_name=person.name,
            mobile=person.mobile,
            template=template,
            params={"content": sms_fit(text)},
            dedupe_key=f"{topic}:{key}:{person.key}",
            topic=topic,
        )
        for person in item_recipients(item, units=units, to_leader=to_leader)
    ]
    return sms_queue(county=item.county, drafts=drafts)
