"""The SMS templates the app sends. A cloud platform sends only templates approved in its console:
each template here names its parameters in order (Tencent takes a list, Aliyun a mapping), and the
operator maps it to the platform's template id with XINFANG_SMS_TEMPLATE_IDS. The text below must be
what was filed for approval, with ${name} where a parameter goes."""

from __future__ import annotations

from dataclasses import dataclass
from string import Template


@dataclass(frozen=True)
class SmsTemplate:
    name: str
    title: str
    text: str  # "${content}"; rendered after the signature

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(Template(self.text).get_identifiers())

    def render(self, params: dict[str, str]) -> str:
        return Template(self.text).substitute(params)


SMS_TEMPLATES: dict[str, SmsTemplate] = {
    template.name: template
    for template in (
        SmsTemplate("daily_report", "每日访情报告", "${content}"),
        SmsTemplate("deadline_warning", "到期预警", "${content}"),
        SmsTemplate("visit_alert", "紧急访情", "${content}"),
        SmsTemplate("document_notice", "文件报送通知", "${content}"),
        SmsTemplate("supervision_new", "督办通知", "${content}"),
        SmsTemplate("supervision_return", "督办退回", "${content}"),
        SmsTemplate("supervision_warning", "督办到期预警", "${content}"),
        SmsTemplate("duty_warning", "下沉接访提醒", "${content}"),
        SmsTemplate("hotspot_warning", "热点预警", "${content}"),
    )
}
