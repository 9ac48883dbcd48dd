"""Sessions a course gets after people enrolled (docs/courses.md, "Sessions
added later"): generated later (a blank `course_ends`), or the course's dates
widened. Each enrolled learner gets a place on each, with her children's
crèche places, or waits first in that session's line; the course's line
needs nothing; cancelling the enrolment takes all of it back."""

from __future__ import annotations

import threading
import time as clock
from datetime import time, timedelta

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from backend.bookings import courses, creche, services
from backend.bookings.creche import Child
from backend.bookings.models import ACTIVE, HOLDING, Booking, BookingEvent, CourseEnrolment
from backend.common.errors import ApplicationError
from backend.timetable import services as timetable_services
from backend.timetable.models import Session
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    UserFactory,
    child_aged,
    coordinator_of,
    make_activity,
)


def baby_on(day) -> Child:
    return child_aged(6, on=day)


@pytest.fixture
def open_course(org, coordinator, settings):
    """A weekly course with no end date: sessions come four weeks at a time."""
    settings.HARBOUR_SESSION_HORIZON_WEEKS = 4
    return make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(capacity=30), capacity=2,
        title="ESOL Entry 2 (rolling)", start_date=timezone.localdate() + timedelta(days=1),
        start_time=time(10), end_time=time(12), recurrence="RRULE:FREQ=WEEKLY", is_course=True,
        creche_staff=1, booking_opens_days=60,
    )  # fmt: skip


def enrol(user, activity, **kwargs):
    return courses.enrolment_create(actor=user, activity=activity, **kwargs)[0]


def statuses(enrolment):
    return list(
        Booking.objects.filter(enrolment=enrolment)
        .order_by("session__start")
        .values_list("status", flat=True)
    )


def test_sessions_generated_later_are_added_to_her_enrolment(open_course, people):
    before = open_course.sessions.count()
    mine = enrol(people[0], open_course, children=[baby_on(timezone.localdate())])
    assert len(statuses(mine)) == before
    result = timetable_services.sessions_sync(activity=open_course, horizon_weeks=8)
    assert result.created > 0
    assert statuses(mine) == ["confirmed"] * (before + result.created)
    newest = open_course.sessions.order_by("start").last()
    assert newest.booked_places == 1
    assert creche.units_used(newest) == 8  # her baby's crèche place came too
    assert BookingEvent.objects.filter(enrolment=mine, action="enrolment_extended").count() == (
        result.created
    )
    # Idempotent: nothing twice.
    assert courses.enrolments_extend(activity=open_course) == 0


def test_the_daily_generation_extends_enrolments_too(open_course, people):
    mine = enrol(people[0], open_course)
    count = open_course.sessions.count()
    timetable_services.sessions_generate_all(horizon_weeks=6)
    assert len(statuses(mine)) == open_course.sessions.count() > count


def test_a_full_new_session_puts_her_first_in_its_line(org, coordinator, people):
    start = timezone.localdate() + timedelta(days=1)
    course = make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(capacity=30), capacity=2,
        title="Spring course", start_date=start, start_time=time(10), end_time=time(12),
        recurrence="RRULE:FREQ=WEEKLY;COUNT=4", is_course=True, course_starts=start,
        course_ends=start + timedelta(days=15), creche_staff=1, booking_opens_days=30,
    )  # fmt: skip
    first = enrol(people[0], course)
    second = enrol(people[1], course, children=[baby_on(start)])
    assert len(statuses(first)) == len(statuses(second)) == 3
    # The fourth session has one place only; the term is widened to take it.
    fourth = course.sessions.order_by("start").last()
    Session.objects.filter(pk=fourth.pk).update(capacity=1)
    timetable_services.activity_update(
        actor=coordinator, activity=course, course_ends=start + timedelta(days=30)
    )
    assert statuses(first)[-1] == "confirmed"
    waiting = Booking.objects.get(enrolment=second, session=fourth)
    assert waiting.status == "waiting" and services.waiting_position(waiting) == 1
    # She is served like any line, her children's crèche places checked with her.
    theirs = Booking.objects.get(enrolment=first, session=fourth)
    services.booking_cancel(actor=people[0], booking=theirs)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert creche.units_used(fourth) == 8
    # Cancelling the enrolment takes back every place and every place in a line.
    courses.enrolment_cancel(actor=people[1], enrolment=second)
    assert not Booking.objects.filter(enrolment=second, status__in=ACTIVE).exists()


def test_her_place_waits_when_the_new_sessions_creche_is_full(open_course, coordinator, people):
    today = timezone.localdate()
    mine = enrol(people[0], open_course, children=[baby_on(today), baby_on(today)])
    assert statuses(mine)[0] == "confirmed"
    for session in open_course.sessions.all():  # the sessions she holds keep their crèche
        timetable_services.session_creche_staff_set(actor=coordinator, session=session, staff=1)
    timetable_services.activity_update(actor=coordinator, activity=open_course, creche_staff=0)
    timetable_services.sessions_sync(activity=open_course, horizon_weeks=6)
    assert statuses(mine)[-1] == "waiting"  # no crèche on the new sessions: she waits, whole


def test_a_session_she_gave_up_is_not_given_back_and_the_line_needs_nothing(open_course, people):
    mine = enrol(people[0], open_course, places=2)
    waiting = enrol(people[1], open_course)
    assert waiting.status == "waiting"
    gave_up = Booking.objects.filter(enrolment=mine).order_by("session__start").first()
    services.booking_cancel(actor=people[0], booking=gave_up)
    courses.enrolments_extend(activity=open_course)
    gave_up.refresh_from_db()
    assert gave_up.status == "cancelled"
    assert Booking.objects.filter(enrolment=mine, session=gave_up.session_id).count() == 1
    assert not Booking.objects.filter(enrolment=waiting).exists()


def test_a_revoked_grant_gets_no_new_sessions(world, settings):
    from backend.access import services as access_services

    settings.HARBOUR_SESSION_HORIZON_WEEKS = 3
    womens = make_activity(
        actor=world.space_coordinator, organisation=world.org, space=world.space,
        room=RoomFactory(capacity=20, space=world.space), title="Women's term",
        start_date=timezone.localdate() + timedelta(days=1), start_time=time(9, 30),
        end_time=time(11), recurrence="RRULE:FREQ=WEEKLY", is_course=True, capacity=5,
    )  # fmt: skip
    hers = enrol(world.learner_with_grant, womens)
    access_services.space_revoke(
        actor=world.space_coordinator, space=world.space, user=world.learner_with_grant
    )
    timetable_services.sessions_sync(activity=womens, horizon_weeks=6)
    hers.refresh_from_db()
    assert hers.status == "cancelled"
    assert not Booking.objects.filter(enrolment=hers, status__in=ACTIVE).exists()


@pytest.mark.postgres
def test_enrolments_and_new_sessions_at_once_give_every_enrolled_learner_every_session(
    transactional_db, settings
):
    settings.HARBOUR_SESSION_HORIZON_WEEKS = 3
    settings.HARBOUR_BOOKING_LOCK_TIMEOUT_MS = 60_000
    org = OrganisationFactory()
    coordinator = coordinator_of(org)
    course = make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(capacity=30), capacity=6,
        title="Rolling course", start_date=timezone.localdate() + timedelta(days=1),
        start_time=time(10), end_time=time(12), recurrence="RRULE:FREQ=WEEKLY", is_course=True,
        creche_staff=1, booking_opens_days=60,
    )  # fmt: skip
    learners = [UserFactory(username=f"l{i:02d}") for i in range(10)]
    today = timezone.localdate()
    barrier = threading.Barrier(len(learners) + 1)
    errors: list = []

    def attempt(job):
        barrier.wait()
        try:
            for tries in range(30):
                try:
                    return job()
                except ApplicationError as error:
                    if error.code != "busy":
                        raise
                except DatabaseError:
                    pass
                clock.sleep(0.05 * (tries + 1))
            errors.append("gave up")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    jobs = [
        (lambda u=u, i=i: enrol(u, course, children=[baby_on(today)] if i % 2 else []))
        for i, u in enumerate(learners)
    ]
    jobs.append(lambda: timetable_services.sessions_generate_all(horizon_weeks=8))
    threads = [threading.Thread(target=attempt, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []

    remaining = list(courses.course_sessions(course))
    assert len(remaining) >= 8
    for session in remaining:
        holding = Booking.objects.filter(session=session, status__in=HOLDING)
        assert session.booked_places == sum(b.places for b in holding) <= session.capacity
        assert creche.units_used(session) <= creche.units_capacity(session)
    for enrolment in CourseEnrolment.objects.filter(activity=course, status="confirmed"):
        held = set(
            Booking.objects.filter(enrolment=enrolment, status__in=ACTIVE).values_list(
                "session_id", flat=True
            )
        )
        assert held == {s.pk for s in remaining}, enrolment.participant.known_as
    assert CourseEnrolment.objects.filter(activity=course, status="confirmed").count() == 6
