"""The KPIs (issue 18): small matters moved through the services on fixed clocks, every rate counted by
hand below; the `xinfang kpi` command's JSON and its refusals; the /stats/kpi/ page for the bureau and a
unit user. National 2022 profile: disposal 15 days, acceptance 15, handling 60, rating window 15; a
deadline on a rest day moves to the next working day.

The timeline (2026; 2 Nov is a Monday). 县人社局 is responsible unless said otherwise. Each matter, its
steps, and what it enters in November:

- A: visit 20 Oct, 转送 22 Oct, accepted by 县人社局 5 Nov — disposal due 4 Nov ✓, acceptance due 6 Nov ✓.
- B: visit 23 Oct, 转送 9 Nov, never accepted — disposal due Sat 7 Nov → Mon 9 Nov ✓ (the rest-day
  shift), acceptance due 24 Nov ✗.
- C (周庄镇): visit Fri 16 Oct, the bureau accepts 3 Nov — disposal due Sat 31 Oct → Mon 2 Nov ✗.
- D: accepted 2 Sep, answered 2 Nov, rated 5 Nov 满意/满意, 已化解 6 Nov, 包案 — handling due Sun 1 Nov →
  2 Nov ✓; rating window closes 17 Nov, rated ✓; a rating; closed resolved ✓ (owned).
- E: accepted 1 Sep, 20 days' extension approved, answered 18 Nov, rated 21 Nov 不满意/不满意 — handling
  due 31 Oct + 20 = 20 Nov ✓ (late without the extension); a rating.
- F: accepted 3 Sep, never answered — handling due 2 Nov ✗.
- G (周庄镇): accepted 10 Oct, answered 10 Nov, rated 12 Nov 基本满意/不满意 — answered in November (due
  9 Dec) ✓; window closes 25 Nov, rated ✓; a rating.
- H: accepted 20 Aug, answered 4 Nov — answered in November, late (due 19 Oct) ✗; window closes 19 Nov,
  not rated ✗.
- K: accepted and answered 9 Oct, its review window lapses: 办结 10 Nov; 包案 ended by 销号 12 Nov —
  closed, not resolved ✗ (owned).
- M: imported, visit 3 Nov, 办结 on the ledger, no step dates — excluded from every rate it took a
  step of.

November: 及时受理率 3/5 (A, A, B ✓; B's acceptance, C ✗), excluded 1 (M); 按期办结率 3/5 (D, E, G ✓;
F, H ✗), excluded 1; 参评率 2/3 (D, G ✓; H ✗), excluded 1; 满意率 2/3 (D, G), 单位满意率 1/3 (D);
化解率 1/2 (D ✓, K ✗), excluded 1; 包案化解率 1/2 (D ✓, K ✗).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.petitions.support import S, at, day, new_matter, unit
from xinfang.directory.models import County
from xinfang.petitions.closing import review_windows_job
from xinfang.petitions.models import Assignment, Matter, Ownership, Rating, Transition
from xinfang.petitions.services.ownership import ownership_assign, ownership_end
from xinfang.petitions.services.transfer import assignment_receive, matter_assign
from xinfang.petitions.services.workflow import (
    extension_decide,
    extension_request,
    matter_rate,
    matter_transition,
)
from xinfang.stats.kpi import NAMES, is_resolved, kpis, kpis_by_unit, kpis_by_unit_recount, kpis_recount

pytestmark = pytest.mark.django_db
NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def figures(result) -> dict[str, tuple[int, int, int]]:
    return {name: (kpi.numerator, kpi.denominator, kpi.excluded) for name, kpi in result.items()}


@pytest.fixture
def timeline(county, persona) -> dict[str, Matter]:
    """The matters of the module's table, built through the services day by day."""
    bureau, head, renshe = persona("bureau"), persona("bureau_head"), persona("renshe")
    renshe_head, zhouzhuang, leader = persona("renshe_head"), persona("zhouzhuang"), persona("leader").leader
    renshe_unit = unit(county, "县人社局")
    matters: dict[str, Matter] = {}

    def accepted(name: str, on: dt.date, responsible: str = "县人社局") -> None:
        matter = new_matter(bureau, county, date=on, responsible=responsible)
        matters[name] = matter_transition(by=bureau, matter=matter, to=S.ACCEPTED, on=on)

    def answer(name: str, by, on: dt.date) -> None:
        matters[name] = matter_transition(by=by, matter=matters[name], to=S.ANSWERED, answer="已答复", on=on)

    with time_machine.travel(at(2026, 8, 20), tick=False) as clock:
        accepted("H", day(2026, 8, 20))
        clock.move_to(at(2026, 9, 1))
        accepted("E", day(2026, 9, 1))
        clock.move_to(at(2026, 9, 2))
        accepted("D", day(2026, 9, 2))
        ownership_assign(by=head, matter=matters["D"], leader=leader)
        clock.move_to(at(2026, 9, 3))
        accepted("F", day(2026, 9, 3))
        clock.move_to(at(2026, 10, 9))
        accepted("K", day(2026, 10, 9))
        answer("K", renshe, day(2026, 10, 9))
        ownership_assign(by=head, matter=matters["K"], leader=leader)
        clock.move_to(at(2026, 10, 10))
        accepted("G", day(2026, 10, 10), "周庄镇")
        clock.move_to(at(2026, 10, 16))
        matters["C"] = new_matter(bureau, county, date=day(2026, 10, 16), responsible="周庄镇")
        clock.move_to(at(2026, 10, 20))
        matters["A"] = new_matter(bureau, county, date=day(2026, 10, 20))
        request = extension_request(by=renshe, matter=matters["E"], days=20, reason="需要多部门核实")
        extension_decide(by=renshe_head, extension=request, approve=True, petitioner_notified=True)
        clock.move_to(at(2026, 10, 22))
        matter_assign(by=bureau, matter=matters["A"], unit=renshe_unit, kind=Assignment.Kind.TRANSFER)
        clock.move_to(at(2026, 10, 23))
        matters["B"] = new_matter(bureau, county, date=day(2026, 10, 23))
        assignment_receive(by=renshe, matter=matters["A"])
        clock.move_to(at(2026, 11, 2))
        answer("D", renshe, day(2026, 11, 2))
        clock.move_to(at(2026, 11, 3))
        matter_transition(by=bureau, matter=matters["C"], to=S.ACCEPTED, on=day(2026, 11, 3))
        matters["M"] = imported_concluded(county, bureau, day(2026, 11, 3))
        clock.move_to(at(2026, 11, 4))
        answer("H", renshe, day(2026, 11, 4))
        clock.move_to(at(2026, 11, 5))
        matter_transition(by=renshe, matter=matters["A"], to=S.ACCEPTED, on=day(2026, 11, 5))
        matter_rate(matter=matters["D"], bureau_score="satisfied", unit_score="satisfied")
        clock.move_to(at(2026, 11, 6))
        matter_transition(by=renshe, matter=matters["D"], to=S.RESOLVED, on=day(2026, 11, 6))
        clock.move_to(at(2026, 11, 9))
        matter_assign(by=bureau, matter=matters["B"], unit=renshe_unit, kind=Assignment.Kind.TRANSFER)
        clock.move_to(at(2026, 11, 10))
        answer("G", zhouzhuang, day(2026, 11, 10))
        review_windows_job(county=county, day=day(2026, 11, 10), now=at(2026, 11, 10))
        clock.move_to(at(2026, 11, 12))
        matter_rate(matter=matters["G"], bureau_score="basically", unit_score="dissatisfied")
        ownership_end(
            by=head, ownership=Ownership.objects.get(matter=matters["K"]), reason=Ownership.EndReason.CLOSED
        )
        clock.move_to(at(2026, 11, 18))
        answer("E", renshe, day(2026, 11, 18))
        clock.move_to(at(2026, 11, 21))
        matter_rate(matter=matters["E"], bureau_score="dissatisfied", unit_score="dissatisfied")
    return {name: Matter.objects.get(pk=matter.pk) for name, matter in matters.items()}


def imported_concluded(county: County, bureau, on: dt.date) -> Matter:
    """A matter as a ledger import leaves one that the ledger says is 办结: its status history is one
    imported record (dated the day of the import, not of the steps), no acceptance or answer date."""
    matter = new_matter(bureau, county, date=on)
    Matter.objects.filter(pk=matter.pk).update(
        status=S.CONCLUDED, clock="", clock_started=None, due_date=None
    )
    matter.transitions.all().delete()
    Transition.objects.create(matter=matter, from_status="", to_status=S.CONCLUDED, at=at(2026, 12, 1),
                              reason="台账导入", imported=True)  # fmt: skip
    return matter


@pytest.fixture
def after_november():
    with time_machine.travel(at(2026, 12, 1), tick=False):
        yield


def test_it_counts_every_rate_of_the_month_as_counted_by_hand(county, timeline, after_november):
    stored = {name: (matter.status, matter.due_date) for name, matter in timeline.items()}
    assert stored["K"][0] == S.CONCLUDED and stored["D"][0] == S.RESOLVED and stored["B"][0] == S.TRANSFERRED
    assert Rating.objects.count() == 3
    result = kpis(county=county, date_from=NOV_1, date_to=NOV_30)
    assert list(result) == list(NAMES)
    assert figures(result) == {
        "及时受理率": (3, 5, 1),
        "按期办结率": (3, 5, 1),
        "参评率": (2, 3, 1),
        "满意率": (2, 3, 0),
        "单位满意率": (1, 3, 0),
        "化解率": (1, 2, 1),
        "包案化解率": (1, 2, 0),
    }
    assert result["及时受理率"].rate == 0.6 and result["参评率"].rate == 0.6667
    assert "第二十二条" in result["及时受理率"].definition and "第三十四条" in result["按期办结率"].definition


def test_it_splits_the_rates_by_responsible_unit(county, timeline, after_november):
    """周庄镇: C's disposal late (0/1); G answered on time (1/1), rated (1/1), 基本满意/不满意.
    县人社局: A, A, B ✓ and B's acceptance ✗ (3/4); D, E ✓, F, H ✗ (2/4); D ✓, H ✗ (1/2); D, E rated
    (1/2, 1/2); D, K closed (1/2). M has no responsible unit: in the county's figures only."""
    total, units = kpis_by_unit(county=county, date_from=NOV_1, date_to=NOV_30)
    assert [row.unit.name for row in units] == ["周庄镇", "县人社局"]
    zhouzhuang, renshe = (figures(row.kpis) for row in units)
    assert zhouzhuang == {
        "及时受理率": (0, 1, 0), "按期办结率": (1, 1, 0), "参评率": (1, 1, 0), "满意率": (1, 1, 0),
        "单位满意率": (0, 1, 0), "化解率": (0, 0, 0), "包案化解率": (0, 0, 0),
    }  # fmt: skip
    assert renshe == {
        "及时受理率": (3, 4, 0), "按期办结率": (2, 4, 0), "参评率": (1, 2, 0), "满意率": (1, 2, 0),
        "单位满意率": (1, 2, 0), "化解率": (1, 2, 0), "包案化解率": (1, 2, 0),
    }  # fmt: skip
    assert figures(total) == figures(kpis(county=county, date_from=NOV_1, date_to=NOV_30))
    own = kpis(county=county, unit=unit(county, "周庄镇"), date_from=NOV_1, date_to=NOV_30)
    assert figures(own) == zhouzhuang


def test_a_matter_reporting_a_unit_or_a_user_leaves_their_figures_as_the_recount_does(
    county, timeline, after_november, persona
):
    """Art. 46 in the KPIs: the roll-up's scoped read (the county-wide roles and a unit user lose only the
    matters reporting them) equals the recount through the users' scope, for every role."""
    timeline["D"].reported_units.add(unit(county, "县人社局"))
    timeline["G"].reported_accounts.add(persona("bureau"))
    period = {"county": county, "date_from": NOV_1, "date_to": NOV_30}
    for username in ("bureau", "bureau_head", "secretary", "leader", "zhouzhuang", "renshe"):
        scoped = {**period, "scope_user": persona(username)}
        assert figures(kpis(**scoped)) == figures(kpis_recount(**scoped)), username
        (total, units), (_, recounted) = kpis_by_unit(**scoped), kpis_by_unit_recount(**scoped)
        assert figures(total) == figures(kpis(**scoped)), username
        assert [(row.unit.pk, figures(row.kpis)) for row in units] == [
            (row.unit.pk, figures(row.kpis)) for row in recounted
        ], username
    renshe = figures(kpis(**period, scope_user=persona("renshe")))
    assert renshe["化解率"] == (0, 1, 0)  # D, resolved, reports the unit: only K is left
    assert figures(kpis(**period, scope_user=persona("bureau"))) != figures(kpis(**period))
    assert figures(kpis(**period, scope_user=persona("bureau_head"))) == figures(kpis(**period))


def test_the_extension_moves_the_deadline(county, timeline, after_november):
    """Without E's approved 20 days its deadline (Sat 31 Oct → Mon 2 Nov) would have passed on 18 Nov."""
    Matter.objects.filter(pk=timeline["E"].pk).update(extension_days=0)
    assert figures(kpis(county=county, date_from=NOV_1, date_to=NOV_30))["按期办结率"] == (2, 5, 1)


def test_a_business_month_from_the_21st_counts_its_own_days(county, timeline, after_november, settings):
    """2026-11 from the 21st is 21 Oct – 20 Nov: the disposals due then are A (4 Nov ✓), B (9 Nov ✓),
    C (2 Nov ✗), G (Sun 25 Oct → 26 Oct ✓) and K (Sat 24 Oct → 26 Oct ✓), with A's acceptance (6 Nov ✓):
    5/6; the ratings made then are D's and G's (E rated on the 21st): 2/2 for the bureau, 1/2 for the
    units."""
    settings.XINFANG_MONTH_START_DAY = 21
    out = StringIO()
    call_command("kpi", "--month", "2026-11", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["及时受理率"] == {"numerator": 5, "denominator": 6, "rate": 0.8333, "excluded": 1}
    assert result["满意率"] == {"numerator": 2, "denominator": 2, "rate": 1.0, "excluded": 0}
    assert result["单位满意率"] == {"numerator": 1, "denominator": 2, "rate": 0.5, "excluded": 0}


def test_the_command_prints_exactly_the_issues_json(county, timeline, after_november):
    out = StringIO()
    call_command("kpi", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    assert list(result) == list(NAMES)
    assert all(list(value) == ["numerator", "denominator", "rate", "excluded"] for value in result.values())
    assert result["化解率"] == {"numerator": 1, "denominator": 2, "rate": 0.5, "excluded": 1}
    out = StringIO()
    call_command("kpi", "--from", "2026-11-01", "--to", "2026-11-30", "--unit", "周庄", "--format", "json",
                 stdout=out)  # fmt: skip
    result = json.loads(out.getvalue())
    assert result["化解率"] == {"numerator": 0, "denominator": 0, "rate": None, "excluded": 0}
    assert result["按期办结率"]["rate"] == 1.0
    text = StringIO()
    call_command("kpi", "--from", "2026-11-01", "--to", "2026-11-30", stdout=text)
    lines = text.getvalue().splitlines()
    assert lines[1] == "  指标         比率  分子  分母  未计入"
    assert lines[2] == "  及时受理率  60.0%     3     5       1"
    assert "  满意率      66.7%     2     3       0" in lines
    assert "《信访工作条例》第二十二条" in text.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-11-31", "--to", "2026-11-30"], "日期应写作 YYYY-MM-DD"),
        (["--from", "2026-11-20", "--to", "2026-11-01"], "起始日期不能晚于截止日期"),
        (["--from", "2026-11-01", "--to", "2026-12-02"], "截止日期不能晚于今天"),
        (["--month", "2027-01"], "统计月尚未开始"),
        (["--month", "2026/11"], "月份应写作 YYYY-MM"),
        (["--from", "2026-11-01"], "请用 --from 和 --to 指定期间"),
        (["--month", "2026-11", "--unit", "不存在的单位"], "单位不存在"),
    ],
)
def test_the_command_refuses_bad_input_in_chinese_with_exit_2(county, after_november, arguments, message):
    with pytest.raises(CommandError, match=message) as error:
        call_command("kpi", *arguments)
    assert error.value.returncode == 2


def test_the_page_shows_the_bureau_every_unit_and_a_unit_user_their_own(
    county, timeline, after_november, client_for
):
    page = client_for("bureau").get("/stats/kpi/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-kpi="及时受理率"' in html and "60.0%" in html and "《信访工作条例》第二十二条" in html
    assert "按乡镇和县直单位" in html and "周庄镇" in html and "县人社局" in html
    first = page.context["figures"][0]["kpi"]
    assert (first.name, first.numerator, first.denominator) == ("及时受理率", 3, 5)

    own = client_for("zhouzhuang").get("/stats/kpi/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert own.status_code == 200
    shown = {item["kpi"].name: (item["kpi"].numerator, item["kpi"].denominator)
             for item in own.context["figures"]}  # fmt: skip
    assert shown["及时受理率"] == (0, 1) and shown["按期办结率"] == (1, 1) and shown["化解率"] == (0, 0)
    assert own.context["units"] == [] and "按乡镇和县直单位" not in own.content.decode()

    default = client_for("bureau").get("/stats/kpi/")  # the statistical month so far: 1 Dec
    assert default.status_code == 200 and default.context["form"].cleaned_data["date_from"] == day(
        2026, 12, 1
    )
    bad = client_for("bureau").get("/stats/kpi/", {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert bad.status_code == 422 and "起始日期不能晚于截止日期" in bad.content.decode()
    assert 'href="/stats/kpi/"' in client_for("bureau").get("/stats/").content.decode()


def test_resolved_is_one_rule():
    assert is_resolved(S.RESOLVED, None) and is_resolved(S.CONCLUDED, day(2026, 11, 1))
    assert not is_resolved(S.CONCLUDED, None) and not is_resolved(S.CLOSED, None)


def test_it_starts_the_kpi_command_without_the_libraries_it_does_not_need() -> None:
    """`xinfang kpi` for a year within 1 s (issue 18) leaves Pillow (the CAPTCHA), urllib, the documents'
    and spreadsheets' libraries the matter pages, the field cipher
    (`cryptography`, through petitions.rows) and the escalation-risk screening unloaded: each would cost
    its start-up."""
    probe = (
        "import sys\n"
        "from xinfang.cli import _setup_django\n"
        "_setup_django()\n"
        "from django.core.management import get_commands, load_command_class\n"
        "load_command_class(get_commands()['kpi'], 'kpi')\n"
        "import xinfang.stats.kpi, xinfang.stats.kpi_facts\n"
        "heavy = ('PIL', 'urllib.request', 'matplotlib', 'weasyprint', 'docx', 'openpyxl',\n"
        "         'xinfang.petitions.pages', 'xinfang.ownership.pages', 'cryptography',\n"
        "         'xinfang.petitions.rows', 'xinfang.stats.risk', 'xinfang.meetings.screening')\n"
        "print(' '.join(name for name in heavy if name in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == ""
