"""The auditor reads every action and every change summary in Chinese (audit/labels.py). The actions and
summary keys are read out of the code itself, so a new `audit_record(...)` with a key nobody named fails
here; summaries built at run time (changed model fields) are refused by `audit_record` under the tests'
strict setting, so every test that writes one checks it too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from xinfang.accounts.models import User
from xinfang.audit import labels
from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_record, audit_record_many
from xinfang.audit.templatetags.audit_tags import change_lines
from xinfang.core.roles import Role

SOURCE = Path(__file__).resolve().parents[2] / "xinfang"
AUDIT_CALLS = ("audit_record", "audit_record_many")


def _dict_keys(node: ast.AST) -> Iterator[str]:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Dict):
            yield from (
                key.value
                for key in inner.keys
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            )


def _written_keys(call: ast.Call, function: ast.AST | None, module: ast.Module) -> set[str]:
    """The summary keys a call writes: its dict literals, those assigned to the name it passes (and set on
    it later), and those returned by the module's functions it calls to build them."""
    given = [keyword.value for keyword in call.keywords if keyword.arg in ("changes", "objects")]
    keys: set[str] = set()
    helpers = {node.name: node for node in module.body if isinstance(node, ast.FunctionDef)}
    for value in given:
        keys |= set(_dict_keys(value))
        names = {node.id for node in ast.walk(value) if isinstance(node, ast.Name)}
        called = {
            node.func.id
            for node in ast.walk(value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        for name in called & set(helpers):
            for node in ast.walk(helpers[name]):
                if isinstance(node, ast.Return) and node.value is not None:
                    keys |= set(_dict_keys(node.value))
        for node in ast.walk(function or module):
            target = (
                node.targets[0]
                if isinstance(node, ast.Assign) and len(node.targets) == 1
                else (node.target if isinstance(node, ast.AnnAssign) else None)
            )
            value_node = getattr(node, "value", None)
            if isinstance(target, ast.Name) and target.id in names and value_node is not None:
                keys |= set(_dict_keys(value_node))
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id in names
                and isinstance(target.slice, ast.Constant)
            ):
                keys.add(str(target.slice.value))
    return keys


def _action_codes(action: ast.AST | None, function: ast.AST | None, constants: dict[str, str]) -> list[str]:
    """The literal action codes an `action=` argument can be: a string, a module constant, or a local name
    assigned strings (`"a" if … else "b"`)."""
    if isinstance(action, ast.Constant) and isinstance(action.value, str):
        return [action.value]
    if not isinstance(action, ast.Name):
        return []
    if action.id in constants:
        return [constants[action.id]]
    codes = []
    for node in ast.walk(function) if function is not None else ():
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == action.id for target in node.targets
        ):
            strings = [inner for inner in ast.walk(node.value) if isinstance(inner, ast.Constant)]
            codes += [inner.value for inner in strings if isinstance(inner.value, str) and "." in inner.value]
    return codes


def audit_calls() -> list[tuple[str, str, list[str]]]:
    """(where, action, keys) of every audit call in the code whose action is a literal (or a constant
    named in its module)."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            node.targets[0].id: node.value.value
            for node in module.body
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        }
        enclosing: dict[ast.AST, ast.AST] = {}
        for scope in ast.walk(module):
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(scope):
                    enclosing[node] = scope  # the innermost one wins: inner functions come later
        for call in ast.walk(module):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
            if name not in AUDIT_CALLS:
                continue
            action = next((keyword.value for keyword in call.keywords if keyword.arg == "action"), None)
            function = enclosing.get(call)
            where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
            keys = sorted(_written_keys(call, function, module))
            # An action composed at run time (an f-string) is checked by the strict setting instead.
            found += [(where, code, keys) for code in _action_codes(action, function, constants)]
    return found


def test_the_scan_finds_the_audit_calls_of_the_code_base():
    calls = audit_calls()
    actions = {action for _, action, _ in calls}
    assert {
        "account.create",
        "matter.transition",
        "ledger.import",
        "account.role_grant",
        "unitofficial.create",
        "ruleprofileassignment.create",
        "audit.purge",
    } <= actions
    keys = {key for _, _, written in calls for key in written}
    assert {"role", "status", "reason", "window", "leader", "profile", "bureau"} <= keys


@pytest.mark.parametrize(
    ("where", "action", "keys"), audit_calls(), ids=lambda value: str(value).replace(" ", "")
)
def test_every_action_and_summary_key_in_the_code_has_a_chinese_name(where, action, keys):
    assert labels.unlabelled(action, "", keys) == [], f"{where}: add the names to xinfang/audit/labels.py"


def test_every_name_taken_from_a_model_field_names_a_real_field():
    references = [label for label in labels.KEYS.values() if isinstance(label, tuple)] + [
        label for names in labels.ACTION_KEYS.values() for label in names.values() if isinstance(label, tuple)
    ]
    for model_label, field in references:
        model = apps.get_model(model_label)
        assert model._meta.get_field(field).verbose_name, (model_label, field)


@pytest.mark.django_db
def test_it_refuses_an_unnamed_key_or_action_under_the_strict_setting(settings):
    assert settings.XINFANG_AUDIT_STRICT_LABELS  # tests/conftest.py
    with pytest.raises(ImproperlyConfigured, match="no_such_key"):
        audit_record(action="auth.login", changes={"no_such_key": 1})
    with pytest.raises(ImproperlyConfigured, match=r"action:thing\.frobnicate"):
        audit_record(action="thing.frobnicate")
    with pytest.raises(ImproperlyConfigured, match="no_such_key"):
        audit_record_many(
            action="matter.import",
            actor=None,
            county=None,
            object_type="petitions.matter",
            objects=[(1, "x", {"import": 1, "no_such_key": 2})],
        )
    assert not AuditRecord.objects.filter(action__in=["auth.login", "thing.frobnicate"]).exists()


@pytest.mark.django_db
def test_it_keeps_the_record_and_logs_when_not_strict(settings, caplog):
    settings.XINFANG_AUDIT_STRICT_LABELS = False
    record = audit_record(action="auth.login", changes={"no_such_key": 1})
    assert record.pk and "no_such_key" in caplog.text


@pytest.mark.django_db
def test_it_names_changed_model_fields_by_their_verbose_names_and_codes_by_their_labels(persona):
    account = persona("zhouzhuang")
    record = audit_record(
        action="account.update",
        obj=account,
        changes={
            "full_name": ["周一", "周二"],
            "role": [Role.UNIT_USER, Role.NONE],
            "is_active": [True, False],
        },
    )
    assert change_lines(record) == ["姓名：周一 → 周二", "角色：乡镇/县直单位用户 → 未授权", "启用：是 → 否"]
    transition = audit_record(
        action="matter.transition",
        object_type="petitions.matter",
        object_id=1,
        changes={"status": ["registered", "accepted"], "reason": "属实", "on": "2026-11-20"},
    )
    assert change_lines(transition) == ["状态：登记 → 受理", "理由：属实", "日期：2026-11-20"]
    lapsed = audit_record(
        action="matter.window_lapsed",
        object_type="petitions.matter",
        changes={"status": ["answered", "concluded"], "window": "review_request"},
    )
    assert change_lines(lapsed)[1] == "期满的期限：请求复查"
    registered = audit_record(
        action="matter.register",
        object_type="petitions.matter",
        changes={"petitioners": ["张*", "李*"], "channel": "visit", "level": "beijing"},
    )
    assert change_lines(registered) == ["信访人：张*、李*", "首次信访形式：来访", "访别：进京"]


@pytest.mark.django_db
def test_it_names_a_retried_job_by_its_title():
    record = audit_record(action="job.retry", changes={"job": "daily_report"})
    assert change_lines(record) == ["任务：每日访情报告"]


@pytest.mark.django_db
def test_the_auditor_reads_a_role_grant_in_chinese(client_for, persona):
    target = User.objects.create(
        username="newclerk",
        full_name="新职员",
        role=Role.NONE,
        county=persona("secadmin").county,
        unit=persona("zhouzhuang").unit,
    )
    response = client_for("secadmin").post(
        f"/accounts/{target.pk}/role/",
        {"role": Role.UNIT_USER, "reason": "新调入周庄镇信访办"},
    )
    assert response.status_code == 302
    page = client_for("auditor").get("/audit/", {"action": "account.role_grant"}).content.decode()
    assert "授予角色" in page
    assert "角色：未授权 → 乡镇/县直单位用户" in page
    assert "理由：新调入周庄镇信访办" in page
    assert "unit_user" not in page.split("<tbody>")[1]
    assert Client().get("/audit/").status_code == 302
