"""Options shared by the management commands: `--county CODE` and dates written YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from xinfang.directory.models import County
from xinfang.directory.selectors import county_by_code_or_only


def county_option(code: str) -> County:
    """The county named by `--county`, or the only one when it is left out; a usage error otherwise."""
    county = county_by_code_or_only(code)
    if county is not None:
        return county
    if code:
        raise CommandError(f"县不存在：{code}", returncode=2)
    if County.objects.exists():
        raise CommandError("有多个县，请用 --county 指定行政区划代码", returncode=2)
    raise CommandError("还没有任何县的数据：请先运行 xinfang init 并导入名录", returncode=2)


def date_option(text: str) -> dt.date:
    """A date option such as `--from 2026-03-01`; anything else is a usage error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应写作 YYYY-MM-DD：{text}", returncode=2) from None
