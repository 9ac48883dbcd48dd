"""Signing in with her name or phone number and the secret she chose.

A Django authentication backend, so that django-axes sees every attempt (its
backend runs first and refuses while locked out; a failure is counted from
`user_login_failed`). Called as authenticate(request, name_or_phone=..., secret=...):
other backends ignore those keywords, and a secret is never a password."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, make_password

from . import services


class LearnerSecretBackend(ModelBackend):
    def authenticate(self, request, name_or_phone=None, secret=None, **kwargs):
        if not name_or_phone or not secret:
            return None
        key = services.sign_in_identifier_key(name_or_phone)
        cleaned = services.sign_in_text_normalise(secret)
        if cleaned.replace(" ", "").isdigit():
            cleaned = cleaned.replace(" ", "")
        candidates = list(services.sign_in_secret_candidates(key=key))
        if not candidates:
            # As much work as a wrong secret, so the time taken does not say
            # whether anyone of that name or number has an account.
            make_password(cleaned)
            return None
        matches = [user for user in candidates if check_password(cleaned, user.sign_in_secret)]
        # Two people of one name with one secret: neither is let in by name
        # (her phone number still works); nothing tells either of the other.
        if len(matches) != 1 or not self.user_can_authenticate(matches[0]):
            return None
        return matches[0]


def axes_username(request, credentials) -> str | None:
    """The name axes counts failures under (AXES_USERNAME_CALLABLE): for a
    secret, her name or number in one spelling ("Fatima", "fatima " and
    "FATIMA" are one lockout); for a password, the username as typed."""
    if credentials and credentials.get("name_or_phone"):
        return services.sign_in_identifier_key(credentials["name_or_phone"])
    key = getattr(request, "harbour_sign_in_key", None)
    if key:
        return key
    if credentials:
        return credentials.get("username")
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return data.get("username")
