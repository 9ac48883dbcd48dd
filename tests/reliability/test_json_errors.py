"""Every answer on an API route is JSON with a stable code (issue 17, item 4):
a CSRF refusal is `csrf_failed`, a database outage a 503 with Retry-After,
anything unforeseen a JSON 500; pages outside the API keep Django's HTML."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import RequestFactory
from rest_framework.test import APIClient

from backend.common.api_errors import server_error


def test_a_write_without_its_csrf_token_is_csrf_failed(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.learner)
    session = world.public_activity.sessions.first()
    response = client.post("/api/v1/bookings/", {"session": str(session.pk)}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_a_database_outage_is_a_json_503_with_retry_after(world):
    client = APIClient()
    client.raise_request_exception = False
    refused = OperationalError("connection to server failed: Connection refused")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused):
        response = client.get("/api/v1/sessions/")
        # Liveness needs no database: it still answers.
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/ping/").status_code == 200
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert int(response["Retry-After"]) > 0


def _handled(path: str, exc: Exception):
    request = RequestFactory().get(path)
    try:
        raise exc
    except Exception:
        return server_error(request)


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (OperationalError("server closed the connection unexpectedly"), 503, "service_unavailable"),
        (OperationalError("database is locked"), 503, "busy"),
        (ValueError("a bug"), 500, "error"),
    ],
)
def test_a_failure_outside_a_view_is_json_on_api_routes(exc, status, code):
    response = _handled("/api/v1/bookings/", exc)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == code
    assert response.has_header("Retry-After") == (status == 503)


def test_pages_outside_the_api_keep_the_html_error_page():
    response = _handled("/", ValueError("a bug"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
