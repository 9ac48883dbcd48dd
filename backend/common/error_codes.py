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

from enum import StrEnum

ERROR_CONTEXT = "error-code"


class ErrorCode(StrEnum):
    """The codes; a member equals its string, so `raise ApplicationError("busy", ...)` and
    `ApplicationError(ErrorCode.BUSY, ...)` are the same code."""

    INVALID = "invalid"
    PARSE_ERROR = "parse_error"
    NOT_FOUND = "not_found"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    ERROR = "error"
    INVALID_FILTER = "invalid_filter"
    INVALID_DATE_RANGE = "invalid_date_range"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    REASON_REQUIRED = "reason_required"
    BAD_REQUEST = "bad_request"
    JSON_TOO_DEEP = "json_too_deep"
    REQUEST_TOO_LARGE = "request_too_large"
    BUSY = "busy"
    SERVICE_UNAVAILABLE = "service_unavailable"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNED_IN_TOO_OFTEN = "signed_in_too_often"
    SIGN_IN_CODE_INVALID = "sign_in_code_invalid"
    SIGN_IN_CODE_NOT_ALLOWED = "sign_in_code_not_allowed"
    SECRET_REQUIRED = "secret_required"
    SECRET_TOO_WEAK = "secret_too_weak"
    SIGN_IN_SECRET_FAILED = "sign_in_secret_failed"
    REPLY_LINK_INVALID = "reply_link_invalid"
    REPLY_LINK_USED = "reply_link_used"
    REPLY_LINK_EXPIRED = "reply_link_expired"
    CSRF_FAILED = "csrf_failed"
    INVALID_RECURRENCE = "invalid_recurrence"
    TOO_MANY_RULES = "too_many_rules"
    CAPACITY_ABOVE_ROOM = "capacity_above_room"
    CAPACITY_BELOW_BOOKINGS = "capacity_below_bookings"
    END_BEFORE_START = "end_before_start"
    LEVEL_NOT_APPLICABLE = "level_not_applicable"
    NO_OCCURRENCES = "no_occurrences"
    ROOM_CLASH = "room_clash"
    ROOM_KEPT_FOR_SPACE = "room_kept_for_space"
    ROOM_TOO_SMALL = "room_too_small"
    TUTOR_NEEDS_GRANT = "tutor_needs_grant"
    UNKNOWN_ROLE = "unknown_role"
    SCHEDULE_MIXED = "schedule_mixed"
    SCHEDULE_DAYS_REQUIRED = "schedule_days_required"
    SCHEDULE_END_CONFLICT = "schedule_end_conflict"
    SCHEDULE_UNTIL_BEFORE_START = "schedule_until_before_start"
    SCHEDULE_ONE_OFF = "schedule_one_off"
    SCHEDULE_END_IN_PAST = "schedule_end_in_past"
    CLOSURE_IN_PAST = "closure_in_past"
    ROOM_NAME_TAKEN = "room_name_taken"
    MOVE_TO_PAST = "move_to_past"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_STARTED = "session_started"
    SESSION_UNAVAILABLE = "session_unavailable"
    DROP_IN = "drop_in"
    BOOKING_NOT_OPEN = "booking_not_open"
    BOOKING_CLOSED = "booking_closed"
    GROUP_TOO_LARGE = "group_too_large"
    ALREADY_BOOKED = "already_booked"
    ALREADY_WAITING = "already_waiting"
    OVERLAPPING_BOOKING = "overlapping_booking"
    WEEKLY_LIMIT_REACHED = "weekly_limit_reached"
    OFFER_EXPIRED = "offer_expired"
    NOT_WAITING = "not_waiting"
    NO_FREE_PLACE = "no_free_place"
    ALREADY_QUEUED = "already_queued"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    COURSE_ENROLMENT_REQUIRED = "course_enrolment_required"
    NOT_A_COURSE = "not_a_course"
    COURSE_OVER = "course_over"
    ALREADY_ENROLLED = "already_enrolled"
    NO_CRECHE = "no_creche"
    CRECHE_CHILD_TOO_OLD = "creche_child_too_old"
    CRECHE_STAFF_BELOW_CHILDREN = "creche_staff_below_children"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    UNKNOWN_USER = "unknown_user"
    ALREADY_GRANTED = "already_granted"
    REQUEST_NOT_PENDING = "request_not_pending"
    INVALID_MARK = "invalid_mark"
    NOT_ON_REGISTER = "not_on_register"
    REGISTER_LOCKED = "register_locked"
    REGISTER_NOT_OPEN = "register_not_open"
    BOTH_HAVE_ACCOUNTS = "both_have_accounts"
    NOT_A_LOTTERY = "not_a_lottery"
    DRAW_IN_PAST = "draw_in_past"
    DRAW_ALREADY_ANNOUNCED = "draw_already_announced"
    DRAW_ANNOUNCED = "draw_announced"
    DRAW_NOT_OPEN = "draw_not_open"
    DRAW_NOT_DUE = "draw_not_due"
    DRAW_NOT_DRAWN = "draw_not_drawn"
    CERTIFICATE_NOT_EARNED = "certificate_not_earned"


ERROR_MESSAGES: dict[ErrorCode, str] = {
    # Any endpoint (Django REST framework and the exception handler)
    ErrorCode.INVALID: "Some fields are not valid.",
    ErrorCode.PARSE_ERROR: "The request could not be read.",
    ErrorCode.NOT_FOUND: "Not found.",
    ErrorCode.NOT_AUTHENTICATED: "Please sign in first.",
    ErrorCode.AUTHENTICATION_FAILED: "Signing in did not work.",
    ErrorCode.PERMISSION_DENIED: "You are not allowed to do that.",
    ErrorCode.METHOD_NOT_ALLOWED: "That action is not possible here.",
    ErrorCode.NOT_ACCEPTABLE: "The server cannot answer in the format asked for.",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: (
        "The request was sent in a format the server does not accept."
    ),
    ErrorCode.THROTTLED: "Too many attempts. Please wait a minute and try again.",
    ErrorCode.ERROR: "Something went wrong. Please try again.",
    ErrorCode.INVALID_FILTER: "A filter value is not valid.",
    ErrorCode.INVALID_DATE_RANGE: "Those dates cannot be used together.",
    ErrorCode.DATE_OUT_OF_RANGE: "That date is too far in the past or the future.",
    ErrorCode.REASON_REQUIRED: "Please give a reason.",
    ErrorCode.BAD_REQUEST: "The request could not be read.",
    ErrorCode.JSON_TOO_DEEP: "The request could not be read: it nests too deeply.",
    ErrorCode.REQUEST_TOO_LARGE: "The request is too large.",
    ErrorCode.BUSY: "Many people are doing this right now. Please try again in a moment.",
    ErrorCode.SERVICE_UNAVAILABLE: "The service is briefly unavailable. Please try again soon.",
    # Signing in
    ErrorCode.SIGN_IN_FAILED: "That username and password do not match.",
    ErrorCode.SIGNED_IN_TOO_OFTEN: (
        "Too many failed attempts. Try again in an hour, or ask a coordinator."
    ),
    ErrorCode.SIGN_IN_CODE_INVALID: "That code does not work. Check it, or ask for a new one.",
    ErrorCode.SIGN_IN_CODE_NOT_ALLOWED: "You cannot give a sign-in code to this person.",
    ErrorCode.SECRET_REQUIRED: "Choose a secret you can remember, to sign in again later.",
    ErrorCode.SECRET_TOO_WEAK: (
        "Choose at least 6 digits (not 123456 or 111111), or a phrase of at least 8 letters."
    ),
    ErrorCode.SIGN_IN_SECRET_FAILED: "That name or phone number and secret do not match.",
    # One-tap replies from messages
    ErrorCode.REPLY_LINK_INVALID: "This link does not work. Open Harbour to see your bookings.",
    ErrorCode.REPLY_LINK_USED: "This link has been used already.",
    ErrorCode.REPLY_LINK_EXPIRED: (
        "This link has expired: the session has started, is cancelled, or the offer has ended."
    ),
    ErrorCode.CSRF_FAILED: "The page is out of date. Reload it and try again.",
    # Timetable
    ErrorCode.INVALID_RECURRENCE: "The repeat rule is not valid.",
    ErrorCode.TOO_MANY_RULES: "The repeat rule has too many lines.",
    ErrorCode.CAPACITY_ABOVE_ROOM: "The capacity is more than the room holds.",
    ErrorCode.CAPACITY_BELOW_BOOKINGS: "More places are already booked than the new capacity.",
    ErrorCode.END_BEFORE_START: "The end must be after the start.",
    ErrorCode.LEVEL_NOT_APPLICABLE: "A level applies only to English classes.",
    ErrorCode.NO_OCCURRENCES: "This schedule produces no sessions.",
    ErrorCode.ROOM_CLASH: "The room is already in use at that time.",
    ErrorCode.ROOM_KEPT_FOR_SPACE: "This room is kept for another group; choose another room.",
    ErrorCode.ROOM_TOO_SMALL: "The room is too small for the places already booked.",
    ErrorCode.TUTOR_NEEDS_GRANT: "This tutor has no access to this space.",
    ErrorCode.UNKNOWN_ROLE: "Unknown role.",
    ErrorCode.SCHEDULE_MIXED: "Give either a repeat rule or the repeat form, not both.",
    ErrorCode.SCHEDULE_DAYS_REQUIRED: "Choose the days it runs on.",
    ErrorCode.SCHEDULE_END_CONFLICT: "Give a last date or a number of times, not both.",
    ErrorCode.SCHEDULE_UNTIL_BEFORE_START: "The last date is before the first date.",
    ErrorCode.SCHEDULE_ONE_OFF: "A one-off has nothing to end: cancel its session instead.",
    ErrorCode.SCHEDULE_END_IN_PAST: "The last date cannot be before today.",
    ErrorCode.CLOSURE_IN_PAST: "Those days are over: nothing is left to cancel.",
    ErrorCode.ROOM_NAME_TAKEN: "This venue already has a room with that name.",
    ErrorCode.MOVE_TO_PAST: "Choose a time that has not passed yet.",
    # Bookings and queues
    ErrorCode.SESSION_CANCELLED: "This session is cancelled.",
    ErrorCode.SESSION_STARTED: "This session has already started.",
    ErrorCode.SESSION_UNAVAILABLE: "This session is cancelled or has started.",
    ErrorCode.DROP_IN: "No booking needed: this is a drop-in, just come along.",
    ErrorCode.BOOKING_NOT_OPEN: "Booking for this session has not opened yet.",
    ErrorCode.BOOKING_CLOSED: "Booking for this session has closed.",
    ErrorCode.GROUP_TOO_LARGE: "Too many places for one booking.",
    ErrorCode.ALREADY_BOOKED: "You already have a place in this session.",
    ErrorCode.ALREADY_WAITING: "You are already on the waiting list for this session.",
    ErrorCode.OVERLAPPING_BOOKING: "You already have a place at that time.",
    ErrorCode.WEEKLY_LIMIT_REACHED: (
        "You have booked all the sessions of this activity you can this week."
    ),
    ErrorCode.OFFER_EXPIRED: "This offer has expired.",
    ErrorCode.NOT_WAITING: "Only someone who is waiting can be moved up.",
    ErrorCode.NO_FREE_PLACE: "No place is free now. Move her up and she gets the next one.",
    ErrorCode.ALREADY_QUEUED: "You are already in this queue.",
    ErrorCode.IDEMPOTENCY_KEY_REUSED: (
        "This request was already used for something else. Please try again."
    ),
    ErrorCode.INVALID_IDEMPOTENCY_KEY: "The request key is not valid.",
    # Courses and crèche places
    ErrorCode.COURSE_ENROLMENT_REQUIRED: "This is a course: enrol for the whole term.",
    ErrorCode.NOT_A_COURSE: "This is not a course: book its sessions one at a time.",
    ErrorCode.COURSE_OVER: "This course has no sessions left to enrol for.",
    ErrorCode.ALREADY_ENROLLED: "You are already enrolled, or in this course's line.",
    ErrorCode.NO_CRECHE: "This activity has no crèche.",
    ErrorCode.CRECHE_CHILD_TOO_OLD: "The crèche takes children under 5.",
    ErrorCode.CRECHE_STAFF_BELOW_CHILDREN: "The children already booked need more crèche staff.",
    # Spaces and access
    ErrorCode.UNKNOWN_USER: "Nobody has that username.",
    ErrorCode.ALREADY_GRANTED: "You already have access to this space.",
    ErrorCode.REQUEST_NOT_PENDING: "This request has already been answered.",
    # Registers and participants
    ErrorCode.INVALID_MARK: "That is not a valid mark.",
    ErrorCode.NOT_ON_REGISTER: "This person is not on this register: add them as a walk-in.",
    ErrorCode.REGISTER_LOCKED: "This register is locked. A coordinator can reopen it.",
    ErrorCode.REGISTER_NOT_OPEN: (
        "This register is not open yet. It opens shortly before the session."
    ),
    ErrorCode.BOTH_HAVE_ACCOUNTS: "Both records have their own sign-in, so they cannot be joined.",
    # Fair shares: lotteries, certificates
    ErrorCode.NOT_A_LOTTERY: "This list does not give places by lottery.",
    ErrorCode.DRAW_IN_PAST: "Choose a time for the draw that has not passed.",
    ErrorCode.DRAW_ALREADY_ANNOUNCED: "A draw is already announced for this list.",
    ErrorCode.DRAW_ANNOUNCED: "A draw is announced for this list: cancel it first.",
    ErrorCode.DRAW_NOT_OPEN: "This draw has already been drawn or cancelled.",
    ErrorCode.DRAW_NOT_DUE: "This draw can be drawn only from its announced time.",
    ErrorCode.DRAW_NOT_DRAWN: "This draw has not been drawn yet.",
    ErrorCode.CERTIFICATE_NOT_EARNED: "This attendance does not reach the certificate's threshold.",
}
