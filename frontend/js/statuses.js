/* The statuses the API sends, once for the whole app. They are the models'
   choices (backend/bookings/models.py BookingStatus, ActivityQueueEntry.Status,
   CourseEnrolment.Status, QueueDraw.Status; backend/timetable/models.py Session.Status), and
   tests/common/test_statuses.py fails when the two lists drift apart. */
export const BOOKING = Object.freeze({ CONFIRMED: "confirmed", OFFERED: "offered", WAITING: "waiting", CANCELLED: "cancelled", EXPIRED: "expired" });
export const QUEUE = Object.freeze({ WAITING: "waiting", PLACED: "placed", LEFT: "left" });
export const ENROLMENT = Object.freeze({ CONFIRMED: "confirmed", WAITING: "waiting", CANCELLED: "cancelled" });
export const DRAW = Object.freeze({ ANNOUNCED: "announced", DRAWN: "drawn", CANCELLED: "cancelled" });
export const SESSION = Object.freeze({ SCHEDULED: "scheduled", CANCELLED: "cancelled" });
// A place she holds or waits for (Python: ACTIVE); one that takes a place (HOLDING).
export const ACTIVE = Object.freeze([BOOKING.CONFIRMED, BOOKING.OFFERED, BOOKING.WAITING]);
export const HOLDING = Object.freeze([BOOKING.CONFIRMED, BOOKING.OFFERED]);
// An enrolment that is not cancelled (Python: CourseEnrolment.LIVE).
export const ENROLMENT_LIVE = Object.freeze([ENROLMENT.CONFIRMED, ENROLMENT.WAITING]);
