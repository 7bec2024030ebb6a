"""Chinese names for the auditor's page: of each action, of each key of a change summary, and of the coded
values some keys hold (roles, statuses, deadlines …). The table keeps the stable codes; only the page
translates them.

A key is named by the action's own names (where a key means something particular to the action), else by
the names shared by every action, else by the verbose name of the field of the record's object model (so a
summary of changed model fields is named without a list here). A key that names a model field with
choices, or one of the value tables, has its values translated too. An action or key without a name is a
bug: `unlabelled` finds it, `audit_record` refuses it under XINFANG_AUDIT_STRICT_LABELS (on in the tests),
and tests/audit/test_labels.py checks every action and key written in the code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from xinfang.lib.deadlines import CLOCK_LABELS

# A key's name, or (model label, field name): that field's verbose name, and its choices for the values.
Label = str | tuple[str, str]

ACTIONS: dict[str, str] = {
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "auth.lockout": "账号锁定",
    "auth.session_expired": "会话超时退出",
    "auth.2fa_enrol": "启用双因素认证",
    "auth.2fa_ok": "双因素认证通过",
    "auth.2fa_failed": "双因素认证失败",
    "auth.2fa_recovery": "使用恢复码",
    "account.create": "新建账号",
    "account.update": "修改账号",
    "account.password_change": "修改密码",
    "account.password_reset": "重置密码",
    "account.role_grant": "授予角色",
    "account.role_revoke": "撤销角色",
    "account.unlock": "解锁账号",
    "directory.import": "导入名录",
    "leaderunavailability.create": "登记不在岗日期",
    "leaderunavailability.delete": "删除不在岗日期",
    "officialunavailability.create": "登记乡镇领导不在岗日期",
    "officialunavailability.delete": "删除乡镇领导不在岗日期",
    "ruleprofileassignment.create": "设置时限规则切换",
    "ruleprofileassignment.delete": "撤销时限规则切换",
    "registryrules.update": "修改登记规则",
    "audit.purge": "按期限清理审计日志",
    "backup.create": "数据库备份",
    "backup.restore": "数据库恢复",
    "calendar.set": "设置工作日/节假日",
    "calendar.close_year": "确认年度节假日安排",
    "calendar.reopen_year": "重新开放年度节假日安排",
    "ledger.upload": "上传台账",
    "ledger.import": "导入台账",
    "ledger.discard": "放弃台账",
    "ledger.undo": "撤销台账导入",
    "ledger.rollback": "撤回中断的台账导入",
    "matter.register": "登记信访事项",
    "matter.event_add": "登记重复信访",
    "matter.update": "更正登记信息",
    "matter.transition": "变更办理状态",
    "matter.assign": "转送/交办",
    "matter.receive": "签收",
    "matter.object": "提出管辖异议",
    "matter.objection_decide": "处理管辖异议",
    "matter.extension_request": "申请延期",
    "matter.extension_decide": "审批延期",
    "matter.review_hearing": "登记复查复核听证",
    "matter.rate": "信访人评价",
    "matter.owner": "确定包案领导",
    "matter.window_lapsed": "期满办结",
    "matter.import": "台账导入事项",
    "matter.import_undo": "撤销台账导入事项",
    "matter.export": "导出信访事项",
    "pii.export": "实名导出",
    "pii.reveal": "查看完整个人信息",
    "online.submit": "提交网上信访",
    "online.accept": "受理网上信访",
    "online.reject": "不予受理网上信访",
    "sms.send": "发送短信",
    "sms.fail": "短信发送失败",
    "report.daily_send": "发送每日访情报告",
    "report.daily_resend": "重发每日访情报告",
    "job.retry": "重新运行定时任务",
    "weekly.draft": "起草每周访情分析",
    "weekly.edit": "修改每周访情分析",
    "weekly.recount": "重新统计每周访情分析",
    "weekly.approve": "审定印发每周访情分析",
    "monthly.draft": "起草月信访形势分析",
    "monthly.edit": "修改月信访形势分析",
    "monthly.recount": "重新统计月信访形势分析",
    "monthly.approve": "审定印发月信访形势分析",
    "document.issue": "印发文件",
    "document.read": "阅读文件",
    "document.sign": "签批文件",
    "document.download": "下载文件",
    "supervision.create": "新建督办事项",
    "supervision.progress": "报送督办办理情况",
    "supervision.accept": "督办验收办结",
    "supervision.return": "督办退回",
    "supervision.file": "下载督办附件",
    "matter.owner_end": "结束包案",
    "ownership.batch_draft": "起草包案期次",
    "ownership.entry_add": "列入包案事项",
    "ownership.entry_remove": "移出包案事项",
    "ownership.entry_choose": "确定包案领导",
    "ownership.batch_issue": "印发包案期次",
    "ownership.package": "填报五包工作",
    "ownership.meeting": "记录见面约谈",
    "ownership.closure_request": "申请包案销号",
    "ownership.closure_decide": "确认包案销号",
    "ownership.reassign": "调整包案领导",
    "ownership.escalate": "提请县级领导包案",
    "ownership.file": "下载包案附件",
    "meetings.screen": "筛选联席会议候选事项",
    "meetings.schedule": "安排联席会议",
    "meetings.attendees": "登记联席会议参会人员",
    "meetings.agenda_add": "列入联席会议议题",
    "meetings.agenda_remove": "移出联席会议议题",
    "meetings.decide": "记录联席会议决定",
    "meetings.approve": "审定印发联席会议纪要",
    "reception.generate": "生成接访排班",
    "reception.adjust": "调整接访安排",
    "reception.publish": "公布接访排班",
    "reception.draw": "下沉接访抽签",
    "reception.record": "登记接访记录",
    "reception.matter_add": "登记接访事项",
    "downvisit.plan": "安排季度下沉接访",
    "downvisit.cancel": "取消季度下沉接访",
    "reception.import": "导入接访台账",
    "history.import": "导入历史月度数据",
    "scoring.rules": "修改比拼规则",
    "scoring.draft": "起草季度比拼结果",
    "scoring.addition": "登记比拼加分",
    "scoring.veto": "登记一票否决",
    "scoring.appeal": "提出扣分申诉",
    "scoring.appeal_decide": "决定扣分申诉",
    "scoring.publish": "公布季度比拼结果",
    "scoring.recompute": "重新计算季度比拼结果",
    "scoring.evidence": "下载加分证明材料",
    "scoring.stars": "配置村级星级",
    "scoring.rewards": "配置星级奖励",
    "scoring.village_rating": "评定村级星级",
    "scoring.village_resolve": "匹配未登记的村(社区)",
    "scoring.village_publish": "公布村级星级评定结果",
    "scoring.village_recompute": "重新计算村级星级否决",
    "scoring.rectification": "认定软弱涣散村",
    "scoring.rectification_task": "登记整改任务",
    "scoring.rectification_note": "填报整改进展",
    "scoring.rectification_close": "综合整治销号",
    "scoring.rectification_reopen": "重新打开综合整治",
    "scoring.village_visit": "登记下访",
}
# Actions named `<model>.<verb>` (the directory's maintenance) are named by the model: 新增乡镇, 修改县级领导.
_VERBS = {"create": "新增", "update": "修改", "save": "保存", "delete": "删除"}

# Keys that mean the same in every action that writes them.
KEYS: dict[str, Label] = {
    "approved": "批准",
    "attempts": "连续失败次数",
    "channel": ("petitions.event", "channel"),
    "created": "新增",
    "cutoff": "截止时间",
    "date": "日期",
    "days": "天数",
    "deleted": "删除",
    "due_date": "到期日",
    "effective_from": "生效日期",
    "end": "结束日期",
    "error": "错误",
    "events": "信访批次",
    "field": "字段",
    "fields": "导出字段",
    "file": "文件",
    "filters": "筛选条件",
    "hash": "哈希值",
    "holidays": "节假日天数",
    "import": "台账导入编号",
    "is_active": "启用",
    "is_unit_head": "单位负责人",
    "is_workday": "工作日",
    "job": "任务",
    "leader": "县级领导",
    "left": "剩余恢复码",
    "level": ("petitions.event", "level"),
    "locked_until": "锁定至",
    "matter": "信访事项",
    "messages": "短信条数",
    "note": "说明",
    "number": "登记编号",
    "official": "乡镇领导",
    "on": "日期",
    "parent": "一级分类",
    "parts": "计费条数",
    "people": "信访人数",
    "persons": "人数",
    "profile": ("petitions.ruleprofileassignment", "profile"),
    "petitioner": "信访人",
    "petitioners": "信访人",
    "reason": "理由",
    "reported_accounts": "被反映人账号",
    "reported_units": "被反映单位",
    "recipient": "收件人",
    "recipients": "收件人数",
    "restored": "恢复",
    "reverted": "撤回事项数",
    "role": ("accounts.user", "role"),
    "rows": "行数",
    "sha256": "文件摘要(SHA-256)",
    "size": "大小(字节)",
    "start": "开始日期",
    "status": ("petitions.matter", "status"),
    "template": "短信模板",
    "terminated": "已终结的原事项",
    "township": "乡镇",
    "truncated": "超出上限未全部导出",
    "unit": "单位",
    "updated": "更新",
    "upheld": "异议成立",
    "username": "账号",
    "warnings": "警告数",
    "window": "期满的期限",
}

# Keys whose meaning is particular to an action.
ACTION_KEYS: dict[str, dict[str, Label]] = {
    "audit.purge": {"deleted": "删除记录数", "days": "保存期限(天)", "hash": "最后删除记录的哈希值"},
    "backup.restore": {"created": "备份时间"},
    "ledger.import": {"created": "新增事项数", "updated": "更新事项数", "batches": "包案期次数"},
    "ledger.undo": {"deleted": "删除事项数", "restored": "恢复事项数", "batches_deleted": "删除包案期次数"},
    "matter.import": {"created": "新建事项"},
    "matter.import_undo": {"deleted": "删除事项"},
    "matter.assign": {"kind": ("petitions.assignment", "kind"), "unit": "责任单位"},
    "matter.receive": {"unit": "签收单位"},
    "matter.owner": {"leader": "包案领导"},
    "matter.owner_end": {"leader": "包案领导", "reason": ("petitions.ownership", "end_reason")},
    "ownership.batch_draft": {"week": "候选周", "matters": "事项数"},
    "ownership.entry_choose": {"leader": "包案领导", "deadline": "化解期限", "reason": "改派理由"},
    "ownership.batch_issue": {
        "number": "期次",
        "year": "年度",
        "matters": "事项数",
        "owners": "包案领导人数",
    },
    "ownership.package": {"package": ("ownership.packageentry", "package"), "completes": "本项已完成"},
    "ownership.meeting": {"place": "地点"},
    "ownership.closure_decide": {"confirm": "确认销号"},
    "ownership.reassign": {"to": "改由", "matters": "事项数"},
    "meetings.screen": {
        "month": "筛选月份",
        "qualifying": "符合条件件数",
        "listed": "列出件数",
        "before": "上次筛选时间",
    },
    "meetings.schedule": {
        "month": "筛选月份",
        "held_on": "会议日期",
        "agenda": "议题件数",
        "qualifying": "符合条件件数",
    },
    "meetings.attendees": {"leaders": "参会县级领导", "officials": "参会单位负责人", "held_on": "会议日期"},
    "meetings.agenda_add": {"matter": "信访事项", "reason": "列入理由", "score": "筛选得分"},
    "meetings.agenda_remove": {"matter": "信访事项", "reason": "移出理由"},
    "meetings.decide": {"matter": "信访事项", "leader": "责任领导", "units": "责任单位", "deadline": "期限"},
    "meetings.approve": {
        "number": "期号",
        "year": "年度",
        "decisions": "决定事项数",
        "header": "纪要抬头",
        "rows": "纪要事项",
    },
    "reception.generate": {"month": "月份", "slots": "接访安排条数", "regenerated": "重新生成"},
    "reception.adjust": {"person": "接访领导", "reason": "调整原因", "published": "已公布后调整"},
    "reception.publish": {"month": "月份"},
    "reception.draw": {
        "draws": "抽签结果",
        "away": "不能参加抽签",
        "liaison_visits": "分包联系乡镇接访人数",
        "month": "月份",
        "seed": "随机种子",
    },
    "reception.record": {"leaders": "接访领导", "matters": "接访事项"},
    "reception.matter_add": {"outcome": "处理结果", "leader": "接访领导"},
    "reception.import": {"created": "新增事项数", "updated": "新增来访事项数", "receptions": "接访记录数"},
    "history.import": {"months": "月份", "created": "写入记录数", "replaced": "替换原有记录数"},
    "scoring.rules": {
        "quarter": "起用季度",
        "new_version": "新版本",
        "base": "基础分",
        "per": "扣分方式",
        "points_beijing": "进京扣分",
        "points_province": "赴省扣分",
        "points_city": "到市扣分",
        "collective_persons": "集体访人数",
        "collective_factor": "集体访倍数",
        "annual": "年度成绩",
        "note": "修改说明",
    },
    "scoring.draft": {"quarter": "季度", "appeal_until": "申诉截止日期"},
    "scoring.addition": {"quarter": "季度", "points": "加分", "evidence_sha256": "证明材料 SHA-256"},
    "scoring.veto": {"quarter": "季度", "document_number": "上级文件文号"},
    "scoring.appeal": {"quarter": "季度", "event": "信访批次"},
    "scoring.appeal_decide": {"quarter": "季度", "event": "信访批次", "state": "决定"},
    "scoring.recompute": {"quarter": "季度", "before": "上次计算时间"},
    "scoring.publish": {
        "quarter": "季度",
        "number": "期号",
        "townships": "乡镇数",
        "departments": "县直单位数",
    },
    "scoring.stars": {"before": "原星级", "stars": "星级", "petition_star": "信访相关星"},
    "scoring.rewards": {"rewards": "星数、工作经费、干部报酬"},
    "scoring.village_rating": {"year": "年度", "village": "村(社区)", "stars": "所获星级"},
    "scoring.village_recompute": {"year": "年度", "before": "上次计算时间", "vetoed": "被否决的村数"},
    "scoring.village_resolve": {
        "text": "登记的村(社区)名",
        "village": "匹配的村(社区)",
        "matters": "信访事项",
    },
    "scoring.village_publish": {
        "year": "年度",
        "number": "期号",
        "villages": "村(社区)数",
        "vetoed": "信访相关星被否决数",
        "unmatched": "未匹配村(社区)名数",
        "reason": "未匹配仍公布的理由",
    },
    "scoring.rectification": {"village": "村(社区)", "year": "年度", "matters": "关联信访事项"},
    "scoring.rectification_task": {
        "village": "村(社区)",
        "text": "整改任务",
        "responsible": "责任人",
        "deadline": "完成时限",
    },
    "scoring.rectification_note": {"village": "村(社区)", "text": "进展情况", "state": "任务状态"},
    "scoring.rectification_close": {
        "village": "村(社区)",
        "year": "年度",
        "closed_on": "销号日期",
        "conclusion": "整治结论",
        "tasks": "整改任务数",
        "unfinished": "未完成任务数",
        "reason": "未完成时销号的理由",
    },
    "scoring.rectification_reopen": {
        "village": "村(社区)",
        "year": "年度",
        "reason": "重新打开的理由",
        "closed_on": "原销号日期",
        "conclusion": "原整治结论",
    },
    "scoring.village_visit": {"village": "村(社区)", "matters": "关联信访事项", "officials": "下访人员"},
    "matter.extension_request": {"days": "延期天数"},
    "matter.extension_decide": {"days": "延期天数"},
    "matter.review_hearing": {"days": "听证天数"},
    "matter.rate": {
        "bureau": ("petitions.rating", "bureau_score"),
        "unit": ("petitions.rating", "unit_score"),
    },
    "matter.register": {"channel": ("petitions.matter", "channel")},
    "directory.import": {"created": "新增条数", "updated": "更新条数"},
    "account.create": {"leader": "对应县级领导", "unit": "所属单位"},
    "weekly.draft": {"from": "起始日期", "to": "截止日期", "events": "批次"},
    "weekly.edit": {"analysis": "分析研判字数", "suggestions": "意见建议字数"},
    "weekly.recount": {"events": "批次"},
    "weekly.approve": {"number": "期号", "year": "年度"},
    "monthly.draft": {"month": "统计月", "events": "批次"},
    "monthly.edit": {"analysis": "形势研判字数", "suggestions": "下一步工作字数"},
    "monthly.recount": {"events": "批次"},
    "monthly.approve": {"number": "期号", "year": "年度"},
    "document.issue": {
        "number": "期号",
        "copies": "版本数",
        "recipients": "收件人数",
        "docx_sha256": "Word SHA-256",
        "pdf_sha256": "PDF SHA-256",
    },
    "document.sign": {"note": "签批意见"},
    "document.download": {"format": "格式", "full": "全文"},
    "supervision.create": {
        "source_title": "来源",
        "matter": "信访事项",
        "instructed_by": "批示领导",
        "leader": "牵头领导",
        "units": "责任单位",
        "deadline": "办理期限",
        "on_paper": "纸质批示代录",
    },
    "supervision.progress": {
        "progress": "进展编号",
        "unit": "报送单位",
        "date": "办理日期",
        "attachments": "附件",
    },
    "supervision.accept": {"note": "验收意见", "state": ("supervision.supervisionitem", "state")},
    "supervision.return": {"reason": "退回理由"},
}

# Keys whose value is a list of items (petitioners' names), never a change [before, after].
LIST_KEYS = frozenset({"petitioners", "fields"})

# Values that are codes of something other than a model field's choices.
_VALUES: dict[str, dict[str, str]] = {"window": {str(clock): label for clock, label in CLOCK_LABELS.items()}}


_LATER: dict[str, list[Callable[[], Mapping[str, str]]]] = {}


def values_register(key: str, labels: Mapping[str, str] | Callable[[], Mapping[str, str]]) -> None:
    """Name the coded values of a key that higher layers know (the scheduled jobs' titles, from the site's
    task registry). A callable is asked the first time a value of the key is named: a command that never
    shows the audit log does not import what it needs."""
    if callable(labels):
        _LATER.setdefault(key, []).append(labels)
    else:
        _VALUES.setdefault(key, {}).update(labels)


def action_label(action: str) -> str:
    """登录, 导入名录, 新增乡镇 …; an unknown code is shown as it is."""
    if action in ACTIONS:
        return ACTIONS[action]
    model_name, _, verb = action.rpartition(".")
    if verb in _VERBS:
        for model in apps.get_models():
            if model._meta.model_name == model_name:
                return f"{_VERBS[verb]}{model._meta.verbose_name}"
    return action


def _model_field(model_label: str, name: str) -> models.Field[Any, Any] | None:
    app_label, _, model_name = model_label.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    return field if isinstance(field, models.Field) else None


def _label(action: str, object_type: str, key: str) -> Label | None:
    found = ACTION_KEYS.get(action, {}).get(key) or KEYS.get(key)
    if found is not None:
        return found
    return (object_type, key) if object_type and _model_field(object_type, key) is not None else None


def key_label(action: str, object_type: str, key: str) -> str:
    """The key's Chinese name in this action's summary; the key itself when it has none."""
    label = _label(action, object_type, key)
    if isinstance(label, tuple):
        field = _model_field(*label)
        return str(field.verbose_name) if field is not None else key
    return label or key


def value_label(action: str, object_type: str, key: str, value: Any) -> Any:
    """A coded value by its Chinese name (角色 unit_user → 乡镇/县直单位用户); any other value as it is."""
    if isinstance(value, list):
        return [value_label(action, object_type, key, item) for item in value]
    if not isinstance(value, str) or not value:
        return value
    if later := _LATER.get(key):
        merged = dict(_VALUES.get(key, {}))
        for labels in later:
            merged.update(labels())
        _VALUES[key] = merged  # whole, then the callables dropped: a concurrent reader never sees half
        _LATER.pop(key, None)
    if key in _VALUES:
        return _VALUES[key].get(value, value)
    label = _label(action, object_type, key)
    field = _model_field(*label) if isinstance(label, tuple) else None
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def unlabelled(action: str, object_type: str, keys: Iterable[str]) -> list[str]:
    """What of an audit record has no Chinese name: the action (as `action:<code>`) and its keys."""
    missing = [] if action_label(action) != action else [f"action:{action}"]
    return missing + sorted(key for key in set(keys) if _label(action, object_type, key) is None)
