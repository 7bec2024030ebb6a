from __future__ import annotations

from typing import Any

from django import forms

from xinfang.ledger.services import ledger_limits
from xinfang.lib.ledger_file import MB


class LedgerUploadForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = ledger_limits()
        self.fields["file"].help_text += f"，不超过 {limits.max_bytes // MB} MB、{limits.max_rows:,} 行"

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
        limit = ledger_limits().max_bytes
        if upload.size > limit:
            raise forms.ValidationError(f"文件过大（超过 {limit // MB} MB），请拆分后导入")
        return upload
