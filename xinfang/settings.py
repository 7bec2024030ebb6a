"""The one settings module: every value comes from the environment, with a development default.

See `.env.example` for the variables. Nothing here touches the database; misconfiguration is
reported by the system checks in `xinfang.checks`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from xinfang.core.middleware import static_file_headers  # the same security headers on static files

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，当前为：{value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


# All data (database, keys, generated documents, the SMS file outbox) lives under one directory,
# relative to the current directory unless absolute.
DATA_DIR = Path(os.environ.get("XINFANG_DATA_DIR", "").strip() or "var").expanduser().resolve()


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, or one generated once into the data dir."""
    from_env = os.environ.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must end up with the same key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("XINFANG_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# KpiFact's index covers its read with INCLUDE columns (PostgreSQL's index-only scan); SQLite keeps the key
# columns alone, which is all it can use, and would say so (models.W040) before every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

INSTALLED_APPS = [
    "xinfang.apps.XinfangConfig",
    "xinfang.core",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "xinfang.audit",
    "xinfang.directory",
    "xinfang.accounts",
    "xinfang.dashboard",
    "xinfang.jobs",
    "xinfang.calendars",
    "xinfang.petitions",
    "xinfang.stats",
    "xinfang.backups",
    "xinfang.notifications",
    "xinfang.reports",
    "xinfang.supervision",
    "xinfang.documents",
    "xinfang.ownership",
    "xinfang.reception",
    "xinfang.scoring",
    "xinfang.meetings",
    "xinfang.onboarding",
    "xinfang.ledger",
    "xinfang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xinfang.core.middleware.RequestContextMiddleware",
    "xinfang.core.middleware.SecurityHeadersMiddleware",
    "xinfang.core.middleware.CleanInputMiddleware",
    "xinfang.core.middleware.SessionMiddleware",  # Django's, never failing an answer whose writes committed
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xinfang.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "xinfang.urls"
CSRF_FAILURE_VIEW = "xinfang.views.csrf_failure"
WSGI_APPLICATION = "xinfang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinfang.accounts.context_processors.navigation",
            ],
        },
    },
]


def _databases() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config = dj_database_url.parse(url, conn_max_age=env_int("XINFANG_DB_CONN_MAX_AGE", 60))
        config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("TEST", {})
        if os.environ.get("XINFANG_TEST_DB_NAME"):
            config["TEST"]["NAME"] = os.environ["XINFANG_TEST_DB_NAME"]
        return {"default": config}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "xinfang.sqlite3",
            # Kept open between requests as PostgreSQL's are: a new connection reads the schema again.
            "CONN_MAX_AGE": env_int("XINFANG_DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                # Seconds a writer waits for the lock (the busy timeout) instead of failing at once.
                "timeout": env_int("XINFANG_SQLITE_BUSY_TIMEOUT", 20),
                # IMMEDIATE takes the write lock at BEGIN, so two writers never deadlock on an upgrade.
                "transaction_mode": "IMMEDIATE",
                # Reads go through the operating system's page cache by memory map rather than a copy per
                # page and connection: a third less CPU for a list of a million matters.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;"
                    f"PRAGMA mmap_size={env_int('XINFANG_SQLITE_MMAP_MB', 4096) * 1024 * 1024};"
                ),
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache lives in the database, so rate limits hold across the web workers with no extra server.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "xinfang_cache"}}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["xinfang.accounts.backends.UserBackend"]
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "xinfang.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("XINFANG_PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "xinfang.accounts.validators.CharacterClassValidator",
        "OPTIONS": {"min_classes": env_int("XINFANG_PASSWORD_MIN_CLASSES", 3)},
    },
    {
        "NAME": "xinfang.accounts.validators.PasswordHistoryValidator",
        "OPTIONS": {"remember": env_int("XINFANG_PASSWORD_HISTORY", 5)},
    },
]
# Level-3 defaults (docs/security.md): a password expires after 90 days; 5 failed logins in a row
# lock the account for 30 minutes from any address; a session ends after 30 idle minutes and at the
# latest 8 hours after login.
XINFANG_PASSWORD_MAX_AGE_DAYS = env_int("XINFANG_PASSWORD_MAX_AGE_DAYS", 90)
XINFANG_LOCKOUT_ATTEMPTS = env_int("XINFANG_LOCKOUT_ATTEMPTS", 5)
XINFANG_LOCKOUT_MINUTES = env_int("XINFANG_LOCKOUT_MINUTES", 30)
XINFANG_SESSION_IDLE_MINUTES = env_int("XINFANG_SESSION_IDLE_MINUTES", 30)
# Failed logins from one address: at most this many per this many seconds, then refused (429).
XINFANG_LOGIN_RATE = (env_int("XINFANG_LOGIN_RATE_LIMIT", 20), env_int("XINFANG_LOGIN_RATE_SECONDS", 300))
# Online submissions (网上信访, docs/security.md): at most this many from one address per hour, and at most
# this many from everyone together per county per hour; beyond either the page asks to come back later.
XINFANG_PUBLIC_SUBMIT_RATE = env_int("XINFANG_PUBLIC_SUBMIT_RATE", 5)
XINFANG_PUBLIC_SUBMIT_CAP = env_int("XINFANG_PUBLIC_SUBMIT_CAP", 60)
# Roles that must pass a second factor (an authenticator app's code) after the password; empty: none
# (the demo does this, and every page then says so).
XINFANG_2FA_ROLES = frozenset(
    role.strip()
    for role in os.environ.get("XINFANG_2FA_ROLES", "bureau_head,system_admin,security_admin,auditor").split(
        ","
    )
    if role.strip()
)

SESSION_ENGINE = "xinfang.accounts.sessions"  # Django's database sessions, read without the ORM
SESSION_COOKIE_AGE = env_int("XINFANG_SESSION_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "files"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise also serves straight from the finders, so a fresh checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 3600
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers

# Deployments behind TLS switch on every HTTPS-only protection with one variable.
XINFANG_HTTPS = env_bool("XINFANG_HTTPS", False)
if XINFANG_HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("XINFANG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Secure-sessionid"
    CSRF_COOKIE_NAME = "__Secure-csrftoken"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Behind a reverse proxy, the number of trusted proxies in front of the app; 0 trusts no header.
XINFANG_TRUSTED_PROXIES = env_int("XINFANG_TRUSTED_PROXIES", 0)

# The API's contract (docs/registry.md): JSON in and out, refusals in Chinese (xinfang/core/api.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["xinfang.core.authentication.SessionAuthentication"],
    # DRF's JSON parser with the one text sanitiser (lib/text.py) over every string of a body; another
    # content type is refused (415), so that a body has one shape.
    "DEFAULT_PARSER_CLASSES": ["xinfang.core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "xinfang.core.api.exception_handler",
    # A list's errors keyed by the item's index (DRF's default from 3.18, its only format from 3.20).
    "LIST_SERIALIZER_ERRORS_AS_DICT": True,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "信访工作平台 API",
    "DESCRIPTION": (
        "Xinfang REST API; the same permissions as the pages. JSON in and out; a field the operation does"
        " not declare is refused (400); every refusal carries a Chinese message (docs/registry.md)."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "xinfang.petitions.models.Level",
        "StatusEnum": "xinfang.petitions.models.Matter.Status",
        "ChannelEnum": "xinfang.petitions.models.Channel",
    },
    # The error shapes every operation refers to (Error, ValidationErrors) as named components.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "xinfang.core.api.error_components",
    ],
    # Swagger UI from the installed sidecar package: no CDN on a government intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors": {"()": "xinfang.core.logfilters.ClientErrorsWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_errors"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("XINFANG_LOG_LEVEL", "INFO")},
    # WeasyPrint warns of each SVG presentation property it does not read as CSS (a chart's fill colours);
    # its errors still show. Its own handler keeps WeasyPrint from resetting the level when it loads.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR", "handlers": ["console"], "propagate": False},
    },
}

# Field encryption of personal data (ID numbers, phones, addresses): keys from XINFANG_FIELD_KEYS
# (base64, comma separated, newest first) or from the key file that `xinfang init` creates.
XINFANG_FIELD_KEYS = os.environ.get("XINFANG_FIELD_KEYS", "")
XINFANG_FIELD_KEY_FILE = Path(os.environ.get("XINFANG_FIELD_KEY_FILE", "").strip() or DATA_DIR / "field_keys")
XINFANG_FIELD_CIPHER = os.environ.get("XINFANG_FIELD_CIPHER", "aes-gcm").strip() or "aes-gcm"

# Worker: seconds between two looks at the queue when idle.
XINFANG_WORKER_POLL_SECONDS = env_int("XINFANG_WORKER_POLL_SECONDS", 5)
# Tasks marked isolated (ledger checks and imports) run in a child process that may use at most this much
# memory more than the worker; off only where a child cannot see the data (the tests' transactions).
XINFANG_WORKER_ISOLATE = env_bool("XINFANG_WORKER_ISOLATE", True)
XINFANG_WORKER_TASK_MEMORY_MB = env_int("XINFANG_WORKER_TASK_MEMORY_MB", 2048)
# Times of day of the scheduled jobs (on working days; see xinfang jobs plan).
XINFANG_DAILY_REPORT_TIME = os.environ.get("XINFANG_DAILY_REPORT_TIME", "17:30")
XINFANG_DEADLINE_WARNING_TIME = os.environ.get("XINFANG_DEADLINE_WARNING_TIME", "09:00")
# When review windows that ran out the day before conclude their matters (办结), every working day.
XINFANG_REVIEW_WINDOW_TIME = os.environ.get("XINFANG_REVIEW_WINDOW_TIME", "08:00")
# A run missed while no worker was up is caught up when one starts, if planned within these hours.
XINFANG_JOB_CATCH_UP_HOURS = env_int("XINFANG_JOB_CATCH_UP_HOURS", 12)
# A run (or an SMS being sent) claimed this long ago by a worker that never finished is taken again.
XINFANG_JOB_STALE_MINUTES = env_int("XINFANG_JOB_STALE_MINUTES", 15)
XINFANG_JOB_MAX_ATTEMPTS = env_int("XINFANG_JOB_MAX_ATTEMPTS", 5)
# What a ledger file may hold (docs/ledger-import.md): checked before its rows are read.
XINFANG_LEDGER_MAX_MB = env_int("XINFANG_LEDGER_MAX_MB", 50)
XINFANG_LEDGER_MAX_ROWS = env_int("XINFANG_LEDGER_MAX_ROWS", 200_000)
XINFANG_LEDGER_MAX_COLUMNS = env_int("XINFANG_LEDGER_MAX_COLUMNS", 50)
XINFANG_LEDGER_MAX_UNPACKED_MB = env_int("XINFANG_LEDGER_MAX_UNPACKED_MB", 512)
# The days the daily report goes out: "working" (working days; the first after rest days covers each of
# them, day by day) or "every" (every day, holidays included).
XINFANG_DAILY_REPORT_DAYS = os.environ.get("XINFANG_DAILY_REPORT_DAYS", "working").strip() or "working"
# Immediate alerts (紧急访情): a 进京 or 赴省 visit, or a visit of this many persons or more, texts the main
# leaders and the owning leader at once; each gets at most this many alerts an hour.
XINFANG_ALERT_PERSONS = env_int("XINFANG_ALERT_PERSONS", 50)
XINFANG_ALERT_HOURLY_CAP = env_int("XINFANG_ALERT_HOURLY_CAP", 10)
# Deadline warnings: matters whose statutory deadline falls within this many days, or has passed.
XINFANG_DEADLINE_WARNING_DAYS = env_int("XINFANG_DEADLINE_WARNING_DAYS", 3)
# Files attached to supervision items (scans of paper instructions, units' evidence): PDF, JPEG or PNG, each
# at most this size; they are kept in the database (core/attachments.py).
XINFANG_ATTACHMENT_MAX_MB = env_int("XINFANG_ATTACHMENT_MAX_MB", 10)
# Statistical months (SPEC §4, lib/periods.py): calendar months (1), or business months from this day (2–28)
# to the day before it in the next month, named by the month they end in (21: 2026-03 is 02-21 to 03-20).
# Every monthly figure, page and report counts by it.
XINFANG_MONTH_START_DAY = env_int("XINFANG_MONTH_START_DAY", 1)
# The weekly analysis (每周访情分析) covers a week starting on this weekday (1 = Monday … 7 = Sunday) and
# is drafted on the first working day of the next week at XINFANG_WEEKLY_REPORT_TIME.
XINFANG_WEEK_STARTS = env_int("XINFANG_WEEK_STARTS", 1)
XINFANG_WEEKLY_REPORT_TIME = os.environ.get("XINFANG_WEEKLY_REPORT_TIME", "08:30")
# The weekly analysis's key matters (重点事项): at most this many, the most serious first.
XINFANG_WEEKLY_KEY_MATTERS = env_int("XINFANG_WEEKLY_KEY_MATTERS", 60)
# The monthly situation analysis (月信访形势分析, docs/monthly-report.md) is drafted on this working day after
# the statistical month closes (1 = the first working day after its last day, 1–10) at this time; it lists
# this many matters most at risk of escalating; the sensitive periods its 舆情预判 looks ahead to, as
# 名称=起..止 (MM-DD, or 春节±N days from the lunar new year) separated by ";".
XINFANG_MONTHLY_REPORT_DAY = env_int("XINFANG_MONTHLY_REPORT_DAY", 1)
XINFANG_MONTHLY_REPORT_TIME = os.environ.get("XINFANG_MONTHLY_REPORT_TIME", "09:30")
XINFANG_MONTHLY_AT_RISK = env_int("XINFANG_MONTHLY_AT_RISK", 10)
XINFANG_SENSITIVE_PERIODS = (
    os.environ.get("XINFANG_SENSITIVE_PERIODS", "").strip()
    or "春节前后欠薪高发期=春节-40..春节+15;全国两会=03-01..03-15;国庆=10-01..10-07;年底=12-01..12-31"
)
# The supervision progress summary (办理情况汇总) is compiled on these days of each month, at this time.
XINFANG_PROGRESS_SUMMARY_DAYS = os.environ.get("XINFANG_PROGRESS_SUMMARY_DAYS", "1,11,21")
XINFANG_PROGRESS_SUMMARY_TIME = os.environ.get("XINFANG_PROGRESS_SUMMARY_TIME", "09:00")
# 领导包案 (docs/ownership.md): the weekly draft of a batch's candidates, on the first working day of each
# week at this time; which reasons propose a matter; the over-county levels that do; what counts as repeat
# visits (this many within this many days); the days an owner has to resolve a matter unless staff set them.
XINFANG_OWNERSHIP_DRAFT_TIME = os.environ.get("XINFANG_OWNERSHIP_DRAFT_TIME", "08:00")
XINFANG_OWNERSHIP_REASONS = os.environ.get(
    "XINFANG_OWNERSHIP_REASONS", "over_level,collective,repeat,overdue,instruction,escalation"
)
XINFANG_OWNERSHIP_OVER_LEVELS = os.environ.get("XINFANG_OWNERSHIP_OVER_LEVELS", "city,province,beijing")
XINFANG_OWNERSHIP_REPEAT_VISITS = env_int("XINFANG_OWNERSHIP_REPEAT_VISITS", 2)
XINFANG_OWNERSHIP_REPEAT_DAYS = env_int("XINFANG_OWNERSHIP_REPEAT_DAYS", 90)
XINFANG_OWNERSHIP_DEADLINE_DAYS = env_int("XINFANG_OWNERSHIP_DEADLINE_DAYS", 30)
# Leaders' reception schedules (docs/reception.md): next month's are generated on this day of the month
# (1–28) at this time; the bureau's page warns from the warning day when next month's is not published;
# every Wednesday the four bodies' main leaders receive, "all" (one entry each) or "rotation" (one of them
# per Wednesday); the place and hours the public page and the printed sheet show.
XINFANG_RECEPTION_GENERATE_DAY = env_int("XINFANG_RECEPTION_GENERATE_DAY", 20)
XINFANG_RECEPTION_GENERATE_TIME = os.environ.get("XINFANG_RECEPTION_GENERATE_TIME", "09:00")
XINFANG_RECEPTION_WARN_DAY = env_int("XINFANG_RECEPTION_WARN_DAY", 25)
XINFANG_RECEPTION_WEDNESDAY_MODE = os.environ.get("XINFANG_RECEPTION_WEDNESDAY_MODE", "all").strip() or "all"
XINFANG_RECEPTION_PLACE = (
    os.environ.get("XINFANG_RECEPTION_PLACE", "县人民群众来访接待中心").strip() or "县人民群众来访接待中心"
)
XINFANG_RECEPTION_TOWNSHIP_PLACE = (
    os.environ.get("XINFANG_RECEPTION_TOWNSHIP_PLACE", "各乡镇群众来访接待室").strip()
    or "各乡镇群众来访接待室"
)
XINFANG_RECEPTION_HOURS = (
    os.environ.get("XINFANG_RECEPTION_HOURS", "上午8:30—12:00，下午14:30—17:30").strip()
    or "上午8:30—12:00，下午14:30—17:30"
)
# The first-Tuesday draw to the townships (docs/reception.md, "下沉接访"): the day is the month's first
# Tuesday ("first_tuesday") or the Tuesday of the week holding the 1st ("week_of_first"), the next working
# day when it is not one; the worker draws on the working day before, at this time.
XINFANG_DOWNVISIT_DAY = os.environ.get("XINFANG_DOWNVISIT_DAY", "first_tuesday").strip() or "first_tuesday"
XINFANG_DOWNVISIT_DRAW_TIME = os.environ.get("XINFANG_DOWNVISIT_DRAW_TIME", "16:00")
# The quarterly duty of going down (docs/reception.md, "季度下沉任务"): the warning SMS this many days before
# the quarter's last day, at this time; the townships' ranking score weighs each factor by these.
XINFANG_DUTY_WARN_DAYS = env_int("XINFANG_DUTY_WARN_DAYS", 14)
XINFANG_DUTY_WARN_TIME = os.environ.get("XINFANG_DUTY_WARN_TIME", "09:00")
XINFANG_DUTY_WEIGHT_EVENTS = env_int("XINFANG_DUTY_WEIGHT_EVENTS", 1)
XINFANG_DUTY_WEIGHT_OVER_LEVEL = env_int("XINFANG_DUTY_WEIGHT_OVER_LEVEL", 3)
XINFANG_DUTY_WEIGHT_OVERDUE = env_int("XINFANG_DUTY_WEIGHT_OVERDUE", 2)
# The quarterly competition (docs/competition.md): the worker drafts the last quarter's tables on the first
# working day after it, at this time; units may appeal a deduction until this many working days later.
XINFANG_SCORING_DRAFT_TIME = os.environ.get("XINFANG_SCORING_DRAFT_TIME", "09:00")
# Each night the drafted quarters not yet published are computed again (an event corrected since moves
# its deduction by the morning).
XINFANG_SCORING_REFRESH_TIME = os.environ.get("XINFANG_SCORING_REFRESH_TIME", "02:30")
XINFANG_SCORING_APPEAL_DAYS = env_int("XINFANG_SCORING_APPEAL_DAYS", 5)
# Escalation risk (docs/statistics.md, "越级风险"): the factors' weights as name=value pairs overriding the
# defaults of xinfang/stats/risk.py (city, province, repeat, collective, days_open, overdue, threat,
# dissatisfied, category); hotspot warnings (热点预警) go to the bureau's staff at this time each working day.
XINFANG_RISK_WEIGHTS = os.environ.get("XINFANG_RISK_WEIGHTS", "")
XINFANG_HOTSPOT_WARNING_TIME = os.environ.get("XINFANG_HOTSPOT_WARNING_TIME", "09:00")
# The leaders' dashboard's daily snapshot (docs/dashboard.md): risk, hotspots, KPIs, computed every day at
# this time (just after midnight), or on the first visit of a day the job has not reached.
XINFANG_DASHBOARD_SNAPSHOT_TIME = os.environ.get("XINFANG_DASHBOARD_SNAPSHOT_TIME", "00:30")
# The monthly joint meeting (docs/meetings.md): the screening's weights as name=value pairs over the defaults
# of xinfang/meetings/screening.py; the bureau is reminded each working day at this time to schedule the
# meeting and this many days before it.
XINFANG_MEETING_WEIGHTS = os.environ.get("XINFANG_MEETING_WEIGHTS", "")
XINFANG_MEETING_REMIND_TIME = os.environ.get("XINFANG_MEETING_REMIND_TIME", "09:00")
XINFANG_MEETING_REMIND_DAYS = env_int("XINFANG_MEETING_REMIND_DAYS", 3)

# SMS (docs/operations.md): the gateway, the signature every message starts with, parts per message,
# a per-number daily cap, retries, and the platforms' credentials.
XINFANG_SMS_GATEWAY = os.environ.get("XINFANG_SMS_GATEWAY", "file").strip() or "file"
XINFANG_SMS_SIGNATURE = os.environ.get("XINFANG_SMS_SIGNATURE", "【宝丰县信访局】").strip()
XINFANG_SMS_MAX_PARTS = env_int("XINFANG_SMS_MAX_PARTS", 4)
# A list of matters in a message stops after this many lines ("另有N条，请登录信访工作平台查看。").
XINFANG_SMS_MAX_ITEMS = env_int("XINFANG_SMS_MAX_ITEMS", 10)
XINFANG_SMS_DAILY_CAP = env_int("XINFANG_SMS_DAILY_CAP", 30)
XINFANG_SMS_MAX_ATTEMPTS = env_int("XINFANG_SMS_MAX_ATTEMPTS", 6)
XINFANG_SMS_UNCERTAIN_CHECKS = env_int("XINFANG_SMS_UNCERTAIN_CHECKS", 3)
XINFANG_SMS_RECEIPT_POLL_MINUTES = env_int("XINFANG_SMS_RECEIPT_POLL_MINUTES", 10)
XINFANG_SMS_TIMEOUT_SECONDS = env_int("XINFANG_SMS_TIMEOUT_SECONDS", 10)
# The platform's id of each template: "daily_report=SMS_123456,deadline_warning=SMS_234567".
XINFANG_SMS_TEMPLATE_IDS = dict(
    item.split("=", 1)
    for item in os.environ.get("XINFANG_SMS_TEMPLATE_IDS", "").replace(" ", "").split(",")
    if "=" in item
)
XINFANG_SMS_HTTP_URL = os.environ.get("XINFANG_SMS_HTTP_URL", "")
XINFANG_SMS_HTTP_STATUS_URL = os.environ.get("XINFANG_SMS_HTTP_STATUS_URL", "")
XINFANG_SMS_HTTP_TOKEN = os.environ.get("XINFANG_SMS_HTTP_TOKEN", "")
XINFANG_SMS_ALIYUN_ENDPOINT = os.environ.get("XINFANG_SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
XINFANG_SMS_ALIYUN_REGION = os.environ.get("XINFANG_SMS_ALIYUN_REGION", "cn-hangzhou")
XINFANG_SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("XINFANG_SMS_ALIYUN_ACCESS_KEY_ID", "")
XINFANG_SMS_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("XINFANG_SMS_ALIYUN_ACCESS_KEY_SECRET", "")
XINFANG_SMS_TENCENT_ENDPOINT = os.environ.get(
    "XINFANG_SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com/"
)
XINFANG_SMS_TENCENT_REGION = os.environ.get("XINFANG_SMS_TENCENT_REGION", "ap-guangzhou")
XINFANG_SMS_TENCENT_SECRET_ID = os.environ.get("XINFANG_SMS_TENCENT_SECRET_ID", "")
XINFANG_SMS_TENCENT_SECRET_KEY = os.environ.get("XINFANG_SMS_TENCENT_SECRET_KEY", "")
XINFANG_SMS_TENCENT_APP_ID = os.environ.get("XINFANG_SMS_TENCENT_APP_ID", "")
# Days audit records are kept before the worker's daily purge removes them; never less than 180
# (check xinfang.E006; the database refuses to delete younger records anyway).
XINFANG_AUDIT_RETENTION_DAYS = env_int("XINFANG_AUDIT_RETENTION_DAYS", 180)
# Refuse an audit record whose action or summary key has no Chinese name (audit/labels.py) instead of
# logging a warning: on in the tests (tests/conftest.py); off by default, so that no audit is lost for it.
XINFANG_AUDIT_STRICT_LABELS = env_bool("XINFANG_AUDIT_STRICT_LABELS", False)
