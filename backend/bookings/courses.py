"""Writes for courses (docs/courses.md): enrol for the term, join and leave the
course's own line, cancel an enrolment, serve the line.

An enrolment is a place on every remaining session of a course, all or none,
with her children's crèche places on each; while any session is full (or its
crèche cannot take her children) she joins the course's line instead, and
holds nothing. The line is served like a session's line: in order, the first
whole request that fits on every remaining session is enrolled; one that does
not fit yet keeps its place.

Lock order (backend/reactions.py): her participant row, then the activity's
row (it orders the course's line), then every remaining session of the course
in primary-key order. Whoever serves the line holds the activity and all those
sessions, so no session's places change underneath a decision about the term.
A session-level change that opens places (capacity raised, a session moved or
reinstated) holds a session's lock without the activity's; it does not serve
the course's line (that would lock the activity after a session), and the
line is served at the next cancellation or by `manage.py process_waiting_lists`.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from backend.access import policy
from backend.accounts.models import Participant
from backend.common.db import short_lock_wait
from backend.common.errors import ApplicationError, NotFoundError
from backend.timetable.models import Activity, Session

from . import creche, rules
from .models import ACTIVE, HOLDING, Booking, CourseEnrolment
from .services import (
    _event,
    _lock_session,
    _next_seq,
    _resolve_participant,
    _tell,
    waiting_position,
)

LIVE = (CourseEnrolment.Status.CONFIRMED, CourseEnrolment.Status.WAITING)


def course_sessions(activity: Activity, *, now=None):
    """The course's sessions that are still to come (scheduled, not started),
    between its first and last day."""
    now = now or timezone.now()
    qs = activity.sessions.filter(status=Session.Status.SCHEDULED, start__gt=now)
    if activity.course_starts:
        qs = qs.filter(start__date__gte=activity.course_starts)
    if activity.course_ends:
        qs = qs.filter(start__date__lte=activity.course_ends)
    return qs.order_by("start")


def _all_course_sessions(activity: Activity):
    qs = activity.sessions.filter(status=Session.Status.SCHEDULED)
    if activity.course_starts:
        qs = qs.filter(start__date__gte=activity.course_starts)
    if activity.course_ends:
        qs = qs.filter(start__date__lte=activity.course_ends)
    return qs.order_by("start")


def _course_line(activity: Activity):
    return CourseEnrolment.objects.filter(
        activity=activity, status=CourseEnrolment.Status.WAITING
    ).order_by("-priority", "seq")


def course_position(enrolment: CourseEnrolment) -> int | None:
    if enrolment.status != CourseEnrolment.Status.WAITING:
        return None
    ahead = _course_line(enrolment.activity).filter(
        Q(priority__gt=enrolment.priority) | Q(priority=enrolment.priority, seq__lt=enrolment.seq)
    )
    return ahead.count() + 1


def _check_enrollable(activity: Activity, *, now) -> list[Session]:
    if not activity.is_course:
        raise ApplicationError(
            "not_a_course",
            "This activity is not a course: book its sessions one at a time.",
            status_code=409,
        )
    if not activity.booking_required:
        raise ApplicationError("drop_in", "No booking needed: this is a drop-in.", status_code=400)
    sessions = list(course_sessions(activity, now=now))
    if not sessions:
        raise ApplicationError(
            "course_over", "This course has no sessions left to enrol for.", status_code=409
        )
    first = _all_course_sessions(activity).first() or sessions[0]
    opens = first.start - timedelta(days=activity.booking_opens_days)
    if now < opens:
        local = timezone.localtime(opens)
        raise ApplicationError(
            "booking_not_open", f"Enrolment opens on {local:%a %d %b at %H:%M}.", status_code=409
        )
    return sessions


def _lock_course(activity_id, *, now) -> tuple[Activity, list[Session]]:
    """The activity's row, then its remaining sessions in primary-key order."""
    short_lock_wait()
    activity = Activity.objects.select_for_update().get(pk=activity_id)
    ids = sorted(course_sessions(activity, now=now).values_list("pk", flat=True))
    locked = {pk: _lock_session(pk) for pk in ids}
    sessions = sorted(locked.values(), key=lambda s: s.start)
    for session in sessions:
        session.activity = activity
    return activity, sessions


def _fits(enrolment: CourseEnrolment, sessions: list[Session], free_units: dict) -> bool:
    """Her whole request fits on every session: places, and crèche shares
    (`free_units`: each session's free crèche units, counted once per pass)."""
    participant = enrolment.participant
    if participant.user is not None and not policy.can_see_activity(
        participant.user, sessions[0].activity
    ):
        return False  # nobody is enrolled into what she cannot see (a revoked grant)
    children = list(enrolment.creche_children.all())
    for session in sessions:
        if session.capacity - session.booked_places < enrolment.places:
            return False
        if children:
            if any(creche.band_of(c, session) is None for c in children):
                return False
            if sum(creche.units_of(c, session) for c in children) > free_units[session.pk]:
                return False
    return True


def _enrol(enrolment: CourseEnrolment, sessions: list[Session], *, now, actor) -> None:
    """Give her a place on each remaining session. The caller holds the locks."""
    first: Booking | None = None
    for session in sessions:
        booking = Booking.objects.create(
            session=session, participant=enrolment.participant, places=enrolment.places,
            status=Booking.Status.CONFIRMED, queued_at=enrolment.queued_at, enrolment=enrolment,
            seq=(Booking.objects.filter(session=session).aggregate(top=Max("seq"))["top"] or 0)
            + 1,
            created_by=enrolment.created_by,
        )  # fmt: skip
        session.booked_places += enrolment.places
        session.save(update_fields=["booked_places", "updated_at"])
        booking.session = session
        first = first or booking
    enrolment.status = CourseEnrolment.Status.CONFIRMED
    enrolment.save(update_fields=["status", "updated_at"])
    _event(action="enrolled", actor=actor, enrolment=enrolment, booking=first)
    if first is not None:
        _tell(first, "booking_confirmed")


def _serve(activity: Activity, sessions: list[Session], *, now, actor=None) -> list:
    """Serve the course's line, in order, first whole request that fits on
    every remaining session. The caller holds the activity and the sessions."""
    enrolled: list[CourseEnrolment] = []
    while sessions:
        free = min(s.capacity - s.booked_places for s in sessions)
        if free <= 0:
            break
        free_units = {
            s.pk: creche.units_capacity(s) - creche.units_used(s) if creche.staff_on(s) else 0
            for s in sessions
        }
        line = (
            _course_line(activity)
            .filter(places__lte=free)
            .select_related("participant__user")
            .prefetch_related("creche_children")
        )
        head = next((e for e in line if _fits(e, sessions, free_units)), None)
        if head is None:
            break
        _enrol(head, sessions, now=now, actor=actor)
        enrolled.append(head)
    return enrolled


# --- enrol --------------------------------------------------------------------------------


def enrolment_create(
    *,
    actor,
    activity: Activity,
    places: int = 1,
    participant: Participant | None = None,
    children=(),
    idempotency_key: str = "",
) -> tuple[CourseEnrolment, bool]:
    """Enrol for every remaining session (all or none), or join the course's
    line. Returns (enrolment, created); a retry with the same Idempotency-Key
    returns the first enrolment."""
    if idempotency_key:
        earlier = _earlier(actor, idempotency_key)
        if earlier is not None:
            return _replay(earlier, actor=actor, activity=activity, places=places), False
    try:
        with transaction.atomic():
            return _enrolment_create(
                actor=actor, activity_id=activity.pk, places=places, participant=participant,
                children=list(children), idempotency_key=idempotency_key,
            )  # fmt: skip
    except IntegrityError:
        earlier = _earlier(actor, idempotency_key) if idempotency_key else None
        if earlier is not None:
            return _replay(earlier, actor=actor, activity=activity, places=places), False
        raise ApplicationError(
            "already_enrolled", "Already enrolled or in this course's line.", status_code=409
        ) from None


def _earlier(actor, key):
    return CourseEnrolment.objects.filter(created_by=actor, idempotency_key=key).first()


def _replay(earlier, *, actor, activity, places):
    if earlier.activity_id != activity.pk or earlier.places != places:
        raise ApplicationError(
            "idempotency_key_reused",
            "This Idempotency-Key was used for another request; send a new one.",
            status_code=409,
        )
    if not policy.can_see_activity(actor, earlier.activity):
        raise NotFoundError()
    return earlier


def _enrolment_create(
    *, actor, activity_id, places, participant, children, idempotency_key
) -> tuple[CourseEnrolment, bool]:
    activity = Activity.objects.get(pk=activity_id)
    if not policy.can_see_activity(actor, activity):
        raise NotFoundError()
    now = timezone.now()
    sessions = _check_enrollable(activity, now=now)
    person = _resolve_participant(actor, sessions[0], participant)
    rules.check_group_size(sessions[0], places)
    creche.check_children(activity, sessions, children)
    short_lock_wait()
    Participant.objects.select_for_update().filter(pk=person.pk).first()
    if idempotency_key:
        earlier = _earlier(actor, idempotency_key)
        if earlier is not None:
            return _replay(earlier, actor=actor, activity=activity, places=places), False
    for session in sessions:
        rules.check_no_overlap(session, person, actor=actor)

    activity, sessions = _lock_course(activity.pk, now=now)
    now = timezone.now()  # after the locks: the line is in the order they were granted
    sessions = [s for s in sessions if s.start > now]
    if not sessions:
        raise ApplicationError(
            "course_over", "This course has no sessions left to enrol for.", status_code=409
        )
    if CourseEnrolment.objects.filter(activity=activity, participant=person, status__in=LIVE):
        raise ApplicationError(
            "already_enrolled", "Already enrolled or in this course's line.", status_code=409
        )
    top = CourseEnrolment.objects.filter(activity=activity).aggregate(top=Max("seq"))["top"]
    enrolment = CourseEnrolment.objects.create(
        activity=activity, participant=person, places=places, status=CourseEnrolment.Status.WAITING,
        queued_at=now, seq=(top or 0) + 1, created_by=actor, idempotency_key=idempotency_key,
    )  # fmt: skip
    creche.children_record(children, enrolment=enrolment)
    _serve(activity, sessions, now=now, actor=actor)
    enrolment.refresh_from_db()
    if enrolment.status == CourseEnrolment.Status.WAITING:
        _event(action="course_line_joined", actor=actor, enrolment=enrolment)
    return enrolment, True


# --- cancel -------------------------------------------------------------------------------


def _own_or_managed(actor, enrolment: CourseEnrolment) -> None:
    if enrolment.participant.user_id == actor.pk:
        return
    if policy.can_see_activity(actor, enrolment.activity) and policy.can_manage_activity(
        actor, enrolment.activity
    ):
        return
    raise NotFoundError()


@transaction.atomic
def enrolment_cancel(*, actor, enrolment: CourseEnrolment) -> CourseEnrolment:
    """End her enrolment (or leave the line): every future place is freed at
    once and the course's line is served. Cancelling twice is harmless."""
    now = timezone.now()
    activity, sessions = _lock_course(enrolment.activity_id, now=now)
    enrolment = CourseEnrolment.objects.select_related("participant").get(pk=enrolment.pk)
    _own_or_managed(actor, enrolment)
    if enrolment.status not in LIVE:
        return enrolment
    # Her places, and her place in the line of a session added after she
    # enrolled (enrolments_extend).
    freed = Booking.objects.filter(
        enrolment=enrolment, status__in=ACTIVE, session__in=[s.pk for s in sessions]
    ).select_related("participant")
    by_pk = {s.pk: s for s in sessions}
    told = False
    for booking in freed:
        session = by_pk[booking.session_id]
        held = booking.status in HOLDING
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
        booking.session = session
        if not held:
            continue
        session.booked_places -= booking.places
        session.save(update_fields=["booked_places", "updated_at"])
        if not told:
            _tell(booking, "booking_cancelled")
            told = True
    enrolment.status = CourseEnrolment.Status.CANCELLED
    enrolment.cancelled_at = now
    enrolment.save(update_fields=["status", "cancelled_at", "updated_at"])
    _event(action="enrolment_cancelled", actor=actor, enrolment=enrolment)
    _serve(activity, sessions, now=now, actor=actor)
    return enrolment


def enrolments_extend(*, activity: Activity) -> int:
    """Sessions her enrolment does not hold yet (generated after she enrolled,
    or the course's dates widened): each enrolled learner, in the course's
    order, gets a place on each with her children's crèche places, or, when
    it is full or its crèche cannot take them, waits in that session's line
    ahead of anyone else there (she is enrolled), to be served like any
    line. A session on which she already has a booking of this enrolment
    (even one she cancelled: she cannot come that week) or any live booking
    is left as it is. The learners in the course's line need nothing: they
    will be enrolled for every session then to come.

    The caller holds the activity's row (the timetable, editing or
    generating its sessions); the sessions are locked here in primary-key
    order. Idempotent. Returns how many bookings were made."""
    if not activity.is_course:
        return 0
    now = timezone.now()
    enrolled = list(
        CourseEnrolment.objects.filter(activity=activity, status=CourseEnrolment.Status.CONFIRMED)
        .order_by("-priority", "seq")
        .select_related("participant__user")
        .prefetch_related("creche_children")
    )
    if not enrolled:
        return 0
    ids = sorted(course_sessions(activity, now=now).values_list("pk", flat=True))
    sessions = sorted((_lock_session(pk) for pk in ids), key=lambda s: s.start)
    made = 0
    for session in sessions:
        session.activity = activity
        here = Booking.objects.filter(session=session)
        has = set(
            here.filter(
                Q(enrolment__in=[e.pk for e in enrolled]) | Q(status__in=ACTIVE)
            ).values_list("participant_id", flat=True)
        )
        todo = [e for e in enrolled if e.participant_id not in has and _may_enrol(e, activity)]
        if not todo:
            continue
        free_units = creche.units_capacity(session) - creche.units_used(session)
        priority = (
            here.filter(status=Booking.Status.WAITING).aggregate(top=Max("priority"))["top"] or 0
        ) + 1
        for enrolment in todo:
            children = list(enrolment.creche_children.all())
            need = sum(creche.units_of(c, session) for c in children if creche.band_of(c, session))
            fits = session.capacity - session.booked_places >= enrolment.places and (
                not children
                or (all(creche.band_of(c, session) for c in children) and need <= free_units)
            )
            booking = Booking.objects.create(
                session=session, participant=enrolment.participant, places=enrolment.places,
                status=Booking.Status.CONFIRMED if fits else Booking.Status.WAITING,
                priority=0 if fits else priority, queued_at=enrolment.queued_at,
                enrolment=enrolment, seq=_next_seq(here), created_by=enrolment.created_by,
            )  # fmt: skip
            booking.session = session
            made += 1
            if fits:
                session.booked_places += enrolment.places
                session.save(update_fields=["booked_places", "updated_at"])
                free_units -= need
                _event(action="enrolment_extended", enrolment=enrolment, booking=booking)
                _tell(booking, "booking_confirmed")
            else:
                _event(action="waiting", enrolment=enrolment, booking=booking)
                _tell(booking, "booking_waiting", position=waiting_position(booking))
    return made


def _may_enrol(enrolment: CourseEnrolment, activity: Activity) -> bool:
    user = enrolment.participant.user
    return user is None or policy.can_see_activity(user, activity)


def _strength(enrolment: CourseEnrolment) -> tuple:
    return (
        enrolment.status == CourseEnrolment.Status.CONFIRMED,
        enrolment.places,
        enrolment.priority,
        -enrolment.seq,
    )


def enrolments_merge(*, actor, keep: Participant, other: Participant) -> int:
    """Two records of one person are merged (people/services.py): `other`'s
    enrolments become `keep`'s. Where both are enrolled (or in the line) for
    one course, the stronger stays (enrolled before waiting, then more
    places, then earlier in the line) and the weaker is cancelled, its future
    places freed for the course's line at once. The caller holds both
    participants' rows; the courses concerned are locked here, their
    activities then their remaining sessions, in primary-key order. Returns
    how many enrolments moved."""
    now = timezone.now()
    mine = {
        e.activity_id: e for e in CourseEnrolment.objects.filter(participant=keep, status__in=LIVE)
    }
    clashes = [
        (mine[e.activity_id], e)
        for e in CourseEnrolment.objects.filter(participant=other, status__in=LIVE)
        if e.activity_id in mine
    ]
    if clashes:
        short_lock_wait()
        ids = sorted({e.activity_id for e, _ in clashes})
        activities = {a.pk: a for a in Activity.objects.select_for_update().filter(pk__in=ids)}
        activities = {pk: activities[pk] for pk in ids}
        by_activity = {pk: list(course_sessions(a, now=now)) for pk, a in activities.items()}
        session_ids = sorted(s.pk for sessions in by_activity.values() for s in sessions)
        locked = {pk: _lock_session(pk) for pk in session_ids}
        for ours, theirs in clashes:
            weaker = min((ours, theirs), key=_strength)
            sessions = [locked[s.pk] for s in by_activity[weaker.activity_id]]
            _end_enrolment(weaker, sessions, now=now)
            _event(action="enrolment_merged_away", actor=actor, enrolment=weaker)
        for pk, activity in activities.items():
            sessions = sorted((locked[s.pk] for s in by_activity[pk]), key=lambda s: s.start)
            for session in sessions:
                session.activity = activity
            _serve(activity, sessions, now=now, actor=actor)
    return CourseEnrolment.objects.filter(participant=other).update(participant=keep)


def _end_enrolment(enrolment: CourseEnrolment, sessions: list[Session], *, now) -> None:
    """Cancel it, freeing its places and its places in lines on `sessions`
    (locked by the caller), without telling anyone."""
    by_pk = {s.pk: s for s in sessions}
    for booking in Booking.objects.filter(
        enrolment=enrolment, status__in=ACTIVE, session__in=list(by_pk)
    ):
        if booking.status in HOLDING:
            session = by_pk[booking.session_id]
            session.booked_places -= booking.places
            session.save(update_fields=["booked_places", "updated_at"])
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
    enrolment.status = CourseEnrolment.Status.CANCELLED
    enrolment.cancelled_at = now
    enrolment.save(update_fields=["status", "cancelled_at", "updated_at"])


def course_line_serve(*, activity: Activity) -> int:
    """Places may have opened without a cancellation (capacity raised, a
    session reinstated): serve the course's line. Idempotent; run by
    `manage.py process_waiting_lists`."""
    if not activity.is_course:
        return 0
    with transaction.atomic():
        activity, sessions = _lock_course(activity.pk, now=timezone.now())
        return len(_serve(activity, sessions, now=timezone.now()))


def course_lines_process() -> int:
    ids = set(
        CourseEnrolment.objects.filter(status=CourseEnrolment.Status.WAITING).values_list(
            "activity_id", flat=True
        )
    )
    return sum(course_line_serve(activity=a) for a in Activity.objects.filter(pk__in=ids))
