"""A merge carries everything of the record merged away, and an export shows
everything held about her (docs/people.md): course enrolments with her
children's crèche places, crèche places on single bookings, her no-show
record and lifts of a rule, ESOL levels, queue entries, messages. And what a
women-only space holds stays out of what a coordinator without its grant
exports, as if it did not exist."""

from __future__ import annotations

import json
from datetime import time, timedelta

from django.utils import timezone

from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.bookings import courses
from backend.bookings import services as booking_services
from backend.bookings.creche import Child
from backend.bookings.models import Booking, CourseEnrolment
from backend.notifications.models import Notification
from backend.people import esol, services
from backend.registers import no_shows
from backend.registers.models import Attendance
from tests.factories import RoomFactory, make_activity


def course_in(world, *, space=None, capacity=4, title="Spring term", hour=9):
    start = timezone.localdate() + timedelta(days=2)
    actor = world.space_coordinator if space else world.coordinator
    return make_activity(
        actor=actor, organisation=world.org, space=space, title=title, capacity=capacity,
        room=RoomFactory(capacity=20, space=space), start_date=start, start_time=time(hour),
        end_time=time(hour + 1), recurrence="RRULE:FREQ=WEEKLY;COUNT=3", is_course=True,
        creche_staff=1, booking_opens_days=30,
    )  # fmt: skip


def baby() -> Child:
    today = timezone.localdate()
    return Child(today.year - 1, today.month, "Sara")


def a_no_show(activity, person, *, days_ago=7):
    start = timezone.now() - timedelta(days=days_ago)
    session = activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=2),
        room=activity.room, capacity=10,
    )  # fmt: skip
    Booking.objects.create(session=session, participant=person, status="confirmed",
                           queued_at=start - timedelta(days=1))  # fmt: skip
    Attendance.objects.create(session=session, participant=person, mark="absent")
    return session


def _walk_in_and_account(world):
    """The same woman twice: a walk-in record and the record of her login."""
    walk_in = Participant.objects.create(known_as="Amal")
    walk_in.organisations.add(world.org)
    account = participant_for_user(user=world.learner)
    account.organisations.add(world.org)
    return walk_in, account


def test_a_merge_carries_her_enrolments_children_no_shows_and_levels(world):
    c = world.coordinator
    course = course_in(world)
    walk_in, account = _walk_in_and_account(world)
    enrolment = courses.enrolment_create(actor=c, activity=course, participant=walk_in,
                                         children=[baby()])[0]  # fmt: skip
    a_no_show(world.public_activity, walk_in)
    no_shows.no_show_rule_set(actor=c, activity=world.public_activity, after=1, weeks=8)
    no_shows.no_show_lift(actor=c, activity=world.public_activity, participant=walk_in,
                          reason="Her bus was cancelled")  # fmt: skip
    esol.level_set(actor=c, participant=walk_in, skill="speaking", level="entry_2")
    Notification.objects.create(participant=walk_in, channel="sms", kind="booking_confirmed",
                                language="en", subject="", body="You are enrolled.")  # fmt: skip
    told = Notification.objects.filter(participant=walk_in).count()

    kept = services.participant_merge(actor=c, keep=account, other=walk_in)
    enrolment.refresh_from_db()
    assert enrolment.participant == kept and enrolment.status == "confirmed"
    assert not CourseEnrolment.objects.filter(participant=walk_in).exists()
    assert Booking.objects.filter(enrolment=enrolment, participant=kept).count() == 3
    assert Notification.objects.filter(participant=kept).count() >= told
    assert no_shows.record_of(viewer=c, participant=kept)["count"] == 1

    export = services.participant_export(actor=c, participant=kept)
    assert [(e["activity"], e["status"]) for e in export["enrolments"]] == [
        ("Spring term", "confirmed")
    ]
    assert export["enrolments"][0]["children"][0]["label"] == "Sara"
    assert {b["enrolment"] for b in export["bookings"] if b["activity"] == "Spring term"} == {
        str(enrolment.pk)
    }
    assert len(export["no_shows"]["sessions"]) == 1
    assert export["no_shows"]["lifted"][0]["reason"] == "Her bus was cancelled"
    assert [x["skill"] for x in export["esol_levels"]] == ["speaking"]
    json.dumps(export)  # plain JSON


def test_both_records_enrolled_keeps_the_stronger_and_serves_the_line(world):
    c = world.coordinator
    course = course_in(world, capacity=1)
    walk_in, account = _walk_in_and_account(world)
    enrolled = courses.enrolment_create(actor=c, activity=course, participant=walk_in)[0]
    in_line = courses.enrolment_create(actor=world.learner, activity=course)[0]
    third_person = Participant.objects.create(known_as="Hana")
    third_person.organisations.add(world.org)
    third = courses.enrolment_create(actor=c, activity=course, participant=third_person)[0]
    assert (enrolled.status, in_line.status, third.status) == ("confirmed", "waiting", "waiting")

    services.participant_merge(actor=c, keep=account, other=walk_in)
    for e in (enrolled, in_line, third):
        e.refresh_from_db()
    assert (enrolled.participant, enrolled.status) == (account, "confirmed")
    assert in_line.status == "cancelled"
    assert third.status == "waiting"  # one place, still hers
    assert set(course.sessions.values_list("booked_places", flat=True)) == {1}


def test_the_weaker_enrolment_frees_its_places_for_the_line(world):
    c = world.coordinator
    course = course_in(world, capacity=2)
    walk_in, account = _walk_in_and_account(world)
    courses.enrolment_create(actor=c, activity=course, participant=walk_in)
    courses.enrolment_create(actor=world.learner, activity=course)
    hana = Participant.objects.create(known_as="Hana")
    hana.organisations.add(world.org)
    waiting = courses.enrolment_create(actor=c, activity=course, participant=hana)[0]
    assert waiting.status == "waiting"
    services.participant_merge(actor=c, keep=account, other=walk_in)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"  # the place the duplicate held went to the line
    assert CourseEnrolment.objects.filter(participant=account, status="confirmed").count() == 1
    assert set(course.sessions.values_list("booked_places", flat=True)) == {2}


def test_an_export_without_the_grant_is_as_if_the_womens_space_held_nothing(world):
    woman = participant_for_user(user=world.learner_with_grant)
    woman.organisations.add(world.org)
    public = course_in(world, title="Public term")
    courses.enrolment_create(actor=world.learner_with_grant, activity=public, children=[baby()])

    def exported():
        answer = services.participant_export(actor=world.coordinator, participant=woman)
        return json.dumps(answer, sort_keys=True)

    before = exported()
    womens = course_in(world, space=world.space, title="Women's term", hour=16)
    courses.enrolment_create(actor=world.learner_with_grant, activity=womens, children=[baby()])
    a_no_show(world.protected_activity, woman)
    session = world.protected_activity.sessions.filter(start__gt=timezone.now()).first()
    booking_services.booking_create(actor=world.learner_with_grant, session=session)
    assert exported() == before
    # Those with the grant, and she herself, see all of it.
    for viewer in (world.space_coordinator, world.learner_with_grant):
        full = services.participant_export(actor=viewer, participant=woman)
        assert {e["activity"] for e in full["enrolments"]} == {"Public term", "Women's term"}
        assert len(full["no_shows"]["sessions"]) == 1
