from __future__ import annotations

from typing import Any

from django import template

from xinfang.audit.labels import LIST_KEYS, key_label, value_label
from xinfang.audit.labels import action_label as _action_label
from xinfang.audit.models import AuditRecord

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return _action_label(action)


@register.filter
def change_lines(record: AuditRecord) -> list[str]:
    """A record's summary as readable lines in Chinese: `名称：前 → 后` for a change, `名称：值` otherwise;
    coded values (roles, statuses …) by their names."""
    lines = []
    for key, value in (record.changes or {}).items():
        if value in ("", None, {}, []):
            continue
        label = key_label(record.action, record.object_type, key)
        shown = value_label(record.action, record.object_type, key, value)
        # [before, after]; a list of names (several petitioners) is a value, not a change.
        if (
            isinstance(value, list)
            and len(value) == 2
            and key not in LIST_KEYS
            and not isinstance(value[0], dict)
        ):
            lines.append(f"{label}：{_plain(shown[0])} → {_plain(shown[1])}")
        elif isinstance(value, dict):
            inner = {key_label(record.action, "", name): item for name, item in value.items()}
            lines.append(f"{label}：{_plain(inner)}")
        else:
            lines.append(f"{label}：{_plain(shown)}")
    return lines


def _plain(value: Any) -> str:
    if value in ("", None):
        return "（空）"
    if isinstance(value, dict):
        return "，".join(f"{key} {_plain(item)}" for key, item in value.items()) or "（无）"
    if isinstance(value, list):
        return "、".join(_plain(item) for item in value) or "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
