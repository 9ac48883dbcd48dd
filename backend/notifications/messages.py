"""Message texts by kind. Written with gettext so each is sent in the person's
preferred language where a translation exists (English otherwise)."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "booking_confirmed": (
        _("Your place is booked: {activity}"),
        _(
            "You have a place at {activity} on {when} at {where}. "
            "Can't come? Free your place: {cancel_link}"
        ),
    ),
    "booking_waiting": (
        _("You are on the waiting list: {activity}"),
        _(
            "{activity} on {when} is full. You are number {position} on the waiting list. "
            "If a place frees up we send you a message. To leave the list: {cancel_link}"
        ),
    ),
    "place_offered": (
        _("A place is free for you: {activity}"),
        _(
            "A place at {activity} on {when} is yours if you accept it by {expires}. "
            "Take it: {accept_link}"
        ),
    ),
    "offer_expired": (
        _("Your offer has expired: {activity}"),
        _(
            "The place at {activity} on {when} was held for you but not accepted in time. "
            "Harbour: {app_link}"
        ),
    ),
    "booking_cancelled": (
        _("Booking cancelled: {activity}"),
        _("Your booking for {activity} on {when} is cancelled. Harbour: {app_link}"),
    ),
    "session_cancelled": (
        _("Cancelled: {activity}"),
        _("{activity} on {when} is cancelled: {reason} Harbour: {app_link}"),
    ),
    "session_reminder": (
        _("Reminder: {activity} {when}"),
        _(
            "{activity} is on {when} at {where}. I'll come: {come_link} "
            "I can't come, free my place: {cancel_link}"
        ),
    ),
    # For a session in a protected space: a shared phone may show it, so it
    # names neither the activity nor the place (figures' discreet wording).
    "session_reminder_discreet": (
        _("Reminder: {when}"),
        _("You have a place on {when}. I'll come: {come_link} I can't come: {cancel_link}"),
    ),
}
