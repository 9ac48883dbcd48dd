"""ESOL progress and attendance certificates (docs/fair-shares.md): her level
per skill (the latest of a tutor's dated changes; the history is kept), the
classes that suit her, a term's certificate threshold, her attendance in a
term and whether it earns the certificate.

Every count is made from the sessions the viewer may see (policy), so a
coordinator without the grant neither sees nor counts a woman's attendance at
a women-only class, and her certificate from him lists only what he may see."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from backend.access import policy
from backend.accounts.models import Participant
from backend.bookings.models import HOLDING, Booking
from backend.common.errors import ApplicationError, NotFoundError, field_not_found
from backend.organisations.roles import coordinated_organisations, tutored_organisations
from backend.registers.models import Attendance
from backend.timetable.models import Activity, Session, Term

from .models import CertificateThreshold, EsolLevelChange

LEVELS = [value for value, _ in Activity.Level.choices]  # lowest first


def _invalid(field: str, detail: str) -> ApplicationError:
    return ApplicationError("invalid", detail, fields={field: [detail]})


def is_staff(user) -> bool:
    return (
        coordinated_organisations(user).exists()
        or tutored_organisations(user).exists()
        or policy.staffed_sessions(user).exists()
    )


def _staff_seeing(actor, participant: Participant) -> None:
    if not policy.visible_participants(actor).filter(pk=participant.pk).exists():
        raise NotFoundError()
    if participant.user_id == actor.pk or not is_staff(actor):
        raise ApplicationError(
            "permission_denied", "Only her tutors and coordinators can do that.", status_code=403
        )


# --- levels -------------------------------------------------------------------------------


def levels_of(participant: Participant) -> dict[str, EsolLevelChange | None]:
    """Her current level per skill: the latest dated change (None: not assessed)."""
    current: dict[str, EsolLevelChange | None] = dict.fromkeys(EsolLevelChange.Skill.values)
    for change in participant.esol_levels.select_related("by").order_by("-on", "-at"):
        if current.get(change.skill) is None:
            current[change.skill] = change
    return current


def history_of(participant: Participant):
    return participant.esol_levels.select_related("by").order_by("-on", "-at")


@transaction.atomic
def level_set(
    *, actor, participant: Participant, skill: str, level: str, on: date | None = None,
    note: str = "",
) -> EsolLevelChange:  # fmt: skip
    """A tutor records her level in one skill, dated; earlier ones stay as history."""
    _staff_seeing(actor, participant)
    if skill not in EsolLevelChange.Skill.values:
        raise _invalid("skill", "Choose speaking, listening, reading or writing.")
    if level not in LEVELS:
        raise _invalid("level", "Choose an ESOL level.")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise _invalid("on", "The day of the assessment cannot be in the future.")
    return EsolLevelChange.objects.create(
        participant=participant, skill=skill, level=level, on=on, note=(note or "")[:300],
        by=actor,
    )  # fmt: skip


def suggested_level(participant: Participant) -> str | None:
    """The class to suggest is at her lowest assessed skill, so she can follow
    it in every skill (one level below her best is a common ESOL rule of thumb)."""
    known = [c.level for c in levels_of(participant).values() if c is not None]
    return min(known, key=LEVELS.index) if known else None


def suggested_classes(*, viewer, participant: Participant):
    """English classes at her suggested level with upcoming sessions, among
    the activities the viewer may see."""
    level = suggested_level(participant)
    if level is None:
        return level, Activity.objects.none()
    upcoming = Session.objects.filter(
        activity=OuterRef("pk"), status=Session.Status.SCHEDULED, start__gt=timezone.now()
    )
    return level, (
        policy.visible_activities(viewer)
        .filter(kind=Activity.Kind.ENGLISH_CLASS, level=level)
        .filter(Exists(upcoming))
        .order_by("title")
    )


@transaction.atomic
def name_own_script_set(*, actor, participant: Participant, name: str) -> Participant:
    """Her name as she writes it: she sets it herself, or her tutor or coordinator."""
    if participant.user_id != actor.pk:
        _staff_seeing(actor, participant)
    name = (name or "").strip()
    if len(name) > 100:
        raise _invalid("name_own_script", "Up to 100 characters.")
    participant.name_own_script = name
    participant.save(update_fields=["name_own_script"])
    return participant


# --- certificates -------------------------------------------------------------------------


def coordinated_term(actor, term_id, *, field: str | None = None) -> Term:
    """The term, for its organisation's coordinators: 403 for anyone else; an
    unknown id is 404 in the URL's query, or `invalid` on `field` of a body."""
    term = Term.objects.filter(pk=term_id).select_related("organisation").first()
    if term is None:
        raise field_not_found(field) if field else NotFoundError()
    if not coordinated_organisations(actor).filter(pk=term.organisation_id).exists():
        raise ApplicationError(
            "permission_denied",
            "Only the organisation's coordinators can do that.",
            status_code=403,
        )
    return term


@transaction.atomic
def threshold_set(
    *, actor, term: Term, percent: int, minimum_sessions: int = 1
) -> CertificateThreshold:
    coordinated_term(actor, term.pk)
    if not 1 <= percent <= 100:
        raise _invalid("percent", "Choose 1 to 100.")
    if not 1 <= minimum_sessions <= 500:
        raise _invalid("minimum_sessions", "Choose 1 to 500.")
    threshold, _ = CertificateThreshold.objects.update_or_create(
        term=term,
        defaults={"percent": percent, "minimum_sessions": minimum_sessions, "set_by": actor},
    )
    return threshold


def _term_sessions(viewer, term: Term):
    tz = timezone.get_current_timezone()
    start = datetime.combine(term.start_date, time.min, tzinfo=tz)
    end = datetime.combine(term.end_date, time.max, tzinfo=tz)
    return policy.visible_sessions(viewer).filter(
        activity__organisation_id=term.organisation_id,
        status=Session.Status.SCHEDULED,
        start__gte=start,
        start__lte=min(end, timezone.now()),
    )


def attendance_in_term(*, viewer, participant: Participant, term: Term) -> dict:
    """The sessions of the term (held, and visible to the viewer) she held a
    place on or came to, how many she came to, and whether that earns the
    certificate."""
    sessions = _term_sessions(viewer, term)
    came = Attendance.objects.filter(
        session=OuterRef("pk"), participant=participant, mark__in=Attendance.ATTENDED
    )
    booked = Booking.objects.filter(
        session=OuterRef("pk"), participant=participant, status__in=HOLDING
    )
    hers = (
        sessions.annotate(came=Exists(came), booked=Exists(booked))
        .filter(Q(came=True) | Q(booked=True))
        .select_related("activity")
        .order_by("start")
    )
    rows = list(hers)
    attended = sum(1 for s in rows if s.came)
    percent = round(100 * attended / len(rows)) if rows else 0
    threshold = CertificateThreshold.objects.filter(term=term).first()
    eligible = bool(
        threshold
        and rows
        and percent >= threshold.percent
        and attended >= threshold.minimum_sessions
    )
    activities: dict[str, int] = {}
    for s in rows:
        if s.came:
            activities[s.activity.title] = activities.get(s.activity.title, 0) + 1
    return {
        "participant": participant,
        "term": term,
        "sessions": len(rows),
        "attended": attended,
        "percent": percent,
        "threshold": threshold.percent if threshold else None,
        "minimum_sessions": threshold.minimum_sessions if threshold else None,
        "eligible": eligible,
        "activities": [{"title": t, "attended": n} for t, n in sorted(activities.items())],
    }


def term_class_list(*, viewer, term: Term) -> list[dict]:
    """Everyone the viewer may see who held a place on or came to the term's
    sessions he may see, with her attendance."""
    sessions = _term_sessions(viewer, term).values("pk")
    people = (
        policy.visible_participants(viewer)
        .filter(
            Q(attendance__session__in=sessions)
            | Q(bookings__session__in=sessions, bookings__status__in=HOLDING)
        )
        .distinct()
        .order_by("known_as")
    )
    return [attendance_in_term(viewer=viewer, participant=p, term=term) for p in people]


def certificates_of(*, user) -> list[dict]:
    """Her own certificates: terms with a threshold she has passed (counted
    from what she may see)."""
    if not user.is_authenticated:
        return []
    participant = Participant.objects.filter(user=user).first()
    if participant is None:
        return []
    terms = Term.objects.filter(certificate__isnull=False).select_related("organisation")
    results = [attendance_in_term(viewer=user, participant=participant, term=t) for t in terms]
    return [r for r in results if r["eligible"]]
