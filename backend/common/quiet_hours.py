"""Quiet hours (HARBOUR_QUIET_START to HARBOUR_QUIET_END, whole local hours in
the activity's time zone; equal values mean none): no reminder is sent in them,
and an offer's clock does not run in them, so an offer made at 20:30 is not
lost while she sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def in_quiet_hours(moment: datetime, zone: ZoneInfo) -> bool:
    hour = moment.astimezone(zone).hour
    start, end = settings.HARBOUR_QUIET_START, settings.HARBOUR_QUIET_END
    return hour >= start or hour < end if start > end else start <= hour < end


def _local(day, hour: int, zone: ZoneInfo) -> datetime:
    # Quiet hours begin and end at whole hours, never inside a skipped hour
    # (clocks change at 01:00-02:00 in the zones we serve); ZoneInfo resolves
    # one that is, with fold=0, to a real instant either way.
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def _next_change(moment: datetime, zone: ZoneInfo) -> datetime:
    """The next instant after `moment` at which quiet hours begin or end."""
    day = moment.astimezone(zone).date()
    hours = (settings.HARBOUR_QUIET_START, settings.HARBOUR_QUIET_END)
    for offset in range(3):
        candidates = sorted(_local(day + timedelta(days=offset), h, zone) for h in hours)
        for candidate in candidates:
            if candidate > moment:
                return candidate
    raise AssertionError("quiet hours change at least once a day")


def add_awake_time(moment: datetime, duration: timedelta, zone: ZoneInfo) -> datetime:
    """`moment` plus `duration` of real time counted only outside quiet hours."""
    now = moment.astimezone(UTC)
    if settings.HARBOUR_QUIET_START == settings.HARBOUR_QUIET_END:
        return now + duration
    remaining = duration
    while True:
        change = _next_change(now, zone)
        if not in_quiet_hours(now, zone):
            if now + remaining <= change:
                return now + remaining
            remaining -= change - now
        now = change
