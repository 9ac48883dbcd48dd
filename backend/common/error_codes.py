"""Every stable error `code` the API can return, with a general English message.

The browser app translates an error from its `code`, never from `detail`
(which may carry names, numbers and dates in English). Convention:

    pgettext("error-code", body.code)

msgctxt "error-code", msgid = the code itself. Codes are stable, so rewording
an English message never orphans a translation; the English message below is
written into each catalogue as a translator's comment (`#.`) by
`manage.py catalogues extract`. When the lookup returns the code unchanged
(English, or a language with no translation yet) the app shows the server's
`detail`, which is English and the most specific message. A test fails when
the backend raises a code missing here, or a catalogue lacks a translation.
"""

ERROR_CONTEXT = "error-code"

ERROR_MESSAGES: dict[str, str] = {
    # Any endpoint (Django REST framework and the exception handler)
    "invalid": "Some fields are not valid.",
    "parse_error": "The request could not be read.",
    "not_found": "Not found.",
    "not_authenticated": "Please sign in first.",
    "authentication_failed": "Signing in did not work.",
    "permission_denied": "You are not allowed to do that.",
    "method_not_allowed": "That action is not possible here.",
    "not_acceptable": "The server cannot answer in the format asked for.",
    "unsupported_media_type": "The request was sent in a format the server does not accept.",
    "throttled": "Too many attempts. Please wait a minute and try again.",
    "error": "Something went wrong. Please try again.",
    "invalid_filter": "A filter value is not valid.",
    "invalid_date_range": "Those dates cannot be used together.",
    "date_out_of_range": "That date is too far in the past or the future.",
    "reason_required": "Please give a reason.",
    "bad_request": "The request could not be read.",
    "json_too_deep": "The request could not be read: it nests too deeply.",
    "request_too_large": "The request is too large.",
    "busy": "Many people are doing this right now. Please try again in a moment.",
    "service_unavailable": "The service is briefly unavailable. Please try again soon.",
    # Signing in
    "sign_in_failed": "That username and password do not match.",
    "signed_in_too_often": "Too many failed attempts. Try again in an hour, or ask a coordinator.",
    "sign_in_code_invalid": "That code does not work. Check it, or ask for a new one.",
    "sign_in_code_not_allowed": "You cannot give a sign-in code to this person.",
    "secret_required": "Choose a secret you can remember, to sign in again later.",
    "secret_too_weak": (
        "Choose at least 6 digits (not 123456 or 111111), or a phrase of at least 8 letters."
    ),
    "sign_in_secret_failed": "That name or phone number and secret do not match.",
    # One-tap replies from messages
    "reply_link_invalid": "This link does not work. Open Harbour to see your bookings.",
    "reply_link_used": "This link has been used already.",
    "reply_link_expired": (
        "This link has expired: the session has started, is cancelled, or the offer has ended."
    ),
    "csrf_failed": "The page is out of date. Reload it and try again.",
    # Timetable
    "invalid_recurrence": "The repeat rule is not valid.",
    "too_many_rules": "The repeat rule has too many lines.",
    "capacity_above_room": "The capacity is more than the room holds.",
    "capacity_below_bookings": "More places are already booked than the new capacity.",
    "end_before_start": "The end must be after the start.",
    "level_not_applicable": "A level applies only to English classes.",
    "no_occurrences": "This schedule produces no sessions.",
    "room_clash": "The room is already in use at that time.",
    "room_kept_for_space": "This room is kept for another group; choose another room.",
    "room_too_small": "The room is too small for the places already booked.",
    "tutor_needs_grant": "This tutor has no access to this space.",
    "unknown_role": "Unknown role.",
    "schedule_mixed": "Give either a repeat rule or the repeat form, not both.",
    "schedule_days_required": "Choose the days it runs on.",
    "schedule_end_conflict": "Give a last date or a number of times, not both.",
    "schedule_until_before_start": "The last date is before the first date.",
    "schedule_one_off": "A one-off has nothing to end: cancel its session instead.",
    "schedule_end_in_past": "The last date cannot be before today.",
    "closure_in_past": "Those days are over: nothing is left to cancel.",
    "room_name_taken": "This venue already has a room with that name.",
    "move_to_past": "Choose a time that has not passed yet.",
    # Bookings and queues
    "session_cancelled": "This session is cancelled.",
    "session_started": "This session has already started.",
    "session_unavailable": "This session is cancelled or has started.",
    "drop_in": "No booking needed: this is a drop-in, just come along.",
    "booking_not_open": "Booking for this session has not opened yet.",
    "booking_closed": "Booking for this session has closed.",
    "group_too_large": "Too many places for one booking.",
    "already_booked": "You already have a place in this session.",
    "already_waiting": "You are already on the waiting list for this session.",
    "overlapping_booking": "You already have a place at that time.",
    "weekly_limit_reached": "You have booked all the sessions of this activity you can this week.",
    "offer_expired": "This offer has expired.",
    "not_waiting": "Only someone who is waiting can be moved up.",
    "already_queued": "You are already in this queue.",
    "idempotency_key_reused": "This request was already used for something else. Please try again.",
    "invalid_idempotency_key": "The request key is not valid.",
    # Spaces and access
    "unknown_user": "Nobody has that username.",
    "already_granted": "You already have access to this space.",
    "request_not_pending": "This request has already been answered.",
    # Registers and participants
    "invalid_mark": "That is not a valid mark.",
    "not_on_register": "This person is not on this register: add them as a walk-in.",
    "register_locked": "This register is locked. A coordinator can reopen it.",
    "register_not_open": "This register is not open yet. It opens shortly before the session.",
    "both_have_accounts": "Both records have their own sign-in, so they cannot be joined.",
}
