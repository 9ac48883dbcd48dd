"""Writes for the timetable: activities, session generation, cancel, move.

Room clashes are checked with the rooms' rows locked (SELECT ... FOR UPDATE),
so two coordinators cannot put two sessions in one room at once, on any number
of app servers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from recurrence import Recurrence

from backend import reactions
from backend.access import policy
from backend.access.models import Space
from backend.common.db import short_lock_wait
from backend.common.errors import ApplicationError, NotFoundError, field_not_found, required_reason
from backend.organisations.models import Organisation, Room

from . import rooms, schedule
from .models import Activity, Language, Session

logger = logging.getLogger(__name__)

# Dates outside this span are typing mistakes, and near date.max they overflow.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)

REASON_EXCLUDED = "Not running on this date."
REVIEW_NOT_IN_SCHEDULE = "No longer in the schedule, but people are booked: decide what to do."
REVIEW_EXCLUDED = "Date excluded from the schedule while people were booked: tell them."
# One wording for every clash, whoever or whatever holds the room (a visible
# session, a reservation, a session some of this activity's coordinators may
# not see): the note is stored and read by all of them.
REVIEW_CLASH = "Could not be placed: the room is taken at that time. Move it or leave it cancelled."
REASON_CLASH = "Not running on this date; the organisers will confirm."

# Fields a coordinator may set on an activity; the schedule fields regenerate sessions.
SCHEDULE_FIELDS = {
    "recurrence",
    "excluded_dates",
    "start_date",
    "start_time",
    "duration",
    "timezone",
}
SESSION_FIELDS = {"room", "capacity"}
COURSE_FIELDS = {"is_course", "course_starts", "course_ends"}
PLAIN_FIELDS = {
    "kind", "title", "description", "what_to_bring", "level", "booking_required",
    "booking_opens_days", "booking_closes_hours", "waitlist_mode", "offer_hours",
    "weekly_limit", "max_group_size", "reminder_timing", "translations", "is_course",
    "course_starts", "course_ends", "creche_staff",
}  # fmt: skip


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    flagged: int = 0


# --- validation ---------------------------------------------------------------


def _validate_activity(activity: Activity) -> None:
    fields: dict[str, list[str]] = {}
    code = "invalid"
    if activity.capacity < 1:
        fields["capacity"] = ["Capacity must be at least 1."]
    elif activity.capacity > activity.room.capacity:
        code = "capacity_above_room"
        fields["capacity"] = [
            f"Capacity {activity.capacity} is more than {activity.room} holds "
            f"({activity.room.capacity})."
        ]
    if activity.level and activity.kind != Activity.Kind.ENGLISH_CLASS:
        code = "level_not_applicable"
        fields["level"] = ["An ESOL level applies only to English classes."]
    if activity.duration <= timedelta(0):
        code = "end_before_start"
        fields["end_time"] = ["The end time must be after the start time."]
    if activity.space_id and activity.space.organisation_id != activity.organisation_id:
        fields["space"] = ["The space belongs to another organisation."]
    if activity.room.space_id is not None and activity.room.space_id != activity.space_id:
        code = "room_kept_for_space"
        fields["room"] = ["This room is kept for a protected space; choose another room."]
    if not EARLIEST <= activity.start_date <= LATEST:
        code = "date_out_of_range"
        fields["start_date"] = [f"Choose a date between {EARLIEST.year} and {LATEST.year}."]
    if fields:
        detail = (
            next(iter(fields.values()))[0] if len(fields) == 1 else "Some fields are not valid."
        )
        raise ApplicationError(code if len(fields) == 1 else "invalid", detail, fields=fields)
    if not schedule.first_occurrences(
        rec=activity.recurrence,
        start_date=activity.start_date,
        start_time=activity.start_time,
        tz_name=activity.timezone,
        limit=1,
    ):
        raise ApplicationError(
            "no_occurrences",
            "This schedule produces no sessions: check UNTIL and COUNT.",
            fields={"recurrence": ["This schedule produces no sessions."]},
        )


def _booked_beyond(activity: Activity) -> Session | None:
    """A future, unmoved session whose bookings exceed the capacity it would get."""
    return (
        activity.sessions.filter(start__gte=timezone.now(), is_moved=False)
        .filter(booked_places__gt=activity.capacity)
        .order_by("start")
        .first()
    )


# --- room clashes -----------------------------------------------------------------
# What is busy, how a clash is worded, and the room lock live in `rooms`: the
# same rule for sessions and reservations (docs/women-only-rooms.md).


def _find_clash(
    actor, *, room: Room, start: datetime, end: datetime, exclude: set | frozenset = frozenset()
):
    return rooms.find_clash(actor, room=room, start=start, end=end, exclude_sessions=exclude)


_lock_rooms = rooms.lock_rooms
_clash_error = rooms.clash_error


def _check_room_space(activity: Activity, room: Room) -> None:
    """A space's own room holds only that space's activities: anything else
    there would show the hidden room to people without the grant."""
    if room.space_id is not None and room.space_id != activity.space_id:
        raise ApplicationError(
            "room_kept_for_space",
            "This room is kept for a protected space; choose another room.",
            fields={"room": ["Kept for a protected space."]},
        )


# --- generation ---------------------------------------------------------------------


def _horizon(activity: Activity, weeks: int | None) -> datetime:
    weeks = settings.HARBOUR_SESSION_HORIZON_WEEKS if weeks is None else weeks
    today = timezone.localdate(timezone=ZoneInfo(activity.timezone))
    return schedule.horizon_end(today=today, weeks=weeks, tz_name=activity.timezone)


def _excluded(activity: Activity) -> list[date]:
    return [date.fromisoformat(d) for d in activity.excluded_dates]


def _sync_end(activity: Activity, weeks: int | None) -> datetime:
    end = _horizon(activity, weeks)
    if not activity.is_recurring:
        # A one-off (a day trip months ahead) gets its session at once, so
        # people can see it and its room is held; the horizon bounds series only.
        first = schedule.local_start(activity.start_date, activity.start_time, activity.timezone)
        end = max(end, first + timedelta(seconds=1))
    return end


def _occurrences(
    activity: Activity, *, start: datetime, end: datetime
) -> tuple[list[datetime], set[datetime]]:
    """The wanted starts in [start, end), and the starts there'd be with no excluded dates."""
    window = {"rec": activity.recurrence, "start_date": activity.start_date,
              "start_time": activity.start_time, "tz_name": activity.timezone,
              "window_start": start, "window_end": end}  # fmt: skip
    wanted = schedule.expand(**window, excluded_dates=_excluded(activity))
    return wanted, set(schedule.expand(**window))


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    flagged: int = 0


# What _refresh_occurrence did to a session that is still in the schedule.
_UNCHANGED, _UPDATED, _GREW, _FLAGGED = "unchanged", "updated", "grew", "flagged"


def _keep_dropped(session: Session, *, was_excluded: bool) -> bool:
    """A session that left the schedule but has people attached: cancel it if its
    date was excluded, and flag it for the coordinator. True when it changed."""
    changed = False
    if was_excluded and session.status != Session.Status.CANCELLED:
        session.status = Session.Status.CANCELLED
        session.cancel_reason = REASON_EXCLUDED
        session.sequence += 1
        changed = True
    note = REVIEW_EXCLUDED if was_excluded else REVIEW_NOT_IN_SCHEDULE
    if not session.needs_review or session.review_note != note:
        session.needs_review, session.review_note = True, note
        changed = True
    if changed:
        session.save()
    return changed


def _create_occurrence(
    activity: Activity, actor, *, start: datetime, end: datetime, strict: bool
) -> bool:
    """Create the session for a new occurrence; True when a room clash flagged it."""
    session = Session(
        activity=activity, original_start=start, start=start, end=end,
        room=activity.room, capacity=activity.capacity,
    )  # fmt: skip
    clash = _find_clash(actor, room=activity.room, start=start, end=end)
    if clash is not None:
        if strict:
            raise _clash_error(actor, clash)
        logger.warning("Room clash generating %s at %s", activity.pk, start)
        session.status = Session.Status.CANCELLED
        session.cancel_reason = REASON_CLASH
        session.needs_review, session.review_note = True, REVIEW_CLASH
    session.save()
    return clash is not None


def _clear_schedule_review(session: Session) -> bool:
    """A session back in the schedule loses its "not in schedule"/"excluded" flag
    (and the cancellation the exclusion caused). True when it changed."""
    if not session.needs_review or session.review_note not in (
        REVIEW_NOT_IN_SCHEDULE,
        REVIEW_EXCLUDED,
    ):
        return False
    session.needs_review, session.review_note = False, ""
    if session.status == Session.Status.CANCELLED and session.cancel_reason == REASON_EXCLUDED:
        session.status, session.cancel_reason = Session.Status.SCHEDULED, ""
    return True


def _refresh_occurrence(
    session: Session, activity: Activity, actor, *, new_end: datetime, strict: bool
) -> str:
    """Bring an existing occurrence in line with the activity (unless it was moved
    by hand); one of _UNCHANGED, _UPDATED, _GREW (capacity went up), _FLAGGED."""
    changed = _clear_schedule_review(session)
    outcome = _UPDATED
    time_or_room = session.end != new_end or session.room_id != activity.room_id
    if not session.is_moved and (time_or_room or session.capacity != activity.capacity):
        if session.status == Session.Status.SCHEDULED and time_or_room:
            clash = _find_clash(
                actor, room=activity.room, start=session.start, end=new_end, exclude={session.pk}
            )
            if clash is not None:
                if strict:
                    raise _clash_error(actor, clash)
                session.needs_review, session.review_note = True, REVIEW_CLASH
                session.save()
                return _FLAGGED
        if activity.capacity > session.capacity:
            outcome = _GREW
        session.end, session.room, session.capacity = new_end, activity.room, activity.capacity
        changed = True
    if not changed:
        return _UNCHANGED
    session.sequence += 1
    session.save()
    return outcome


def sessions_sync(
    *, activity: Activity, actor=None, horizon_weeks: int | None = None, strict: bool = False
) -> SyncResult:
    """Make the activity's future sessions match its schedule, up to the horizon.

    Idempotent. Past sessions are never touched. A future session that drops out
    of the schedule is deleted only when nobody is attached to it; otherwise it
    is kept (cancelled if its date was excluded) and flagged for the coordinator.
    With `strict`, a room clash refuses the whole change (a coordinator's edit);
    without it (the periodic command) the clashing occurrence is created
    cancelled and flagged, so the series never silently skips a date.
    """
    now = timezone.now()
    end = _sync_end(activity, horizon_weeks)
    wanted, unexcluded = _occurrences(activity, start=now, end=end)
    # Locked in primary-key order, like every lock on several sessions (backend/reactions.py).
    future = activity.sessions.select_for_update().filter(original_start__gte=now).order_by("pk")
    existing = {s.original_start: s for s in future}
    _lock_rooms(activity.room)
    tally = _Tally()
    grown: list = []  # sessions whose capacity went up: their waiting lines move
    wanted_set = set(wanted)

    for original, session in existing.items():
        if original in wanted_set:
            continue
        if not reactions.session_in_use(session):
            session.delete()
            tally.deleted += 1
        elif _keep_dropped(session, was_excluded=original in unexcluded):
            tally.flagged += 1

    for start in wanted:
        session = existing.get(start)
        new_end = schedule.session_end(start, activity.duration)
        if session is None:
            tally.created += 1
            if _create_occurrence(activity, actor, start=start, end=new_end, strict=strict):
                tally.flagged += 1
            continue
        outcome = _refresh_occurrence(session, activity, actor, new_end=new_end, strict=strict)
        if outcome == _GREW:
            grown.append(session.pk)
        if outcome == _FLAGGED:
            tally.flagged += 1
        elif outcome in (_UPDATED, _GREW):
            tally.updated += 1

    Activity.objects.filter(pk=activity.pk).update(sessions_generated_until=end.date())
    # A course's sessions made after people enrolled go to their enrolments.
    reactions.course_sessions_added(activity=activity)
    for session_id in grown:
        reactions.session_places_opened(session_id=session_id)
    return SyncResult(**vars(tally))


def sessions_generate_all(*, horizon_weeks: int | None = None) -> SyncResult:
    """Extend every activity to the horizon. Idempotent; run daily by cron/systemd."""
    totals = SyncResult()
    for activity_id in Activity.objects.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                activity = (
                    Activity.objects.select_for_update().select_related("room").get(pk=activity_id)
                )
                result = sessions_sync(activity=activity, horizon_weeks=horizon_weeks)
        except Exception:
            # One broken activity must not stop the others' sessions being made.
            logger.exception("Generating sessions for activity %s failed", activity_id)
            continue
        totals = SyncResult(
            created=totals.created + result.created,
            updated=totals.updated + result.updated,
            deleted=totals.deleted + result.deleted,
            flagged=totals.flagged + result.flagged,
        )
    return totals


# --- activities ---------------------------------------------------------------------


@dataclass
class ScheduleInput:
    start_date: date
    start_time: time
    end_time: time
    timezone: str = settings.TIME_ZONE
    recurrence: str | None = None
    excluded_dates: tuple[date, ...] = ()


def _apply_schedule(activity: Activity, sched: ScheduleInput) -> None:
    tz = ZoneInfo(sched.timezone)
    activity.start_date = sched.start_date
    activity.start_time = sched.start_time
    activity.timezone = sched.timezone
    activity.duration = datetime.combine(sched.start_date, sched.end_time) - datetime.combine(
        sched.start_date, sched.start_time
    )
    activity.recurrence = schedule.parse_rule(sched.recurrence, tz=tz) if sched.recurrence else None
    activity.excluded_dates = sorted({d.isoformat() for d in sched.excluded_dates})


def _check_create_rights(actor, organisation: Organisation, space: Space | None) -> None:
    if space is not None and not policy.has_grant(actor, space):
        # A space the actor cannot see does not exist for her.
        raise field_not_found("space")
    if not policy.can_create_in(actor, organisation, space):
        raise ApplicationError(
            "permission_denied",
            "Only coordinators of this organisation can add activities to it.",
            status_code=403,
        )


@transaction.atomic
def activity_create(
    *,
    actor,
    organisation: Organisation,
    room: Room,
    kind: str,
    title: str,
    capacity: int,
    schedule_input: ScheduleInput,
    space: Space | None = None,
    languages: list[Language] | None = None,
    **extra,
) -> Activity:
    _check_create_rights(actor, organisation, space)
    unknown = set(extra) - PLAIN_FIELDS
    if unknown:
        raise TypeError(f"activity_create got unexpected fields {sorted(unknown)}")
    activity = Activity(
        organisation=organisation, space=space, room=room, kind=kind, title=title,
        capacity=capacity, **extra,
    )  # fmt: skip
    _apply_schedule(activity, schedule_input)
    _validate_activity(activity)
    activity.save()
    if languages:
        activity.languages.set(languages)
    sessions_sync(activity=activity, actor=actor, strict=True)
    return activity


@transaction.atomic
def activity_update(
    *,
    actor,
    activity: Activity,
    schedule_input: ScheduleInput | None = None,
    languages: list[Language] | None = None,
    **changes,
) -> tuple[Activity, SyncResult]:
    """Edit an activity. Schedule, room and capacity changes regenerate future
    sessions; booked sessions are kept and flagged, never silently deleted.
    Lowering capacity below a future session's bookings is refused."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manager(actor, activity)
    unknown = set(changes) - PLAIN_FIELDS - SESSION_FIELDS
    if unknown:
        raise TypeError(f"activity_update got unexpected fields {sorted(unknown)}")
    staff_before, capacity_before = activity.creche_staff, activity.capacity
    for field, value in changes.items():
        setattr(activity, field, value)
    if schedule_input is not None:
        _apply_schedule(activity, schedule_input)
    _validate_activity(activity)
    _check_bookings_fit(activity)
    following = (
        _creche_staff_change(activity, staff_before)
        if activity.creche_staff != staff_before
        else []
    )
    activity.save()
    if activity.creche_staff > staff_before:
        for session in following:
            reactions.session_places_opened(session_id=session.pk)
    if languages is not None:
        activity.languages.set(languages)
    result = SyncResult()
    if schedule_input is not None or SESSION_FIELDS & set(changes):
        result = sessions_sync(activity=activity, actor=actor, strict=True)
    if activity.is_course and COURSE_FIELDS & set(changes):
        # The term's dates changed: enrolled learners get the sessions it now has.
        reactions.course_sessions_added(activity=activity)
    opened = activity.creche_staff > staff_before or activity.capacity > capacity_before
    if activity.is_course and opened:
        reactions.course_places_opened(activity=activity)
    return activity, result


def _creche_refusal(session: Session, needed: int) -> ApplicationError:
    # Only the day and a number of staff: the session is the activity's own,
    # and the children (who, how many, whose) are not named.
    return ApplicationError(
        "creche_staff_below_children",
        f"The children already booked in the crèche on "
        f"{timezone.localtime(session.start):%a %d %b %Y} need {needed} crèche staff; "
        "the number cannot go below that. Nobody is cancelled silently: move or cancel "
        "crèche places first.",
        fields={"creche_staff": ["Below what the children already booked need."]},
        status_code=409,
    )


def _sessions_to_come(activity: Activity, *, now=None):
    """Lock every session of the activity still to come (or moved from a
    time still to come), in primary-key order: the order of backend/reactions.py."""
    now = now or timezone.now()
    return (
        Session.objects.select_for_update(of=("self",))
        .filter(Q(start__gt=now) | Q(original_start__gte=now), activity=activity)
        .order_by("pk")
    )


def _creche_staff_change(activity: Activity, before: int) -> list[Session]:
    """The activity's crèche staff changes: lock every session to come that
    follows the activity's number (primary-key order, after the activity's
    row, as the booking services lock a session), and refuse a number below
    what the children booked on any of them need. Returns those sessions."""
    now = timezone.now()
    # Every session to come, so a schedule sync after this locks none anew.
    following = [
        s for s in _sessions_to_come(activity, now=now) if s.creche_staff is None and s.start > now
    ]
    if activity.creche_staff < before:
        for session in sorted(following, key=lambda s: s.start):
            session.activity = activity
            needed = reactions.creche_staff_needed(session=session)
            if activity.creche_staff < needed:
                raise _creche_refusal(session, needed)
    return [s for s in following if s.status == Session.Status.SCHEDULED]


@transaction.atomic
def session_creche_staff_set(*, actor, session: Session, staff: int | None) -> Session:
    """One session's own crèche staff (`None`: the activity's number again).
    Locks the activity's row, then the session's (the order of
    backend/reactions.py), so neither a booking nor a change to the
    activity's number can slip between the count and the change."""
    short_lock_wait()
    activity = Activity.objects.select_for_update().get(pk=session.activity_id)
    _require_manager(actor, activity)
    if activity.is_course:
        # Raising it serves the course's line, which holds every session to
        # come: take them now, in primary-key order, so no session is locked
        # out of that order later.
        list(_sessions_to_come(activity))
    session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
    session.activity = activity
    if session.start <= timezone.now():
        raise ApplicationError(
            "session_started",
            "This session has already started or taken place; its crèche staff stay on record.",
            status_code=409,
        )
    before = activity.creche_staff if session.creche_staff is None else session.creche_staff
    after = activity.creche_staff if staff is None else staff
    if after < before:
        needed = reactions.creche_staff_needed(session=session)
        if after < needed:
            raise _creche_refusal(session, needed)
    if session.creche_staff != staff:
        session.creche_staff = staff
        session.save(update_fields=["creche_staff", "updated_at"])
    if after > before and session.status == Session.Status.SCHEDULED:
        reactions.session_places_opened(session_id=session.pk)
        if activity.is_course:
            reactions.course_places_opened(activity=activity)
    return session


def _check_bookings_fit(activity: Activity) -> None:
    over = _booked_beyond(activity)
    if over is not None:
        raise ApplicationError(
            "capacity_below_bookings",
            f"{over.booked_places} places are already booked on "
            f"{timezone.localtime(over.start):%a %d %b %Y}; capacity cannot go below that. "
            "Nobody is cancelled silently: move or cancel bookings first.",
            fields={"capacity": ["Below the places already booked."]},
            status_code=409,
        )


@transaction.atomic
def activity_end(*, actor, activity: Activity, last_date: date) -> tuple[Activity, SyncResult]:
    """The series runs for the last time on `last_date`. Later sessions go, but
    those people are attached to are kept and flagged for her (sessions_sync)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manager(actor, activity)
    if not activity.is_recurring:
        raise ApplicationError(
            "schedule_one_off",
            "A one-off has nothing to end: cancel its session instead.",
            fields={"last_date": ["This activity does not repeat."]},
        )
    if last_date < timezone.localdate() or last_date > LATEST:
        raise ApplicationError(
            "schedule_end_in_past",
            "The last date cannot be before today.",
            fields={"last_date": ["Before today."]},
        )
    tz = ZoneInfo(activity.timezone)
    until = datetime.combine(last_date, time(23, 59, 59), tzinfo=tz).astimezone(UTC)
    rules = []
    for rule in activity.recurrence.rrules:
        if rule.count is not None:
            single = Recurrence(rrules=[rule])
            last = schedule.first_occurrences(
                rec=single, start_date=activity.start_date, start_time=activity.start_time,
                tz_name=activity.timezone, limit=rule.count,
            )[-1]  # fmt: skip
            if last.date() > last_date:
                rule.until, rule.count = until, None
        elif rule.until is None or rule.until > until:
            rule.until = until  # never lengthens a series that already ends sooner
        rules.append(rule)
    activity.recurrence = Recurrence(rrules=rules)
    _validate_activity(activity)
    activity.save()
    return activity, sessions_sync(activity=activity, actor=actor, strict=True)


def _require_manager(actor, activity: Activity) -> None:
    if not policy.can_see_activity(actor, activity):
        raise NotFoundError()
    if not policy.can_manage_activity(actor, activity):
        raise ApplicationError(
            "permission_denied", "Only this activity's coordinators can change it.", status_code=403
        )


@transaction.atomic
def activity_tutor_assign(*, actor, activity: Activity, tutor) -> None:
    """A protected activity's tutor must hold the space's grant herself."""
    _require_manager(actor, activity)
    if activity.space_id and not policy.has_grant(tutor, activity.space):
        raise ApplicationError(
            "tutor_needs_grant",
            "This tutor has no access to the activity's space; a space coordinator must grant it.",
            fields={"tutor": ["No access to this space."]},
        )
    activity.tutors.add(tutor)


@transaction.atomic
def activity_tutor_remove(*, actor, activity: Activity, tutor) -> None:
    _require_manager(actor, activity)
    activity.tutors.remove(tutor)


# --- single sessions -------------------------------------------------------------------


def _locked_session_for(actor, session: Session) -> Session:
    session = (
        Session.objects.select_for_update()
        .select_related("activity__room", "room")
        .get(pk=session.pk)
    )
    _require_manager(actor, session.activity)
    return session


@transaction.atomic
def session_cancel(
    *, actor, session: Session, reason: str, translations: dict | None = None
) -> Session:
    """`translations`: the reason in other languages, {lang: {"cancel_reason": text}}."""
    reason = required_reason(reason, "Say why the session is cancelled; learners will see it.")
    session = _locked_session_for(actor, session)
    if session.status == Session.Status.CANCELLED and session.cancel_reason == reason:
        return session  # same request twice: nothing changes
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason
    if translations is not None:
        session.translations = translations
    session.sequence += 1
    session.save()
    reactions.session_cancelled(session=session)
    return session


@transaction.atomic
def session_reinstate(*, actor, session: Session) -> Session:
    session = _locked_session_for(actor, session)
    if session.status == Session.Status.SCHEDULED:
        return session
    _lock_rooms(session.room)
    clash = _find_clash(
        actor, room=session.room, start=session.start, end=session.end, exclude={session.pk}
    )
    if clash is not None:
        raise _clash_error(actor, clash)
    session.status, session.cancel_reason = Session.Status.SCHEDULED, ""
    if session.review_note == REVIEW_CLASH:
        session.needs_review, session.review_note = False, ""
    session.sequence += 1
    session.save()
    reactions.session_places_opened(session_id=session.pk)
    return session


@transaction.atomic
def session_move(
    *,
    actor,
    session: Session,
    start: datetime | None = None,
    end: datetime | None = None,
    room: Room | None = None,
) -> Session:
    """Move one session in time and/or room without changing the series."""
    session = _locked_session_for(actor, session)
    new_start = start or session.start
    for moment in (new_start, end):
        if moment is not None and not EARLIEST <= moment.date() <= LATEST:
            raise ApplicationError(
                "date_out_of_range",
                f"Choose a date between {EARLIEST.year} and {LATEST.year}.",
                fields={"start": ["Out of range."]},
            )
    now = timezone.now()
    if session.start <= now:
        # People came (or did not): its register and history stay where it was.
        raise ApplicationError(
            "session_started",
            "This session has already started or taken place, so it cannot be moved.",
            status_code=409,
        )
    if new_start < now:
        raise ApplicationError(
            "move_to_past",
            "Choose a time that has not passed yet.",
            fields={"start": ["In the past."]},
        )
    new_end = end or (new_start + (session.end - session.start))
    new_room = room or session.room
    _check_room_space(session.activity, new_room)
    if new_end <= new_start:
        raise ApplicationError(
            "end_before_start",
            "The end must be after the start.",
            fields={"end": ["The end must be after the start."]},
        )
    capacity = min(session.activity.capacity, new_room.capacity)
    if capacity < session.booked_places:
        raise ApplicationError(
            "room_too_small",
            f"{new_room} holds {new_room.capacity}, but {session.booked_places} places are booked.",
            fields={"room": ["Too small for the places already booked."]},
            status_code=409,
        )
    if (new_start, new_end, new_room.pk) == (session.start, session.end, session.room_id):
        return session
    _lock_rooms(*{session.room, new_room})
    if session.status == Session.Status.SCHEDULED:
        clash = _find_clash(
            actor, room=new_room, start=new_start, end=new_end, exclude={session.pk}
        )
        if clash is not None:
            raise _clash_error(actor, clash)
    session.start, session.end, session.room, session.capacity = (
        new_start, new_end, new_room, capacity,
    )  # fmt: skip
    session.is_moved = True
    if session.review_note == REVIEW_CLASH:
        session.needs_review, session.review_note = False, ""
    session.sequence += 1
    session.save()
    reactions.session_places_opened(session_id=session.pk)
    return session
