"""Signing in and out through the API: session, CSRF, axes lockout as JSON."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from backend.accounts.lockout import lockout_response
from tests.factories import UserFactory

SIGN_IN = "/api/v1/auth/sign-in/"
SIGN_OUT = "/api/v1/auth/sign-out/"


def browser() -> APIClient:
    """A client that, like the app, must fetch the page for its CSRF cookie."""
    client = APIClient(enforce_csrf_checks=True)
    assert client.get("/").status_code == 200
    return client


def csrf(client) -> dict:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


@pytest.fixture
def nadia(db):
    return UserFactory(username="nadia", known_as="Nadia", password="right-password-123")


def test_sign_in_starts_a_session_and_answers_like_me(nadia):
    client = browser()
    client.get("/")  # an anonymous session cookie may or may not exist; the key must change
    before = client.cookies.get("sessionid")
    response = client.post(
        SIGN_IN, {"username": "nadia", "password": "right-password-123"}, format="json",
        **csrf(client),
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "nadia"
    assert client.cookies["sessionid"].value != (before.value if before else None)
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json() == response.json()


def test_sign_in_needs_the_csrf_token(nadia):
    client = browser()
    response = client.post(
        SIGN_IN, {"username": "nadia", "password": "right-password-123"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert client.get("/api/v1/me/").status_code == 403


def test_wrong_password_and_unknown_username_get_the_same_answer(nadia):
    client = browser()
    wrong = client.post(
        SIGN_IN, {"username": "nadia", "password": "nope"}, format="json", **csrf(client)
    )
    unknown = client.post(
        SIGN_IN, {"username": "nobody", "password": "nope"}, format="json", **csrf(client)
    )
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "sign_in_failed"


def test_lockout_answers_in_the_api_error_shape(nadia):
    client = browser()
    statuses = [
        client.post(
            SIGN_IN, {"username": "nadia", "password": "guess"}, format="json", **csrf(client)
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    locked = client.post(
        SIGN_IN, {"username": "nadia", "password": "right-password-123"}, format="json",
        **csrf(client),
    )  # fmt: skip
    assert locked.status_code == 429
    assert locked.json() == {
        "code": "signed_in_too_often",
        "detail": locked.json()["detail"],
        "fields": {},
    }
    assert client.get("/api/v1/me/").status_code == 403


def test_axes_lockout_page_is_json_on_api_paths_and_plain_elsewhere(settings):
    factory = RequestFactory()
    api = lockout_response(factory.post("/api/v1/anything/"))
    assert api.status_code == 429
    assert api["Content-Type"] == "application/json"
    assert b'"signed_in_too_often"' in api.content
    admin = lockout_response(factory.post("/admin/login/"))
    assert admin.status_code == 429
    assert admin["Content-Type"].startswith("text/html")


def test_sign_out_ends_the_session(nadia):
    client = browser()
    client.post(
        SIGN_IN, {"username": "nadia", "password": "right-password-123"}, format="json",
        **csrf(client),
    )  # fmt: skip
    assert client.post(SIGN_OUT, **csrf(client)).status_code == 204
    assert client.get("/api/v1/me/").status_code == 403


def test_sign_out_of_a_session_needs_the_csrf_token(nadia):
    client = browser()
    client.post(
        SIGN_IN, {"username": "nadia", "password": "right-password-123"}, format="json",
        **csrf(client),
    )  # fmt: skip
    assert client.post(SIGN_OUT).status_code == 403
    assert client.get("/api/v1/me/").status_code == 200


def test_inactive_people_cannot_sign_in(db):
    UserFactory(username="gone", password="right-password-123", is_active=False)
    client = browser()
    response = client.post(
        SIGN_IN, {"username": "gone", "password": "right-password-123"}, format="json",
        **csrf(client),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "sign_in_failed"
