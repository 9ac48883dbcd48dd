"""Writes for registers: marks (idempotent, each change recorded), walk-ins,
locking and reopening, and the first-visit bookkeeping marks drive. The
participant lifecycle (merge, erase, export) and learner logins live in
`backend.people`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.access import policy
from backend.accounts.models import Participant
from backend.bookings.models import ACTIVE, HOLDING, Booking
from backend.common.errors import ApplicationError, NotFoundError, field_not_found, required_reason
from backend.timetable.models import Session

from .models import Attendance, AttendanceChange, RegisterReopening, WalkInKey

# When two records of one person both have a mark for a session, keep the strongest.
MARK_STRENGTH = {"present": 4, "late": 3, "excused": 2, "absent": 1}


def _forbidden(detail: str) -> ApplicationError:
    return ApplicationError("permission_denied", detail, status_code=403)


def require_register(actor, session: Session) -> None:
    if not policy.can_see_activity(actor, session.activity):
        raise NotFoundError()
    if not policy.can_take_register(actor, session):
        raise _forbidden("Only this activity's tutors and coordinators take its register.")


def register_opens_at(session: Session):
    """Marks are taken from a little before the start (she sets up early), never
    earlier: a mark for a session still to come would be a guess in the figures."""
    return session.start - timedelta(minutes=settings.HARBOUR_REGISTER_OPENS_BEFORE_MINUTES)


def register_not_open_yet(session: Session, *, now=None) -> bool:
    return (now or timezone.now()) < register_opens_at(session)


def register_locked(session: Session, *, now=None) -> bool:
    now = now or timezone.now()
    if now < session.end + timedelta(days=settings.HARBOUR_REGISTER_LOCK_DAYS):
        return False
    return not session.reopenings.filter(until__gt=now).exists()


def register_writable(session: Session, *, now=None) -> bool:
    now = now or timezone.now()
    return not register_not_open_yet(session, now=now) and not register_locked(session, now=now)


def _require_open(session: Session) -> None:
    """Every write to a register passes here (marks, mark-all, walk-ins, clearing
    a mark, and so the phone's queued marks when they are sent)."""
    now = timezone.now()
    if register_not_open_yet(session, now=now):
        raise ApplicationError(
            "register_not_open",
            "This register is not open yet. It opens shortly before the session.",
            status_code=409,
        )
    if register_locked(session, now=now):
        raise ApplicationError(
            "register_locked",
            "This register is locked; a coordinator can reopen it.",
            status_code=409,
        )


def _same_domain(session: Session) -> Q:
    """Sessions whose attendance may inform this session's register: public
    ones, and those of this session's own space."""
    space = session.activity.space_id
    return Q(session__activity__space__isnull=True) | Q(session__activity__space=space)


def _set_mark(
    *, actor, session: Session, participant: Participant, mark: str, **flags
) -> Attendance:
    """Idempotent: the same mark twice changes nothing and records nothing."""
    if mark not in MARK_STRENGTH:
        raise ApplicationError(
            "invalid_mark", f"Unknown mark {mark!r}.", fields={"mark": ["Unknown."]}
        )
    attendance = (
        Attendance.objects.select_for_update()
        .filter(session=session, participant=participant)
        .first()
    )
    old = attendance.mark if attendance else ""
    if attendance is not None and attendance.mark == mark:
        return attendance
    if attendance is None:
        attendance = Attendance(session=session, participant=participant, **flags)
    attendance.mark = mark
    attendance.marked_by = actor
    if mark in Attendance.ATTENDED:
        # "First visit" as anyone who can see this register may know it: a
        # visit to a protected space never shows through a public register.
        earlier = Attendance.objects.filter(
            _same_domain(session),
            participant=participant,
            mark__in=Attendance.ATTENDED,
            session__start__lt=session.start,
        ).exclude(session=session)
        attendance.first_visit = not earlier.exists()
        day = timezone.localtime(session.start).date()
        if participant.first_seen is None or participant.first_seen > day:
            participant.first_seen = day
            participant.save(update_fields=["first_seen"])
    attendance.save()
    AttendanceChange.objects.create(attendance=attendance, by=actor, old_mark=old, new_mark=mark)
    if old in Attendance.ATTENDED and mark not in Attendance.ATTENDED:
        _recount_first_seen(participant)
    return attendance


def _clear_mark(*, session: Session, participant: Participant) -> None:
    """Take a mark back (her undo, seconds after a wrong tap). The row goes with
    its change log: a mark that never stood is not history. A walk-in with no
    booking leaves the register with it."""
    attendance = (
        Attendance.objects.select_for_update()
        .filter(session=session, participant=participant)
        .first()
    )
    if attendance is None:
        return
    attended = attendance.mark in Attendance.ATTENDED
    attendance.delete()
    if attended:
        _recount_first_seen(participant)


def _lock_register(session: Session) -> None:
    """Writes to one register take turns (walk_in_add takes the same lock): a
    mark is found-or-created, and two at once would both create it."""
    Session.objects.select_for_update().filter(pk=session.pk).first()


def _on_register(session: Session, participant: Participant) -> bool:
    return (
        Booking.objects.filter(session=session, participant=participant, status__in=ACTIVE).exists()
        or Attendance.objects.filter(session=session, participant=participant).exists()
    )


@transaction.atomic
def attendance_mark(
    *, actor, session: Session, marks: list[tuple[Participant, str | None]]
) -> list[Attendance]:
    """Each (person, mark); a mark of None clears hers (undo). Two tutors (or a
    phone sending its queue twice) marking the same person at once: the
    register's row lock makes them take turns, so the later one simply wins and
    both are in the change log (never a duplicate mark, never an error)."""
    require_register(actor, session)
    _require_open(session)
    _lock_register(session)
    out = []
    for participant, mark in marks:
        if mark is None:
            _clear_mark(session=session, participant=participant)
            continue
        if not _on_register(session, participant):
            raise ApplicationError(
                "not_on_register",
                "This person is not on this register: add them as a walk-in.",
                fields={"participant": ["Not on this register."]},
            )
        out.append(_set_mark(actor=actor, session=session, participant=participant, mark=mark))
    return out


@transaction.atomic
def attendance_mark_all(*, actor, session: Session, mark: str, only_unmarked: bool = True) -> int:
    """Mark everyone holding a place (e.g. "all present", then fix the few)."""
    require_register(actor, session)
    _require_open(session)
    _lock_register(session)
    marked = set(
        Attendance.objects.filter(session=session).values_list("participant_id", flat=True)
    )
    count = 0
    for booking in Booking.objects.filter(session=session, status__in=HOLDING).select_related(
        "participant"
    ):
        if only_unmarked and booking.participant_id in marked:
            continue
        _set_mark(actor=actor, session=session, participant=booking.participant, mark=mark)
        count += 1
    return count


@transaction.atomic
def walk_in_add(
    *,
    actor,
    session: Session,
    participant: Participant | None = None,
    known_as: str = "",
    phone: str = "",
    languages: list[str] | None = None,
) -> Attendance:
    """Record someone who came without a booking, creating her record in the
    same step if she is new. People in the room are people in the room: a full
    session is flagged, never refused."""
    require_register(actor, session)
    _require_open(session)
    session = Session.objects.select_for_update().select_related("activity").get(pk=session.pk)
    if participant is None:
        known_as = known_as.strip()
        if not known_as:
            raise ApplicationError(
                "invalid",
                "Some fields are not valid.",
                fields={"known_as": ["Her name is needed."]},
            )
        participant = Participant.objects.create(
            known_as=known_as,
            phone=phone.strip(),
            languages=languages or [],
            registered_in_space=session.activity.space,
        )
    elif not policy.can_see_participant(actor, participant):
        raise field_not_found("participant")
    if session.activity.space_id is None:
        # A registration in a public context makes her known to the organisation's
        # staff. One at a space's register does not (it is `registered_in_space`
        # when she is new there): whoever sees her there already holds the grant.
        participant.organisations.add(session.activity.organisation)
    present = Attendance.objects.filter(session=session, mark__in=Attendance.ATTENDED).exclude(
        participant=participant
    )
    over = present.count() + 1 > session.capacity
    existing = Attendance.objects.filter(session=session, participant=participant).first()
    attendance = _set_mark(
        actor=actor, session=session, participant=participant, mark="present",
        walk_in=not _on_register(session, participant) or bool(existing and existing.walk_in),
        over_capacity=over,
    )  # fmt: skip
    if over and not attendance.over_capacity:
        attendance.over_capacity = True
        attendance.save(update_fields=["over_capacity", "updated_at"])
    return attendance


@transaction.atomic
def walk_in_record(*, actor, session: Session, key, **values) -> Participant:
    """The phone's walk-in, named by an id the phone made (so it can be added
    offline): sent twice, recorded once. The first answer stands: a key seen on
    this register already changes nothing (not even a mark she corrected since)
    and gives back the same person. Returns the person recorded."""
    require_register(actor, session)
    _require_open(session)
    _lock_register(session)
    done = WalkInKey.objects.filter(session=session, key=key).select_related("participant").first()
    if done is not None:
        return done.participant
    attendance = walk_in_add(actor=actor, session=session, **values)
    WalkInKey.objects.create(session=session, key=key, participant=attendance.participant, by=actor)
    return attendance.participant


@transaction.atomic
def register_reopen(*, actor, session: Session, reason: str, hours: int = 48) -> RegisterReopening:
    if not policy.can_see_activity(actor, session.activity):
        raise NotFoundError()
    if not policy.can_manage_session(actor, session):
        raise _forbidden("Only coordinators can reopen a register.")
    reason = required_reason(reason, "Say why it is reopened.")
    return RegisterReopening.objects.create(
        session=session, by=actor, until=timezone.now() + timedelta(hours=hours), reason=reason
    )


def _recount_first_seen(person: Participant) -> None:
    """A "present" corrected to "absent": her first visit may be later, or none."""
    first = (
        Attendance.objects.filter(participant=person, mark__in=Attendance.ATTENDED)
        .order_by("session__start")
        .values_list("session__start", flat=True)
        .first()
    )
    person.first_seen = timezone.localtime(first).date() if first else None
    person.save(update_fields=["first_seen"])
    first_visits_recompute(person)


def first_visits_recompute(person: Participant) -> None:
    """Only the earliest visit in each domain is a first visit (after a corrected
    mark, or a merge of two records of one person)."""
    visits = list(
        Attendance.objects.filter(participant=person, mark__in=Attendance.ATTENDED)
        .select_related("session__activity")
        .order_by("session__start")
    )
    seen_public = False
    seen_spaces: set = set()
    for visit in visits:
        space = visit.session.activity.space_id
        first = not seen_public if space is None else not (seen_public or space in seen_spaces)
        if space is None:
            seen_public = True
        else:
            seen_spaces.add(space)
        if visit.first_visit != first:
            visit.first_visit = first
            visit.save(update_fields=["first_visit", "updated_at"])
