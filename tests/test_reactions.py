"""The cross-domain reactions (backend/reactions.py): a revoked grant ends her
places in the space, and schedule edits that open places, cancel or reinstate
a session, or drop a date, reach the bookings on it."""

from __future__ import annotations

from django.urls import reverse
from guardian.shortcuts import remove_perm

from backend.access import services as access_services
from backend.bookings import services
from backend.notifications.models import Notification
from backend.timetable.models import Session
from backend.timetable.services import activity_update, session_cancel, session_reinstate
from tests.conftest import client_for
from tests.factories import UserFactory


def _small(world, session, capacity=1):
    Session.objects.filter(pk=session.pk).update(capacity=capacity)
    session.refresh_from_db()
    return session


def test_revoking_a_grant_ends_her_places_and_passes_them_on(world):
    session = _small(world, world.protected_activity.sessions.order_by("start").first())
    holder, _ = services.booking_create(actor=world.learner_with_grant, session=session)
    other = UserFactory()
    access_services.space_grant(actor=world.space_coordinator, space=world.space, user=other)
    waiting, _ = services.booking_create(actor=other, session=session)
    assert waiting.status == "waiting"
    access_services.space_revoke(
        actor=world.space_coordinator, space=world.space, user=world.learner_with_grant
    )
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert holder.status == "cancelled" and waiting.status == "confirmed"


def test_a_revoked_woman_is_never_promoted_into_the_space(world):
    session = _small(world, world.protected_activity.sessions.order_by("start").first())
    other = UserFactory()
    access_services.space_grant(actor=world.space_coordinator, space=world.space, user=other)
    first, _ = services.booking_create(actor=other, session=session)
    mine, _ = services.booking_create(actor=world.learner_with_grant, session=session)
    # Revoked some other way than the service (e.g. a group removed): the line still checks.
    remove_perm("access.access_space", world.learner_with_grant, world.space)
    services.booking_cancel(actor=other, booking=first)
    mine.refresh_from_db()
    assert mine.status == "waiting"
    assert not Notification.objects.filter(
        participant__user=world.learner_with_grant, kind="booking_confirmed"
    ).exists()


def test_editing_a_schedule_keeps_sessions_with_cancelled_bookings(world):
    session = world.public_activity.sessions.order_by("start")[0]
    booking, _ = services.booking_create(actor=world.learner, session=session)
    services.booking_cancel(actor=world.learner, booking=booking)
    response = client_for(world.coordinator).patch(
        reverse("activity-detail", kwargs={"pk": world.public_activity.pk}),
        {"schedule": {"recurrence": "RRULE:FREQ=WEEKLY;BYDAY=FR"}},
        format="json",
    )
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.needs_review


def test_more_places_go_to_the_line(world):
    session = _small(world, world.public_activity.sessions.order_by("start").first())
    services.booking_create(actor=world.learner, session=session)
    waiting, _ = services.booking_create(actor=world.man, session=session)
    Session.objects.filter(activity=world.public_activity).update(capacity=1)
    world.public_activity.capacity = 1
    world.public_activity.save()
    activity_update(actor=world.coordinator, activity=world.public_activity, capacity=5)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_reinstating_a_session_serves_its_line(world):
    session = _small(world, world.public_activity.sessions.order_by("start").first())
    first, _ = services.booking_create(actor=world.learner, session=session)
    waiting, _ = services.booking_create(actor=world.man, session=session)
    session_cancel(actor=world.coordinator, session=session, reason="Snow")
    services.booking_cancel(actor=world.learner, booking=first)
    waiting.refresh_from_db()
    assert waiting.status == "waiting"  # nobody is promoted into a cancelled session
    session_reinstate(actor=world.coordinator, session=Session.objects.get(pk=session.pk))
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
