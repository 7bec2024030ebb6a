"""The platform itself: settings, error pages, static assets, the worker and the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings

from xinfang.cli import main

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")
def test_it_opens_sqlite_with_wal_full_sync_foreign_keys_and_a_busy_timeout(tmp_path):
    env = {**os.environ, "XINFANG_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    script = (
        "import django; django.setup();"
        "from django.db import connection; c = connection.cursor();"
        "print(*[c.execute(f'PRAGMA {p}').fetchone()[0] for p in"
        " ('journal_mode', 'synchronous', 'foreign_keys', 'busy_timeout')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "xinfang.settings"},
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert out == ["wal", "2", "1", "20000"]


def test_it_generates_the_secret_key_once_into_the_data_dir(tmp_path):
    env = {**os.environ, "XINFANG_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "xinfang.settings"}
    env.pop("SECRET_KEY", None)
    script = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    second = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first.stdout.strip()
    assert key_file.stat().st_mode & 0o077 == 0


def test_it_answers_unknown_pages_with_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_it_answers_a_server_error_with_a_chinese_page_and_no_trace(persona):
    client = Client(raise_request_exception=False)
    client.force_login(persona("bureau"))
    with override_settings(DEBUG=False):
        from unittest import mock

        with mock.patch(
            "xinfang.dashboard.views.directory_figures", side_effect=RuntimeError("secret detail")
        ):
            response = client.get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统暂时出现问题" in body
    assert "secret detail" not in body
    assert "Traceback" not in body


def test_it_serves_htmx_and_css_from_the_app_itself(client):
    page = client.get("/login/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in page
    assert "http://" not in page.split("<body>")[0]
    assert "https://" not in page


def test_it_answers_the_health_check(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_it_publishes_an_openapi_document(client_for):
    response = client_for("bureau").get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content


def test_it_loads_the_demo_directory_once(capsys):
    assert main(["init", "--demo-directory"]) == 0
    assert "演示县已存在" in capsys.readouterr().out


@pytest.mark.django_db(transaction=False)
def test_it_stops_the_worker_cleanly_on_sigterm(tmp_path):
    env = {**os.environ, "XINFANG_DATA_DIR": str(tmp_path), "XINFANG_WORKER_POLL_SECONDS": "60"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "xinfang", "worker"], env=env, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60  # a loaded CI machine may start Django slowly
    lines: list[str] = []
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if "worker started" in line:
            break
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    rest = process.stderr.read()
    assert "worker stopped" in rest, "".join(lines) + rest


def test_the_demo_password_is_the_documented_one():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "Demo@2026" in readme


def test_it_serves_the_api_docs_without_any_cdn(client_for):
    page = client_for("bureau").get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


def test_templates_carry_no_inline_script_or_style():
    """A strict Content-Security-Policy comes later; templates must already be ready for it."""
    import re

    root = Path(__file__).resolve().parents[2] / "xinfang" / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\sstyle=|<style", text), template
        assert not re.search(r"\son[a-z]+=", text), template


def test_it_names_a_malformed_integer_setting_in_chinese(tmp_path):
    env = {**os.environ, "XINFANG_DATA_DIR": str(tmp_path), "XINFANG_SESSION_AGE": "eight hours"}
    env["DJANGO_SETTINGS_MODULE"] = "xinfang.settings"
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.SESSION_COOKIE_AGE"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0
    assert "环境变量 XINFANG_SESSION_AGE 应为整数" in result.stderr


def test_a_refusal_is_logged_in_one_line_without_a_traceback(client_for, caplog):
    """A 403 is the app working as meant: no traceback in the log (issue 14, item 10)."""
    import logging

    from xinfang.core.logfilters import ClientErrorsWithoutTraceback

    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client_for("zhouzhuang").get("/audit/").status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.status_code == 403
    assert record.exc_info is None and "Traceback" not in logging.Formatter().format(record)
    try:
        raise PermissionError("refused")
    except PermissionError:
        import sys

        raw = logging.LogRecord("django.request", logging.WARNING, "", 0, "Forbidden", (), sys.exc_info())
    raw.status_code = 403
    assert ClientErrorsWithoutTraceback().filter(raw) and raw.exc_info is None
    raw.status_code, raw.exc_info = 500, (None, None, None)
    assert ClientErrorsWithoutTraceback().filter(raw) and raw.exc_info == (None, None, None)  # 5xx kept
