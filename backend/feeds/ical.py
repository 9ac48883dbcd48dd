"""Rendering sessions as RFC 5545 with icalendar 7. Sessions are published as
expanded events (one VEVENT per Session row, stable UID), so what a phone shows
is exactly what Harbour holds: moved sessions move, cancelled ones say so.

A feed is written in one language (`render(..., language=)`): the activity's
title, description and what-to-bring, the venue's name and address and a
cancellation reason in that language where the coordinator gave it (English,
or whatever was typed, otherwise: common/translations.py), the feed's own
words from the server catalogue, and charity-typed text bidi-isolated in a
right-to-left language. A discreet title is hers, unchanged."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from icalendar import Calendar, Event

from backend.bookings.models import Booking
from backend.common.translations import isolate, translated
from backend.timetable.models import Session

REFRESH = timedelta(hours=6)
PRODID = "-//Harbour//Timetable//EN"


def _location(session: Session) -> str:
    venue = session.room.venue
    comma = pgettext("list separator", ", ")
    parts = [
        translated(venue, "name"),
        session.room.name,
        translated(venue, "address"),
        venue.postcode,
    ]
    return comma.join(isolate(p.replace("\n", comma)) for p in parts if p)


def _description(session: Session, status: str | None) -> str:
    activity = session.activity
    lines = []
    if status == Booking.Status.OFFERED:
        lines.append(
            gettext("A place is offered to you: accept it in Harbour before it passes on.")
        )
    if session.status == Session.Status.CANCELLED:
        reason = isolate(translated(session, "cancel_reason"))
        lines.append(gettext("CANCELLED: {reason}").format(reason=reason))
    if activity.level:
        lines.append(gettext("Level: {level}").format(level=activity.get_level_display()))
    description = translated(activity, "description")
    if description:
        lines.append(isolate(description))
    things = translated(activity, "what_to_bring")
    if things:
        lines.append(gettext("Bring: {things}").format(things=isolate(things)))
    org = activity.organisation
    contact = " / ".join(c for c in (org.contact_phone, org.contact_email) if c)
    lines.append(
        gettext("Organised by {organisation}").format(organisation=isolate(org.name))
        + (f" ({contact})" if contact else "")
    )
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
        else ("TENTATIVE" if status == Booking.Status.OFFERED else "CONFIRMED"),
    }
    if discreet_title and session.activity.space_id:
        # Discreet: nothing that would tell someone looking at her phone what or where.
        return Event.new(summary=discreet_title, **common)
    summary = isolate(translated(session.activity, "title"))
    if status == Booking.Status.OFFERED:
        summary = gettext("Offer: {title}").format(title=summary)
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
    language: str | None = None,
) -> bytes:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _render(
            sessions,
            name=name,
            app_url=app_url,
            statuses=statuses,
            discreet_title=discreet_title,
        )


def _render(sessions, *, name, app_url, statuses, discreet_title) -> bytes:
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
