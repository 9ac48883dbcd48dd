"""Schemathesis against the live server, as each role: every operation of the
COMMITTED api_schema/openapi.yaml gets a few generated requests, and every
answer must be no 5xx, a documented status code, a documented content type,
and a body that matches the documented schema.

Each role gets a fresh database and World (the test is parametrised), so a
role that erases or merges people cannot spoil the next role's run. Generated
path ids are mostly random UUIDs (a 404); a share of examples swaps in the id
of a real object the World holds, so the handlers behind the 404 run too.
Runs are derandomised: a failure reproduces with the same examples."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import hypothesis
import pytest
import requests
import schemathesis
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.access.models import AccessRequest, Space
from backend.accounts.models import Participant
from backend.bookings.models import ActivityQueueEntry, Booking
from backend.feeds.models import Follow
from backend.organisations.models import Organisation, Venue
from backend.timetable.models import Activity, Session
from tests.factories import World

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "api_schema" / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation per role: 51 operations x 7 roles keeps the whole
# test near a minute on SQLite; CI runs it on both databases.
MAX_EXAMPLES = 4

ROLES = [
    "anonymous",
    "learner",
    "learner_with_grant",
    "tutor_elsewhere",
    "coordinator",
    "space_coordinator",
    "superuser",
]

# Which objects a path's {id} names, by the path's first segment.
ID_SOURCES = {
    "access-requests": AccessRequest,
    "activities": Activity,
    "bookings": Booking,
    "follows": Follow,
    "organisations": Organisation,
    "participants": Participant,
    "queue-entries": ActivityQueueEntry,
    "registers": Session,
    "sessions": Session,
    "spaces": Space,
    "venues": Venue,
}


def signed_in_session(user) -> requests.Session:
    """A requests session carrying a Django session cookie and a CSRF pair, as
    a browser signed in at /admin/login/ would (SessionAuthentication)."""
    http = requests.Session()
    if user is None:
        return http
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The backend a real sign-in records: axes' backend is listed first but only guards sign-in.
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    csrf = secrets.token_hex(16)
    http.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key)
    http.cookies.set(settings.CSRF_COOKIE_NAME, csrf)
    http.headers["X-CSRFToken"] = csrf
    return http


def known_ids(path: str, user) -> list[str]:
    segment = path.removeprefix("/api/v1/").split("/", 1)[0]
    model = ID_SOURCES.get(segment)
    if model is None:
        return []
    ids = model.objects.order_by("pk").values_list("pk", flat=True)
    if model is Participant and user is not None and path.endswith(("/erase/", "/merge/")):
        # Erasing or merging away the signed-in person closes her sign-in: the
        # rest of this role's run would only see 403s.
        ids = ids.exclude(user=user)
    return [str(pk) for pk in ids[:5]]


@pytest.fixture(scope="module")
def schema():
    return schemathesis.openapi.from_path(str(SCHEMA_PATH))


def fuzz(operation, *, ids: list[str], base_url: str, http: requests.Session) -> None:
    @hypothesis.given(case=operation.as_strategy(), pick=st.integers(0, 2))
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        # No shrinking: a failure's report already shows the request and the
        # response, and shrinking would replay it against a mutated database.
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case, pick):
        if ids and pick and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = ids[(pick - 1) % len(ids)]
        case.call_and_validate(base_url=base_url, session=http, checks=CHECKS)

    run()


@pytest.mark.parametrize("role", ROLES)
def test_api_answers_by_its_schema(role, schema, live_server, transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = World.build()
    user = None if role == "anonymous" else getattr(world, role)
    http = signed_in_session(user)
    started = time.monotonic()

    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        ids = known_ids(operation.path, user)
        try:
            fuzz(operation, ids=ids, base_url=live_server.url, http=http)
        except (Exception, BaseExceptionGroup) as error:  # run every operation, report all
            failures.append(f"{operation.label}:\n{error}")

    print(f"\n{role}: {time.monotonic() - started:.1f} s")
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
