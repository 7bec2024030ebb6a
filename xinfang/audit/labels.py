"""Chinese names of audit actions for the auditor's page; codes stay stable in the table."""

from __future__ import annotations

from django.apps import apps

_ACTIONS = {
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "account.create": "创建账号",
    "account.password_change": "修改密码",
    "directory.import": "导入名录",
    "audit.purge": "按期限清理审计日志",
    "auth.lockout": "账号锁定",
    "auth.session_expired": "会话超时退出",
    "account.unlock": "解锁账号",
    "auth.2fa_enrol": "启用双因素认证",
    "auth.2fa_ok": "双因素认证通过",
    "auth.2fa_failed": "双因素认证失败",
    "auth.2fa_recovery": "使用恢复码",
    "backup.create": "数据库备份",
    "backup.restore": "数据库恢复",
    "ledger.upload": "上传台账",
    "ledger.import": "导入台账",
    "ledger.discard": "放弃台账",
    "ledger.undo": "撤销台账导入",
    "matter.import": "台账导入事项",
    "matter.import_undo": "撤销台账导入事项",
    "sms.send": "发送短信",
    "sms.fail": "短信发送失败",
    "report.daily_send": "发送每日访情报告",
    "report.daily_resend": "重发每日访情报告",
    "job.retry": "重新运行定时任务",
}
_VERBS = {"create": "新增", "update": "修改", "save": "保存", "delete": "删除"}


def action_label(action: str) -> str:
    """登录, 导入名录, 乡镇修改 …; an unknown code is shown as it is."""
    if action in _ACTIONS:
        return _ACTIONS[action]
    model_name, _, verb = action.rpartition(".")
    for model in apps.get_models():
        if model._meta.model_name == model_name and verb in _VERBS:
            return f"{model._meta.verbose_name}{_VERBS[verb]}"
    return action
