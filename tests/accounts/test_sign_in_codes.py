"""Learner logins made by coordinators, and one-time sign-in codes."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Participant, SignInCode
from backend.people import services as people_services
from backend.registers.models import ParticipantEvent
from tests.conftest import client_for

ACCOUNTS = "/api/v1/learner-accounts/"
CONSUME = "/api/v1/auth/sign-in-code/"
CODE_SHAPE = re.compile(
    r"^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}$"
)


def issue_url(participant_id) -> str:
    return f"/api/v1/participants/{participant_id}/sign-in-code/"


@pytest.fixture
def hana(world):
    """A learner without email or password, registered by the organisation."""
    return people_services.learner_account_create(
        actor=world.coordinator, known_as="Hana", organisation=world.org
    )


def issue(world, participant, actor=None):
    response = client_for(actor or world.coordinator).post(issue_url(participant.pk))
    assert response.status_code == 201, response.content
    return response.json()


SECRET = "274918"


def consume(code, client=None, secret=SECRET):
    """Her first sign-in with a code, choosing her secret in the same step."""
    return (client or APIClient()).post(CONSUME, {"code": code, "secret": secret}, format="json")


def test_a_coordinator_makes_a_login_she_can_see(world):
    response = client_for(world.coordinator).post(
        ACCOUNTS,
        {"known_as": " Hana ", "phone": "07700 900123", "preferred_language": "ar",
         "organisation": str(world.org.pk)},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["known_as"] == "Hana"
    assert body["preferred_language"] == "ar"
    assert body["username"].startswith("learner-")
    participant = Participant.objects.get(pk=body["id"])
    assert not participant.user.has_usable_password()
    assert participant.user.email == ""
    assert participant.user.preferred_language == "ar"
    seen = client_for(world.coordinator).get(f"/api/v1/participants/{body['id']}/")
    assert seen.status_code == 200
    assert ParticipantEvent.objects.filter(
        participant=participant, actor=world.coordinator, action="account_created"
    ).exists()


def test_a_space_coordinator_registers_her_in_the_space_only(world):
    response = client_for(world.space_coordinator).post(
        ACCOUNTS, {"known_as": "Mina", "space": str(world.space.pk)}, format="json"
    )
    assert response.status_code == 201, response.content
    person = response.json()["id"]
    assert (
        client_for(world.space_coordinator).get(f"/api/v1/participants/{person}/").status_code
        == 200
    )
    # The organisation's coordinator has no grant: she does not exist for him.
    assert client_for(world.coordinator).get(f"/api/v1/participants/{person}/").status_code == 404
    hidden = client_for(world.coordinator).post(issue_url(person))
    unknown = client_for(world.coordinator).post(issue_url(uuid.uuid4()))
    assert (hidden.status_code, hidden.content) == (404, unknown.content)


def test_only_coordinators_of_that_organisation_make_logins(world):
    assert (
        client_for(world.tutor_elsewhere)
        .post(ACCOUNTS, {"known_as": "X", "organisation": str(world.org.pk)}, format="json")
        .status_code
        == 403
    )
    other = client_for(world.other_coordinator).post(
        ACCOUNTS, {"known_as": "X", "organisation": str(world.org.pk)}, format="json"
    )
    assert other.status_code == 403
    hidden_space = client_for(world.coordinator).post(
        ACCOUNTS, {"known_as": "X", "space": str(world.space.pk)}, format="json"
    )
    assert hidden_space.status_code == 400
    assert hidden_space.json()["fields"] == {"space": ["Not found."]}


def test_issue_returns_the_code_once_with_link_and_qr(world, hana):
    body = issue(world, hana)
    code = body["sign_in_code"]
    assert CODE_SHAPE.match(code)
    assert body["sign_in_url"] == f"http://testserver/#/code/{code}"
    assert body["username"] == hana.user.username
    svg = body["qr_svg"]
    assert svg.lstrip().startswith("<svg")
    assert "<script" not in svg.lower()
    assert "href" not in svg.lower()
    assert "url(" not in svg.lower()
    row = SignInCode.objects.get(user=hana.user)
    assert code not in row.code_hash and code.replace("-", "") not in row.code_hash
    assert row.issued_by == world.coordinator
    assert abs(row.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    event = ParticipantEvent.objects.get(participant=hana, action="sign_in_code_issued")
    assert event.actor == world.coordinator


def test_expiry_follows_the_setting(world, hana, settings):
    settings.HARBOUR_SIGN_IN_CODE_DAYS = 2
    issue(world, hana)
    row = SignInCode.objects.get(user=hana.user)
    assert abs(row.expires_at - (timezone.now() + timedelta(days=2))) < timedelta(minutes=1)


def test_a_code_signs_her_in_once_whatever_the_case_and_spacing(world, hana):
    code = issue(world, hana)["sign_in_code"]
    client = APIClient()
    typed = code.lower().replace("-", " ")
    response = consume(typed, client)
    assert response.status_code == 200, response.content
    assert response.json()["username"] == hana.user.username
    assert client.get("/api/v1/me/").status_code == 200
    again = consume(code)
    assert again.status_code == 400
    assert again.json()["code"] == "sign_in_code_invalid"


def test_unknown_used_expired_and_revoked_codes_look_the_same(world, hana):
    first = issue(world, hana)["sign_in_code"]
    second = issue(world, hana)["sign_in_code"]  # revokes the first
    revoked = consume(first)
    unknown = consume("2345-6789" if first != "2345-6789" else "3456-789A")
    malformed = consume("hello")
    assert revoked.status_code == unknown.status_code == malformed.status_code == 400
    assert revoked.json() == unknown.json() == malformed.json()
    assert revoked.json()["code"] == "sign_in_code_invalid"
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        expired = consume(second)
    assert (expired.status_code, expired.json()) == (400, unknown.json())
    assert SignInCode.objects.filter(user=hana.user, used_at__isnull=False).count() == 0


def test_an_erased_login_cannot_use_its_code(world, hana):
    code = issue(world, hana)["sign_in_code"]
    people_services.participant_erase(actor=world.coordinator, participant=hana)
    assert consume(code).json()["code"] == "sign_in_code_invalid"


def test_guesses_are_throttled_per_address(world, settings):
    for _ in range(10):
        assert consume("ABCD-EFGH").status_code == 400
    throttled = consume("ABCD-EFGH")
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert set(throttled.json()) == {"code", "detail", "fields"}
    assert "Retry-After" in throttled
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert other.post(CONSUME, {"code": "ABCD-EFGH"}, format="json").status_code == 400


def test_a_walk_in_gets_a_login_with_her_first_code(world):
    walk_in = Participant.objects.create(known_as="Sara")
    walk_in.organisations.add(world.org)
    body = issue(world, walk_in)
    walk_in.refresh_from_db()
    assert walk_in.user is not None and not walk_in.user.has_usable_password()
    assert consume(body["sign_in_code"]).status_code == 200


def test_tutors_cannot_issue_codes(world, hana):
    response = client_for(world.tutor_elsewhere).post(issue_url(hana.pk))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_no_code_for_a_login_that_could_do_more_than_a_learner(world, hana):
    """A password or a staff role get one answer, which names neither. (A
    space's grant changes nothing here: tests/people/test_authority.py.)"""
    learner_with_password = Participant.objects.create(known_as="P", user=world.learner)
    learner_with_password.organisations.add(world.org)
    volunteer = people_services.learner_account_create(
        actor=world.coordinator, known_as="Layla", organisation=world.org
    )
    from backend.organisations.services import organisation_role_assign

    organisation_role_assign(organisation=world.other_org, user=volunteer.user, role="tutor")
    answers = [
        client_for(world.coordinator).post(issue_url(person.pk))
        for person in (learner_with_password, volunteer)
    ]
    assert {a.status_code for a in answers} == {403}
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["code"] == "sign_in_code_not_allowed"
    assert not SignInCode.objects.filter(user__in=[world.learner, volunteer.user]).exists()


def test_the_space_coordinator_may_issue_for_a_woman_in_her_space(world):
    mina = people_services.learner_account_create(
        actor=world.space_coordinator, known_as="Mina", space=world.space
    )
    from backend.access import services as access_services

    access_services.space_grant(actor=world.space_coordinator, space=world.space, user=mina.user)
    code = issue(world, mina, actor=world.space_coordinator)["sign_in_code"]
    client = APIClient()
    assert consume(code, client).status_code == 200
    assert [s["name"] for s in client.get("/api/v1/me/").json()["spaces"]] == ["Upbeat Women"]


def test_sign_in_with_a_code_needs_the_csrf_token(world, hana):
    code = issue(world, hana)["sign_in_code"]
    client = APIClient(enforce_csrf_checks=True)
    client.get("/")
    refused = client.post(CONSUME, {"code": code, "secret": SECRET}, format="json")
    assert refused.json()["code"] == "csrf_failed"
    ok = client.post(
        CONSUME,
        {"code": code, "secret": SECRET},
        format="json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert ok.status_code == 200
