"""Writes for registers and participants: marks (idempotent, each change
recorded), walk-ins, locking and reopening, merge, erasure, export, and
learner logins made by coordinators (with one-time sign-in codes)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.access import policy
from backend.accounts.models import Participant
from backend.accounts.services import CODE_ALPHABET, sign_in_code_create
from backend.bookings.models import ACTIVE, HOLDING, ActivityQueueEntry, Booking
from backend.common.errors import ApplicationError, NotFoundError, field_not_found, required_reason
from backend.organisations.roles import coordinated_organisations, tutored_organisations
from backend.timetable.models import Session

from . import selectors
from .models import Attendance, AttendanceChange, ParticipantEvent, RegisterReopening

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
    elif not selectors.visible_participants(actor).filter(pk=participant.pk).exists():
        raise field_not_found("participant")
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
def register_reopen(*, actor, session: Session, reason: str, hours: int = 48) -> RegisterReopening:
    if not policy.can_see_activity(actor, session.activity):
        raise NotFoundError()
    if not policy.can_manage_session(actor, session):
        raise _forbidden("Only coordinators can reopen a register.")
    reason = required_reason(reason, "Say why it is reopened.")
    return RegisterReopening.objects.create(
        session=session, by=actor, until=timezone.now() + timedelta(hours=hours), reason=reason
    )


# --- participants ---------------------------------------------------------------------------


def _coordinates_someone_of(actor, participant: Participant) -> bool:
    """The actor coordinates an organisation or space this person belongs to
    (registered there, or booked or attended its sessions she may see)."""
    orgs = coordinated_organisations(actor).values("pk")
    spaces = policy.coordinated_spaces(actor).values("pk")
    sessions = policy.visible_sessions(actor).filter(
        Q(activity__organisation__in=orgs) | Q(activity__space__in=spaces)
    )
    return (
        participant.organisations.filter(pk__in=orgs).exists()
        or (participant.registered_in_space_id is not None
            and spaces.filter(pk=participant.registered_in_space_id).exists())
        or participant.bookings.filter(session__in=sessions.values("pk")).exists()
        or participant.attendance.filter(session__in=sessions.values("pk")).exists()
    )  # fmt: skip


def _require_participant_manager(actor, *people: Participant, self_allowed: bool = True) -> None:
    """She may export or erase her own record; otherwise a coordinator of an
    organisation or space each person belongs to."""
    visible = selectors.visible_participants(actor)
    for person in people:
        if not visible.filter(pk=person.pk).exists():
            raise NotFoundError()
    if self_allowed and len(people) == 1 and people[0].user_id == actor.pk:
        return
    if not all(_coordinates_someone_of(actor, person) for person in people):
        raise _forbidden("Only a coordinator of her organisation can do that.")


BOOKING_STRENGTH = {"confirmed": 3, "offered": 2, "waiting": 1}


@transaction.atomic
def participant_merge(*, actor, keep: Participant, other: Participant) -> Participant:
    """Fold `other` into `keep` (a walk-in who later made an account), keeping
    all history. Where both hold something for one session, the stronger
    booking and the stronger mark win; the weaker is cancelled or recorded as
    changed, and a place freed goes to the line."""
    if keep.pk == other.pk:
        raise ApplicationError(
            "invalid", "Choose two different people.", fields={"other": ["Same person."]}
        )
    _require_participant_manager(actor, keep, other, self_allowed=False)
    keep = Participant.objects.select_for_update().get(pk=keep.pk)
    other = Participant.objects.select_for_update().get(pk=other.pk)
    if keep.user_id and other.user_id:
        raise ApplicationError(
            "both_have_accounts",
            "Both records have their own sign-in; Harbour will not join two accounts.",
            status_code=409,
        )
    _merge_attendance(actor, keep, other)
    _merge_bookings(keep, other)
    for entry in ActivityQueueEntry.objects.filter(participant=other):
        if (
            entry.status == "waiting"
            and ActivityQueueEntry.objects.filter(
                participant=keep, activity=entry.activity_id, status="waiting"
            ).exists()
        ):
            entry.status = ActivityQueueEntry.Status.LEFT
        entry.participant = keep
        entry.save()
    keep.organisations.add(*other.organisations.all())
    firsts = [d for d in (keep.first_seen, other.first_seen) if d]
    keep.first_seen = min(firsts) if firsts else None
    for field in ("phone", "email"):
        if not getattr(keep, field) and getattr(other, field):
            setattr(keep, field, getattr(other, field))
    keep.languages = sorted(set(keep.languages) | set(other.languages))
    if keep.user_id is None and other.user_id is not None:
        keep.user_id, other.user_id = other.user_id, None
        other.save(update_fields=["user"])
    keep.save()
    other.merged_into = keep
    other.save(update_fields=["merged_into"])
    _recompute_first_visits(keep)
    ParticipantEvent.objects.create(
        actor=actor, participant=keep, action="merged", note=f"merged {other.pk}"
    )
    return keep


def _merge_attendance(actor, keep: Participant, other: Participant) -> None:
    for attendance in Attendance.objects.filter(participant=other):
        mine = Attendance.objects.filter(participant=keep, session=attendance.session_id).first()
        if mine is None:
            attendance.participant = keep
            attendance.save(update_fields=["participant", "updated_at"])
            continue
        if MARK_STRENGTH[attendance.mark] > MARK_STRENGTH[mine.mark]:
            AttendanceChange.objects.create(
                attendance=mine, by=actor, old_mark=mine.mark, new_mark=attendance.mark
            )
            mine.mark = attendance.mark
            mine.save(update_fields=["mark", "updated_at"])
        # The duplicate's history moves to the mark that stays.
        AttendanceChange.objects.filter(attendance=attendance).update(attendance=mine)
        attendance.delete()


def _merge_bookings(keep: Participant, other: Participant) -> None:
    from backend.bookings.services import line_serve

    freed = set()
    for booking in Booking.objects.filter(participant=other):
        mine = Booking.objects.filter(
            participant=keep, session=booking.session_id, status__in=ACTIVE
        ).first()
        if mine is not None and booking.status in ACTIVE:
            weaker = min(mine, booking, key=lambda b: (BOOKING_STRENGTH[b.status], -b.places))
            session = Session.objects.select_for_update().get(pk=booking.session_id)
            if weaker.status in HOLDING:
                session.booked_places -= weaker.places
                session.save(update_fields=["booked_places", "updated_at"])
                freed.add(session.pk)
            weaker.status = Booking.Status.CANCELLED
            weaker.cancelled_at = timezone.now()
            weaker.save()
        booking.participant = keep
        booking.save()
    for session_id in freed:
        line_serve(session_id=session_id)


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
    _recompute_first_visits(person)


def _recompute_first_visits(person: Participant) -> None:
    """After a merge, only the earliest visit in each domain is a first visit."""
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


@transaction.atomic
def participant_erase(*, actor, participant: Participant) -> Participant:
    """Forget her. Personal fields go, on her record and any merged into it;
    messages sent to her are blanked; her sign-in (if any) is closed and
    stripped of her name, her calendar feed and follows deleted, her access
    request messages blanked. Attendance stays, anonymous, so the figures stay
    right."""
    from backend.access.models import AccessRequest
    from backend.feeds.models import Follow, PersonalFeed
    from backend.notifications.models import Notification

    _require_participant_manager(actor, participant)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    records = [participant, *Participant.objects.filter(merged_into=participant)]
    user = participant.user
    for record in records:
        record.known_as = "(erased)"
        record.phone = ""
        record.email = ""
        record.languages = []
        record.user = None
        record.erased_at = timezone.now()
        record.save()
    Notification.objects.filter(participant__in=records).update(subject="(erased)", body="(erased)")
    if user is not None:
        AccessRequest.objects.filter(user=user).update(message="")
        PersonalFeed.objects.filter(user=user).delete()
        Follow.objects.filter(user=user).delete()
        user.known_as = user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    ParticipantEvent.objects.create(actor=actor, participant=participant, action="erased")
    return participant


def participant_export(*, actor, participant: Participant) -> dict:
    """Everything held about her, as the viewer may see it."""
    _require_participant_manager(actor, participant)
    sessions = policy.visible_sessions(actor).values("pk")
    ParticipantEvent.objects.create(actor=actor, participant=participant, action="exported")
    bookings = participant.bookings.filter(session__in=sessions).select_related("session__activity")
    attendance = participant.attendance.filter(session__in=sessions).select_related(
        "session__activity"
    )
    return {
        "participant": {
            "id": str(participant.pk),
            "known_as": participant.known_as,
            "phone": participant.phone,
            "email": participant.email,
            "languages": participant.languages,
            "preferred_language": participant.preferred_language,
            "first_seen": _first_seen_visible(participant, sessions),
            "organisations": [o.name for o in participant.organisations.all()],
            "created_at": participant.created_at.isoformat(),
        },
        "bookings": [
            {**_session_ref(b.session), "status": b.status, "places": b.places} for b in bookings
        ],
        "attendance": [
            {**_session_ref(a.session), "mark": a.mark, "walk_in": a.walk_in} for a in attendance
        ],
        # Messages sent to her are hers: staff do not need them, and they could
        # name sessions the viewer may not see.
        "notifications": []
        if participant.user_id != actor.pk
        else [
            {
                "kind": n.kind,
                "channel": n.channel,
                "status": n.status,
                "at": n.created_at.isoformat(),
            }
            for n in participant.notifications.all()
        ],
    }


def _first_seen_visible(participant: Participant, sessions) -> str | None:
    first = (
        participant.attendance.filter(session__in=sessions, mark__in=Attendance.ATTENDED)
        .order_by("session__start")
        .values_list("session__start", flat=True)
        .first()
    )
    return timezone.localtime(first).date().isoformat() if first else None


def _session_ref(session: Session) -> dict:
    return {
        "session": str(session.pk),
        "activity": session.activity.title,
        "start": session.start.isoformat(),
    }


# --- learner accounts and one-time sign-in codes --------------------------------------------
# Many learners have no email. A coordinator makes her a login without a password
# and gives her a one-time code (on paper, or as a QR code to scan). Each step is
# a ParticipantEvent: it is about one person and sits with her merges, erasure and
# exports (the space audit log is about access to a space, and would show an
# organisation's learners to that space's coordinators).


def _new_username() -> str:
    User = get_user_model()
    while True:
        username = "learner-" + "".join(secrets.choice(CODE_ALPHABET.lower()) for _ in range(6))
        if not User.objects.filter(username=username).exists():
            return username


def _login_without_password(*, known_as: str, preferred_language: str):
    user = get_user_model()(
        username=_new_username(), known_as=known_as, preferred_language=preferred_language
    )
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def learner_account_create(
    *,
    actor,
    known_as: str,
    phone: str = "",
    preferred_language: str = "en",
    organisation=None,
    space=None,
) -> Participant:
    """A login (no password, no email) and her participant record, registered
    with the actor's organisation or protected space, so that she is visible to
    its coordinators (and, for a space, to nobody without its grant)."""
    if space is not None:
        if not policy.coordinated_spaces(actor).filter(pk=space.pk).exists():
            raise field_not_found("space")
        organisation = space.organisation
    elif organisation is None:
        raise ApplicationError(
            "invalid",
            "Some fields are not valid.",
            fields={"organisation": ["Choose her organisation or space."]},
        )
    elif not coordinated_organisations(actor).filter(pk=organisation.pk).exists():
        raise _forbidden("Only coordinators of this organisation can give people a sign-in.")
    user = _login_without_password(known_as=known_as, preferred_language=preferred_language)
    participant = Participant.objects.create(
        user=user,
        known_as=known_as,
        phone=phone,
        preferred_language=preferred_language,
        registered_in_space=space,
    )
    participant.organisations.add(organisation)
    ParticipantEvent.objects.create(actor=actor, participant=participant, action="account_created")
    return participant


def _code_not_allowed() -> ApplicationError:
    # One answer for every reason, so it says nothing about her other roles or spaces.
    return ApplicationError(
        "sign_in_code_not_allowed",
        "You cannot give a sign-in code to this person.",
        status_code=403,
    )


def _may_take_code(actor, user) -> bool:
    """Only a learner's login, never one that could do more than she can: no
    password (a code would bypass it), no staff, superuser or organisation
    role, and no grant to a space the issuer does not coordinate (signing in
    as her would otherwise reveal it)."""
    if user.is_staff or user.is_superuser or not user.is_active or user.has_usable_password():
        return False
    if coordinated_organisations(user).exists() or tutored_organisations(user).exists():
        return False
    if policy.coordinated_spaces(user).exists():
        return False
    granted = policy.granted_spaces(user).values("pk")
    return not granted.exclude(pk__in=policy.coordinated_spaces(actor).values("pk")).exists()


@transaction.atomic
def sign_in_code_issue(*, actor, participant: Participant):
    """A one-time sign-in code for her, from a coordinator of her organisation
    or space. A walk-in without a login gets one (without a password) now.
    Returns (participant, SignInCode, plain code)."""
    if not selectors.visible_participants(actor).filter(pk=participant.pk).exists():
        raise NotFoundError()
    if not _coordinates_someone_of(actor, participant):
        raise _forbidden("Only a coordinator of her organisation can give her a sign-in code.")
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.erased_at is not None:
        raise _code_not_allowed()
    if participant.user is None:
        participant.user = _login_without_password(
            known_as=participant.known_as, preferred_language=participant.preferred_language
        )
        participant.save(update_fields=["user"])
        ParticipantEvent.objects.create(
            actor=actor, participant=participant, action="account_created"
        )
    elif not _may_take_code(actor, participant.user):
        raise _code_not_allowed()
    row, code = sign_in_code_create(user=participant.user, issued_by=actor)
    ParticipantEvent.objects.create(
        actor=actor,
        participant=participant,
        action="sign_in_code_issued",
        note=f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC",
    )
    return participant, row, code
