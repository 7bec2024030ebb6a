"""The `--county CODE` option of the commands: a county by code, or the only one installed."""

from __future__ import annotations

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
