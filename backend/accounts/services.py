"""Writes for people: the participant record behind a login, her language,
and one-time sign-in codes."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from backend.common.errors import ApplicationError

from .models import Participant, SignInCode


def participant_for_user(*, user) -> Participant:
    """The user's participant record, created on first need (idempotent)."""
    existing = Participant.objects.filter(user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Participant.objects.create(
                user=user,
                known_as=str(user),
                email=user.email,
                preferred_language=user.preferred_language,
            )
    except IntegrityError:  # created by a concurrent request
        return Participant.objects.get(user=user)


def user_preferred_language_set(*, user, language: str) -> None:
    """Remember her language on her login and her participant record, so that
    messages sent to her (SMS, email) use it too."""
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(preferred_language=language)
        Participant.objects.filter(user=user).update(preferred_language=language)
    user.preferred_language = language


# --- one-time sign-in codes ---------------------------------------------------------------
# Many learners have no email, so a coordinator gives her a code on paper or as a
# QR code. 8 characters from 30 that cannot be mistaken for each other (no 0/O,
# 1/I/L, U): 30^8 ~ 6.6e11, guessed at most 10 a minute per address (throttle).

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8


def sign_in_code_normalise(code: str) -> str | None:
    """Upper-case, without hyphens and spaces; None if it cannot be a code."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch not in "- \t\r\n")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def sign_in_code_format(cleaned: str) -> str:
    return f"{cleaned[:4]}-{cleaned[4:]}"


def _code_hash(cleaned: str) -> str:
    # Keyed with SECRET_KEY: a copy of the database alone cannot be searched for
    # the ~6.6e11 possible codes.
    return salted_hmac("harbour.sign-in-code", cleaned, algorithm="sha256").hexdigest()


@transaction.atomic
def sign_in_code_create(*, user, issued_by) -> tuple[SignInCode, str]:
    """A new code for `user`, revoking her older unused ones. Returns the row and
    the plain code (formatted XXXX-XXXX), which is never stored."""
    now = timezone.now()
    SignInCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    while True:
        cleaned = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        code_hash = _code_hash(cleaned)
        if not SignInCode.objects.filter(code_hash=code_hash).exists():
            break
    row = SignInCode.objects.create(
        user=user,
        code_hash=code_hash,
        issued_by=issued_by,
        expires_at=now + timedelta(days=settings.HARBOUR_SIGN_IN_CODE_DAYS),
    )
    return row, sign_in_code_format(cleaned)


def _code_invalid() -> ApplicationError:
    # One answer for unknown, expired, used and revoked codes: nothing is learned.
    return ApplicationError(
        "sign_in_code_invalid",
        "That code does not work. Check it, or ask for a new one.",
        fields={"code": ["That code does not work."]},
    )


@transaction.atomic
def sign_in_code_consume(*, code: str):
    """The user a valid code belongs to; the code is used up in the same step."""
    cleaned = sign_in_code_normalise(code)
    if cleaned is None:
        raise _code_invalid()
    now = timezone.now()
    # A conditional UPDATE: of two simultaneous uses of one code, one wins.
    open_code = SignInCode.objects.filter(
        code_hash=_code_hash(cleaned),
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
        user__is_active=True,
    )
    row = open_code.select_related("user").first()
    if row is None or open_code.filter(pk=row.pk).update(used_at=now) != 1:
        raise _code_invalid()
    return row.user
