"""Web hardening (issue 5): strict CSP, no-store on what the app renders, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/matters/", "/ledger/", "/api/v1/matters/"])
def test_pages_with_personal_data_are_never_cached_and_allow_no_inline_code(client_for, path):
    response = client_for("bureau").get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_is_hardened_too(client):
    response = client.get("/login/")
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_templates_carry_no_inline_script_or_style():
    templates = Path(__file__).resolve().parents[2] / "xinfang" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<script>" not in text and "<style" not in text and 'style="' not in text, template
        assert " on" + "click=" not in text, template


def test_check_deploy_passes_with_https_and_production_settings(tmp_path):
    from xinfang.lib.keys import create_key_file

    create_key_file(tmp_path / "field_keys")  # as `xinfang init` does
    env = {**os.environ, "XINFANG_HTTPS": "1", "XINFANG_DEBUG": "0", "XINFANG_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "xinfang", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_static_files_carry_the_same_security_headers(client):
    response = client.get("/static/xinfang/app.css")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


def test_it_answers_a_stale_form_with_a_chinese_page(persona):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(persona("bureau"))
    response = client.post("/logout/")
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_it_keeps_the_api_schema_for_logged_in_users(client, client_for):
    assert client.get("/api/schema/").status_code == 403
    page = client_for("bureau").get("/api/docs/").content.decode()
    assert "<script>" not in page.replace("<script src=", "")
