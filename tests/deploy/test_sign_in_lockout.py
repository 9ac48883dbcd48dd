"""Sign-in locks out brute force (django-axes, stored in the shared database)."""

from django.test import Client

from tests.factories import UserFactory


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(db):
    UserFactory(username="nadia", is_staff=True, password="right-password-123")
    client = Client()
    for _ in range(4):
        wrong = client.post("/admin/login/", {"username": "nadia", "password": "guess"})
        assert wrong.status_code == 200  # the form again, with an error
    fifth = client.post("/admin/login/", {"username": "nadia", "password": "guess"})
    assert fifth.status_code == 429
    locked = client.post("/admin/login/", {"username": "nadia", "password": "right-password-123"})
    assert locked.status_code == 429
    other = Client().post("/admin/login/", {"username": "someone", "password": "guess"})
    assert other.status_code == 200  # only that username (from that address) is locked


def test_a_correct_password_signs_in_before_the_limit(db):
    UserFactory(username="sam", is_staff=True, password="right-password-123")
    client = Client()
    client.post("/admin/login/", {"username": "sam", "password": "guess"})
    ok = client.post("/admin/login/", {"username": "sam", "password": "right-password-123"})
    assert ok.status_code == 302
