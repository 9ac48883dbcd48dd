"""Terms and closures: a Christmas closure cancels every session it covers
across her activities with one reason, tells everyone booked or waiting, and
can be undone; a venue closure touches only that venue; nothing hidden from her
is cancelled or counted. Time is frozen on Tuesday 1 December 2026, 09:00."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.bookings import services as booking_services
from backend.notifications.models import Notification
from backend.timetable import closures
from backend.timetable.models import Closure, Session, Term
from tests.conftest import client_for
from tests.factories import RoomFactory, VenueFactory, make_activity

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)
CLOSURES = "/api/v1/closures/"
TERMS = "/api/v1/terms/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def term_time(world):
    """Three weekly activities of the organisation in two venues, from 1 December."""
    church, library = VenueFactory(name="St Anne's"), VenueFactory(name="Library")
    made = {}
    for title, room, day in (
        ("ESOL Entry 1", RoomFactory(venue=church, name="Hall"), "MO"),
        ("Sewing", RoomFactory(venue=church, name="Side room"), "WE"),
        ("Homework club", RoomFactory(venue=library, name="Study"), "TH"),
    ):
        made[title] = make_activity(
            actor=world.coordinator, organisation=world.org, room=room, title=title,
            start_date=date(2026, 12, 1), recurrence=f"RRULE:FREQ=WEEKLY;BYDAY={day}",
            booking_opens_days=60,
        )  # fmt: skip
    made["church"], made["library"] = church, library
    return made


def christmas(client, world, **extra):
    body = {"organisation": str(world.org.pk), "reason": "Closed for Christmas",
            "start_date": "2026-12-21", "end_date": "2027-01-02", **extra}  # fmt: skip
    return client.post(CLOSURES, body, format="json")


def in_christmas(sessions):
    return [
        s for s in sessions
        if date(2026, 12, 21) <= s.start.astimezone(LONDON).date() <= date(2027, 1, 2)
    ]  # fmt: skip


def test_a_christmas_closure_cancels_every_session_in_it_and_tells_everyone(world, term_time):
    sewing_21 = term_time["Sewing"].sessions.get(start__date=date(2026, 12, 23))
    monday_14 = term_time["ESOL Entry 1"].sessions.get(start__date=date(2026, 12, 14))
    booking_services.booking_create(actor=world.learner, session=sewing_21)
    Session.objects.filter(pk=sewing_21.pk).update(capacity=1)
    sewing_21.refresh_from_db()
    booking_services.booking_create(actor=world.man, session=sewing_21)  # waiting
    from backend.accounts.models import Participant

    Participant.objects.filter(user__in=[world.learner, world.man]).update(email="p@example.org")
    mine = Session.objects.filter(activity__organisation=world.org, activity__space__isnull=True)
    covered = in_christmas(mine.filter(status="scheduled"))
    # Mon 21, 28; Wed 23, 30; Thu 24, 31; and the world's Thursday class on 24 and 31.
    assert len(covered) == 8
    sent_before = Notification.objects.count()

    response = christmas(client_for(world.coordinator), world)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["cancelled"] == len(covered)
    assert body["closure"]["sessions"] == body["cancelled"]
    for session in in_christmas(mine.all()):
        assert (session.status, session.cancel_reason) == ("cancelled", "Closed for Christmas")
    monday_14.refresh_from_db()
    assert monday_14.status == "scheduled"
    # Booked and waiting were both told, with the reason.
    told = Notification.objects.filter(kind="session_cancelled")
    assert Notification.objects.count() - sent_before == 2
    assert {n.participant.user for n in told} == {world.learner, world.man}
    assert all("Closed for Christmas" in n.body for n in told)

    # Undo: all back, and both told again.
    closure = Closure.objects.get()
    response = client_for(world.coordinator).post(f"{CLOSURES}{closure.pk}/undo/")
    assert response.status_code == 200, response.json()
    assert response.json()["reinstated"] == body["cancelled"]
    assert response.json()["closure"]["undone"] is True
    for session in in_christmas(mine.all()):
        assert session.status == "scheduled"
    again = Notification.objects.filter(kind="session_reinstated")
    assert {n.participant.user for n in again} == {world.learner, world.man}
    # Undoing twice changes nothing.
    response = client_for(world.coordinator).post(f"{CLOSURES}{closure.pk}/undo/")
    assert response.json()["reinstated"] == 0


def test_a_venue_closure_touches_only_that_venue(world, term_time):
    library = str(term_time["library"].pk)
    response = christmas(
        client_for(world.coordinator), world, venue=library, reason="Library shut",
        start_date="2026-12-03", end_date="2026-12-03",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["cancelled"] == 1
    cancelled = Session.objects.get(status="cancelled")
    assert cancelled.activity.title == "Homework club"


def test_a_closure_never_touches_or_counts_what_she_cannot_see(world, term_time):
    women = world.protected_activity.sessions.filter(status="scheduled")
    before = {s.pk: s.status for s in women}
    response = christmas(client_for(world.coordinator), world, start_date="2026-12-01",
                         end_date="2027-02-28")  # fmt: skip
    assert response.status_code == 201
    assert {s.pk: s.status for s in women.model.objects.filter(pk__in=before)} == before
    # An organisation coordinator who holds the grant closes both; the other
    # coordinator's list counts only what she may see.
    both = world.space_coordinator
    from backend.organisations.services import organisation_role_assign

    organisation_role_assign(organisation=world.org, user=both, role="coordinator")
    response = christmas(client_for(both), world, reason="Snow", start_date="2027-03-01",
                         end_date="2027-03-05")  # fmt: skip
    assert response.status_code == 201
    closure = Closure.objects.get(reason="Snow")
    hidden = closure.sessions.filter(activity__space__isnull=False).count()
    assert hidden == 0  # 1-5 March is beyond the generation horizon: nothing to cancel yet
    response = christmas(client_for(both), world, reason="Boiler", start_date="2026-12-02",
                         end_date="2026-12-10")  # fmt: skip
    closure = Closure.objects.get(reason="Boiler")
    seen_by_both = response.json()["closure"]["sessions"]
    assert closure.sessions.filter(activity__space__isnull=False).exists()
    listed = {
        c["reason"]: c["sessions"]
        for c in client_for(world.coordinator).get(CLOSURES).json()["results"]
    }
    assert (
        listed["Boiler"]
        == seen_by_both - closure.sessions.filter(activity__space__isnull=False).count()
    )


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"reason": "  "}, "reason_required"),
        ({"start_date": "2027-01-03"}, "end_before_start"),
        ({"start_date": "2026-11-01", "end_date": "2026-11-02"}, "closure_in_past"),
        ({"start_date": "2026-12-01", "end_date": "2028-12-01"}, "invalid_date_range"),
    ],
)
def test_bad_closures_are_refused_and_nothing_cancelled(world, term_time, extra, code):
    response = christmas(client_for(world.coordinator), world, **extra)
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Closure.objects.exists()
    assert not Session.objects.filter(status="cancelled").exists()


def test_only_her_organisations_coordinators_manage_closures_and_terms(world, term_time):
    for user in (world.learner, world.other_coordinator, world.tutor_elsewhere):
        response = christmas(client_for(user), world)
        assert response.status_code in (400, 403)
        assert not Closure.objects.exists()
    closure = closures.closure_create(
        actor=world.coordinator, organisation=world.org, reason="Snow",
        start_date=date(2026, 12, 2), end_date=date(2026, 12, 2),
    ).closure  # fmt: skip
    response = client_for(world.other_coordinator).post(f"{CLOSURES}{closure.pk}/undo/")
    assert response.status_code == 404
    assert client_for(world.other_coordinator).get(CLOSURES).json()["results"] == []


def test_an_undo_leaves_a_session_whose_room_was_taken_cancelled(world, term_time):
    result = closures.closure_create(
        actor=world.coordinator, organisation=world.org, reason="Flood",
        start_date=date(2026, 12, 7), end_date=date(2026, 12, 7),
    )  # fmt: skip
    monday = term_time["ESOL Entry 1"].sessions.get(start__date=date(2026, 12, 7))
    make_activity(
        actor=world.coordinator, organisation=world.org, room=monday.room, title="Other",
        start_date=date(2026, 12, 7), start_time=time(18), end_time=time(19), recurrence=None,
    )  # fmt: skip
    undone = closures.closure_undo(actor=world.coordinator, closure=result.closure)
    assert (undone.reinstated, undone.not_reinstated) == (0, 1)
    monday.refresh_from_db()
    assert monday.status == "cancelled"


def test_terms_are_created_listed_and_refused_when_backwards(world):
    client = client_for(world.coordinator)
    body = {"organisation": str(world.org.pk), "name": "Spring term",
            "start_date": "2027-01-06", "end_date": "2027-07-14"}  # fmt: skip
    response = client.post(TERMS, body, format="json")
    assert response.status_code == 201, response.json()
    term = Term.objects.get()
    assert client.get(TERMS).json()["results"][0]["name"] == "Spring term"
    response = client.patch(f"{TERMS}{term.pk}/", {"end_date": "2027-01-01"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "end_before_start"
    assert client_for(world.other_coordinator).get(f"{TERMS}{term.pk}/").status_code == 404
    response = client_for(world.other_coordinator).post(TERMS, body, format="json")
    assert response.status_code == 400  # not her organisation: not found in the field
    assert client.delete(f"{TERMS}{term.pk}/").status_code == 204
    assert not Term.objects.exists()


@pytest.mark.django_db
def test_the_demo_shows_terms_and_closures():
    from django.core.management import call_command

    call_command("load_demo", force=True, verbosity=0)
    assert Term.objects.count() == 2
    half_term = Closure.objects.get(reason__startswith="Half-term")
    assert half_term.undone_at is None and half_term.sessions.count() > 0
    assert all(s.status == "cancelled" for s in half_term.sessions.all())
    assert not half_term.sessions.filter(activity__space__isnull=False).exists()
    fete = Closure.objects.get(reason__contains="fête")
    assert fete.undone_at is not None
    assert all(s.status == "scheduled" for s in fete.sessions.all())
