"""Whole-term enrolment (docs/courses.md): a place on every remaining session,
all or none, or the course's own line; cancelling frees every future place
for the line at once; single-session bookings on a course are refused."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from backend.bookings import courses, creche, services
from backend.bookings.creche import Child
from backend.bookings.models import Booking, BookingEvent, CourseEnrolment
from backend.common.errors import ApplicationError
from backend.timetable import services as timetable_services
from tests.conftest import client_for
from tests.factories import RoomFactory, child_aged, make_activity


def refused(code, fn, *args, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code, caught.value.detail
    return caught.value


def new_course(org, coordinator, *, title, capacity, weeks, creche_staff=1):
    """A weekly course from the day after tomorrow, `weeks` sessions long."""
    start = timezone.localdate() + timedelta(days=2)
    return make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(capacity=30), capacity=capacity,
        title=title, start_date=start, start_time=time(10), end_time=time(12),
        recurrence=f"RRULE:FREQ=WEEKLY;COUNT={weeks}", is_course=True, course_starts=start,
        course_ends=start + timedelta(days=30), creche_staff=creche_staff, booking_opens_days=30,
    )  # fmt: skip


@pytest.fixture
def course(org, coordinator):
    """A weekly English course of 4 sessions, 2 places, a crèche with 1 adult."""
    return new_course(org, coordinator, title="ESOL Entry 1 (spring course)", capacity=2, weeks=4)


def enrol(user, activity, **kwargs):
    enrolment, _ = courses.enrolment_create(actor=user, activity=activity, **kwargs)
    return enrolment


def held(activity, user):
    return Booking.objects.filter(
        session__activity=activity, participant__user=user, status="confirmed"
    ).count()


def test_enrolling_takes_a_place_on_every_remaining_session(course, people):
    enrolment = enrol(people[0], course)
    assert enrolment.status == "confirmed"
    assert held(course, people[0]) == 4
    assert set(course.sessions.values_list("booked_places", flat=True)) == {1}
    assert BookingEvent.objects.filter(enrolment=enrolment, action="enrolled").exists()


def test_one_full_session_puts_her_in_the_course_line_holding_nothing(course, people, coordinator):
    enrol(people[0], course)
    # The last session is smaller (a smaller room that week): full after two.
    last = course.sessions.order_by("start").last()
    last.capacity = 1
    last.save()
    waiting = enrol(people[1], course)
    assert waiting.status == "waiting"
    assert courses.course_position(waiting) == 1
    assert held(course, people[1]) == 0  # all or none
    assert last.bookings.filter(status="confirmed").count() == 1


def test_cancelling_frees_every_future_place_for_the_line_at_once(course, people):
    first, second = enrol(people[0], course), enrol(people[1], course)
    third, fourth = enrol(people[2], course), enrol(people[3], course)
    assert [e.status for e in (first, second, third, fourth)] == [
        "confirmed", "confirmed", "waiting", "waiting",
    ]  # fmt: skip
    assert courses.course_position(fourth) == 2
    courses.enrolment_cancel(actor=people[0], enrolment=first)
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == "confirmed" and held(course, people[2]) == 4
    assert fourth.status == "waiting" and courses.course_position(fourth) == 1
    assert held(course, people[0]) == 0
    assert set(course.sessions.values_list("booked_places", flat=True)) == {2}
    # Twice is harmless.
    assert courses.enrolment_cancel(actor=people[0], enrolment=first).status == "cancelled"


def test_a_term_under_way_enrols_her_for_what_is_left(course, people):
    sessions = list(course.sessions.order_by("start"))
    with time_machine.travel(sessions[1].start + timedelta(minutes=5), tick=False):
        enrol(people[0], course)
    assert held(course, people[0]) == 2
    assert not sessions[0].bookings.exists() and not sessions[1].bookings.exists()


def test_single_session_bookings_and_the_queue_point_to_enrolment(course, people):
    session = course.sessions.order_by("start").first()
    error = refused("course_enrolment_required", services.booking_create, actor=people[0],
                    session=session)  # fmt: skip
    assert error.status_code == 409
    refused("course_enrolment_required", services.queue_join, actor=people[0], activity=course)


def test_activities_that_are_not_courses_keep_single_bookings(make_session, people):
    session = make_session(capacity=3)
    booking, _ = services.booking_create(actor=people[0], session=session)
    assert booking.status == "confirmed"
    refused("not_a_course", courses.enrolment_create, actor=people[0], activity=session.activity)


def test_refusals_have_stable_codes(course, people, make_session):
    enrol(people[0], course)
    refused("already_enrolled", courses.enrolment_create, actor=people[0], activity=course)
    drop_in = make_session(booking_required=False).activity
    drop_in.is_course = True
    drop_in.save()
    refused("drop_in", courses.enrolment_create, actor=people[1], activity=drop_in)
    last = course.sessions.order_by("start").last()
    with time_machine.travel(last.start + timedelta(minutes=1), tick=False):
        refused("course_over", courses.enrolment_create, actor=people[1], activity=course)


def test_enrolment_opens_before_the_first_session_only(course, people):
    course.booking_opens_days = 1
    course.save()
    refused("booking_not_open", courses.enrolment_create, actor=people[0], activity=course)


def test_idempotent_retry_returns_the_first_enrolment(course, people):
    first, created = courses.enrolment_create(actor=people[0], activity=course,
                                              idempotency_key="k1")  # fmt: skip
    again, created_again = courses.enrolment_create(actor=people[0], activity=course,
                                                    idempotency_key="k1")  # fmt: skip
    assert created and not created_again and again.pk == first.pk
    assert CourseEnrolment.objects.count() == 1


def test_a_coordinator_enrols_someone_and_reads_the_class_list(course, coordinator, people):
    from backend.accounts.services import participant_for_user

    walk_in = participant_for_user(user=people[4])
    enrolment = enrol(coordinator, course, participant=walk_in,
                      children=[Child(timezone.localdate().year - 1, 1)])  # fmt: skip
    assert enrolment.status == "confirmed" and enrolment.created_by == coordinator
    enrol(people[0], course)
    enrol(people[1], course)  # full: in line

    response = client_for(coordinator).get(reverse("class-list-detail", kwargs={"pk": course.pk}))
    assert response.status_code == 200, response.data
    body = response.json()
    assert [e["participant"]["id"] for e in body["enrolled"]] == [
        str(walk_in.pk), str(participant_for_user(user=people[0]).pk),
    ]  # fmt: skip
    assert [e["position"] for e in body["waiting"]] == [1]
    assert body["enrolled"][0]["children"][0]["label"] == ""
    assert len(body["sessions"]) == 4 and body["sessions"][0]["places_left"] == 0
    assert (
        body["sessions"][0]["creche_places_left"]["age_3_4"] == 5
    )  # one adult (24) less a baby (8): 16 // 3
    # A learner may not read it.
    denied = client_for(people[2]).get(reverse("class-list-detail", kwargs={"pk": course.pk}))
    assert denied.status_code == 403


def test_enrol_through_the_api_with_children(course, people):
    client = client_for(people[0])
    year = timezone.localdate().year
    response = client.post(
        reverse("enrolment-list"),
        {"activity": str(course.pk), "children": [
            {"birth_year": year - 1, "birth_month": 1}, {"birth_year": year - 3, "birth_month": 1,
                                                        "label": "Sara"}]},
        format="json", HTTP_IDEMPOTENCY_KEY="abc",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "confirmed" and body["sessions"] == 4
    assert [c["label"] for c in body["children"]] == ["", "Sara"]
    mine = client.get(reverse("enrolment-list")).json()["results"]
    assert [e["id"] for e in mine] == [body["id"]]
    cancel = client.post(reverse("enrolment-cancel", kwargs={"pk": body["id"]}))
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    bad = client.post(reverse("enrolment-list"), {"activity": str(course.pk), "children": [
        {"birth_year": year - 7, "birth_month": 1}]}, format="json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["code"] == "creche_child_too_old"


def test_a_man_without_the_grant_cannot_tell_the_womens_course_exists(world):
    room = RoomFactory(capacity=20, space=world.space)
    start = timezone.localdate() + timedelta(days=3)
    womens = make_activity(
        actor=world.space_coordinator, organisation=world.org, room=room, space=world.space,
        title="Women's term", start_date=start, start_time=time(9, 30), end_time=time(11),
        recurrence="RRULE:FREQ=WEEKLY;COUNT=3", is_course=True, creche_staff=2, capacity=8,
    )  # fmt: skip
    enrol(world.learner_with_grant, womens, children=[Child(start.year - 1, start.month)])
    unknown = uuid.uuid4()
    for path in (
        reverse("class-list-detail", kwargs={"pk": womens.pk}),
        f"{reverse('enrolment-list')}?activity={womens.pk}",
    ):
        hidden = client_for(world.man).get(path)
        never = client_for(world.man).get(path.replace(str(womens.pk), str(unknown)))
        assert (hidden.status_code, hidden.content) == (404, never.content)
    posted = client_for(world.man).post(reverse("enrolment-list"), {"activity": str(womens.pk)},
                                        format="json")  # fmt: skip
    never = client_for(world.man).post(reverse("enrolment-list"), {"activity": str(unknown)},
                                       format="json")  # fmt: skip
    assert (posted.status_code, posted.content) == (never.status_code, never.content)
    assert posted.status_code in (400, 404)
    # The coordinator without the grant sees no enrolment and cannot enrol.
    listed = client_for(world.coordinator).get(reverse("enrolment-list")).json()
    assert listed["results"] == []


def test_a_revoked_grant_ends_her_enrolment_and_the_line_is_served_later(world):
    from backend.access import services as access_services
    from backend.bookings.management.commands.process_waiting_lists import Command

    room = RoomFactory(capacity=20, space=world.space)
    womens = make_activity(
        actor=world.space_coordinator, organisation=world.org, room=room, space=world.space,
        title="Women's term", start_date=timezone.localdate() + timedelta(days=3),
        start_time=time(9, 30), end_time=time(11), recurrence="RRULE:FREQ=WEEKLY;COUNT=2",
        is_course=True, capacity=1,
    )  # fmt: skip
    hers = enrol(world.learner_with_grant, womens)
    waiting = enrol(world.space_coordinator, womens)
    assert (hers.status, waiting.status) == ("confirmed", "waiting")
    access_services.space_revoke(
        actor=world.space_coordinator, space=world.space, user=world.learner_with_grant
    )
    hers.refresh_from_db()
    assert hers.status == "cancelled" and held(womens, world.learner_with_grant) == 0
    Command().handle()
    waiting.refresh_from_db()
    assert waiting.status == "confirmed" and held(womens, world.space_coordinator) == 2


# --- places opened by the coordinator serve the course's line at once ---------------


@pytest.fixture
def creche_course(org, coordinator):
    """Three weekly sessions, ten places, one crèche adult (three babies)."""
    return new_course(org, coordinator, title="Women's English (crèche)", capacity=10, weeks=3)


def mothers_enrol(course, people, n):
    first = course.sessions.order_by("start").first()
    return [enrol(p, course, children=[child_aged(6, on=first)]) for p in people[:n]]


def test_more_creche_staff_on_the_course_serves_its_line_at_once(
    creche_course, coordinator, people
):
    *enrolled, fourth = mothers_enrol(creche_course, people, 4)
    assert [e.status for e in enrolled] == ["confirmed"] * 3
    assert fourth.status == "waiting"
    timetable_services.activity_update(actor=coordinator, activity=creche_course, creche_staff=2)
    fourth.refresh_from_db()
    assert fourth.status == "confirmed"
    assert held(creche_course, people[3]) == 3
    assert {creche.units_used(s) for s in creche_course.sessions.all()} == {4 * 8}


def test_more_creche_staff_on_one_session_serves_the_course_line(org, coordinator, people):
    course = new_course(
        org, coordinator, title="ESOL with crèche", capacity=10, weeks=3, creche_staff=2
    )
    short = course.sessions.order_by("start")[1]  # one adult that week only
    timetable_services.session_creche_staff_set(actor=coordinator, session=short, staff=1)
    *enrolled, fourth = mothers_enrol(course, people, 4)
    assert [e.status for e in enrolled] == ["confirmed"] * 3
    assert fourth.status == "waiting"  # that week's crèche is full
    timetable_services.session_creche_staff_set(actor=coordinator, session=short, staff=None)
    fourth.refresh_from_db()
    assert fourth.status == "confirmed" and held(course, people[3]) == 3


def test_a_bigger_course_serves_its_line_at_once(course, coordinator, people):
    enrol(people[0], course), enrol(people[1], course)
    third = enrol(people[2], course)
    assert third.status == "waiting"
    timetable_services.activity_update(actor=coordinator, activity=course, capacity=3)
    third.refresh_from_db()
    assert third.status == "confirmed" and held(course, people[2]) == 4
