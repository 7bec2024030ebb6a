"""What the registry pages show: keyset pages of the list and the detail page's context."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape as esc
from typing import Any, Generic, Protocol, TypeVar, cast

from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length
from django.utils.translation import pgettext

from xinfang.accounts.models import User
from xinfang.core.matter_extras import TimelineLine, matter_extras
from xinfang.core.queries import statement_rows
from xinfang.core.roles import BUREAU_ROLES
from xinfang.directory.models import County
from xinfang.directory.selectors import directory_labels
from xinfang.lib.deadlines import (
    CLOCK_LABELS,
    PETITIONER_CLOCKS,
    Clock,
    DeadlineState,
    deadline_state,
)
from xinfang.lib.masking import mask_name
from xinfang.petitions.forms import (
    AssignForm,
    EventFields,
    ExtensionDecisionForm,
    ExtensionForm,
    HearingForm,
    MatterFilterForm,
    ObjectionDecisionForm,
    OwnerForm,
    ReasonForm,
    RevealForm,
    TransitionForm,
    steps_using,
)
from xinfang.petitions.models import Assignment, Event, Extension, Level, Matter, Rating, Transition
from xinfang.petitions.rows import rule_profile
from xinfang.petitions.search import candidate_ids, text_contains
from xinfang.petitions.selectors import registry_rules, registry_rules_kept, user_handles
from xinfang.petitions.services.rules import (
    assign_refusal,
    event_refusal,
    extension_decision_refusal,
    extension_request_refusal,
    hearing_refusal,
    object_refusal,
    objection_decision_refusal,
    owner_refusal,
    receive_refusal,
    transition_choices,
)
from xinfang.petitions.services.transfer import objection_deadline


class Paged(Protocol):
    """What a page's cursor is made of: a matter, or a row of it (list_matters)."""

    pk: Any
    last_event_date: dt.date


R = TypeVar("R", bound=Paged)


@dataclass(frozen=True)
class MatterPage(Generic[R]):
    items: list[R]
    next_cursor: str


RARE_MATCHES = 5000  # at most this many matches: fetch them from the index, then sort
SCAN_BATCH = 2000
FIRST_SCAN = 4000  # the newest matters looked at before asking the index
SCAN_LIMIT = 20000  # a page of a common term (or one character) scans at most this many matters


@dataclass
class _Scan:
    """Walks the newest matters in batches, keeping the ids of those that contain the phrase."""

    matters: QuerySet[Matter]
    query: str
    hits: list[int] = field(default_factory=list)
    scanned: int = 0
    last: tuple[dt.date, int] | None = None
    exhausted: bool = False

    def run(self, until_hits: int, budget: int) -> None:
        while len(self.hits) < until_hits and self.scanned < budget and not self.exhausted:
            batch = self.matters
            if self.last is not None:
                day, pk = self.last
                batch = batch.filter(Q(last_event_date__lt=day) | Q(last_event_date=day, pk__lt=pk))
            rows = list(batch.values_list("pk", "last_event_date", "content", "appeal")[:SCAN_BATCH])
            self.hits += [pk for pk, _, content, appeal in rows if text_contains(self.query, content, appeal)]
            self.scanned += len(rows)
            self.exhausted = len(rows) < SCAN_BATCH
            if rows:
                self.last = (rows[-1][1], rows[-1][0])


def matter_page(
    matters: QuerySet[Matter],
    *,
    after: str,
    size: int,
    query: str = "",
    rows_of: Callable[[list[int]], Iterable[R]],
) -> MatterPage[R]:
    """One page of a list ordered by (-last_event_date, -id), after the cursor "YYYY-MM-DD.id".

    Keyset paging costs the same on page 1 and page 1000, and never counts the whole list. A search
    first looks through the newest matters, which fills a page at once for a common phrase; if that
    finds too little it asks the bigram index, which answers a rare phrase with its few matches; a
    phrase in between (or a single character) goes on scanning, at most SCAN_LIMIT matters a page.
    The page's matters are read by `rows_of(ids)`: the list's rows (`list_matters`), or whole matters.
    """
    cursor = _parse_cursor(after)
    if cursor:
        day, pk = cursor
        matters = matters.filter(Q(last_event_date__lt=day) | Q(last_event_date=day, pk__lt=pk))
    if not query.strip():
        # The page's ids first, then its rows: a queue that is read from its own index and sorted (the
        # overdue, a leader's matters) sorts narrow index entries, not every candidate's whole row.
        return page_of(list(matters.values_list("pk", flat=True)[: size + 1]), size=size, rows_of=rows_of)
    scan = _Scan(matters, query)
    scan.run(until_hits=size + 1, budget=FIRST_SCAN)
    if len(scan.hits) <= size and not scan.exhausted:
        ids = candidate_ids(query, RARE_MATCHES)
        if ids is not None:
            found = matters.filter(pk__in=ids).values_list("pk", "content", "appeal")[: size * 4 + 1]
            hits = [pk for pk, content, appeal in found if text_contains(query, content, appeal)]
            return page_of(hits[: size + 1], size=size, rows_of=rows_of)
        scan.run(until_hits=size + 1, budget=SCAN_LIMIT)
    page = page_of(scan.hits[: size + 1], size=size, rows_of=rows_of)
    if not page.next_cursor and not scan.exhausted and scan.last is not None:
        # The page ended at the scan limit, not at the end of the list: continue from where it stopped.
        return MatterPage(items=page.items, next_cursor=f"{scan.last[0].isoformat()}.{scan.last[1]}")
    return page


def page_of(ids: list[int], *, size: int, rows_of: Callable[[list[int]], Iterable[R]]) -> MatterPage[R]:
    """The page of the list's next `size` matters, `ids` those and the one after them if any (which gives
    the cursor), their rows read by `rows_of`."""
    found = {row.pk: row for row in rows_of(ids)}
    rows = [found[pk] for pk in ids if pk in found]  # one deleted since its id was read is left out
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = f"{rows[-1].last_event_date.isoformat()}.{rows[-1].pk}" if more and rows else ""
    return MatterPage(items=rows, next_cursor=next_cursor)


def _parse_cursor(text: str) -> tuple[dt.date, int] | None:
    day, _, pk = text.partition(".")
    try:
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


@dataclass(frozen=True)
class ListRow:
    """A matter as the list shows it, each cell ready to print: its deadline, who has yet to sign for it,
    the level of its latest visit beside the highest it reached; three queries for a page, whatever its
    size. The template engine's cost is per variable, tag and filter, fifty rows a page: a `{% url %}`,
    `|date` or `get_…_display` per cell took most of the page's time."""

    matter: ListedMatter
    url: str
    last_event: str  # YYYY-MM-DD
    batches: int  # the matter's events when more than one, else 0
    top_level: str
    over_level: bool  # it reached beyond the county
    township: str
    category: str
    content: str  # cut to the list's width
    unit: str  # the responsible unit, or "—"
    status: str
    deadline: DeadlineState | None
    deadline_due: str  # YYYY-MM-DD
    deadline_kind: str  # 办理期限 (the unit's) or 申请期限 (the petitioner's window)
    tone: str  # "overdue" or "warning": how the row and its deadline are marked, else ""
    awaiting: str  # the unit that has yet to sign for it (待签收), else ""
    latest_level: str  # the level of the latest visit, when below the highest reached

    def html(self) -> str:
        """The row's <tr>, every value escaped: built here rather than in the template, whose engine
        spent more on the fifty rows' variables and tags than the rest of the page together."""
        matter = self.matter
        level = (
            f'<span class="tag red">{esc(self.top_level)}</span>' if self.over_level else esc(self.top_level)
        )
        if matter.is_collective:
            level += ' <span class="tag red">集体</span>'
        if self.latest_level:
            level += f'<div class="muted small">最近一次：{esc(self.latest_level)}</div>'
        if self.awaiting:
            awaiting = esc(self.awaiting)
            status = (
                f'<span class="tag red" title="已转送交办至{awaiting}，尚未签收">待签收</span>'
                f'<div class="muted small">{awaiting}</div>'
            )
        else:
            status = esc(self.status)
        if self.deadline:
            marked = f"deadline {self.tone}" if self.tone else "muted"
            state, label = esc(self.deadline.state), esc(self.deadline.label)
            deadline = (
                f'<span class="deadline {state}">{esc(self.deadline_due)}</span>'
                f'<div class="small {marked}">{esc(self.deadline_kind)}期限 · {label}</div>'
            )
        else:
            deadline = "—"
        tone = f' class="row-{self.tone}"' if self.tone else ""
        batches = f' <span class="tag">{self.batches}批</span>' if self.batches else ""
        return (
            f"<tr{tone}>"
            f'<td data-label="编号" class="nowrap"><a href="{esc(self.url)}">{esc(matter.number)}</a></td>'
            f'<td data-label="最近信访" class="nowrap">{esc(self.last_event)}'
            f"{batches}</td>"
            f'<td data-label="访别（最高）" class="nowrap">{level}</td>'
            f'<td data-label="乡镇" class="nowrap">{esc(self.township)}</td>'
            f'<td data-label="问题类别">{esc(self.category)}</td>'
            f'<td data-label="反映问题">{esc(self.content)}</td>'
            f'<td data-label="责任单位">{esc(self.unit)}</td>'
            f'<td data-label="状态" class="nowrap">{status}</td>'
            f'<td data-label="期限" class="nowrap">{deadline}</td></tr>'
        )


def rows_html(rows: list[ListRow]) -> SafeString:
    """The list's table rows, one line each."""
    return mark_safe("\n".join(row.html() for row in rows))  # noqa: S308 - ListRow.html escapes every value


LIST_CONTENT_CHARS = 36


class ListedMatter(Paged, Protocol):
    """A matter as list_matters reads it: a row of plain values, not a model instance. A page of whole
    matters (forty columns, the long texts among them) with their township, category and unit as objects
    cost more to build than the page to render; model instances of the few columns the list needs still
    cost an eighth of the page (Django builds each with every deferred field)."""

    number: str
    event_count: int
    top_level: str
    is_collective: bool
    content: str
    status: str
    clock: str
    due_date: dt.date | None
    origin_township_id: int
    category_id: int
    responsible_unit_id: int | None
    latest_level: str | None  # the level of the latest visit
    awaiting_unit_id: int | None  # the unit yet to sign for it


def whole_matters(ids: Sequence[int]) -> QuerySet[Matter]:
    """The matters of `ids` whole, with their township, category and unit (the API's pages)."""
    return Matter.objects.filter(pk__in=ids).select_related(
        "origin_township", "category__parent", "responsible_unit"
    )


# The columns list_matters reads: the fields ListedMatter names, so the two cannot drift apart.
LIST_COLUMNS = (*Paged.__annotations__, *ListedMatter.__annotations__)


def list_matters(ids: Sequence[int]) -> list[ListedMatter]:
    """The matters of `ids` as list_rows reads them (ListedMatter), in no particular order: their own
    columns, the level of their latest visit and the unit yet to sign for them. Their township, category
    and unit are ids, named by list_rows from the county's directory kept in memory (directory_labels):
    joining the four tables for the names cost the database more than the rows. The statement is
    compiled once (statement_rows): building its subqueries cost more than reading the page's rows."""
    return statement_rows("petitions.list_matters", _list_matters_of, ids)


def _list_matters_of(ids: Sequence[int]) -> QuerySet[Matter, ListedMatter]:
    latest = Event.objects.filter(matter=OuterRef("pk")).order_by("-date", "-pk")
    awaiting = Assignment.objects.filter(matter=OuterRef("pk"), is_current=True, state=Assignment.State.SENT)
    rows = Matter.objects.filter(pk__in=ids).annotate(
        latest_level=Subquery(latest.values("level")[:1]),
        awaiting_unit_id=Subquery(awaiting.values("unit_id")[:1]),  # one current assignment a matter
    )
    return cast(QuerySet[Matter, ListedMatter], rows.values_list(*LIST_COLUMNS, named=True))


_FILTERS_KEPT = 64
_filters_rendered: dict[tuple[Any, ...], SafeString] = {}


def filters_html(form: MatterFilterForm | None, *, user: User) -> SafeString:
    """The list's filter form, as filled in (`form`), or unfilled (None), as the list first opens (most of
    its requests): the same for everyone with the same to-do queues and the same directory, so rendered
    once for them, keyed by those choices themselves (a changed directory renders anew), without building
    the form (Django copies every field of a form it builds)."""
    if form is not None:
        return render_to_string("petitions/_list_filters.html", {"form": form})
    key = MatterFilterForm.unfilled_key(county_id=user.county_id, user=user)
    html = _filters_rendered.get(key)
    if html is None:
        if len(_filters_rendered) >= _FILTERS_KEPT:
            _filters_rendered.clear()
        unfilled = MatterFilterForm(county_id=user.county_id, user=user)
        html = _filters_rendered[key] = render_to_string("petitions/_list_filters.html", {"form": unfilled})
    return html


@dataclass(frozen=True)
class ContentCut:
    """How list_content cuts a text: what the ellipsis leaves (`calculate_truncate_chars_length`) and the
    ellipsis's pattern, both translated and so read once a page, not once a row."""

    keep: int
    pattern: str

    @classmethod
    def current(cls) -> ContentCut:
        pattern = pgettext("String to return when truncating text", "%(truncated_text)s…")  # Django's own
        return cls(calculate_truncate_chars_length(LIST_CONTENT_CHARS, pattern), pattern)


def list_content(text: str, cut: ContentCut) -> str:
    """`Truncator(text).chars(LIST_CONTENT_CHARS)`, whose walk over the characters in Python cost more than
    the rest of a row; taken only when the text's start has combining marks (which do not count)."""
    text = unicodedata.normalize("NFC", text)
    if any(map(unicodedata.combining, text[: LIST_CONTENT_CHARS + 1])):
        return Truncator(text).chars(LIST_CONTENT_CHARS)
    return text if len(text) <= LIST_CONTENT_CHARS else add_truncation_text(text[: cut.keep], cut.pattern)


def list_rows(matters: list[ListedMatter], *, county: County | None) -> list[ListRow]:
    """The rows of matters read by list_matters."""
    today = timezone.localdate()
    warning = registry_rules_kept(county).deadline_warning_days if county else 3
    levels, statuses = dict(Level.choices), dict(Matter.Status.choices)
    detail = reverse("petitions:detail", args=[0]).removesuffix("0/")  # one reverse() a page, not a row
    cut = ContentCut.current()
    names = directory_labels(
        county,
        units={
            unit
            for matter in matters
            for unit in (matter.origin_township_id, matter.responsible_unit_id, matter.awaiting_unit_id)
            if unit is not None
        },
        categories={matter.category_id for matter in matters},
    )
    units = names.units
    rows = []
    for matter in matters:
        window = matter.clock in PETITIONER_CLOCKS
        deadline = (
            deadline_state(matter.due_date, today, warning, petitioners=window)
            if matter.due_date and matter.clock
            else None
        )
        level = matter.latest_level or matter.top_level
        rows.append(
            ListRow(
                matter=matter,
                url=f"{detail}{matter.pk}/",
                last_event=matter.last_event_date.isoformat(),
                batches=matter.event_count if matter.event_count > 1 else 0,
                top_level=levels.get(matter.top_level, matter.top_level),
                over_level=matter.top_level != Level.COUNTY,
                township=units[matter.origin_township_id],
                category=names.categories[matter.category_id],
                content=list_content(matter.content, cut),
                unit=units[matter.responsible_unit_id] if matter.responsible_unit_id else "—",
                status=statuses.get(matter.status, matter.status),
                deadline=deadline,
                deadline_due=deadline.due.isoformat() if deadline else "",
                deadline_kind=CLOCK_LABELS[Clock(matter.clock)] if deadline else "",
                tone=deadline.state if deadline and deadline.state in ("overdue", "warning") else "",
                awaiting=units[matter.awaiting_unit_id] if matter.awaiting_unit_id else "",
                latest_level=levels[level] if level != matter.top_level else "",
            )
        )
    return rows


def _clock_basis(matter: Matter) -> str:
    """The profile and the article behind the running clock, e.g. 《信访工作条例》第三十四条."""
    if not matter.clock or matter.clock_started is None:
        return ""
    profile, clock = rule_profile(matter.county, matter.clock_started), Clock(matter.clock)
    basis = profile.basis_of(clock)
    if clock in dict(profile.basis) or profile.key == "national-2022":
        return basis
    return f"{profile.name}未另行规定，依{basis}"


TRANSITION_FIELD_NAMES = [name for name in TransitionForm.base_fields if name != "to"]


def matter_detail_context(
    user: User,
    matter: Matter,
    *,
    failed: forms.Form | None = None,
    failed_action: str = "",
    revealed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the detail page shows, and the actions this user may take now; a failed action's form
    comes back as typed, with its errors."""
    handles = user_handles(user, matter)
    petitioners = list(matter.petitioners.all())
    for person in petitioners:
        person.display_name = person.name if handles else mask_name(person.name)  # type: ignore[attr-defined]
    assignment = matter.assignments.filter(is_current=True).select_related("unit").first()
    owner = matter.ownerships.filter(is_current=True).select_related("leader").first()
    deadline = None
    if matter.due_date:
        warning = registry_rules(matter.county_id).deadline_warning_days
        window = matter.clock in PETITIONER_CLOCKS
        deadline = deadline_state(matter.due_date, timezone.localdate(), warning, petitioners=window)
    extensions = list(matter.extensions.select_related("requested_by", "decided_by").order_by("requested_at"))
    pending = next((item for item in extensions if item.state == Extension.State.REQUESTED), None)
    bureau = user.role in BUREAU_ROLES
    next_statuses = [(step, Matter.Status(step).label) for step in transition_choices(user, matter)]
    # Every action is offered by the rule its service enforces (services/rules.py).
    actions = {
        "transition": bool(next_statuses),
        "assign": assign_refusal(user, matter) is None,
        "receive": receive_refusal(user, assignment) is None,
        "object": object_refusal(user, matter, assignment, objection_deadline(matter, assignment)) is None,
        "decide": objection_decision_refusal(user, assignment) is None,
        "extend": extension_request_refusal(user, matter) is None,
        "decide_extension": extension_decision_refusal(user, matter, pending) is None,
        "hearing": hearing_refusal(user, matter) is None,
        "owner": owner_refusal(user) is None,
        "event": event_refusal(user, matter) is None,
        "reveal": bureau,
    }
    forms_by_action: dict[str, forms.Form] = {
        "transition": TransitionForm(county_id=matter.county_id),
        "assign": AssignForm(county_id=matter.county_id),
        "object": ReasonForm(),
        "decide": ObjectionDecisionForm(),
        "extend": ExtensionForm(),
        "decide_extension": ExtensionDecisionForm(),
        "hearing": HearingForm(),
        "owner": OwnerForm(county_id=matter.county_id),
        "event": EventFields(),
        "reveal": RevealForm(),
    }
    if failed is not None and failed_action in forms_by_action:
        forms_by_action[failed_action] = failed
    transition_to = forms_by_action["transition"].fields["to"]
    transition_to.choices = [("", "请选择"), *next_statuses]  # type: ignore[attr-defined]
    offered = [value for value, _ in next_statuses]
    for action, form in forms_by_action.items():
        form.auto_id = f"{action}_%s"  # one page, many forms: ids (and labels) must not collide
    transitions = list(matter.transitions.select_related("by"))
    extras = matter_extras(user, matter)  # the feature apps' cards and timeline lines (core/matter_extras.py)
    return {
        "matter": matter,
        "handles": handles,
        "petitioners": petitioners,
        "events": list(matter.events.select_related("registered_by")),
        "transitions": transitions,
        "records": _records(transitions, extras.timeline),
        "extra_cards": list(extras.cards),
        "assignment": assignment,
        "owner": owner,
        "extensions": extensions,
        "reviews": list(matter.reviews.select_related("organ_unit")),
        "rating": Rating.objects.filter(matter=matter).first(),
        "deadline": deadline,
        "clock_label": CLOCK_LABELS.get(Clock(matter.clock)) if matter.clock else "",
        "clock_basis": _clock_basis(matter),
        "actions": actions,
        "any_action": any(value for key, value in actions.items() if key not in ("reveal", "event")),
        "forms": forms_by_action,
        "failed": failed,
        "failed_action": failed_action if failed is not None else "",
        # The failed form is on the page, with its errors: the banner only points to it.
        "failed_inline": failed is not None and failed_action != "reveal" and actions.get(failed_action),
        "transition_steps": {name: steps_using(name, offered) for name in TRANSITION_FIELD_NAMES},
        "revealed": revealed,
        "nav_key": "matters",
    }


@dataclass(frozen=True)
class Record:
    """A line of the matter's 办理记录: a status change, or a feature app's line (dated, or at a time)."""

    at: dt.datetime
    transition: Transition | None = None
    line: TimelineLine | None = None
    timed: bool = True


def _records(transitions: list[Transition], lines: tuple[TimelineLine, ...]) -> list[Record]:
    """The status changes and the feature apps' lines in the order they happened; a line with a date only
    (a meeting's day) sorts after what happened at a known time that day."""
    records = [Record(transition.at, transition=transition) for transition in transitions]
    zone = timezone.get_current_timezone()
    for line in lines:
        if isinstance(line.at, dt.datetime):
            records.append(Record(line.at, line=line))
        else:
            records.append(Record(dt.datetime.combine(line.at, dt.time.max, zone), line=line, timed=False))
    return sorted(records, key=lambda record: record.at)


def receipt_context(matter: Matter, *, query_url: str) -> dict[str, Any]:
    """The petitioner's receipt (回执): what was registered, how to follow it, and the time limits of the
    rules in force on the day of the visit."""
    first = matter.events.order_by("date", "pk").first()
    profile = rule_profile(matter.county, matter.first_event_date)
    return {
        "matter": matter,
        "event": first,
        "names": "、".join(p.name for p in matter.petitioners.all() if p.name) or "匿名",
        "profile": profile,
        "query_url": query_url,
    }
