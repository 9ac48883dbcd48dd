"""Writes about people: merge two records of one person, erase her, export
everything held about her, make a learner a login, and give her a one-time
sign-in code. Authority comes from the policy (`visible_participants`,
`manageable_participants`): a person the actor may not see is "not found",
whatever else exists about her."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.access import policy
from backend.access import services as access_services
from backend.access.models import AccessRequest
from backend.accounts.models import Participant
from backend.accounts.services import CODE_ALPHABET, sign_in_code_create
from backend.bookings import courses
from backend.bookings.models import ACTIVE, HOLDING, ActivityQueueEntry, Booking, CrecheChild
from backend.bookings.services import line_serve
from backend.common.errors import ApplicationError, NotFoundError, field_not_found
from backend.feeds.models import Follow, PersonalFeed
from backend.notifications.models import Notification
from backend.organisations.roles import coordinated_organisations, tutored_organisations
from backend.registers import no_shows
from backend.registers.models import (
    Attendance,
    AttendanceChange,
    NoShowLift,
    ParticipantEvent,
    WalkInKey,
)
from backend.registers.services import MARK_STRENGTH, first_visits_recompute
from backend.timetable.models import Session

from .models import EsolLevelChange


def _forbidden(detail: str) -> ApplicationError:
    return ApplicationError("permission_denied", detail, status_code=403)


def require_participant_manager(
    actor,
    *people: Participant,
    self_allowed: bool = True,
    detail: str = "Only a coordinator of her organisation can do that.",
) -> None:
    """The one authority check for a person's record. Someone the actor may
    not see is "not found" (as an id that never existed); one she may see but
    not manage is refused. She may export or erase her own record; otherwise
    the actor must coordinate an organisation or space each person is known to."""
    visible = policy.visible_participants(actor)
    for person in people:
        if not visible.filter(pk=person.pk).exists():
            raise NotFoundError()
    if self_allowed and len(people) == 1 and people[0].user_id == actor.pk:
        return
    manageable = policy.manageable_participants(actor)
    if manageable.filter(pk__in=[p.pk for p in people]).count() != len({p.pk for p in people}):
        raise _forbidden(detail)


BOOKING_STRENGTH: dict[str, int] = {
    Booking.Status.CONFIRMED: 3,
    Booking.Status.OFFERED: 2,
    Booking.Status.WAITING: 1,
}


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
    require_participant_manager(
        actor, keep, other, self_allowed=False, detail="Only coordinators merge records."
    )
    keep = Participant.objects.select_for_update().get(pk=keep.pk)
    other = Participant.objects.select_for_update().get(pk=other.pk)
    if keep.user_id and other.user_id:
        raise ApplicationError(
            "both_have_accounts",
            "Both records have their own sign-in; Harbour will not join two accounts.",
            status_code=409,
        )
    _merge_attendance(actor, keep, other)
    # Enrolments first: they lock their courses' activities, then sessions.
    courses.enrolments_merge(actor=actor, keep=keep, other=other)
    _merge_bookings(keep, other)
    for entry in ActivityQueueEntry.objects.filter(participant=other):
        if (
            entry.status == ActivityQueueEntry.Status.WAITING
            and ActivityQueueEntry.objects.filter(
                participant=keep,
                activity=entry.activity_id,
                status=ActivityQueueEntry.Status.WAITING,
            ).exists()
        ):
            entry.status = ActivityQueueEntry.Status.LEFT
        entry.participant = keep
        entry.save()
    # Her ESOL progress, any lift of a no-show rule, the messages sent to her
    # and the walk-in keys that name her record follow her (her crèche
    # children go with her bookings and enrolments; her no-shows are her
    # attendance marks).
    EsolLevelChange.objects.filter(participant=other).update(participant=keep)
    NoShowLift.objects.filter(participant=other).update(participant=keep)
    Notification.objects.filter(participant=other).update(participant=keep)
    WalkInKey.objects.filter(participant=other).update(participant=keep)
    keep.organisations.add(*other.organisations.all())
    firsts = [d for d in (keep.first_seen, other.first_seen) if d]
    keep.first_seen = min(firsts) if firsts else None
    for field in ("phone", "email", "name_own_script"):
        if not getattr(keep, field) and getattr(other, field):
            setattr(keep, field, getattr(other, field))
    keep.languages = sorted(set(keep.languages) | set(other.languages))
    if keep.user_id is None and other.user_id is not None:
        keep.user_id, other.user_id = other.user_id, None
        other.save(update_fields=["user"])
    keep.save()
    other.merged_into = keep
    other.save(update_fields=["merged_into"])
    first_visits_recompute(keep)
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


@transaction.atomic
def participant_erase(*, actor, participant: Participant) -> Participant:
    """Forget her. Personal fields go, on her record and any merged into it;
    messages sent to her are blanked; her sign-in (if any) is closed and
    stripped of her name, her calendar feed and follows deleted, her access
    request messages blanked. Attendance stays, anonymous, so the figures stay
    right."""
    require_participant_manager(actor, participant)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    records = [participant, *Participant.objects.filter(merged_into=participant)]
    user = participant.user
    for record in records:
        record.known_as = "(erased)"
        record.name_own_script = ""
        record.phone = ""
        record.email = ""
        record.languages = []
        record.user = None
        record.erased_at = timezone.now()
        record.save()
    Notification.objects.filter(participant__in=records).update(subject="(erased)", body="(erased)")
    EsolLevelChange.objects.filter(participant__in=records).update(note="")
    # Names she gave her children for the crèche go too; birth months stay
    # (the crèche's counts for places she still holds depend on them).
    CrecheChild.objects.filter(
        Q(booking__participant__in=records) | Q(enrolment__participant__in=records)
    ).update(label="")
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
    require_participant_manager(actor, participant)
    sessions = policy.visible_sessions(actor).values("pk")
    ParticipantEvent.objects.create(actor=actor, participant=participant, action="exported")
    activities = policy.visible_activities(actor).values("pk")
    bookings = (
        participant.bookings.filter(session__in=sessions)
        .select_related("session__activity")
        .prefetch_related("creche_children")
    )
    enrolments = (
        participant.enrolments.filter(activity__in=activities)
        .select_related("activity")
        .prefetch_related("creche_children")
        .order_by("created_at")
    )
    record = no_shows.record_of(viewer=actor, participant=participant)
    attendance = participant.attendance.filter(session__in=sessions).select_related(
        "session__activity"
    )
    levels = [
        {"skill": c.skill, "level": c.level, "on": c.on.isoformat(), "note": c.note}
        for c in participant.esol_levels.order_by("-on", "-at")
    ]
    return {
        "esol_levels": levels,
        "participant": {
            "id": str(participant.pk),
            "known_as": participant.known_as,
            "name_own_script": participant.name_own_script,
            "phone": participant.phone,
            "email": participant.email,
            "languages": participant.languages,
            "preferred_language": participant.preferred_language,
            "first_seen": _first_seen_visible(participant, sessions),
            "organisations": [o.name for o in participant.organisations.all()],
            "created_at": participant.created_at.isoformat(),
        },
        "bookings": [
            {
                **_session_ref(b.session),
                "status": b.status,
                "places": b.places,
                "enrolment": str(b.enrolment_id) if b.enrolment_id else None,
                "children": _children(b.creche_children.all()),
            }
            for b in bookings
        ],
        "enrolments": [
            {
                "id": str(e.pk),
                "activity": e.activity.title,
                "status": e.status,
                "places": e.places,
                "created_at": e.created_at.isoformat(),
                "cancelled_at": e.cancelled_at.isoformat() if e.cancelled_at else None,
                "children": _children(e.creche_children.all()),
            }
            for e in enrolments
        ],
        "queue_entries": [
            {
                "activity": q.activity.title,
                "status": q.status,
                "places": q.places,
                "created_at": q.created_at.isoformat(),
            }
            for q in participant.queues.filter(activity__in=activities)
            .select_related("activity")
            .order_by("created_at")
        ],
        "no_shows": {
            "window_weeks": record["window_weeks"],
            "sessions": [
                {
                    "session": str(n["session"]),
                    "activity": n["activity"],
                    "start": n["start"].isoformat(),
                    "fades_on": n["fades_on"].isoformat(),
                }
                for n in record["no_shows"]
            ],
            "held_back": [
                {"activity": h["title"], "count": h["count"], "after": h["after"]}
                for h in record["held_back"]
            ],
            "lifted": [
                {"activity": lift.activity.title, "at": lift.at.isoformat(), "reason": lift.reason}
                for lift in participant.no_show_lifts.filter(activity__in=activities)
                .select_related("activity")
                .order_by("at")
            ],
        },
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


def _children(children) -> list[dict]:
    """Her children's crèche places: what she gave (docs/courses.md)."""
    return [
        {"number": c.number, "label": c.label, "birth_year": c.birth_year,
         "birth_month": c.birth_month}
        for c in children
    ]  # fmt: skip


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
    grant: bool = False,
) -> Participant:
    """A login (no password, no email) and her participant record, registered
    with the actor's organisation or protected space, so that she is visible to
    its coordinators. A login a space makes is registered at the space only,
    never with its organisation: to anyone without the grant she does not exist.
    `grant` (a space only): the space's coordinator gives her the space in the
    same step (`space_grant`, audited), so she sees its sessions at once."""
    if grant and space is None:
        raise ApplicationError(
            "invalid",
            "Some fields are not valid.",
            fields={"grant": ["Only a space's coordinator registering her at the space."]},
        )
    if space is not None:
        if not policy.coordinated_spaces(actor).filter(pk=space.pk).exists():
            raise field_not_found("space")
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
    if space is None:
        participant.organisations.add(organisation)
    ParticipantEvent.objects.create(actor=actor, participant=participant, action="account_created")
    if grant:
        access_services.space_grant(
            actor=actor, space=space, user=user, note="granted when she was registered"
        )
    return participant


def _code_not_allowed() -> ApplicationError:
    # One answer for every reason, each of which the issuer may know of.
    return ApplicationError(
        "sign_in_code_not_allowed",
        "You cannot give a sign-in code to this person.",
        status_code=403,
    )


def _may_take_code(user) -> bool:
    """Only a learner's login, never one that could do more than she can: no
    password (a code would bypass it), no staff, superuser or organisation
    role. Nothing here depends on her spaces: see `sign_in_code_issue`."""
    if user.is_staff or user.is_superuser or not user.is_active or user.has_usable_password():
        return False
    return not (coordinated_organisations(user).exists() or tutored_organisations(user).exists())


@transaction.atomic
def sign_in_code_issue(*, actor, participant: Participant):
    """A one-time sign-in code for her, from a coordinator of her organisation
    or space. A walk-in without a login gets one (without a password) now.
    Returns (participant, SignInCode, plain code).

    The answer never depends on a space the issuer may not see: a person known
    only through one is not found, and for a woman he may see who also holds a
    grant (or a space role) he does not coordinate, the code is issued as for
    anyone else, and her access to those spaces is suspended first, recorded in
    each space's log, so that the code cannot open them. Her space's
    coordinators restore it with a grant."""
    require_participant_manager(
        actor, participant, self_allowed=False,
        detail="Only a coordinator of her organisation can give her a sign-in code.",
    )  # fmt: skip
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
    elif not _may_take_code(participant.user):
        raise _code_not_allowed()
    access_services.space_access_suspend_for_reset(actor=actor, user=participant.user)
    row, code = sign_in_code_create(user=participant.user, issued_by=actor)
    ParticipantEvent.objects.create(
        actor=actor,
        participant=participant,
        action="sign_in_code_issued",
        note=f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC",
    )
    return participant, row, code
