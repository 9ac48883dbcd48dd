"""What a new or edited schedule would do, before anything is written.

The preview runs the same rights checks and validation as `activity_create` /
`activity_update` (the same functions, so the same codes), then lists the
dates the schedule makes with, for each, any room clash (worded by
`_describe_clash`, so a session she may not see is never named) and any
closure of the organisation that covers it; for an edit, which sessions are
kept and which that people are booked on would be kept but flagged for her.
Nothing is saved: the activity is built in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from . import schedule, services
from .closures import closures_covering
from .models import Activity, Closure, Session

# A preview covers a year at most: a term, or two, is what she sets up at once.
PREVIEW_DAYS = 366


@dataclass(frozen=True)
class PreviewDate:
    start: datetime
    end: datetime
    existing: bool = False
    booked: int = 0
    clash: str | None = None
    closure: Closure | None = None


@dataclass(frozen=True)
class PreviewFlag:
    start: datetime
    booked: int
    reason: str  # "skipped" (a skipped date) or "not_in_schedule"


@dataclass
class PreviewResult:
    dates: list[PreviewDate] = field(default_factory=list)
    skipped: list[datetime] = field(default_factory=list)
    flagged: list[PreviewFlag] = field(default_factory=list)
    removed: int = 0
    more: bool = False
    sessions_until: date | None = None


def _window_end(activity: Activity, now: datetime) -> tuple[datetime, bool]:
    """Where the preview stops, and whether the series goes on beyond it."""
    cap = now + timedelta(days=PREVIEW_DAYS)
    if not activity.is_recurring:
        first = schedule.local_start(activity.start_date, activity.start_time, activity.timezone)
        return max(cap, first + timedelta(seconds=1)), False
    rules = activity.recurrence.rrules
    if all(rule.count is not None or rule.until is not None for rule in rules):
        ends = [rule.until for rule in rules if rule.until is not None and rule.count is None]
        if ends and len(ends) == len(rules):
            last = max(ends) + timedelta(seconds=1)
            return min(last, cap), last > cap
        return cap, False  # COUNT ends it; a year of dates is shown at most
    horizon = now + timedelta(weeks=settings.HARBOUR_SESSION_HORIZON_WEEKS)
    return horizon, True


def _build(activity: Activity, *, actor, now: datetime) -> PreviewResult:
    end, more = _window_end(activity, now)
    window = {"rec": activity.recurrence, "start_date": activity.start_date,
              "start_time": activity.start_time, "tz_name": activity.timezone,
              "window_start": now, "window_end": end}  # fmt: skip
    wanted = schedule.expand(**window, excluded_dates=services._excluded(activity))
    unexcluded = schedule.expand(**window)
    wanted_set = set(wanted)
    existing: dict[datetime, Session] = {}
    own: set = set()
    if activity.pk and not activity._state.adding:
        for session in Session.objects.filter(activity=activity, original_start__gte=now):
            existing[session.original_start] = session
            own.add(session.pk)
    result = PreviewResult(more=more)
    result.sessions_until = (
        schedule.horizon_end(
            today=timezone.localdate(),
            weeks=settings.HARBOUR_SESSION_HORIZON_WEEKS,
            tz_name=activity.timezone,
        ).date()
        if activity.is_recurring
        else None
    )
    closures = []
    if wanted:
        closures = list(
            closures_covering(
                organisation=activity.organisation,
                venue=activity.room.venue,
                first=wanted[0].date(),
                last=wanted[-1].date(),
            )
        )
    for start in wanted:
        session = existing.get(start)
        if session is not None and session.is_moved:
            s_start, s_end, room = session.start, session.end, session.room
        else:
            s_start, s_end, room = start, start + activity.duration, activity.room
        other = services._find_clash(actor, room=room, start=s_start, end=s_end, exclude=own)
        day = timezone.localtime(s_start).date()
        result.dates.append(
            PreviewDate(
                start=s_start,
                end=s_end,
                existing=session is not None,
                booked=session.booked_places if session is not None else 0,
                clash=services._describe_clash(actor, other) if other is not None else None,
                closure=next((c for c in closures if c.start_date <= day <= c.end_date), None),
            )
        )
    result.skipped = [s for s in unexcluded if s not in wanted_set]
    for original, session in sorted(existing.items()):
        if original in wanted_set:
            continue
        if services.session_in_use(session):
            reason = "skipped" if original in set(unexcluded) else "not_in_schedule"
            result.flagged.append(
                PreviewFlag(start=session.start, booked=session.booked_places, reason=reason)
            )
        else:
            result.removed += 1
    return result


def activity_create_preview(
    *,
    actor,
    organisation,
    room,
    kind: str,
    title: str,
    capacity: int,
    schedule_input: services.ScheduleInput,
    space=None,
    **extra,
) -> PreviewResult:
    services._check_create_rights(actor, organisation, space)
    unknown = set(extra) - services.PLAIN_FIELDS
    if unknown:
        raise TypeError(f"activity_create_preview got unexpected fields {sorted(unknown)}")
    activity = Activity(
        organisation=organisation, space=space, room=room, kind=kind, title=title,
        capacity=capacity, **extra,
    )  # fmt: skip
    services._apply_schedule(activity, schedule_input)
    services._validate_activity(activity)
    return _build(activity, actor=actor, now=timezone.now())


def activity_update_preview(
    *,
    actor,
    activity: Activity,
    schedule_input: services.ScheduleInput | None = None,
    **changes,
) -> PreviewResult:
    activity = Activity.objects.select_related("room__venue", "organisation").get(pk=activity.pk)
    services._require_manager(actor, activity)
    unknown = set(changes) - services.PLAIN_FIELDS - services.SESSION_FIELDS
    if unknown:
        raise TypeError(f"activity_update_preview got unexpected fields {sorted(unknown)}")
    for key, value in changes.items():
        setattr(activity, key, value)
    if schedule_input is not None:
        services._apply_schedule(activity, schedule_input)
    services._validate_activity(activity)
    services._check_bookings_fit(activity)
    return _build(activity, actor=actor, now=timezone.now())
