"""Writes for people: the participant record behind a login, her language,
one-time sign-in codes, and the secret she chooses with her first code."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta
from itertools import pairwise

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
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
        # request.user is a lazy wrapper: name the model, not type(user).
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
    # A new code is how a coordinator resets her secret: the old one stops
    # working now (and so do sessions signed in with it), not when she uses the code.
    get_user_model().objects.filter(pk=user.pk).update(
        sign_in_secret="", sign_in_secret_set_at=None
    )
    user.sign_in_secret = ""
    user.sign_in_secret_set_at = None
    return row, sign_in_code_format(cleaned)


def _code_invalid() -> ApplicationError:
    # One answer for unknown, expired, used and revoked codes: nothing is learned.
    return ApplicationError(
        "sign_in_code_invalid",
        "That code does not work. Check it, or ask for a new one.",
        fields={"code": ["That code does not work."]},
    )


def _open_codes(cleaned: str):
    return SignInCode.objects.filter(
        code_hash=_code_hash(cleaned),
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        user__is_active=True,
    )


@transaction.atomic
def sign_in_code_consume(*, code: str, secret: str | None = None):
    """The user a valid code belongs to, once she has chosen her secret.

    Without `secret` a valid code is left unused and `secret_required` is
    raised, so the app can ask her to choose one; with it, the code is used up
    and her secret set in the same step (she is never left with a used code
    and no way back in)."""
    cleaned = sign_in_code_normalise(code)
    if cleaned is None:
        raise _code_invalid()
    open_code = _open_codes(cleaned)
    row = open_code.select_related("user").first()
    if row is None:
        raise _code_invalid()
    if secret is None or secret == "":
        raise ApplicationError(
            "secret_required",
            "Choose a secret you can remember, to sign in again later.",
            fields={"secret": ["Choose a secret."]},
        )
    clean_secret = sign_in_secret_clean(secret)
    # A conditional UPDATE: of two simultaneous uses of one code, one wins.
    if open_code.filter(pk=row.pk).update(used_at=timezone.now()) != 1:
        raise _code_invalid()
    user_sign_in_secret_set(user=row.user, secret=clean_secret)
    return row.user


# --- her own secret -----------------------------------------------------------------------
# After a quick exit, or on a new phone, she signs in again with her name or phone
# number and a secret she chose: at least 6 digits, or a phrase. Guessing is held
# back by django-axes (5 failures per name-or-phone and address, then an hour)
# and the per-address throttle. See docs/learners.md for the threat model.

SECRET_MIN_DIGITS = 6
SECRET_MIN_PHRASE = 8
# Persian and Arabic keyboards type their own digits: ۱۲۳ and ١٢٣ are 123.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def sign_in_text_normalise(text: str) -> str:
    """One spelling for what she types: NFKC, Western digits, single spaces."""
    text = unicodedata.normalize("NFKC", text or "").translate(_DIGITS)
    return " ".join(text.split())


def _too_simple(digits: str) -> bool:
    if len(set(digits)) == 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(digits)}
    return steps in ({1}, {9})  # 123456, 987654, 890123...


def sign_in_secret_clean(secret: str) -> str:
    """Her secret as it is hashed, or `secret_too_weak`."""
    cleaned = sign_in_text_normalise(secret)
    compact = cleaned.replace(" ", "")
    if compact.isdigit() and compact.isascii():
        ok = len(compact) >= SECRET_MIN_DIGITS and not _too_simple(compact)
        cleaned = compact
    else:
        ok = len(cleaned) >= SECRET_MIN_PHRASE and len(set(compact)) > 2
    if not ok or len(cleaned) > 200:
        raise ApplicationError(
            "secret_too_weak",
            "Choose at least 6 digits (not 123456 or 111111), or a phrase of at least 8 letters.",
            fields={"secret": ["Choose at least 6 digits, or a phrase of at least 8 letters."]},
        )
    return cleaned


def user_sign_in_secret_set(*, user, secret: str) -> None:
    """Store her (already cleaned) secret as a keyed, slow hash."""
    now = timezone.now()
    encoded = make_password(secret)
    get_user_model().objects.filter(pk=user.pk).update(
        sign_in_secret=encoded, sign_in_secret_set_at=now
    )
    user.sign_in_secret = encoded
    user.sign_in_secret_set_at = now


def sign_in_identifier_key(identifier: str) -> str:
    """What counts as "the same person" for lockouts and look-ups: a phone
    number by its last 9 digits (07700 900123 = +44 7700 900123), a name
    without case or extra spaces."""
    text = sign_in_text_normalise(identifier)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 7 and all(ch.isdigit() or ch in "+-(). " for ch in text):
        return "tel:" + digits[-9:]
    return "name:" + text.casefold()


def sign_in_secret_candidates(*, key: str):
    """Logins that may be signed in to with a secret and this name or phone."""
    kind, _, value = key.partition(":")
    people = Participant.objects.filter(
        user__isnull=False, erased_at__isnull=True, merged_into__isnull=True
    )
    if kind == "tel":
        pattern = r"\D*".join(value) + r"\D*$"
        people = people.filter(phone__regex=pattern)
    else:
        people = people.filter(known_as__iexact=value)
    return (
        get_user_model()
        .objects.filter(
            pk__in=people.values("user_id"),
            is_active=True,
            is_staff=False,
            is_superuser=False,
        )
        .exclude(sign_in_secret="")[:10]
    )
