"""The custom user (email is optional: many learners have none), the participant
record behind everyone who books or attends, and one-time sign-in codes."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

from backend.common.languages import language_choices


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    known_as = models.CharField(
        max_length=100, blank=True, help_text="The name the person wants to be called."
    )
    preferred_language = models.CharField(max_length=10, choices=language_choices, default="en")
    # A learner's own secret (6+ digits or a passphrase), chosen when she first
    # uses a sign-in code; a keyed hash like a password, but kept apart from
    # `password` so that it is only ever accepted with her name or phone number
    # (accounts/backends.py) and a coordinator can still reset it with a code.
    sign_in_secret = models.CharField(max_length=128, blank=True, db_default="")
    sign_in_secret_set_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.known_as or self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django's hash, with her secret folded in: when a coordinator resets it
        # (a new code), every session signed in with the old one ends, e.g. on a
        # phone someone else took. Unchanged for everyone without a secret.
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            self.password + self.sign_in_secret,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Participant(models.Model):
    """Everyone who books or attends, with or without a login (walk-ins).

    Deliberately minimal: no nationality, religion, immigration status or date
    of birth. Charities do not need them to run a class, and every extra field
    is a risk to people who may be fleeing persecution."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participant",
    )
    known_as = models.CharField(max_length=100)
    # Her name as she writes it (Arabic, Persian, Tigrinya...), for what she is
    # given to keep, such as an attendance certificate. Optional.
    name_own_script = models.CharField(max_length=100, blank=True, default="", db_default="")
    phone = models.CharField(max_length=40, blank=True)
    preferred_language = models.CharField(max_length=10, choices=language_choices, default="en")
    email = models.EmailField(blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="Language codes she speaks.")
    first_seen = models.DateField(null=True, blank=True, help_text="Date of her first attendance.")
    organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="registered_participants"
    )
    # Registered at a protected space (its register or a login it made): only its
    # staff with the grant may see her until she appears somewhere visible. The
    # organisations above are recorded for public contexts only (see
    # access/policy.py, visible_participants).
    registered_in_space = models.ForeignKey(
        "access.Space", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.known_as


class SignInCode(models.Model):
    """A one-time code a coordinator gives a learner who has no email or
    password. Only a keyed hash is stored (the code is shown once); it is used
    once, expires, and issuing a new one revokes the older unused ones."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at", "revoked_at"], name="sign_in_code_open")]

    def __str__(self) -> str:
        return f"sign-in code for {self.user_id}"
