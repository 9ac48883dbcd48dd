"""Crèche staff per session (docs/courses.md): a session may set its own
number of crèche staff (falling back to the activity's), which sets its
crèche places by the ratios; lowering staff, on the session or the activity,
below what the children booked need is refused with a stable code, under the
same row locks as a booking, so a booking and a staff change at once cannot
overbook the crèche (PostgreSQL test at the end)."""

from __future__ import annotations

import threading
import time as clock
import uuid
from datetime import time, timedelta

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from backend.bookings import creche, services
from backend.bookings.creche import Child
from backend.bookings.models import Booking
from backend.common.errors import ApplicationError
from backend.timetable import services as timetable_services
from backend.timetable.models import Session
from tests.conftest import client_for
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    UserFactory,
    child_aged,
    coordinator_of,
    make_activity,
)


def baby(session) -> Child:
    return child_aged(6, on=session)


def refused(code, fn, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.detail
    return caught.value


@pytest.fixture
def weekly(org, coordinator):
    """Three weekly sessions, ten places, a crèche with two staff (six babies)."""
    return make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(capacity=30), capacity=10,
        title="Women's English", start_date=timezone.localdate() + timedelta(days=2),
        start_time=time(10), end_time=time(12), recurrence="RRULE:FREQ=WEEKLY;COUNT=3",
        creche_staff=2,
    )  # fmt: skip


def sessions_of(activity):
    return list(activity.sessions.order_by("start"))


def set_staff(actor, session, staff):
    return timetable_services.session_creche_staff_set(actor=actor, session=session, staff=staff)


def test_a_session_sets_its_own_staff_and_its_places_follow(weekly, coordinator, people):
    first, second, _third = sessions_of(weekly)
    set_staff(coordinator, first, 1)
    first.refresh_from_db()
    assert creche.staff_on(first) == 1 and creche.staff_on(second) == 2
    assert creche.places_left(first)["under_2"] == 3
    assert creche.places_left(second)["under_2"] == 6
    answers = [
        services.booking_create(actor=p, session=first, children=[baby(first)])[0].status
        for p in people[:4]
    ]
    assert answers == ["confirmed"] * 3 + ["waiting"]  # one adult: three babies
    # Blank again: the activity's two staff, and the line is served at once.
    set_staff(coordinator, first, None)
    assert Booking.objects.get(session=first, participant__user=people[3]).status == "confirmed"


def test_lowering_a_sessions_staff_below_its_children_is_refused(weekly, coordinator, people):
    first = sessions_of(weekly)[0]
    for p in people[:4]:  # four babies: 32 of 48 units, two staff needed
        services.booking_create(actor=p, session=first, children=[baby(first)])
    error = refused("creche_staff_below_children", set_staff, actor=coordinator, session=first,
                    staff=1)  # fmt: skip
    assert error.status_code == 409
    assert "need 2 crèche staff" in error.detail
    assert error.fields == {"creche_staff": ["Below what the children already booked need."]}
    for p in people[:4]:  # nobody is named
        assert p.username not in error.detail
    first.refresh_from_db()
    assert first.creche_staff is None
    set_staff(coordinator, first, 3)  # raising is always fine, and 2 is what they need
    set_staff(coordinator, first, 2)
    first.refresh_from_db()
    assert first.creche_staff == 2


def test_lowering_the_activitys_staff_is_refused_where_a_session_follows_it(
    weekly, coordinator, people
):
    first, second, _ = sessions_of(weekly)
    for p in people[:4]:
        services.booking_create(actor=p, session=second, children=[baby(second)])
    error = refused("creche_staff_below_children", timetable_services.activity_update,
                    actor=coordinator, activity=weekly, creche_staff=1)  # fmt: skip
    day = f"{timezone.localtime(second.start):%a %d %b %Y}"
    assert day in error.detail
    weekly.refresh_from_db()
    assert weekly.creche_staff == 2
    # A session with its own number does not follow the activity's.
    set_staff(coordinator, second, 2)
    timetable_services.activity_update(actor=coordinator, activity=weekly, creche_staff=1)
    assert [creche.staff_on(s) for s in sessions_of(weekly)] == [1, 2, 1]
    assert first.pk  # the first session, with no child, took the new number


def test_raising_the_activitys_staff_serves_the_lines(weekly, coordinator, people):
    first = sessions_of(weekly)[0]
    timetable_services.activity_update(actor=coordinator, activity=weekly, creche_staff=1)
    answers = [
        services.booking_create(actor=p, session=first, children=[baby(first)])[0].status
        for p in people[:4]
    ]
    assert answers[-1] == "waiting"
    timetable_services.activity_update(actor=coordinator, activity=weekly, creche_staff=2)
    assert Booking.objects.get(session=first, participant__user=people[3]).status == "confirmed"


def test_a_session_without_crèche_staff_takes_no_children(weekly, coordinator, people):
    first, second, _ = sessions_of(weekly)
    set_staff(coordinator, first, 0)
    first.refresh_from_db()
    booking, _ = services.booking_create(actor=people[0], session=first, children=[baby(first)])
    assert booking.status == "waiting"  # her place and her child's come together, or she waits
    alone, _ = services.booking_create(actor=people[1], session=first)
    assert alone.status == "confirmed"
    # An activity with no crèche at all, but one session with staff, takes children there.
    timetable_services.activity_update(actor=coordinator, activity=weekly, creche_staff=0)
    set_staff(coordinator, second, 1)
    second.refresh_from_db()
    booked, _ = services.booking_create(actor=people[2], session=second, children=[baby(second)])
    assert booked.status == "confirmed"


def test_a_started_session_keeps_its_staff(weekly, coordinator):
    first = sessions_of(weekly)[0]
    Session.objects.filter(pk=first.pk).update(start=timezone.now() - timedelta(minutes=5))
    refused("session_started", set_staff, actor=coordinator, session=first, staff=1)


# --- the API ------------------------------------------------------------------------------


def staff_url(session) -> str:
    return reverse("session-creche-staff", kwargs={"pk": session.pk})


def test_the_api_sets_and_clears_a_sessions_staff(weekly, coordinator, people):
    first = sessions_of(weekly)[0]
    api = client_for(coordinator)
    answer = api.post(staff_url(first), {"creche_staff": 1}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["creche_staff"] == 1
    assert answer.json()["activity"]["creche_staff"] == 2
    assert (
        api.post(staff_url(first), {"creche_staff": None}, format="json").json()["creche_staff"]
        is None
    )
    bad = api.post(staff_url(first), {"creche_staff": 99}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    missing = api.post(staff_url(first), {}, format="json")
    assert missing.status_code == 400
    learner = client_for(people[0]).post(staff_url(first), {"creche_staff": 0}, format="json")
    assert learner.status_code == 403 and learner.json()["code"] == "permission_denied"
    for p in people[:4]:
        services.booking_create(actor=p, session=first, children=[baby(first)])
    below = api.post(staff_url(first), {"creche_staff": 1}, format="json")
    assert below.status_code == 409 and below.json()["code"] == "creche_staff_below_children"


def test_a_man_without_the_grant_cannot_tell_a_womens_session_exists(world):
    session = world.protected_activity.sessions.order_by("start").first()
    unknown = uuid.uuid4()
    for user in (world.man, world.coordinator):
        hidden = client_for(user).post(staff_url(session), {"creche_staff": 1}, format="json")
        never = client_for(user).post(
            reverse("session-creche-staff", kwargs={"pk": unknown}),
            {"creche_staff": 1},
            format="json",
        )
        assert (hidden.status_code, hidden.content) == (404, never.content)
    ok = client_for(world.space_coordinator).post(staff_url(session), {"creche_staff": 1},
                                                  format="json")  # fmt: skip
    assert ok.status_code == 200


# --- PostgreSQL: a booking and a staff change at once ---------------------------------------


def _run_together(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        barrier.wait()
        try:
            for attempt in range(30):  # "busy" (the row was held): try again, as the app does
                try:
                    outcomes[index] = job()
                    return
                except ApplicationError as error:
                    outcomes[index] = error.code
                    return
                except DatabaseError:
                    clock.sleep(0.05 * (attempt + 1))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.parametrize("level", ["session", "activity"])
def test_bookings_and_a_staff_cut_at_once_never_overbook_the_creche(transactional_db, level):
    org = OrganisationFactory()
    coordinator = coordinator_of(org)
    mothers = [UserFactory(username=f"mother{i}") for i in range(6)]
    for _round in range(4):
        activity = make_activity(
            actor=coordinator, organisation=org, room=RoomFactory(capacity=30), capacity=10,
            title="Women's English", start_date=timezone.localdate() + timedelta(days=2),
            start_time=time(10), end_time=time(12), recurrence=None, creche_staff=2,
        )  # fmt: skip
        session = activity.sessions.get()

        def book(mother, session=session):
            return services.booking_create(actor=mother, session=session, children=[baby(session)])[
                0
            ].status

        def cut(session=session, activity=activity):
            if level == "session":
                return set_staff(coordinator, session, 1) and "cut"
            timetable_services.activity_update(actor=coordinator, activity=activity,
                                               creche_staff=1)  # fmt: skip
            return "cut"

        outcomes = _run_together([*(lambda m=m: book(m) for m in mothers), cut])
        assert None not in outcomes, outcomes
        session.refresh_from_db()
        staff = creche.staff_on(session)
        used = creche.units_used(session)
        assert used <= staff * creche.UNITS_PER_ADULT, (outcomes, staff, used)
        confirmed = outcomes[:-1].count("confirmed")
        assert confirmed == used // 8
        if outcomes[-1] == "cut":
            assert staff == 1 and confirmed <= 3
        else:
            assert outcomes[-1] == "creche_staff_below_children"
            assert staff == 2 and confirmed > 3
