"""Rendering sessions as RFC 5545 with icalendar 7. Sessions are published as
expanded events (one VEVENT per Session row, stable UID), so what a phone shows
is exactly what Harbour holds: moved sessions move, cancelled ones say so."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event

from backend.timetable.models import Session

REFRESH = timedelta(hours=6)
PRODID = "-//Harbour//Timetable//EN"


def _location(session: Session) -> str:
    venue = session.room.venue
    parts = [venue.name, session.room.name, venue.address, venue.postcode]
    return ", ".join(p.replace("\n", ", ") for p in parts if p)


def _description(session: Session, status: str | None) -> str:
    activity = session.activity
    lines = []
    if status == "offered":
        lines.append("A place is offered to you: accept it in Harbour before it passes on.")
    if session.status == Session.Status.CANCELLED:
        lines.append(f"CANCELLED: {session.cancel_reason}")
    if activity.level:
        lines.append(f"Level: {activity.get_level_display()}")
    if activity.description:
        lines.append(activity.description)
    if activity.what_to_bring:
        lines.append(f"Bring: {activity.what_to_bring}")
    org = activity.organisation
    contact = " / ".join(c for c in (org.contact_phone, org.contact_email) if c)
    lines.append(f"Organised by {org.name}" + (f" ({contact})" if contact else ""))
    return "\n".join(lines)


def session_event(
    session: Session,
    *,
    app_url: str,
    status: str | None = None,
    discreet_title: str | None = None,
) -> Event:
    tz = ZoneInfo(session.activity.timezone)
    cancelled = session.status == Session.Status.CANCELLED
    common = {
        "uid": f"{session.pk}@harbour",
        "start": session.start.astimezone(tz),
        "end": session.end.astimezone(tz),
        "sequence": session.sequence,
        "last_modified": session.updated_at,
        "stamp": timezone.now(),
        "status": "CANCELLED"
        if cancelled
        else ("TENTATIVE" if status == "offered" else "CONFIRMED"),
    }
    if discreet_title and session.activity.space_id:
        # Discreet: nothing that would tell someone looking at her phone what or where.
        return Event.new(summary=discreet_title, **common)
    summary = session.activity.title
    if status == "offered":
        summary = f"Offer: {summary}"
    return Event.new(
        summary=summary,
        location=_location(session),
        description=_description(session, status),
        url=f"{app_url}#/sessions/{session.pk}",
        **common,
    )


def render(
    sessions,
    *,
    name: str,
    app_url: str,
    statuses: dict | None = None,
    discreet_title: str | None = None,
) -> bytes:
    calendar = Calendar.new(prodid=PRODID, name=name, refresh_interval=REFRESH)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-PUBLISHED-TTL", "PT6H")
    sessions = list(sessions)
    for session in sessions:
        calendar.add_component(
            session_event(
                session,
                app_url=app_url,
                status=(statuses or {}).get(session.pk),
                discreet_title=discreet_title,
            )
        )
    if sessions:
        calendar.add_missing_timezones(
            first_date=min(s.start for s in sessions).date() - timedelta(days=1),
            last_date=max(s.end for s in sessions).date() + timedelta(days=1),
        )
    return calendar.to_ical()
