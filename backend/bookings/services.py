"""Writes for bookings: book, cancel, accept or decline an offer, move someone
up the list, join and leave an activity queue, expire offers, promote.

Every change to who holds a place happens with the session's row locked
(SELECT ... FOR UPDATE), so capacity holds under any concurrency on any number
of app servers. `Session.booked_places` counts confirmed and offered places.

Fairness: while anyone is waiting (on the session's list or the activity's
queue), a free place goes to them, never to whoever asks next. Promotion walks
the line in order and gives the place to the first person whose whole group
fits; a group that does not fit yet keeps its place at the head of the line.
The session's own waiting list comes before the activity queue.

Hidden places (docs/women-only-rooms.md): promotion skips someone for a place
she holds at the same time only when that place is in a session everyone who
sees this one may see too (`policy.sessions_seen_alongside`); a booking made by
someone else refuses an overlap only with places he may see. Otherwise the
place is given as to anyone, and she alone is told of the overlap (a message,
and `overlaps_another` on her bookings), so nobody without the grant can
observe that she was skipped, held or refused because of a hidden place.

Fair shares (docs/fair-shares.md): the activity queue is served in the order
of its allocation rules (`allocation.py`: first come, lottery, rotation); when
places are offered, nobody holds two live offers at once (among the sessions
everyone who sees this one sees, as above); and a place given to someone an
activity's no-show rule holds back waits for a coordinator's confirmation
(`needs_confirmation`, she is told), asked of the registers through
`backend/reactions.py`.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from backend import reactions
from backend.access import policy
from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.common.db import busy_if_waited_for, lock_row_fail_fast, short_lock_wait
from backend.common.errors import ApplicationError, NotFoundError, field_not_found, required_reason
from backend.common.quiet_hours import add_awake_time
from backend.common.translations import translated
from backend.notifications.one_tap import reply_links
from backend.notifications.services import is_discreet, notification_queue
from backend.timetable.models import Activity, Session

from . import allocation, creche, rules
from .models import (
    ACTIVE,
    HOLDING,
    ActivityQueueEntry,
    Booking,
    BookingEvent,
    CourseEnrolment,
)


def _tell(booking: Booking, kind: str, **extra) -> None:
    session = booking.session
    language = booking.participant.preferred_language
    notification_queue(
        participant=booking.participant,
        kind=kind,
        discreet=is_discreet(participant=booking.participant, session=session),
        activity=translated(session.activity, "title", language),
        # Written in her language, digits and comma by notification_queue.
        when=session.start,
        where=(translated(session.room.venue, "name", language), session.room.name),
        **reply_links(booking),
        **extra,
    )


def _event(
    *, action: str, actor=None, booking=None, entry=None, enrolment=None, note: str = "",
    activity=None, draw=None,
) -> None:  # fmt: skip
    BookingEvent.objects.create(
        action=action, actor=actor, booking=booking, queue_entry=entry, enrolment=enrolment,
        note=note, activity=activity, draw=draw,
    )  # fmt: skip


def _lock_session(session_id, *, fail_fast: bool = False) -> Session:
    """The session's row, locked. A row held elsewhere (a stuck transaction)
    makes this a 503 busy after a short wait (HARBOUR_BOOKING_LOCK_TIMEOUT_MS),
    instead of holding an app thread until it is free. `fail_fast` (what a
    learner presses: book, cancel, accept) waits much less, and only one
    request per process and session waits at all (`lock_row_fail_fast`): a
    crowd, or a stuck holder, on one session cannot take every app thread;
    the others are told busy at once and their client tries again."""
    sessions = Session.objects.select_related("activity", "room__venue")
    if fail_fast:
        return lock_row_fail_fast(sessions, key=("session", session_id), pk=session_id)
    short_lock_wait()
    return sessions.select_for_update(of=("self",)).get(pk=session_id)


def _resolve_participant(actor, session: Session, participant: Participant | None) -> Participant:
    """Booking for oneself, or (staff) for someone else, perhaps without a login."""
    own = participant_for_user(user=actor)
    if participant is None or participant.pk == own.pk:
        return own
    if not policy.can_take_register(actor, session):
        raise ApplicationError(
            "permission_denied",
            "Only this activity's tutors and coordinators can book for someone else.",
            status_code=403,
        )
    if participant.user_id and not policy.can_see_activity(participant.user, session.activity):
        # Nobody is booked into what she cannot see.
        raise field_not_found("participant")
    return participant


def _hold(session: Session, booking: Booking, *, now, present: bool) -> None:
    """Give `booking` its places: confirmed if she is asking right now (or the
    activity confirms straight away), else offered for the activity's window.
    Either way she holds them; under the activity's no-show rule a coordinator
    confirms them first (never silently: she is told, and her booking says so)."""
    activity = session.activity
    booking.needs_confirmation = reactions.booking_waits_for_confirmation(
        session=session, participant=booking.participant
    )
    if activity.waitlist_mode == Activity.WaitlistMode.OFFER and not present:
        booking.status = Booking.Status.OFFERED
        # Her clock runs only while she is awake (not in quiet hours, her time).
        expires = add_awake_time(
            now, timedelta(hours=activity.offer_hours), ZoneInfo(activity.timezone)
        )
        booking.offer_expires_at = min(expires, session.start)
    else:
        booking.status = Booking.Status.CONFIRMED
        booking.offer_expires_at = None
    session.booked_places += booking.places


def _next_seq(line) -> int:
    """The next place in a line; call with the line's owner row locked."""
    return (line.aggregate(top=Max("seq"))["top"] or 0) + 1


def _waiting_line(session: Session):
    return Booking.objects.filter(session=session, status=Booking.Status.WAITING).order_by(
        "-priority", "seq"
    )


def _queue_line(activity: Activity):
    """Who is next from the activity's queue, under its allocation rules."""
    return allocation.queue_line(activity)


def _offers_now(session: Session, present: Booking | None, booking: Booking) -> bool:
    return session.activity.waitlist_mode == Activity.WaitlistMode.OFFER and not (
        present is not None and booking.pk == present.pk
    )


def _holds_live_offer(session: Session, participant: Participant, *, now, among) -> bool:
    """She already holds a live offer elsewhere (among `among`): one at a time,
    so an offer never sits unanswered while she weighs another."""
    return (
        Booking.objects.filter(
            participant=participant, status=Booking.Status.OFFERED, offer_expires_at__gt=now
        )
        .exclude(session=session)
        .filter(session__in=among.values("pk"))
        .exists()
    )


def _promote(session: Session, *, now, actor=None, present: Booking | None = None) -> list[Booking]:
    """Fill free places from the line, in order, first whole group that fits.
    `present` is the booking of the person asking right now, already in line.
    The caller holds the session's lock."""
    promoted: list[Booking] = []
    if session.status != Session.Status.SCHEDULED or now >= session.start:
        return promoted
    alongside = policy.sessions_seen_alongside(session)
    while (free := session.capacity - session.booked_places) > 0:
        # Crèche places are part of a family's whole request (bookings/creche.py).
        staff = creche.staff_on(session)
        units = (
            creche.units_capacity(session, staff=staff) - creche.units_used(session) if staff else 0
        )
        booking = next(
            (
                b
                for b in _waiting_line(session)
                .select_related("participant__user")
                .prefetch_related("creche_children", "enrolment__creche_children")
                if b.places <= free
                and _creche_fits(b, session, units)
                and _may_attend(b.participant, session)
                and rules.overlapping_booking(session, b.participant, among=alongside) is None
                and not (
                    _offers_now(session, present, b)
                    and _holds_live_offer(session, b.participant, now=now, among=alongside)
                )
            ),
            None,
        )
        if booking is None:
            booking = _place_from_queue(session, free, now=now)
        if booking is None:
            break
        is_present = present is not None and booking.pk == present.pk
        _hold(session, booking, now=now, present=is_present)
        booking.save()
        promoted.append(booking)
        booking.session = session
        if booking.status == Booking.Status.OFFERED:
            _event(action="offered", actor=actor, booking=booking)
            expires = timezone.localtime(booking.offer_expires_at)
            _tell(booking, "place_offered", expires=expires)
        else:
            _event(action="confirmed" if is_present else "promoted", actor=actor, booking=booking)
            _tell(booking, "booking_confirmed")
        if booking.needs_confirmation:
            _event(action="awaits_confirmation", actor=actor, booking=booking)
            _tell(booking, "booking_needs_confirmation")
        _tell_if_overlapping(
            booking, among=policy.visible_sessions(actor) if is_present else alongside
        )
    if promoted:
        session.save(update_fields=["booked_places", "updated_at"])
    return promoted


def _creche_fits(booking: Booking, session: Session, free_units: int) -> bool:
    children = creche.children_of(booking)
    if not children:
        return True
    if any(creche.band_of(c, session) is None for c in children):
        return False
    return sum(creche.units_of(c, session) for c in children) <= free_units


def _tell_if_overlapping(booking: Booking, *, among) -> None:
    """The place was given without looking at her places outside `among`; if
    one of them is at the same time, she is told (only she sees both)."""
    if rules.has_unseen_overlap(booking.session, booking.participant, among=among):
        _tell(booking, "booking_overlaps")


def _may_attend(participant: Participant, session: Session) -> bool:
    """Nobody is given a place in what she cannot see (e.g. after a revocation).
    Only this session's own space is consulted, so whoever sees the session
    learns nothing about other spaces from a skip."""
    return participant.user is None or policy.can_see_activity(participant.user, session.activity)


def _place_from_queue(session: Session, free: int, *, now) -> Booking | None:
    try:
        rules.check_session_bookable(session, now=now)
    except ApplicationError:
        return None  # the queue waits for sessions whose booking is open
    for entry in _queue_line(session.activity).select_related("participant__user"):
        if entry.places > free or not _may_attend(entry.participant, session):
            continue
        participant = entry.participant
        if Booking.objects.filter(
            session=session, participant=participant, status__in=ACTIVE
        ).exists():
            continue
        alongside = policy.sessions_seen_alongside(session)
        if rules.overlapping_booking(session, participant, among=alongside) is not None:
            continue
        if session.activity.waitlist_mode == Activity.WaitlistMode.OFFER and _holds_live_offer(
            session, participant, now=now, among=alongside
        ):
            continue
        booking = Booking.objects.create(
            session=session, participant=participant, places=entry.places,
            status=Booking.Status.WAITING, queued_at=entry.queued_at, from_queue=entry,
            seq=_next_seq(Booking.objects.filter(session=session)),
            created_by=entry.created_by,
        )  # fmt: skip
        entry.status = ActivityQueueEntry.Status.PLACED
        entry.booking = booking
        entry.save(update_fields=["status", "booking", "updated_at"])
        _event(action="placed_from_queue", entry=entry, booking=booking)
        return booking
    return None


def waiting_position(booking: Booking) -> int | None:
    if booking.status != Booking.Status.WAITING:
        return None
    ahead = _waiting_line(booking.session).filter(
        Q(priority__gt=booking.priority) | Q(priority=booking.priority, seq__lt=booking.seq)
    )
    return ahead.count() + 1


# --- booking ------------------------------------------------------------------------------


def booking_create(
    *,
    actor,
    session: Session,
    places: int = 1,
    participant: Participant | None = None,
    idempotency_key: str = "",
    children=(),
) -> tuple[Booking, bool]:
    """Book places, or join the waiting list when full. Returns (booking, created).
    `children` (crèche.Child-like, birth year and month): crèche places booked
    with hers, all or none, in the same line (bookings/creche.py).
    A retry with the same Idempotency-Key returns the first booking unchanged,
    also when it arrives while the first is still being made (it waits for
    it); the same key with a different request is refused."""
    request = {"session_id": session.pk, "places": places, "participant": participant}
    if idempotency_key:
        earlier = Booking.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return _replay(earlier, actor=actor, **request), False
    try:
        with transaction.atomic():
            return _booking_create(
                actor=actor, session_id=session.pk, places=places, participant=participant,
                idempotency_key=idempotency_key, children=list(children),
            )  # fmt: skip
    except IntegrityError:
        # The same key raced itself (two retries at once): the first one won.
        earlier = Booking.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if idempotency_key and earlier is not None:
            return _replay(earlier, actor=actor, **request), False
        raise ApplicationError(
            "already_booked",
            "You already have a place or a waiting-list place here.",
            status_code=409,
        ) from None


def _replay(earlier, *, session_id, places, participant, actor):
    """A retry returns the first result, but a key reused for something else is
    an error, and a result she may no longer see is not found."""
    same_person = (
        earlier.participant_id == participant.pk
        if participant is not None
        else earlier.participant.user_id == actor.pk
    )
    if earlier.session_id != session_id or earlier.places != places or not same_person:
        raise ApplicationError(
            "idempotency_key_reused",
            "This Idempotency-Key was used for another booking; send a new one.",
            status_code=409,
        )
    if not policy.can_see_activity(actor, earlier.session.activity):
        raise NotFoundError()
    return earlier


def _booking_create(
    *, actor, session_id, places, participant, idempotency_key, children=()
) -> tuple[Booking, bool]:
    # Checks that do not depend on the session's places run before its lock, to
    # keep that critical section (and so the queue of waiting requests) short.
    session = Session.objects.select_related("activity").get(pk=session_id)
    if not policy.can_see_activity(actor, session.activity):
        raise NotFoundError()
    rules.check_not_course(session.activity)
    # This process will not let her wait for the session's row now (it has as
    # many waiters for it as it allows, or it was just found held): she would
    # be told busy at the lock below; tell her now, before the work.
    busy_if_waited_for(("session", session_id))
    own = participant is None or participant.user_id == actor.pk
    person = None if own else _resolve_participant(actor, session, participant)
    # The session's own refusals come before anything about her other places,
    # so a cancelled or not-yet-open session answers the same whatever she holds
    # elsewhere (checked again under the lock below).
    rules.check_session_bookable(session, now=timezone.now())
    rules.check_group_size(session, places)
    creche.check_children(session.activity, [session], children)
    # Her row first (then the session's, the order merges use too): two of her
    # own requests at once cannot both pass the overlap and weekly checks.
    short_lock_wait()
    person = _lock_participant(actor if own else None, person)
    if idempotency_key:
        # A retry that arrived while the first request was being made waited
        # for her row just now: the first result is committed, give it back.
        earlier = Booking.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if earlier is not None:
            request = {"session_id": session_id, "places": places, "participant": participant}
            return _replay(earlier, actor=actor, **request), False
    rules.check_no_overlap(session, person, actor=actor)
    rules.check_weekly_limit(session, person)

    # The critical section: from here to the commit every booking of this
    # session waits for the one before it, so it is kept to a few statements.
    session = _lock_session(session_id, fail_fast=True)
    now = timezone.now()  # after the lock: the line is in the order the lock was granted
    rules.check_session_bookable(session, now=now)
    line = _line_state(session, person, now=now)
    rules.refuse_if_booked(line["mine"])
    if line["overdue"]:
        _expire_offers_locked(session, now=now)
        line["top"] = _next_seq(Booking.objects.filter(session=session)) - 1  # may have moved
    # She joins the end of the line; promotion then serves the line in order,
    # so she gets a place at once only if nobody before her can use it.
    booking = Booking.objects.create(
        session=session, participant=person, places=places, queued_at=now, created_by=actor,
        seq=(line["top"] or 0) + 1,
        idempotency_key=idempotency_key, status=Booking.Status.WAITING,
    )  # fmt: skip
    creche.children_record(children, booking=booking)
    promoted = _promote(session, now=now, actor=actor, present=booking)
    booking = next((b for b in promoted if b.pk == booking.pk), booking)
    booking.session = session
    if booking.status == Booking.Status.WAITING:
        _event(action="waiting", actor=actor, booking=booking)
        # Her place in line at the commit: what she is told, and answered.
        position = waiting_position(booking)
        booking.position = position  # type: ignore[attr-defined]
        _tell(booking, "booking_waiting", position=position)
    return booking, True


def _lock_participant(actor, person: Participant | None) -> Participant:
    """Her participant row, locked FOR UPDATE: the actor's own (`actor`, made
    on first need) in one statement, or `person`."""
    if actor is not None:
        mine = Participant.objects.select_for_update().filter(user=actor).first()
        if mine is not None:
            return mine
        person = participant_for_user(user=actor)
    assert person is not None
    return Participant.objects.select_for_update().get(pk=person.pk)


def _line_state(session: Session, person: Participant, *, now) -> dict:
    """In one statement, under the session's lock: the line's last place
    (`top`), her active booking's status (`mine`) and how many offers are
    overdue (`overdue`): three questions, one round trip."""
    return Booking.objects.filter(session=session).aggregate(
        top=Max("seq"),
        overdue=Count("pk", filter=Q(status=Booking.Status.OFFERED, offer_expires_at__lte=now)),
        mine=Max("status", filter=Q(participant=person, status__in=ACTIVE)),
    )


def _own_or_managed(actor, booking: Booking) -> None:
    if booking.participant.user_id == actor.pk:
        return
    if policy.can_take_register(actor, booking.session):
        return
    raise NotFoundError()


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, note: str = "", by_link: bool = False) -> Booking:
    """Cancel a place, a waiting-list place or an offer. A freed place goes to
    the line at once. Cancelling twice is harmless. `by_link`: from her one-tap
    link (notifications/one_tap.py), whose signature is the authority."""
    session = _lock_session(booking.session_id, fail_fast=True)
    booking = Booking.objects.select_related("participant").get(pk=booking.pk)
    if not by_link:
        _own_or_managed(actor, booking)
    if booking.status not in (*HOLDING, Booking.Status.WAITING):
        return booking
    held = booking.status in HOLDING
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save()
    _event(action="cancelled", actor=actor, booking=booking, note=note)
    booking.session = session
    _tell(booking, "booking_cancelled")
    if held:
        session.booked_places -= booking.places
        session.save(update_fields=["booked_places", "updated_at"])
        _promote(session, now=timezone.now(), actor=actor)
    return booking


def offer_accept(*, actor, booking: Booking, by_link: bool = False) -> Booking:
    now = timezone.now()
    with transaction.atomic():
        session = _lock_session(booking.session_id, fail_fast=True)
        booking = Booking.objects.select_related("participant").get(pk=booking.pk)
        if not by_link:
            _own_or_managed(actor, booking)
        if booking.status == Booking.Status.CONFIRMED:
            return booking
        if session.status == Session.Status.CANCELLED or now >= session.start:
            raise ApplicationError(
                "session_unavailable", "This session is cancelled or has started.", status_code=409
            )
        if booking.status == Booking.Status.OFFERED and booking.offer_expires_at > now:
            booking.status = Booking.Status.CONFIRMED
            booking.offer_expires_at = None
            booking.save()
            _event(action="offer_accepted", actor=actor, booking=booking)
            return booking
        # Too late: pass the place on (committed), then say so.
        _expire_offers_locked(session, now=now)
    raise ApplicationError(
        "offer_expired", "This offer has expired or was withdrawn.", status_code=409
    )


@transaction.atomic
def waiting_move_up(*, actor, booking: Booking, reason: str) -> Booking:
    """A coordinator moves someone to the head of the line (e.g. a safeguarding
    priority). A reason is required and recorded."""
    reason = required_reason(reason, "Say why she moves up; it is recorded.")
    session = _lock_session(booking.session_id)
    booking = Booking.objects.get(pk=booking.pk)
    if not policy.can_see_activity(actor, session.activity):
        raise NotFoundError()
    if not policy.can_manage_session(actor, session):
        raise ApplicationError(
            "permission_denied", "Only coordinators can reorder the list.", status_code=403
        )
    if booking.status != Booking.Status.WAITING:
        raise ApplicationError(
            "not_waiting", "Only someone on the waiting list can be moved up.", status_code=409
        )
    top = _waiting_line(session).aggregate(top=Max("priority"))["top"] or 0
    booking.priority = top + 1
    booking.save(update_fields=["priority", "updated_at"])
    _event(action="moved_up", actor=actor, booking=booking, note=reason)
    _promote(session, now=timezone.now(), actor=actor)
    booking.refresh_from_db()
    return booking


def _require_line_manager(actor, session: Session) -> None:
    """The line is the coordinator's: 404 for what she cannot see, 403 for
    someone who sees the session but does not manage it."""
    if not policy.can_see_activity(actor, session.activity):
        raise NotFoundError()
    if not policy.can_manage_session(actor, session):
        raise ApplicationError(
            "permission_denied", "Only coordinators can manage the list.", status_code=403
        )


@transaction.atomic
def waiting_offer_now(*, actor, booking: Booking) -> Booking:
    """A coordinator gives a free place to someone on the waiting list now (as
    an offer she confirms or declines, in the activity's offer window), e.g. a
    group that did not fit before, or after a capacity change. Capacity holds:
    without enough free places the answer is `no_free_place`, and she keeps her
    place in the line (move her up so she gets the next one)."""
    session = _lock_session(booking.session_id)
    booking = Booking.objects.select_related("participant__user").get(pk=booking.pk)
    _require_line_manager(actor, session)
    if booking.status != Booking.Status.WAITING:
        raise ApplicationError(
            "not_waiting", "Only someone on the waiting list can be offered a place.",
            status_code=409,
        )  # fmt: skip
    now = timezone.now()
    if session.status != Session.Status.SCHEDULED or now >= session.start:
        raise ApplicationError(
            "session_unavailable", "This session is cancelled or has started.", status_code=409
        )
    _expire_offers_locked(session, now=now)
    booking.refresh_from_db()
    if booking.status != Booking.Status.WAITING:
        return booking  # a place that freed just now went to her in order
    if session.capacity - session.booked_places < booking.places:
        raise ApplicationError(
            "no_free_place",
            "No place is free for her now. Move her up and she gets the next one.",
            status_code=409,
        )
    booking.status = Booking.Status.OFFERED
    expires = add_awake_time(
        now, timedelta(hours=session.activity.offer_hours), ZoneInfo(session.activity.timezone)
    )
    booking.offer_expires_at = min(expires, session.start)
    booking.save()
    session.booked_places += booking.places
    session.save(update_fields=["booked_places", "updated_at"])
    _event(action="offered", actor=actor, booking=booking)
    booking.session = session
    expiry = timezone.localtime(booking.offer_expires_at)
    _tell(booking, "place_offered", expires=f"{expiry:%a %d %b %H:%M}")
    return booking


def booking_remove(*, actor, booking: Booking, reason: str) -> Booking:
    """A coordinator takes someone off a session (a place, an offer or the
    waiting list), with a reason that is recorded; she is told, and a freed
    place goes to the line."""
    _require_line_manager(actor, booking.session)
    reason = required_reason(reason, "Say why she is taken off; it is recorded.")
    return booking_cancel(actor=actor, booking=booking, note=reason)


def bookings_confirm_held(*, actor, activity: Activity, participant: Participant, note: str) -> int:
    """A coordinator lifted the no-show rule for her (registers): her places on
    this activity's upcoming sessions that waited for confirmation are
    confirmed, and she is told. The caller checked she may manage the activity."""
    held = Booking.objects.filter(
        participant=participant,
        session__activity=activity,
        session__start__gt=timezone.now(),
        status__in=HOLDING,
        needs_confirmation=True,
    )
    confirmed = 0
    for session_id in sorted(set(held.values_list("session_id", flat=True))):
        session = _lock_session(session_id)
        for booking in held.filter(session=session).select_related("participant"):
            booking.needs_confirmation = False
            booking.save(update_fields=["needs_confirmation", "updated_at"])
            _event(action="confirmed_by_coordinator", actor=actor, booking=booking, note=note)
            booking.session = session
            _tell(booking, "booking_confirmed")
            confirmed += 1
    return confirmed


# --- offers -------------------------------------------------------------------------------


def _expire_offers_locked(session: Session, *, now) -> int:
    expired = list(
        Booking.objects.filter(
            session=session, status=Booking.Status.OFFERED, offer_expires_at__lte=now
        ).select_related("participant")
    )
    for booking in expired:
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        session.booked_places -= booking.places
        _event(action="offer_expired", booking=booking)
        booking.session = session
        _tell(booking, "offer_expired")
    if expired:
        session.save(update_fields=["booked_places", "updated_at"])
        _promote(session, now=now)
    return len(expired)


def offers_expire_due(*, session_ids=None) -> int:
    """Expire overdue offers and pass the places on. Idempotent: run by
    `manage.py process_waiting_lists` and lazily before reads of bookings."""
    now = timezone.now()
    due = Booking.objects.filter(status=Booking.Status.OFFERED, offer_expires_at__lte=now)
    if session_ids is not None:
        due = due.filter(session_id__in=session_ids)
    total = 0
    for session_id in set(due.values_list("session_id", flat=True)):
        with transaction.atomic():
            total += _expire_offers_locked(_lock_session(session_id), now=now)
    return total


def offers_expire_before_listing(*, user, session: Session | None = None) -> int:
    """The one write a GET of bookings makes: the overdue offers among those the
    reader is about to see (a session's line, or her own offers and the lines
    she waits in) expire first, and their places pass on, so the list shows
    offers as they stand."""
    if session is not None:
        return offers_expire_due(session_ids=[session.pk])
    mine = Booking.objects.filter(
        participant__user=user, status__in=(Booking.Status.OFFERED, Booking.Status.WAITING)
    )
    return offers_expire_due(session_ids=list(mine.values_list("session_id", flat=True)))


# --- activity queue -----------------------------------------------------------------------


def _open_sessions(activity: Activity, *, now):
    return activity.sessions.filter(status=Session.Status.SCHEDULED, start__gt=now).order_by(
        "start"
    )


def queue_fill(*, activity: Activity) -> int:
    """Give free places in the activity's bookable sessions to its queue, in
    order, earliest session first. Idempotent."""
    now = timezone.now()
    placed = 0
    for session_id in _open_sessions(activity, now=now).values_list("pk", flat=True):
        if not _queue_line(activity).exists():
            break
        with transaction.atomic():
            session = _lock_session(session_id)
            try:
                rules.check_session_bookable(session, now=now)
            except ApplicationError:
                continue
            placed += len(_promote(session, now=now))
    return placed


def _queue_participant(actor, activity: Activity, participant: Participant | None) -> Participant:
    """Oneself, or (a coordinator of the activity) someone else who may see it."""
    own = participant_for_user(user=actor)
    if participant is None or participant.pk == own.pk:
        return own
    if not policy.can_manage_activity(actor, activity):
        raise ApplicationError(
            "permission_denied",
            "Only this activity's coordinators can put someone else in its queue.",
            status_code=403,
        )
    if participant.user is not None and not policy.can_see_activity(participant.user, activity):
        raise field_not_found("participant")  # nobody queues for what she cannot see
    return participant


def queue_join(
    *, actor, activity: Activity, places: int = 1, participant: Participant | None = None,
    idempotency_key: str = "",
) -> tuple[ActivityQueueEntry, bool]:  # fmt: skip
    if idempotency_key:
        earlier = ActivityQueueEntry.objects.filter(
            created_by=actor, idempotency_key=idempotency_key
        ).first()
        if earlier is not None:
            if earlier.activity_id != activity.pk or earlier.places != places:
                raise ApplicationError(
                    "idempotency_key_reused",
                    "This Idempotency-Key was used for another request; send a new one.",
                    status_code=409,
                )
            if not policy.can_see_activity(actor, earlier.activity):
                raise NotFoundError()
            return earlier, False
    if not policy.can_see_activity(actor, activity):
        raise NotFoundError()
    if not activity.booking_required:
        raise ApplicationError("drop_in", "No booking needed: this is a drop-in.", status_code=400)
    rules.check_not_course(activity)
    if places < 1 or places > activity.max_group_size:
        raise ApplicationError(
            "group_too_large",
            f"1 to {activity.max_group_size} places.",
            fields={"places": ["Out of range."]},
        )
    person = _queue_participant(actor, activity, participant)
    try:
        with transaction.atomic():
            Activity.objects.select_for_update().filter(pk=activity.pk).first()  # orders the queue
            entry = ActivityQueueEntry.objects.create(
                seq=_next_seq(ActivityQueueEntry.objects.filter(activity=activity)),
                activity=activity, participant=person, places=places, queued_at=timezone.now(),
                created_by=actor, idempotency_key=idempotency_key,
            )  # fmt: skip
            _event(action="queue_joined", actor=actor, entry=entry)
    except IntegrityError:
        raise ApplicationError(
            "already_queued", "You are already in this queue.", status_code=409
        ) from None
    queue_fill(activity=activity)
    entry.refresh_from_db()
    return entry, True


@transaction.atomic
def queue_leave(*, actor, entry: ActivityQueueEntry, reason: str = "") -> ActivityQueueEntry:
    """She leaves the queue; a coordinator who takes someone off it gives a
    reason, which is recorded."""
    entry = (
        ActivityQueueEntry.objects.select_for_update()
        .select_related("participant")
        .get(pk=entry.pk)
    )
    own = entry.participant.user_id == actor.pk
    if not own and not policy.can_manage_activity(actor, entry.activity):
        raise NotFoundError()
    if not own:
        reason = required_reason(reason, "Say why she leaves the list; it is recorded.")
    if entry.status == ActivityQueueEntry.Status.WAITING:
        entry.status = ActivityQueueEntry.Status.LEFT
        entry.save(update_fields=["status", "updated_at"])
        _event(action="queue_left" if own else "removed", actor=actor, entry=entry, note=reason)
    return entry


@transaction.atomic
def queue_move_up(*, actor, entry: ActivityQueueEntry, reason: str) -> ActivityQueueEntry:
    reason = required_reason(reason, "Say why she moves up; it is recorded.")
    entry = ActivityQueueEntry.objects.select_for_update().get(pk=entry.pk)
    if not policy.can_manage_activity(actor, entry.activity):
        raise (
            NotFoundError()
            if not policy.can_see_activity(actor, entry.activity)
            else ApplicationError(
                "permission_denied", "Only coordinators can reorder the queue.", status_code=403
            )
        )
    if entry.status != ActivityQueueEntry.Status.WAITING:
        raise ApplicationError(
            "not_waiting", "Only someone still in the queue can be moved up.", status_code=409
        )
    waiting = ActivityQueueEntry.objects.filter(
        activity=entry.activity, status=ActivityQueueEntry.Status.WAITING
    )
    top = waiting.aggregate(top=Max("priority"))["top"] or 0
    entry.priority = top + 1
    entry.save(update_fields=["priority", "updated_at"])
    _event(action="moved_up", actor=actor, entry=entry, note=reason)
    return entry


@transaction.atomic
def queue_remove(*, actor, entry: ActivityQueueEntry, reason: str) -> ActivityQueueEntry:
    """A coordinator takes someone off an activity's queue, with a recorded
    reason (`queue_leave` as her coordinator); 403 for someone who sees the
    activity but does not manage it, 404 for anyone who does not see it."""
    if not policy.can_manage_activity(actor, entry.activity):
        raise (
            NotFoundError()
            if not policy.can_see_activity(actor, entry.activity)
            else ApplicationError(
                "permission_denied", "Only coordinators can manage the queue.", status_code=403
            )
        )
    reason = required_reason(reason, "Say why she is taken off; it is recorded.")
    return queue_leave(actor=actor, entry=entry, reason=reason)


def waiting_lists_process() -> tuple[int, int]:
    """The periodic job: expire overdue offers, then fill free places from
    activity queues. Idempotent."""
    expired = offers_expire_due()
    placed = 0
    activity_ids = set(
        ActivityQueueEntry.objects.filter(status=ActivityQueueEntry.Status.WAITING).values_list(
            "activity_id", flat=True
        )
    )
    for activity in Activity.objects.filter(pk__in=activity_ids):
        placed += queue_fill(activity=activity)
    return expired, placed


def session_cancelled_notify(*, session: Session) -> int:
    """Tell everyone holding or waiting for a place that the session is off.
    Their bookings stay as they are (the coordinator may reinstate it)."""
    people = Booking.objects.filter(session=session, status__in=ACTIVE).select_related(
        "participant", "session__activity", "session__room__venue"
    )
    for booking in people:
        reason = translated(session, "cancel_reason", booking.participant.preferred_language)
        _tell(booking, "session_cancelled", reason=reason)
    return len(people)


def session_reinstated_notify(*, session: Session) -> int:
    """Tell everyone still holding or waiting for a place that a cancelled
    session runs after all (a closure was undone)."""
    people = Booking.objects.filter(session=session, status__in=ACTIVE).select_related(
        "participant", "session__activity", "session__room__venue"
    )
    for booking in people:
        _tell(booking, "session_reinstated")
    return len(people)


def bookings_withdraw_for_space(*, space, user) -> int:
    """Her grant to a space was revoked: her places, waiting-list places and
    queue entries in its activities end, and freed places go to the line."""
    now = timezone.now()
    withdrawn = 0
    held = Booking.objects.filter(
        participant__user=user, status__in=ACTIVE, session__activity__space=space
    )
    # Sessions in primary-key order: the lock order of backend/reactions.py.
    for session_id in sorted(set(held.values_list("session_id", flat=True))):
        session = _lock_session(session_id)
        for booking in Booking.objects.filter(
            session=session, participant__user=user, status__in=ACTIVE
        ):
            if booking.status in HOLDING:
                session.booked_places -= booking.places
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_at = now
            booking.save()
            _event(action="withdrawn_on_revoke", booking=booking)
            withdrawn += 1
        session.save(update_fields=["booked_places", "updated_at"])
        _promote(session, now=now)
    withdrawn += ActivityQueueEntry.objects.filter(
        participant__user=user, status=ActivityQueueEntry.Status.WAITING, activity__space=space
    ).update(status=ActivityQueueEntry.Status.LEFT)
    # Her enrolments on the space's courses end with their places (the
    # courses' lines are served by process_waiting_lists: serving one here
    # would lock an activity after its sessions, docs/courses.md).
    withdrawn += CourseEnrolment.objects.filter(
        participant__user=user, status__in=CourseEnrolment.LIVE, activity__space=space
    ).update(status=CourseEnrolment.Status.CANCELLED, cancelled_at=now)
    return withdrawn


def line_serve(*, session_id) -> list[Booking]:
    """Places may have opened without a cancellation (capacity raised, a
    bigger room, a session reinstated): give them to the line. Call inside the
    transaction that made the change."""
    session = _lock_session(session_id)
    return _promote(session, now=timezone.now())


# --- a coordinator's message to the people booked ------------------------------------------

MESSAGE_MAX_LENGTH = 300


def _message_text(text: str | None, field: str = "text") -> str:
    text = (text or "").strip()
    if not text or len(text) > MESSAGE_MAX_LENGTH:
        raise ApplicationError(
            "invalid",
            f"Write a message of up to {MESSAGE_MAX_LENGTH} characters.",
            fields={field: [f"Write up to {MESSAGE_MAX_LENGTH} characters."]},
        )
    return text


@transaction.atomic
def session_message_send(
    *,
    actor,
    text: str,
    session: Session | None = None,
    activity: Activity | None = None,
    translations: dict[str, str] | None = None,
    include_waiting: bool = False,
) -> dict[str, int]:
    """Her short text to everyone holding a place (and, if she asks, everyone
    waiting) on one session, or on all of an activity's upcoming sessions.

    Each person gets one message (for an activity: about her next session), in
    her language where the coordinator wrote one in `translations`. Discreet
    recipients (women-only, no full wording) get a text naming no activity or
    place; the coordinator's own words are sent as written (the screen asks her
    not to name the class). Counts cover only sessions and people she manages."""
    if (session is None) == (activity is None):
        raise ValueError("session_message_send: give a session or an activity")
    activity = session.activity if session is not None else activity
    if not policy.can_see_activity(actor, activity):
        raise NotFoundError()
    if not policy.can_manage_activity(actor, activity):
        raise ApplicationError(
            "permission_denied",
            "Only this activity's coordinators can message it.",
            status_code=403,
        )
    text = _message_text(text)
    versions = {
        language.split("-")[0]: _message_text(version, f"translations.{language}")
        for language, version in (translations or {}).items()
        if (version or "").strip()
    }
    sessions = policy.manageable_sessions(actor).filter(activity=activity)
    if session is not None:
        sessions = sessions.filter(pk=session.pk)
    else:
        sessions = sessions.filter(status=Session.Status.SCHEDULED, start__gte=timezone.now())
    statuses = ACTIVE if include_waiting else HOLDING
    bookings = (
        Booking.objects.filter(session__in=sessions, status__in=statuses)
        .select_related("participant", "session__activity", "session__room__venue")
        .order_by("session__start", "created_at")
    )
    told: set = set()
    for booking in bookings:
        if booking.participant_id in told:
            continue
        told.add(booking.participant_id)
        language = booking.participant.preferred_language.split("-")[0]
        _tell(booking, "coordinator_message", text=versions.get(language, text))
    return {"sessions": sessions.count(), "people": len(told)}
