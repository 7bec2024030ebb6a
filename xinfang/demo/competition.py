"""The demo county's quarterly competition (docs/competition.md), through the services the bureau uses:
the quarter before last published (drafted on the first working day after it, one addition with its
evidence, published by the bureau head once its appeal period was over), the last closed quarter drafted
and open to appeals; this year's village vetoes stored, as the nightly job would. Each step once: a later
load finds them done."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.calendars.selectors import work_calendar
from xinfang.directory.models import County, Unit
from xinfang.lib.periods import Quarter, quarter_of
from xinfang.scoring.models import Addition
from xinfang.scoring.selectors import competition_of
from xinfang.scoring.services import addition_add, competition_draft, competition_publish
from xinfang.scoring.village_selectors import vetoes_of
from xinfang.scoring.village_services import vetoes_refresh

# A one-page PDF standing for the scanned evidence of a resolved backlog case.
EVIDENCE = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _draft(county: County, quarter: Quarter, today: dt.date) -> None:
    day = min(work_calendar().next_workday(quarter.next().first), today)
    competition_draft(county=county, quarter=quarter, by=None, now=_at(day, 9))


def competition_load(county: County, today: dt.date, *, bureau: User, head: User) -> None:
    """Raises UnknownYear for a quarter the working calendar does not know, and the services' errors on a
    demo whose accounts or units were edited."""
    last = quarter_of(today).previous()
    published = last.previous()
    with transaction.atomic():
        record = competition_of(county, published)
        if record is None:
            _draft(county, published, today)
            record = competition_of(county, published)
        assert record is not None
        if not record.is_published:
            if not Addition.objects.filter(county=county, quarter=published.code).exists():
                addition_add(
                    county=county, quarter=published, unit=Unit.objects.get(county=county, name="周庄镇"),
                    points=Decimal(1), reason="化解信访积案一件（附化解协议）",
                    evidence=SimpleUploadedFile("积案化解协议.pdf", EVIDENCE), by=bureau,
                    now=_at(record.appeal_until, 10),
                )  # fmt: skip
            publish_day = work_calendar().add_workdays(record.appeal_until, 1)
            if publish_day < today:
                competition_publish(county=county, quarter=published, by=head, now=_at(publish_day, 10))
        if competition_of(county, last) is None:
            _draft(county, last, today)
        if vetoes_of(county, today.year) is None:  # the year's village vetoes, as the nightly job stores them
            vetoes_refresh(county=county, year=today.year, by=None, now=_at(today, 2))
