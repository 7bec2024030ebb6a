"""Helpers of the supervision tests: an item as the weekly report's 批示 page would create it, files of
each kind, and the probes the tests compare."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.accounts.models import User
from xinfang.directory.models import County, Leader, Unit
from xinfang.supervision.models import SupervisionItem
from xinfang.supervision.services import item_create

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(name: str = "办理情况.pdf", content: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def unit(county: County, name: str) -> Unit:
    return Unit.objects.get(county=county, name=name)


def leader_of(user: User) -> Leader:
    assert user.leader is not None
    return user.leader


def new_item(
    county: County,
    recorded_by: User,
    *,
    leader: Leader,
    units: tuple[str, ...] = ("周庄镇",),
    deadline: dt.date = dt.date(2026, 12, 10),
    instruction: str = "请张副县长牵头，周庄镇抓紧化解拖欠工资问题",
    **overrides: Any,
) -> SupervisionItem:
    secretary = Leader.objects.get(county=county, post_kind=Leader.PostKind.SECRETARY)
    fields: dict[str, Any] = {
        "county": county,
        "source_kind": SupervisionItem.SourceKind.WEEKLY,
        "source_id": 12,
        "source_title": "2026年第44期每周访情分析",
        "source_url": "/reports/weekly/12/",
        "matter": None,
        "instruction": instruction,
        "instructed_by": secretary,
        "instructed_at": dt.date(2026, 11, 2),
        "leader": leader,
        "units": [unit(county, name) for name in units],
        "deadline": deadline,
        "recorded_by": recorded_by,
    }
    return item_create(**(fields | overrides))
