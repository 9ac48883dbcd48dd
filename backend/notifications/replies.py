"""What a one-tap link does (one_tap.py makes and reads the tokens): describe
the booking it is about, and act once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backend.bookings import services as booking_services
from backend.bookings.models import ACTIVE, Booking, BookingEvent
from backend.common.errors import ApplicationError
from backend.common.translations import translated
from backend.timetable.models import Session

from .one_tap import BadToken, reply_token_read

COMING = "reply_coming"


def _invalid() -> ApplicationError:
    # Tampered, made up, or about a booking that no longer exists: one answer.
    return ApplicationError(
        "reply_link_invalid",
        "This link does not work. Open Harbour to see your bookings.",
        status_code=404,
    )


def _booking(token: str) -> tuple[Booking, str]:
    try:
        booking_id, purpose = reply_token_read(token)
    except BadToken:
        raise _invalid() from None
    booking = (
        Booking.objects.select_related("session__activity", "session__room__venue", "participant")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise _invalid()
    return booking, purpose


def _state(booking: Booking, purpose: str) -> str:
    session = booking.session
    if session.status == Session.Status.CANCELLED or session.start <= timezone.now():
        return "expired"  # a link lives as long as its session
    if purpose == "cancel":
        return "ready" if booking.status in ACTIVE else "done"
    if purpose == "accept":
        if booking.status == Booking.Status.CONFIRMED:
            return "done"
        offered = booking.status == Booking.Status.OFFERED
        return "ready" if offered and booking.offer_expires_at > timezone.now() else "expired"
    if booking.status != Booking.Status.CONFIRMED:
        return "expired"
    return (
        "done" if BookingEvent.objects.filter(booking=booking, action=COMING).exists() else "ready"
    )


def reply_describe(*, token: str) -> dict:
    """What the link page shows. A session in a protected space is described
    by its time alone: the page may be opened on a shared phone."""
    booking, purpose = _booking(token)
    session = booking.session
    discreet = session.activity.space_id is not None
    return {
        "purpose": purpose,
        "state": _state(booking, purpose),
        "start": session.start,
        "end": session.end,
        # In the page's language (hers, from /r/), else the original.
        "activity": None if discreet else translated(session.activity, "title"),
        "venue": None if discreet else translated(session.room.venue, "name"),
        "language": booking.participant.preferred_language,
    }


@transaction.atomic
def reply_use(*, token: str) -> dict:
    """Do what the link is for, once; a second use is refused (nothing changes)."""
    booking, purpose = _booking(token)
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    state = _state(booking, purpose)
    if state == "done":
        raise ApplicationError(
            "reply_link_used", "This link has been used already.", status_code=409
        )
    if state == "expired":
        raise ApplicationError(
            "reply_link_expired",
            "This link has expired: the session has started, is cancelled, or the offer has ended.",
            status_code=410,
        )
    actor = booking.participant.user
    if purpose == "cancel":
        booking_services.booking_cancel(
            actor=actor, booking=booking, note="one-tap link", by_link=True
        )
    elif purpose == "accept":
        booking_services.offer_accept(actor=actor, booking=booking, by_link=True)
    else:
        BookingEvent.objects.create(
            action=COMING, actor=actor, booking=booking, note="one-tap link"
        )
    return reply_describe(token=token)
