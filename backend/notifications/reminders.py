"""Reminders before booked sessions (`manage.py send_reminders`, from cron
every few minutes; `send_notifications` then delivers them).

When: as the activity chooses (`reminder_timing`): by default the day before
the session at HARBOUR_REMINDER_HOUR (18:00) in the activity's own time zone,
or 2 hours before it, so a Monday 18:00 class is reminded on Sunday at
18:00 local on both sides of a clock change. A booking made after that time
is reminded at once. Never in quiet hours (21:00-08:00 local): what falls in
them waits for their end, unless the session starts first (then no reminder).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.bookings.models import Booking
from backend.common.quiet_hours import in_quiet_hours
from backend.common.translations import translated
from backend.notifications.one_tap import reply_links
from backend.timetable.models import Activity, Session

from .models import Reminder
from .services import is_discreet, notification_queue


def reminder_due(session: Session) -> datetime:
    if session.activity.reminder_timing == Activity.ReminderTiming.TWO_HOURS:
        return session.start - timedelta(hours=2)
    zone = ZoneInfo(session.activity.timezone)
    local_start = session.start.astimezone(zone)
    day_before = local_start.date() - timedelta(days=1)
    return datetime.combine(day_before, time(settings.HARBOUR_REMINDER_HOUR), tzinfo=zone)


def reminders_send(*, now: datetime | None = None) -> int:
    """Queue the reminders that are due; returns how many bookings were reminded."""
    now = now or timezone.now()
    bookings = (
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            session__status=Session.Status.SCHEDULED,
            session__start__gt=now,
            session__start__lte=now + timedelta(days=2),
        )
        .select_related("participant", "session__activity", "session__room__venue")
        .order_by("session__start")
    )
    sent = 0
    for booking in bookings:
        session = booking.session
        if reminder_due(session) > now or in_quiet_hours(now, ZoneInfo(session.activity.timezone)):
            continue
        if Reminder.objects.filter(booking=booking, session_start=session.start).exists():
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(booking=booking, session_start=session.start)
                # Discreet for a space's session unless she chose the full wording
                # (the same one preference as her other messages and her feed).
                discreet = is_discreet(participant=booking.participant, session=session)
                language = booking.participant.preferred_language
                notification_queue(
                    participant=booking.participant,
                    kind="session_reminder_discreet" if discreet else "session_reminder",
                    # In her language where the coordinator gave one; the date,
                    # digits and comma are written in it by notification_queue.
                    activity=translated(session.activity, "title", language),
                    when=session.start,
                    where=(translated(session.room.venue, "name", language), session.room.name),
                    **reply_links(booking),
                )
        except IntegrityError:  # another server reminded her first
            continue
        sent += 1
    return sent
