"""System checks: misconfiguration is reported by `manage.py check`, not by a crash at the first request."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from xinfang.lib.periods import START_DAYS


@register(Tags.compatibility)
def check_data_dir(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    data_dir = settings.DATA_DIR
    if not data_dir.is_dir() or not os.access(data_dir, os.W_OK):
        return [
            Error(
                f"数据目录不可写：{data_dir}",
                hint="设置 XINFANG_DATA_DIR 为运行用户可写的目录。",
                id="xinfang.E001",
            )
        ]
    return []


@register(Tags.database)
def check_database_engine(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        return [
            Error(
                f"不支持的数据库：{engine}",
                hint="DATABASE_URL 应以 postgresql:// 开头；不设置则使用内置 SQLite。",
                id="xinfang.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_https(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if not settings.XINFANG_HTTPS:
        return [
            Warning(
                "生产部署未启用 HTTPS 设置。",
                hint="在 TLS 反向代理之后部署时设置 XINFANG_HTTPS=1。",
                id="xinfang.W001",
            )
        ]
    return []


@register(Tags.security)
def check_field_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from xinfang.lib.keys import FieldKeyError, load_keys

    try:
        keys = load_keys(settings.XINFANG_FIELD_KEYS, settings.XINFANG_FIELD_KEY_FILE)
    except FieldKeyError as error:
        return [Error(str(error), hint="检查 XINFANG_FIELD_KEYS 或密钥文件。", id="xinfang.E003")]
    if not keys:
        return [
            Error(
                "没有字段加密密钥，无法保存信访人的身份证号和电话。",
                hint=f"运行 xinfang init 生成 {settings.XINFANG_FIELD_KEY_FILE}，或设置 XINFANG_FIELD_KEYS。",
                id="xinfang.E003",
            )
        ]
    if settings.XINFANG_FIELD_CIPHER not in ("aes-gcm", "sm4-gcm"):
        return [Error("XINFANG_FIELD_CIPHER 应为 aes-gcm 或 sm4-gcm", id="xinfang.E004")]
    return []


@register(Tags.database)
def check_audit_guard(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    """The audit table's triggers (xinfang/audit/guard.py) must be in place once it exists."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    errors: list[Error] = []
    for alias in databases or []:
        connection = connections[alias]
        if (
            not MigrationRecorder(connection)
            .migration_qs.filter(app="audit", name="0003_append_only_guard")
            .exists()
        ):
            continue  # not migrated that far yet: `migrate` installs them
        from xinfang.audit.guard import audit_guard_missing

        missing = audit_guard_missing(connection)
        if missing:
            errors.append(
                Error(
                    f"审计日志表缺少防篡改触发器：{'、'.join(missing)}",
                    hint="运行 xinfang init（执行数据库迁移时会重新创建触发器）。",
                    id="xinfang.E005",
                )
            )
    return errors


@register(Tags.security)
def check_audit_retention(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from xinfang.audit.guard import MIN_RETENTION_DAYS

    if settings.XINFANG_AUDIT_RETENTION_DAYS < MIN_RETENTION_DAYS:
        return [
            Error(
                f"审计日志保存期限不能少于{MIN_RETENTION_DAYS}天：XINFANG_AUDIT_RETENTION_DAYS="
                f"{settings.XINFANG_AUDIT_RETENTION_DAYS}",
                hint=f"设置为{MIN_RETENTION_DAYS}或更大（《网络安全法》第二十一条）。",
                id="xinfang.E006",
            )
        ]
    return []


@register(Tags.compatibility)
def check_job_times(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from xinfang.registry import JOBS

    errors = []
    for job in JOBS:
        try:
            job.at  # noqa: B018 - parsing is the check
        except ValueError as problem:
            errors.append(Error(f"{job.time_setting}：{problem}", hint="例如 17:30", id="xinfang.E007"))
    return errors


@register(Tags.compatibility)
def check_sms_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The SMS gateway and what it needs (docs/operations.md, "SMS")."""
    from xinfang.notifications.gateways import GATEWAYS
    from xinfang.notifications.sms_templates import SMS_TEMPLATES

    gateway = settings.XINFANG_SMS_GATEWAY
    if gateway not in GATEWAYS:
        return [
            Error(
                f"XINFANG_SMS_GATEWAY 不认识：{gateway}",
                hint="可选：" + "、".join(GATEWAYS),
                id="xinfang.E008",
            )
        ]
    needed = {
        "http": ("XINFANG_SMS_HTTP_URL",),
        "aliyun": ("XINFANG_SMS_ALIYUN_ACCESS_KEY_ID", "XINFANG_SMS_ALIYUN_ACCESS_KEY_SECRET"),
        "tencent": (
            "XINFANG_SMS_TENCENT_SECRET_ID",
            "XINFANG_SMS_TENCENT_SECRET_KEY",
            "XINFANG_SMS_TENCENT_APP_ID",
        ),
    }.get(gateway, ())
    errors = [
        Error(f"短信网关 {gateway} 需要设置 {name}", id="xinfang.E008")
        for name in needed
        if not getattr(settings, name)
    ]
    if gateway in ("aliyun", "tencent"):
        missing = [name for name in SMS_TEMPLATES if name not in settings.XINFANG_SMS_TEMPLATE_IDS]
        if missing:
            errors.append(Error(
                f"云短信平台只发送审核通过的模板，缺少模板编号：{'、'.join(missing)}",
                hint="XINFANG_SMS_TEMPLATE_IDS=daily_report=SMS_123,deadline_warning=SMS_456,visit_alert=SMS_789",
                id="xinfang.E008",
            ))  # fmt: skip
    if settings.XINFANG_SMS_MAX_PARTS < 1 or settings.XINFANG_SMS_DAILY_CAP < 1:
        errors.append(Error("XINFANG_SMS_MAX_PARTS 与 XINFANG_SMS_DAILY_CAP 至少为 1", id="xinfang.E008"))
    if len(settings.XINFANG_SMS_SIGNATURE) > 20:
        errors.append(Error("XINFANG_SMS_SIGNATURE 过长（含括号不超过 20 个字）", id="xinfang.E008"))
    return errors


@register(Tags.compatibility)
def check_ledger_limits(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    names = ("XINFANG_LEDGER_MAX_MB", "XINFANG_LEDGER_MAX_ROWS", "XINFANG_LEDGER_MAX_COLUMNS",
             "XINFANG_LEDGER_MAX_UNPACKED_MB")  # fmt: skip
    return [
        Error(f"{name} 应为正整数", hint="见 .env.example", id="xinfang.E009")
        for name in names
        if getattr(settings, name) < 1
    ]


@register(Tags.compatibility)
def check_daily_report_days(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.XINFANG_DAILY_REPORT_DAYS in ("working", "every"):
        return []
    return [
        Error(
            f"XINFANG_DAILY_REPORT_DAYS 应为 working（工作日）或 every（每天）："
            f"{settings.XINFANG_DAILY_REPORT_DAYS}",
            hint="见 .env.example",
            id="xinfang.E010",
        )
    ]


@register(Tags.compatibility)
def check_report_periods(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The weekly analysis's week and the progress summary's days (docs/reports.md)."""
    from xinfang.supervision.summary import parse_summary_days

    errors = []
    if not 1 <= settings.XINFANG_WEEK_STARTS <= 7:
        errors.append(Error("XINFANG_WEEK_STARTS 应为 1（星期一）到 7（星期日）", hint="见 .env.example",
                            id="xinfang.E011"))  # fmt: skip
    if not 1 <= settings.XINFANG_WEEKLY_KEY_MATTERS <= 500:
        errors.append(
            Error("XINFANG_WEEKLY_KEY_MATTERS 应为 1 到 500", hint="见 .env.example", id="xinfang.E011")
        )
    try:
        parse_summary_days(settings.XINFANG_PROGRESS_SUMMARY_DAYS)
    except ValueError as problem:
        errors.append(
            Error(f"XINFANG_PROGRESS_SUMMARY_DAYS {problem}", hint="见 .env.example", id="xinfang.E011")
        )
    return errors


@register(Tags.compatibility)
def check_ownership_rule(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The weekly batch's candidate rule (docs/ownership.md)."""
    from xinfang.ownership.candidates import REASON_KINDS, over_levels, reasons_enabled
    from xinfang.petitions.models import Level

    errors = []
    unknown = reasons_enabled() - set(REASON_KINDS)
    if unknown:
        names, known = "、".join(sorted(unknown)), ",".join(REASON_KINDS)
        errors.append(f"XINFANG_OWNERSHIP_REASONS 含未知理由 {names}，可选 {known}")
    levels = over_levels() - {Level.CITY, Level.PROVINCE, Level.BEIJING}
    if levels:
        names = "、".join(sorted(levels))
        errors.append(f"XINFANG_OWNERSHIP_OVER_LEVELS 含未知访别 {names}，可选 city,province,beijing")
    if not 2 <= settings.XINFANG_OWNERSHIP_REPEAT_VISITS <= 20:
        errors.append("XINFANG_OWNERSHIP_REPEAT_VISITS 应为 2 到 20")
    if not 7 <= settings.XINFANG_OWNERSHIP_REPEAT_DAYS <= 730:
        errors.append("XINFANG_OWNERSHIP_REPEAT_DAYS 应为 7 到 730")
    if not 1 <= settings.XINFANG_OWNERSHIP_DEADLINE_DAYS <= 365:
        errors.append("XINFANG_OWNERSHIP_DEADLINE_DAYS 应为 1 到 365")
    return [Error(message, hint="见 .env.example", id="xinfang.E012") for message in errors]


@register(Tags.compatibility)
def check_reception_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The reception schedules' days and Wednesday mode (docs/reception.md)."""
    errors = []
    if not 1 <= settings.XINFANG_RECEPTION_GENERATE_DAY <= 28:
        errors.append("XINFANG_RECEPTION_GENERATE_DAY 应为 1 到 28（每月生成下月排班的日期）")
    if not 1 <= settings.XINFANG_RECEPTION_WARN_DAY <= 28:
        errors.append("XINFANG_RECEPTION_WARN_DAY 应为 1 到 28（下月排班未公布时开始提醒的日期）")
    if settings.XINFANG_RECEPTION_WEDNESDAY_MODE not in ("all", "rotation"):
        errors.append(
            "XINFANG_RECEPTION_WEDNESDAY_MODE 应为 all（四大班子主要领导都接访）"
            f"或 rotation（每周三轮流一位）：{settings.XINFANG_RECEPTION_WEDNESDAY_MODE}"
        )
    return [Error(message, hint="见 .env.example", id="xinfang.E013") for message in errors]


@register(Tags.compatibility)
def check_downvisit_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The day of the first-Tuesday draw to the townships (docs/reception.md); its job's time is E007's."""
    errors = []
    if settings.XINFANG_DOWNVISIT_DAY not in ("first_tuesday", "week_of_first"):
        errors.append(
            "XINFANG_DOWNVISIT_DAY 应为 first_tuesday（每月第一个星期二）"
            f"或 week_of_first（1日所在周的星期二）：{settings.XINFANG_DOWNVISIT_DAY}"
        )
    return [Error(message, hint="见 .env.example", id="xinfang.E014") for message in errors]


@register(Tags.compatibility)
def check_duty_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The quarterly duty's warning day and ranking weights (docs/reception.md); its job's time is E007's."""
    errors = []
    if not 1 <= settings.XINFANG_DUTY_WARN_DAYS <= 60:
        errors.append("XINFANG_DUTY_WARN_DAYS 应为 1 到 60（季度结束前几天提醒尚未下沉的县级领导）")
    names = ("XINFANG_DUTY_WEIGHT_EVENTS", "XINFANG_DUTY_WEIGHT_OVER_LEVEL", "XINFANG_DUTY_WEIGHT_OVERDUE")
    weights = {name: getattr(settings, name) for name in names}
    errors += [f"{name} 应为 0 到 100：{value}" for name, value in weights.items() if not 0 <= value <= 100]
    if not any(weights.values()):
        errors.append("XINFANG_DUTY_WEIGHT_* 不能全为 0（乡镇排序无从比较）")
    return [Error(message, hint="见 .env.example", id="xinfang.E015") for message in errors]


@register(Tags.compatibility)
def check_month_start(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The statistical month's first day (lib/periods.py)."""
    if settings.XINFANG_MONTH_START_DAY in START_DAYS:
        return []
    value = settings.XINFANG_MONTH_START_DAY
    message = f"XINFANG_MONTH_START_DAY 应为 1（自然月）或 2 到 28（业务月起始日）：{value}"
    return [Error(message, hint="见 .env.example", id="xinfang.E016")]


@register(Tags.compatibility)
def check_risk_weights(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The escalation-risk weights (stats/risk.py)."""
    from xinfang.stats.risk import risk_weights

    try:
        risk_weights(settings.XINFANG_RISK_WEIGHTS)
    except ValueError as problem:
        return [Error(f"XINFANG_RISK_WEIGHTS：{problem}", hint="见 .env.example", id="xinfang.E017")]
    return []


@register(Tags.compatibility)
def check_monthly_report(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The monthly analysis's day, at-risk list and sensitive periods (docs/monthly-report.md)."""
    from xinfang.reports.sensitive import sensitive_periods_parse

    errors = []
    if not 1 <= settings.XINFANG_MONTHLY_REPORT_DAY <= 10:
        errors.append("XINFANG_MONTHLY_REPORT_DAY 应为 1 到 10（统计月结束后第几个工作日起草）")
    if not 1 <= settings.XINFANG_MONTHLY_AT_RISK <= 100:
        errors.append("XINFANG_MONTHLY_AT_RISK 应为 1 到 100")
    try:
        sensitive_periods_parse(settings.XINFANG_SENSITIVE_PERIODS)
    except ValueError as problem:
        errors.append(f"XINFANG_SENSITIVE_PERIODS：{problem}")
    return [Error(message, hint="见 .env.example", id="xinfang.E018") for message in errors]


@register(Tags.compatibility)
def check_scoring_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The competition's appeal period (docs/competition.md); its job's time is E007's."""
    if 1 <= settings.XINFANG_SCORING_APPEAL_DAYS <= 30:
        return []
    value = settings.XINFANG_SCORING_APPEAL_DAYS
    message = f"XINFANG_SCORING_APPEAL_DAYS 应为 1 到 30（起草后几个工作日内可申诉）：{value}"
    return [Error(message, hint="见 .env.example", id="xinfang.E019")]


@register(Tags.compatibility)
def check_meeting_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The joint meeting's screening weights and reminder days (docs/meetings.md)."""
    from xinfang.meetings.screening import meeting_weights

    errors = []
    try:
        meeting_weights(settings.XINFANG_MEETING_WEIGHTS)
    except ValueError as problem:
        errors.append(f"XINFANG_MEETING_WEIGHTS：{problem}")
    if not 0 <= settings.XINFANG_MEETING_REMIND_DAYS <= 30:
        errors.append(f"XINFANG_MEETING_REMIND_DAYS 应为 0 到 30：{settings.XINFANG_MEETING_REMIND_DAYS}")
    return [Error(message, hint="见 .env.example", id="xinfang.E020") for message in errors]
