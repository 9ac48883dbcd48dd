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
    "booking_overlaps": (
        _("Two places at once: {activity}"),
        _(
            "Your place at {activity} on {when} is at the same time as another of your "
            "places. Cancel the one you cannot go to, so someone else can have it: "
            "{cancel_link}"
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
    "session_reinstated": (
        _("On again: {activity}"),
        _(
            "{activity} on {when} is running after all. Your booking is unchanged. "
            "Can't come? Free your place: {cancel_link}"
        ),
    ),
    # Fair shares (docs/fair-shares.md): a no-show rule, lottery draws.
    "booking_needs_confirmation": (
        _("Your place is held: {activity}"),
        _(
            "Your place at {activity} on {when} is held for you, and a coordinator will "
            "confirm it: you missed several sessions recently without telling us. "
            "See your record in Harbour: {app_link}"
        ),
    ),
    "draw_drawn": (
        _("You were drawn: {activity}"),
        _("You were drawn for a place at {activity}. We will send you your place. {app_link}"),
    ),
    "draw_not_drawn": (
        _("Not drawn this time: {activity}"),
        _(
            "You were not drawn for {activity} this time. You stay on the list for the "
            "next draw. {app_link}"
        ),
    ),
    # A coordinator's own short text (bookings.services.session_message_send).
    "coordinator_message": (
        _("Message about {activity}"),
        _("About {activity} on {when}: {text} Harbour: {app_link}"),
    ),
}

# For women-only sessions, unless she chose the full wording: a text or email
# may be read on a shared phone, so it names no activity, room, venue or
# reason, only her own session's time.
DISCREET = {
    "booking_confirmed": (
        _("Your place is booked"),
        _("Your {when} session is confirmed. To cancel, open Harbour."),
    ),
    "booking_waiting": (
        _("You are on the waiting list"),
        _("Your {when} session is full. You are number {position} on the waiting list."),
    ),
    "place_offered": (
        _("A place is free for you"),
        _("A place at your {when} session is yours if you accept it by {expires}. Open Harbour."),
    ),
    "offer_expired": (
        _("Your offer has expired"),
        _("The place at the {when} session was held for you but not accepted in time."),
    ),
    "booking_cancelled": (
        _("Booking cancelled"),
        _("Your booking for the {when} session is cancelled."),
    ),
    "session_cancelled": (
        _("Session cancelled"),
        _("Your {when} session is cancelled. Open Harbour for details."),
    ),
    "booking_needs_confirmation": (
        _("Your place is held"),
        _("Your {when} place is held until a coordinator confirms it. Open Harbour."),
    ),
    "draw_drawn": (_("A message from Harbour"), _("You were drawn for a place. Open Harbour.")),
    "draw_not_drawn": (
        _("A message from Harbour"),
        _("You were not drawn this time; you stay on the list. Open Harbour."),
    ),
    # Her words are sent as written: the dialog asks her not to name the class.
    "coordinator_message": (
        _("A message from Harbour"),
        _("About your {when} session: {text} Open Harbour: {app_link}"),
    ),
}

# Any kind without its own discreet wording (a new kind is discreet from its first day).
DISCREET_FALLBACK = (
    _("A message from Harbour"),
    _("There is news about your {when} session. Open Harbour."),
)
