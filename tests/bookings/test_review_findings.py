"""Regressions for what a review found: each would have leaked, overbooked,
stranded someone in a line, or answered 500."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backend.access import services as access_services
from backend.bookings import services
from backend.bookings.models import Booking
from backend.notifications.models import Notification
from backend.timetable.models import Session
from backend.timetable.services import activity_update, session_cancel, session_reinstate
from tests.conftest import client_for
from tests.factories import RoomFactory, UserFactory, make_activity


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
    from guardian.shortcuts import remove_perm

    remove_perm("access.access_space", world.learner_with_grant, world.space)
    services.booking_cancel(actor=other, booking=first)
    mine.refresh_from_db()
    assert mine.status == "waiting"
    assert not Notification.objects.filter(
        participant__user=world.learner_with_grant, kind="booking_confirmed"
    ).exists()


def test_staff_booking_for_someone_never_learn_her_protected_class(world):
    from backend.accounts.services import participant_for_user

    protected = world.protected_activity.sessions.order_by("start").first()
    services.booking_create(actor=world.learner_with_grant, session=protected)
    org = world.org
    clash = make_activity(
        actor=world.coordinator, organisation=org, room=RoomFactory(), title="Coffee",
        start_date=timezone.localtime(protected.start).date(), start_time=time(13, 30),
        end_time=time(14), recurrence=None,
    )  # fmt: skip
    from backend.organisations.services import organisation_role_assign

    organisation_role_assign(organisation=org, user=world.tutor_elsewhere, role="tutor")
    from backend.timetable.services import activity_tutor_assign

    activity_tutor_assign(actor=world.coordinator, activity=clash, tutor=world.tutor_elsewhere)
    person = participant_for_user(user=world.learner_with_grant)
    # A place he may not see is not looked at: the booking goes ahead as for
    # anyone (docs/women-only-rooms.md); she is told of the overlap herself.
    booking, _ = services.booking_create(
        actor=world.tutor_elsewhere, session=clash.sessions.get(), participant=person
    )
    assert booking.status == "confirmed"


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


def test_session_detail_and_actions_work_beyond_the_default_week(world):
    far = world.public_activity.sessions.order_by("-start").first()
    client = client_for(world.coordinator)
    assert client.get(reverse("session-detail", kwargs={"pk": far.pk})).status_code == 200
    cancel = client.post(
        reverse("session-cancel", kwargs={"pk": far.pk}), {"reason": "Holiday"}, format="json"
    )
    assert cancel.status_code == 200


def test_a_room_kept_for_a_future_protected_activity_is_hidden(world):
    room = RoomFactory(name="Refuge meeting room", space=world.space)
    make_activity(
        actor=world.space_coordinator, organisation=world.org, room=room, space=world.space,
        title="Later", start_date=timezone.localdate() + timedelta(days=200), recurrence=None,
    )  # fmt: skip
    body = client_for(world.man).get(reverse("venue-list")).content.decode()
    assert "Refuge meeting room" not in body
    assert (
        "Refuge" in client_for(world.learner_with_grant).get(reverse("venue-list")).content.decode()
    )


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


def test_an_idempotency_key_reused_for_another_session_is_refused(world):
    one, two = world.public_activity.sessions.order_by("start")[:2]
    client = client_for(world.learner)
    url = reverse("booking-list")
    assert (
        client.post(
            url, {"session": str(one.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="k"
        ).status_code
        == 201
    )
    again = client.post(url, {"session": str(two.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 409 and again.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.filter(session=two).count() == 0


@pytest.mark.parametrize(
    ("rule", "start_date", "code"),
    [
        ("RRULE:FREQ=WEEKLY;BYSETPOS=0", None, "invalid_recurrence"),
        ("RRULE:FREQ=WEEKLY;BYHOUR=25", None, "invalid_recurrence"),
        ("RRULE:FREQ=DAILY;BYHOUR=9", None, "invalid_recurrence"),
        (None, "9999-12-31", "date_out_of_range"),
    ],
)
def test_bad_schedules_are_400_not_500(world, rule, start_date, code):
    payload = {
        "organisation": str(world.org.pk), "room": str(world.room.pk), "kind": "social",
        "title": "Quiz", "capacity": 5,
        "schedule": {"start_date": start_date or "2027-01-07", "start_time": "18:00",
                     "end_time": "19:00", "recurrence": rule},
    }  # fmt: skip
    response = client_for(world.coordinator).post(reverse("activity-list"), payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == code


def test_moving_to_the_end_of_time_is_400(world):
    session = world.public_activity.sessions.first()
    response = client_for(world.coordinator).post(
        reverse("session-move", kwargs={"pk": session.pk}),
        {"start": "9999-12-31T23:00:00Z"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "date_out_of_range"


def test_admin_venue_pages_never_show_a_protected_room(world):
    world.superuser.is_staff = True
    world.superuser.save()
    client = Client()
    client.force_login(world.superuser)
    venue = world.protected_activity.room.venue
    assert client.get(f"/admin/organisations/venue/{venue.pk}/change/").status_code == 302
    assert "Quiet room" not in client.get("/admin/organisations/venue/").content.decode()
    assert (
        client.get(f"/admin/accounts/user/{world.learner_with_grant.pk}/delete/").status_code == 403
    )
