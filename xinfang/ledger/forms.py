from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from xinfang.lib.ledger_file import MB


class LedgerUploadForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.XINFANG_LEDGER_MAX_MB
        self.fields["file"].help_text += f"，不超过 {limit} MB、{settings.XINFANG_LEDGER_MAX_ROWS:,} 行"

    file = forms.FileField(
        label="台账文件",
        help_text="Excel（.xlsx，读取第一个工作表）或 CSV（UTF-8 或 GB18030）",
        error_messages={"required": "请选择要导入的台账文件", "empty": "文件为空"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError("只支持 .xlsx 或 .csv 文件（旧版 .xls 请先另存为 .xlsx）")
        limit = settings.XINFANG_LEDGER_MAX_MB
        if upload.size > limit * MB:
            raise forms.ValidationError(f"文件过大（超过 {limit} MB），请拆分后导入")
        return upload
