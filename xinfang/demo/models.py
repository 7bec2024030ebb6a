"""How far the demo county's history is loaded, so that a later start tops it up from there."""

from __future__ import annotations

from django.db import models

from xinfang.directory.models import County


class DemoHistory(models.Model):
    """The last day whose history the demo county holds: `xinfang demo` adds the days after it up to
    today, once each."""

    county = models.OneToOneField(County, on_delete=models.CASCADE, related_name="+", verbose_name="县")
    loaded_through = models.DateField("演示数据截至")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "演示数据进度"
        verbose_name_plural = "演示数据进度"

    def __str__(self) -> str:
        return f"{self.county} 截至 {self.loaded_through}"
