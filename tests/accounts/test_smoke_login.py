from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import DEMO_USERNAMES, PASSWORD
from xinfang.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_it_logs_every_demo_account_in_to_a_home_page_naming_the_county(username):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.username == username
    assert "宝丰县" in response.content.decode()
    assert AuditRecord.objects.filter(action="auth.login", actor_name=username).exists()
