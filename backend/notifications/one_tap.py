"""One-tap replies from a message: "I'll come", "I can't come — free my place",
"Yes, I'll take the place". The link works without signing in.

A token is the booking's id, one purpose letter and a keyed signature
(SECRET_KEY, its own salt), 40 characters, short enough for an SMS:

    /r/<22 chars: booking id><1 char: purpose><16 chars: signature>
    (a dot between id and purpose for readability)

One purpose per token: a "come" link cannot cancel. It expires with the session
(no use once the session has started or is cancelled) and is useless once used:
a cancelled booking cannot be cancelled again, an accepted offer not accepted
again, and "I'll come" is recorded once. The link page asks before it acts
(GET only describes, POST acts), because mail scanners and SMS previews open links.
"""

from __future__ import annotations

import base64
import hmac
import uuid

from django.conf import settings
from django.utils.crypto import salted_hmac

PURPOSES = {"c": "come", "x": "cancel", "a": "accept"}
CODES = {name: letter for letter, name in PURPOSES.items()}
_SALT = "harbour.one-tap-reply"


class BadToken(Exception):
    pass


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _sign(body: str) -> str:
    return _b64(salted_hmac(_SALT, body, algorithm="sha256").digest()[:12])


def reply_token_make(*, booking_id, purpose: str) -> str:
    body = f"{_b64(uuid.UUID(str(booking_id)).bytes)}.{CODES[purpose]}"
    return f"{body}{_sign(body)}"


def reply_token_read(token: str) -> tuple[uuid.UUID, str]:
    """(booking id, purpose) of a genuine token, else BadToken."""
    if not isinstance(token, str) or len(token) != 40 or token[22] != ".":
        raise BadToken
    body, signature = token[:24], token[24:]
    if not hmac.compare_digest(_sign(body), signature):
        raise BadToken
    try:
        booking_id = uuid.UUID(bytes=base64.urlsafe_b64decode(body[:22] + "=="))
    except ValueError:
        raise BadToken from None
    if body[23] not in PURPOSES:
        raise BadToken
    return booking_id, PURPOSES[body[23]]


def reply_url(*, booking_id, purpose: str) -> str:
    token = reply_token_make(booking_id=booking_id, purpose=purpose)
    return f"{settings.HARBOUR_SITE_URL.rstrip('/')}/r/{token}"


def reply_links(booking) -> dict[str, str]:
    """What a message about this booking may end with: its one-tap links and the app."""
    return {
        "come_link": reply_url(booking_id=booking.pk, purpose="come"),
        "cancel_link": reply_url(booking_id=booking.pk, purpose="cancel"),
        "accept_link": reply_url(booking_id=booking.pk, purpose="accept"),
        "app_link": settings.HARBOUR_SITE_URL.rstrip("/") + "/",
    }
