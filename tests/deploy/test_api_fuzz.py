"""Schemathesis against the live server, as each role: every operation of the
COMMITTED api_schema/openapi.yaml gets a few generated requests, and every
answer must be no 5xx, a documented status code, a documented content type,
and a body that matches the documented schema.

Each role gets a fresh database and World (the test is parametrised), so a
role that erases or merges people cannot spoil the next role's run. Generated
ids are random UUIDs (a 404, or a 400 naming the field); most valid examples
swap in ids (and usernames) of real objects the World holds, in the path, the
body and the query, so the handlers behind those refusals run too.
Runs are derandomised: a failure reproduces with the same examples."""

from __future__ import annotations

import time
from pathlib import Path

import hypothesis
import pytest
import requests
import schemathesis
from django.conf import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.access.models import AccessRequest, Space
from backend.accounts.models import Participant, User
from backend.bookings.models import ActivityQueueEntry, Booking
from backend.feeds.models import Follow
from backend.organisations.models import Organisation, Room, Venue
from backend.timetable.models import Activity, Session
from tests.conftest import session_and_csrf
from tests.factories import World

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "api_schema" / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation per role: valid requests (by the schema) and invalid
# ones (a wrong type, a missing field...), which must be refused with a
# documented 4xx. 51 operations x 7 roles keeps the test near a minute on
# SQLite; CI runs it on both databases.
MAX_EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 2}

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
    # Django's test server answers a kept-alive connection ~50 ms late (its
    # small writes meet delayed ACKs); a fresh connection a request is 7x faster.
    http.headers["Connection"] = "close"
    if user is None:
        return http
    session_key, csrf = session_and_csrf(user)
    http.cookies.set(settings.SESSION_COOKIE_NAME, session_key)
    http.cookies.set(settings.CSRF_COOKIE_NAME, csrf)
    http.headers["X-CSRFToken"] = csrf
    return http


# Which objects a request body's or query's field names, by the field's name.
FIELD_SOURCES = {
    "activity": (Activity, "pk"),
    "organisation": (Organisation, "pk"),
    "other": (Participant, "pk"),
    "participant": (Participant, "pk"),
    "room": (Room, "pk"),
    "session": (Session, "pk"),
    "space": (Space, "pk"),
    "venue": (Venue, "pk"),
    "username": (User, "username"),
}


def real_values(model, field: str, user) -> list[str]:
    values = model.objects.order_by("pk")
    if model is Participant and user is not None:
        # Erasing or merging away the signed-in person closes her sign-in: the
        # rest of this role's run would only see 403s.
        values = values.exclude(user=user)
    return [str(value) for value in values.values_list(field, flat=True)[:5]]


def known_values(path: str, user) -> dict[str, list[str]]:
    """Real values for the path's {id} and for fields that name objects."""
    values = {name: real_values(*source, user) for name, source in FIELD_SOURCES.items()}
    segment = path.removeprefix("/api/v1/").split("/", 1)[0]
    if segment in ID_SOURCES:
        values["{id}"] = real_values(ID_SOURCES[segment], "pk", user)
    return values


def use_real_values(case, values: dict[str, list[str]], pick: int) -> None:
    """Swap generated values for real ones (pick 0 keeps the generated case)."""
    if not pick:
        return
    if values.get("{id}") and "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = values["{id}"][(pick - 1) % len(values["{id}"])]
    for container in (case.body, case.query):
        if not isinstance(container, dict):
            continue
        for name in container.keys() & values.keys():
            if values[name]:
                container[name] = values[name][pick % len(values[name])]


@pytest.fixture(scope="module")
def schema():
    loaded = schemathesis.openapi.from_path(str(SCHEMA_PATH))
    # The schema declares the `sessionid` cookie; left on, schemathesis would
    # generate one and replace the role's own, and every role would be anonymous.
    loaded.config.generation.update(with_security_parameters=False)
    return loaded


def fuzz(
    operation,
    mode: GenerationMode,
    *,
    values: dict[str, list[str]],
    base_url: str,
    http: requests.Session,
) -> None:
    @hypothesis.given(
        case=operation.as_strategy(generation_mode=mode), pick=st.sampled_from((1, 2, 3, 0))
    )
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES[mode],
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        # No shrinking: a failure's report already shows the request and the
        # response, and shrinking would replay it against a mutated database.
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case, pick):
        if mode is GenerationMode.POSITIVE:
            use_real_values(case, values, pick)
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
        values = known_values(operation.path, user)
        for mode in GenerationMode:
            try:
                fuzz(operation, mode, values=values, base_url=live_server.url, http=http)
            except hypothesis.errors.Unsatisfiable:
                # No input at all (e.g. GET languages/): nothing to make invalid.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as error:  # run all operations, report all
                failures.append(f"{operation.label} ({mode.value} data):\n{error}")

    print(f"\n{role}: {time.monotonic() - started:.1f} s")
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
