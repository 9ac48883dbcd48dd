"""Getting back in: the secret she chooses with her first code, then her name or
phone number and that secret (django-axes rules), reset by a new code."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from backend.accounts import services
from backend.accounts.models import SignInCode
from backend.people import services as people_services
from tests.conftest import client_for

CODE = "/api/v1/auth/sign-in-code/"
SECRET = "/api/v1/auth/sign-in-secret/"


@pytest.fixture
def hana(world):
    return people_services.learner_account_create(
        actor=world.coordinator,
        known_as="Hana Karimi",
        phone="07700 900123",
        organisation=world.org,
    )


def new_code(world, participant) -> str:
    response = client_for(world.coordinator).post(
        f"/api/v1/participants/{participant.pk}/sign-in-code/"
    )
    assert response.status_code == 201, response.content
    return response.json()["sign_in_code"]


def with_secret(who, secret, client=None):
    return (client or APIClient()).post(
        SECRET, {"name_or_phone": who, "secret": secret}, format="json"
    )


def test_a_code_alone_asks_her_to_choose_a_secret_and_keeps_the_code(world, hana):
    code = new_code(world, hana)
    first = APIClient().post(CODE, {"code": code}, format="json")
    assert first.status_code == 400
    assert first.json()["code"] == "secret_required"
    assert SignInCode.objects.get(user=hana.user).used_at is None  # not used up
    weak = APIClient().post(CODE, {"code": code, "secret": "123456"}, format="json")
    assert weak.json()["code"] == "secret_too_weak"
    assert SignInCode.objects.get(user=hana.user).used_at is None
    client = APIClient()
    ok = client.post(CODE, {"code": code, "secret": "274918"}, format="json")
    assert ok.status_code == 200, ok.content
    assert client.get("/api/v1/me/").json()["known_as"] == "Hana Karimi"
    hana.user.refresh_from_db()
    assert hana.user.sign_in_secret and "274918" not in hana.user.sign_in_secret
    assert not hana.user.has_usable_password()  # a secret is not a password


@pytest.mark.parametrize(
    "secret, ok",
    [
        ("274918", True),
        ("۲۷۴۹۱۸", True),  # Persian digits
        ("27491", False),
        ("111111", False),
        ("123456", False),
        ("987654", False),
        ("blue tea", True),
        ("شاي أزرق", True),
        ("aaaaaaaaaa", False),
        ("short", False),
    ],
)
def test_what_counts_as_a_secret(secret, ok):
    if ok:
        assert services.sign_in_secret_clean(secret)
    else:
        with pytest.raises(services.ApplicationError) as raised:
            services.sign_in_secret_clean(secret)
        assert raised.value.code == "secret_too_weak"


def test_after_a_quick_exit_she_gets_back_in_with_name_or_phone(world, hana):
    code = new_code(world, hana)
    phone = APIClient()
    assert phone.post(CODE, {"code": code, "secret": "274918"}, format="json").status_code == 200
    assert phone.post("/api/v1/auth/sign-out/").status_code == 204  # the quick exit
    assert phone.get("/api/v1/me/").status_code == 403
    for who in ("Hana Karimi", "  hana   KARIMI ", "07700900123", "+44 7700 900 123"):
        client = APIClient()
        response = with_secret(who, "274918", client)
        assert response.status_code == 200, (who, response.content)
        assert client.get("/api/v1/me/").json()["username"] == hana.user.username
    # Typed on a Persian keyboard.
    assert with_secret("Hana Karimi", "۲۷۴۹۱۸").status_code == 200


def test_wrong_secret_and_unknown_name_get_the_same_answer(world, hana):
    services.user_sign_in_secret_set(user=hana.user, secret="274918")
    wrong = with_secret("Hana Karimi", "274910")
    unknown = with_secret("Nobody Here", "274918")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "sign_in_secret_failed"


def test_staff_passwords_are_not_secrets_and_secrets_are_not_passwords(world, hana):
    services.user_sign_in_secret_set(user=hana.user, secret="274918")
    as_password = APIClient().post(
        "/api/v1/auth/sign-in/",
        {"username": hana.user.username, "password": "274918"},
        format="json",
    )
    assert as_password.status_code == 400
    staff = world.coordinator
    assert with_secret(staff.username, "pw-for-tests").status_code == 400


def test_five_wrong_secrets_lock_her_name_whatever_the_spelling(world, hana):
    services.user_sign_in_secret_set(user=hana.user, secret="274918")
    client = APIClient()
    spellings = ["Hana Karimi", "hana karimi", "HANA KARIMI", " Hana  Karimi", "hana Karimi"]
    statuses = [with_secret(who, "000001", client).status_code for who in spellings]
    assert statuses == [400, 400, 400, 400, 429]
    locked = with_secret("Hana Karimi", "274918", client)
    assert locked.status_code == 429
    assert locked.json()["code"] == "signed_in_too_often"
    assert client.get("/api/v1/me/").status_code == 403
    # Another address is not locked out (the same rule as passwords).
    assert (
        with_secret("Hana Karimi", "274918", APIClient(REMOTE_ADDR="10.0.0.9")).status_code == 200
    )


def test_a_success_clears_her_earlier_failures(world, hana):
    services.user_sign_in_secret_set(user=hana.user, secret="274918")
    client = APIClient()
    for _ in range(4):
        assert with_secret("hana karimi", "000001", client).status_code == 400
    assert with_secret("Hana Karimi", "274918", client).status_code == 200
    for _ in range(4):
        assert with_secret("Hana Karimi", "000001", client).status_code == 400
    assert with_secret("Hana Karimi", "274918", client).status_code == 200


def test_a_new_code_resets_her_secret_and_ends_her_sessions(world, hana):
    code = new_code(world, hana)
    taken_phone = APIClient()
    taken_phone.post(CODE, {"code": code, "secret": "274918"}, format="json")
    assert taken_phone.get("/api/v1/me/").status_code == 200
    fresh = new_code(world, hana)  # she asks a coordinator
    assert with_secret("Hana Karimi", "274918").status_code == 400
    assert taken_phone.get("/api/v1/me/").status_code == 403
    client = APIClient()
    assert (
        client.post(CODE, {"code": fresh, "secret": "blue tea kettle"}, format="json").status_code
        == 200
    )
    assert with_secret("07700 900123", "blue tea kettle").status_code == 200


def test_two_people_of_one_name_each_get_in_with_their_own_secret(world, hana):
    other = people_services.learner_account_create(
        actor=world.coordinator, known_as="Hana Karimi", organisation=world.org
    )
    services.user_sign_in_secret_set(user=hana.user, secret="274918")
    services.user_sign_in_secret_set(user=other.user, secret="583027")
    mine, theirs = APIClient(), APIClient()
    assert with_secret("Hana Karimi", "274918", mine).status_code == 200
    assert with_secret("Hana Karimi", "583027", theirs).status_code == 200
    assert mine.get("/api/v1/me/").json()["id"] == str(hana.user.pk)
    assert theirs.get("/api/v1/me/").json()["id"] == str(other.user.pk)


def test_an_erased_person_cannot_sign_in_with_her_secret(world, hana):
    services.user_sign_in_secret_set(user=hana.user, secret="274918")
    people_services.participant_erase(actor=world.coordinator, participant=hana)
    assert with_secret("07700 900123", "274918").status_code == 400


def test_sign_in_with_a_secret_needs_the_csrf_token(world, hana):
    services.user_sign_in_secret_set(user=hana.user, secret="274918")
    client = APIClient(enforce_csrf_checks=True)
    client.get("/")
    refused = with_secret("Hana Karimi", "274918", client)
    assert refused.json()["code"] == "csrf_failed"
