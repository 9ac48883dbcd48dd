"""Crèche places (docs/courses.md): age bands and staff ratios; a mother's
place and her children's crèche places together, all or none, in the line."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from backend.bookings import courses, creche, services
from backend.bookings.creche import Child
from backend.bookings.models import Booking, CrecheChild
from backend.common.errors import ApplicationError
from tests.factories import RoomFactory, child_aged, make_activity


def months_before(session, months: int) -> Child:
    return child_aged(months, on=session)


@pytest.fixture
def creche_session(make_session):
    return make_session(capacity=10, creche_staff=2)


def test_bands_follow_the_birth_month(creche_session):
    s = creche_session
    assert creche.band_of(months_before(s, 0), s) == "under_2"
    assert creche.band_of(months_before(s, 23), s) == "under_2"
    assert creche.band_of(months_before(s, 24), s) == "age_2"
    assert creche.band_of(months_before(s, 36), s) == "age_3_4"
    assert creche.band_of(months_before(s, 59), s) == "age_3_4"
    assert creche.band_of(months_before(s, 60), s) is None


@pytest.mark.parametrize(
    ("ages", "fits"),
    [
        ([0] * 6, True),  # two adults, three babies each
        ([0] * 7, False),
        ([24] * 8, True),  # one adult per four two-year-olds
        ([24] * 9, False),
        ([40] * 16, True),  # one per eight three- and four-year-olds
        ([40] * 17, False),
        ([0, 0, 0, 24, 24, 24, 24], True),  # one adult for each band
        ([0, 0, 0, 24, 24, 24, 24, 40], False),
    ],
)
def test_two_staff_hold_children_by_their_ratios(creche_session, ages, fits):
    children = [months_before(creche_session, m) for m in ages]
    assert creche.fits(creche_session, children) is fits


def test_no_staff_means_no_creche(make_session, people):
    session = make_session(capacity=5)
    with pytest.raises(ApplicationError) as caught:
        services.booking_create(actor=people[0], session=session,
                                children=[months_before(session, 5)])  # fmt: skip
    assert caught.value.code == "no_creche"


def test_her_place_and_her_childrens_come_together_or_she_waits(creche_session, people):
    s = creche_session
    babies = [months_before(s, 6), months_before(s, 10)]
    first, _ = services.booking_create(actor=people[0], session=s, children=babies)
    second, _ = services.booking_create(actor=people[1], session=s, children=babies)
    assert first.status == second.status == "confirmed"  # 4 babies: 32 of 48 units
    # Three more babies do not fit (4 + 3 babies = 56 of 48 units): she waits, whole.
    third, _ = services.booking_create(actor=people[2], session=s, children=[*babies, babies[0]])
    assert third.status == "waiting"
    # A mother with no children behind her is not held up by the family (same rule
    # as family groups: the first whole request that fits).
    fourth, _ = services.booking_create(actor=people[3], session=s)
    assert fourth.status == "confirmed"
    services.booking_cancel(actor=people[0], booking=first)
    third.refresh_from_db()
    assert third.status == "confirmed"
    assert creche.units_used(s) == 5 * 8
    assert CrecheChild.objects.filter(booking=third).count() == 3


def test_a_course_enrolment_carries_her_children_on_every_session(org, coordinator, people):
    start = timezone.localdate() + timedelta(days=2)
    course = make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(capacity=30), capacity=10,
        title="Women's English", start_date=start, start_time=time(10), end_time=time(12),
        recurrence="RRULE:FREQ=WEEKLY;COUNT=3", is_course=True, creche_staff=1,
    )  # fmt: skip
    first = course.sessions.order_by("start").first()
    twins = [months_before(first, 3), months_before(first, 3)]
    a = courses.enrolment_create(actor=people[0], activity=course, children=twins)[0]
    assert a.status == "confirmed"
    for session in course.sessions.all():
        assert creche.units_used(session) == 16
    # One more baby fits (24 units), two do not: she is in the line, holding nothing.
    b = courses.enrolment_create(actor=people[1], activity=course, children=twins)[0]
    assert b.status == "waiting"
    assert not Booking.objects.filter(enrolment=b).exists()
    courses.enrolment_cancel(actor=people[0], enrolment=a)
    b.refresh_from_db()
    assert b.status == "confirmed"


def test_a_child_who_turns_five_during_the_term_is_refused_with_a_code(org, coordinator, people):
    start = timezone.localdate() + timedelta(days=2)
    course = make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(capacity=30), capacity=10,
        title="Long course", start_date=start, start_time=time(10), end_time=time(12),
        recurrence="RRULE:FREQ=MONTHLY;COUNT=3", is_course=True, creche_staff=1,
    )  # fmt: skip
    last = course.sessions.order_by("start").last()
    nearly_five = months_before(last, 60)
    with pytest.raises(ApplicationError) as caught:
        courses.enrolment_create(actor=people[0], activity=course, children=[nearly_five])
    assert caught.value.code == "creche_child_too_old"


def test_erasing_her_forgets_the_names_she_gave_her_children(creche_session, people):
    from backend.accounts.services import participant_for_user
    from backend.people.services import participant_erase

    baby = months_before(creche_session, 6)
    booking, _ = services.booking_create(
        actor=people[0], session=creche_session,
        children=[Child(baby.birth_year, baby.birth_month, "Yusuf")],
    )  # fmt: skip
    assert CrecheChild.objects.get(booking=booking).label == "Yusuf"
    participant_erase(actor=people[0], participant=participant_for_user(user=people[0]))
    child = CrecheChild.objects.get(booking=booking)
    assert child.label == "" and child.birth_month == baby.birth_month
