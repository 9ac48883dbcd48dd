"""The demo's fair shares (docs/fair-shares.md), loaded by `load_demo`: DRS's
donated-bikes list run by lottery, with a past draw (and its audit record,
which `manage.py verify_draw` re-runs) and the next one announced; a no-show
rule on English: Entry 1 that holds Ahmed's next place for a coordinator;
Fatima's ESOL levels with their history, her name in her own script, and a
term whose attendance threshold she passes.

Everything here is public (no women-only content), so `load_demo
--without-space-content` loads it identically. The lottery's entries have
fixed ids and its draws fixed seeds, so both loads draw the same winners."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.bookings import draws
from backend.bookings import services as booking_services
from backend.bookings.models import ActivityQueueEntry, Booking, BookingEvent, QueueDraw
from backend.organisations.models import Organisation, Room
from backend.people import esol
from backend.registers import no_shows
from backend.registers.models import Attendance
from backend.timetable import services as timetable_services
from backend.timetable.models import Activity, Language, Session, Term
from backend.timetable.services import ScheduleInput

DEMO_IDS = uuid.UUID("6f1d0c52-9a3e-4b7e-8d7c-2b1f0e5a9c11")
BIKE_NAMES = ["Abdi", "Bahar", "Dawit", "Elham", "Farid", "Goli", "Hamid", "Iman", "Jamal",
              "Kawsar", "Leyla", "Mehdi", "Nasrin", "Omid"]  # fmt: skip


def _saturday(today: date) -> date:
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def load_fair_shares(users: dict, *, today: date) -> None:
    _bike_lottery(users, today=today)
    _no_show_rule(users, today=today)
    _esol_progress(users, today=today)


def _bike_lottery(users: dict, *, today: date) -> None:
    sam = users["coord.drs"]
    workshop = Room.objects.get(name="Bike workshop")
    handover = timetable_services.activity_create(
        actor=sam, organisation=Organisation.objects.get(slug="drs"),
        room=workshop, kind=Activity.Kind.BIKE_REPAIR, title="Donated bikes: handover",
        capacity=3, languages=list(Language.objects.filter(code__in=["en", "ar", "fa"])),
        booking_opens_days=8,
        description="Three donated bikes a week, given by lottery from the list. "
        "A trustee can re-check every draw.",
        schedule_input=ScheduleInput(
            start_date=_saturday(today), start_time=time(14), end_time=time(15),
            recurrence="RRULE:FREQ=WEEKLY;BYDAY=SA",
        ),
    )  # fmt: skip
    draws.queue_rules_set(
        actor=sam, activity=handover, allocation="lottery",
        reason="The list grew past 100 names: a lottery each week is fairer than first come.",
    )  # fmt: skip
    now = timezone.now()
    for seq, name in enumerate(BIKE_NAMES, start=1):
        person = Participant.objects.get(known_as=name)
        entry = ActivityQueueEntry.objects.create(
            id=uuid.uuid5(DEMO_IDS, f"bikes:{name}"), activity=handover, participant=person,
            queued_at=now - timedelta(days=30 - seq), seq=seq, created_by=sam,
        )  # fmt: skip
        BookingEvent.objects.create(action="queue_joined", actor=sam, queue_entry=entry)
    # Last week's draw: announced beforehand, drawn at its time (moved back here,
    # as the demo is loaded today), three winners given places.
    past = draws.draw_announce(
        actor=sam, activity=handover, draw_at=now + timedelta(minutes=1), places=3,
        seed="demo-bikes-week-1-published-beforehand",
    )  # fmt: skip
    QueueDraw.objects.filter(pk=past.pk).update(draw_at=now - timedelta(days=6))
    past.refresh_from_db()
    draws.draw_run(actor=sam, draw=past)
    # The next draw, announced: people on the list see its date and places.
    draws.draw_announce(
        actor=sam, activity=handover, places=3, seed="demo-bikes-week-2-published-beforehand",
        draw_at=datetime.combine(_saturday(today) - timedelta(days=2), time(18),
                                 ZoneInfo(handover.timezone)),
    )  # fmt: skip


def _past(activity: Activity, weeks_ago: int, today: date) -> Session:
    back = (today.weekday() - activity.start_date.weekday()) % 7 or 7
    day = today - timedelta(days=back + 7 * (weeks_ago - 1))
    start = datetime.combine(day, activity.start_time, ZoneInfo(activity.timezone))
    session, _ = Session.objects.get_or_create(
        activity=activity, original_start=start,
        defaults={"start": start, "end": start + activity.duration, "room": activity.room,
                  "capacity": activity.capacity},
    )  # fmt: skip
    return session


def _no_show_rule(users: dict, *, today: date) -> None:
    """Ahmed booked three Entry 1 classes and missed them without a word: with
    the rule (3 in 8 weeks), his next place waits for Pat to confirm it."""
    pat = users["coord.upbeat"]
    entry_1 = Activity.objects.get(title="English: Entry 1")
    no_shows.no_show_rule_set(actor=pat, activity=entry_1, after=3, weeks=8)
    ahmed = participant_for_user(user=users["learner.ahmed"])
    for weeks_ago in (6, 4, 3):
        session = _past(entry_1, weeks_ago, today)
        Booking.objects.create(
            session=session, participant=ahmed, status="confirmed", queued_at=session.start,
            seq=100, created_by=users["learner.ahmed"],
        )  # fmt: skip
        Attendance.objects.update_or_create(
            session=session, participant=ahmed,
            defaults={"mark": Attendance.Mark.ABSENT, "marked_by": pat},
        )  # fmt: skip
    upcoming = entry_1.sessions.filter(start__gt=timezone.now()).order_by("start")
    booking_services.booking_create(actor=users["learner.ahmed"], session=upcoming[1])


def _esol_progress(users: dict, *, today: date) -> None:
    """Fatima's levels (assessed when she came, and again last week), her name
    as she writes it, and This term's certificate at 75%, which she has earned."""
    pat = users["coord.upbeat"]
    fatima = participant_for_user(user=users["learner.fatima"])
    esol.name_own_script_set(actor=users["learner.fatima"], participant=fatima, name="فاطمة")
    assessed = today - timedelta(days=20)
    for skill, first, now in (
        ("speaking", "entry_1", "entry_2"), ("listening", "entry_1", "entry_2"),
        ("reading", "pre_entry", "entry_1"), ("writing", "pre_entry", "entry_1"),
    ):  # fmt: skip
        esol.level_set(actor=pat, participant=fatima, skill=skill, level=first, on=assessed)
        esol.level_set(
            actor=pat, participant=fatima, skill=skill, level=now,
            on=today - timedelta(days=6), note="End-of-unit check",
        )  # fmt: skip
    upbeat = Activity.objects.get(title="English: Entry 1").organisation
    term = Term.objects.get(organisation=upbeat, name="This term")
    esol.threshold_set(actor=pat, term=term, percent=75, minimum_sessions=2)
