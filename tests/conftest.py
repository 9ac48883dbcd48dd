"""Shared fixtures. PostgreSQL-only tests (marked `postgres`) skip on SQLite,
except when HARBOUR_REQUIRE_POSTGRES=1 (CI), where a skip is a failure and at
least one of them must have run."""

from __future__ import annotations

import os
import secrets

import pytest
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from rest_framework.test import APIClient

from tests import factories

REQUIRE_POSTGRES = os.environ.get("HARBOUR_REQUIRE_POSTGRES") == "1"

# Django's live server listens with a backlog of 10: the concurrency tests open
# up to 48 connections at once, and on a loaded machine the kernel reset the
# surplus before the app ever saw them (issue 17, item 9). gunicorn's is 2048.
ThreadedWSGIServer.request_queue_size = 256
_postgres_ran = {"selected": 0, "count": 0}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres"):
            item.fixturenames.insert(0, "_postgres_only")  # before any fixture that needs it
            # Under pytest-xdist (`make test`), the locking and crowd tests keep to
            # one worker, one at a time: two crowds of 48 connections at once would
            # compete for PostgreSQL's connections and the machine's two cores.
            item.add_marker(pytest.mark.xdist_group("postgres"))


@pytest.fixture
def _postgres_only(request):
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL (set DATABASE_URL)"
        if REQUIRE_POSTGRES:
            pytest.fail(f"{message}: HARBOUR_REQUIRE_POSTGRES=1 forbids skipping")
        pytest.skip(message)


def pytest_runtest_logreport(report):
    # Counted from the reports, which reach the main process from every
    # pytest-xdist worker (a worker's own count would not).
    if "postgres" in report.keywords:
        if report.when == "setup":
            _postgres_ran["selected"] += 1
        elif report.when == "call" and report.passed:
            _postgres_ran["count"] += 1


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker: the main process checks for all of them
    if REQUIRE_POSTGRES and _postgres_ran["selected"] and _postgres_ran["count"] == 0:
        session.exitstatus = 1
        print("\nHARBOUR_REQUIRE_POSTGRES=1 but no PostgreSQL test ran")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs ~0.3 s a user; tests don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Throttle counts live in the cache; one test's attempts must not limit the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world(db):
    return factories.World.build()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def session_and_csrf(user) -> tuple[str, str]:
    """A signed-in session for `user` made without a login round trip, and a
    CSRF token for it: (session key, token), for clients outside Django's test
    client (live-server tests). It records the backend a real sign-in records:
    django-axes' backend is listed first but only guards signing in."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key, secrets.token_hex(16)
