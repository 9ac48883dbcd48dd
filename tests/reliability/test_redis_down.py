"""Redis down (issue 17, item 5): sign-in keeps working with a per-process
limit and a warning, /readyz reports the cache degraded without failing, and
bookings do not depend on Redis. Redis is "down" by pointing the cache at a
port where nothing listens."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from backend.accounts.api import AttemptThrottle
from tests.accounts.test_sign_in import SIGN_IN, browser, csrf
from tests.conftest import client_for
from tests.factories import UserFactory

DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # discard port: connection refused
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    # The session store's copy (settings, when REDIS_URL is set), down as well.
    "sessions": {
        "BACKEND": "backend.common.tolerant_cache.TolerantRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DOWN
    local = getattr(AttemptThrottle.cache, "local", None)  # the per-process counts
    if local is not None:
        local.clear()
    yield
    if local is not None:
        local.clear()


def test_sign_in_works_while_redis_is_down_and_says_so_in_the_log(db, redis_down, caplog):
    UserFactory(username="nadia", password="right-password-123")
    client = browser()
    with caplog.at_level(logging.WARNING, logger="harbour.cache"):
        wrong = client.post(SIGN_IN, {"username": "nadia", "password": "no"}, format="json",
                            **csrf(client))  # fmt: skip
        right = client.post(
            SIGN_IN, {"username": "nadia", "password": "right-password-123"}, format="json",
            **csrf(client),
        )  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["code"] == "sign_in_failed"
    assert right.status_code == 200, right.content
    assert any("shared cache unreachable" in r.getMessage() for r in caplog.records)


def test_the_sign_in_limit_still_holds_per_process_while_redis_is_down(db, redis_down, monkeypatch):
    monkeypatch.setattr(AttemptThrottle, "THROTTLE_RATES", {"sign_in": "3/min"})
    client = browser()
    codes = [
        client.post(
            SIGN_IN, {"username": "x", "password": "y"}, format="json", **csrf(client)
        ).json()["code"]
        for _ in range(4)
    ]
    assert codes == ["sign_in_failed"] * 3 + ["throttled"]


def test_readyz_reports_the_cache_degraded_but_stays_ready(db, redis_down, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["cache"].startswith("degraded")


def test_readyz_fails_without_the_database(db, client, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.utils import OperationalError

    def down(self):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "ensure_connection", down)
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


def test_booking_works_while_redis_is_down(world, redis_down):
    session = world.public_activity.sessions.order_by("start").first()
    response = client_for(world.learner).post(
        reverse("booking-list"), {"session": str(session.pk)}, format="json"
    )
    assert response.status_code == 201, response.content
