"""The demo's competition: the quarter before last published with its addition, the last one drafted;
loading again changes nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.demo.competition import competition_load
from xinfang.documents.models import DocumentKind, IssuedDocument
from xinfang.scoring.models import Addition, CompetitionQuarter

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_demo_shows_a_published_quarter_and_a_drafted_one(county, bureau, head):
    with time_machine.travel(NOW, tick=False):
        competition_load(county, NOW.date(), bureau=bureau, head=head)
        competition_load(county, NOW.date(), bureau=bureau, head=head)
    states = dict(CompetitionQuarter.objects.filter(county=county).values_list("quarter", "state"))
    assert states == {"2026Q2": "published", "2026Q3": "draft"}
    published = CompetitionQuarter.objects.get(quarter="2026Q2")
    assert published.published_at.date() > published.appeal_until
    zhou = next(row for row in published.figures["townships"] if row["unit"] == "周庄镇")
    assert zhou["additions"] == 1
    assert Addition.objects.count() == 1
    assert IssuedDocument.objects.filter(kind=DocumentKind.COMPETITION).count() == 1
