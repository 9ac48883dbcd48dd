"""Humane no-shows (issue 19 item 4): a rolling window that fades, her own
record, an activity's rule that holds her next place for a coordinator (never
silently), a lift with a reason; a no-show at a women-only session is
invisible to staff without the grant, in counts as in lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.bookings.models import Booking, BookingEvent
from backend.notifications.models import Notification
from backend.registers import no_shows
from backend.registers.models import Attendance, NoShowLift
from tests.conftest import client_for


def missed(activity, person, *, days_ago: int, mark: str = "absent"):
    """A held session she had a place on, marked as given."""
    start = timezone.now() - timedelta(days=days_ago)
    session = activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1), room=activity.room,
        capacity=activity.capacity,
    )  # fmt: skip
    Booking.objects.create(
        session=session, participant=person, status="confirmed", queued_at=start, seq=1
    )
    Attendance.objects.create(session=session, participant=person, mark=mark)
    return session


@pytest.fixture
def her(world):
    person = participant_for_user(user=world.learner_with_grant)
    person.email = "her@example.org"  # so that she can be told
    person.save()
    return person


def test_no_shows_fade_after_the_window_and_she_sees_her_own(world, her):
    missed(world.public_activity, her, days_ago=10)
    missed(world.public_activity, her, days_ago=70)  # older than 8 weeks: faded
    missed(world.public_activity, her, days_ago=5, mark="excused")  # excused is not a no-show
    body = client_for(world.learner_with_grant).get(reverse("no-show-list")).json()
    assert body["window_weeks"] == 8 and body["count"] == 1
    item = body["no_shows"][0]
    assert item["activity"] == world.public_activity.title
    fades = timezone.localdate(timezone.now() - timedelta(days=10) + timedelta(weeks=8))
    assert item["fades_on"] == fades.isoformat()


def test_a_rule_holds_her_next_place_for_a_coordinator_who_lifts_it_with_a_reason(world, her):
    rule_url = reverse("no-show-rule-detail", kwargs={"pk": world.public_activity.pk})
    assert client_for(world.learner).put(rule_url, {"after": 2, "weeks": 8}).status_code == 403
    made = client_for(world.coordinator).put(rule_url, {"after": 2, "weeks": 8}, format="json")
    assert made.status_code == 200 and made.json()["enabled"] is True
    # Anyone who may see the activity may read its rule: never a hidden penalty.
    assert client_for(world.learner).get(rule_url).json()["after"] == 2
    for days in (20, 10):
        missed(world.public_activity, her, days_ago=days)
    session = world.public_activity.sessions.filter(start__gt=timezone.now()).order_by("start")[0]
    booking, _ = booking_services.booking_create(actor=world.learner_with_grant, session=session)
    assert booking.status == "confirmed" and booking.needs_confirmation is True
    assert Notification.objects.filter(participant=her, kind="booking_needs_confirmation").exists()
    assert BookingEvent.objects.filter(booking=booking, action="awaits_confirmation").exists()
    mine = client_for(world.learner_with_grant).get(reverse("booking-list")).json()["results"]
    assert next(b for b in mine if b["id"] == str(booking.pk))["needs_confirmation"] is True
    record = client_for(world.learner_with_grant).get(reverse("no-show-list")).json()
    assert record["held_back"][0]["title"] == world.public_activity.title
    lift_url = reverse("no-show-rule-lift", kwargs={"pk": world.public_activity.pk})
    no_reason = client_for(world.coordinator).post(lift_url, {"participant": str(her.pk)})
    assert no_reason.status_code == 400
    lifted = client_for(world.coordinator).post(
        lift_url, {"participant": str(her.pk), "reason": "Her child was ill"}, format="json"
    )
    assert lifted.status_code == 200 and lifted.json()["confirmed"] == 1
    booking.refresh_from_db()
    assert booking.needs_confirmation is False
    assert NoShowLift.objects.get(participant=her).reason == "Her child was ill"
    assert BookingEvent.objects.get(booking=booking, action="confirmed_by_coordinator").actor == (
        world.coordinator
    )
    # After the lift, the earlier no-shows no longer count towards the rule.
    later = world.public_activity.sessions.filter(start__gt=timezone.now()).order_by("start")[1]
    again, _ = booking_services.booking_create(actor=world.learner_with_grant, session=later)
    assert again.needs_confirmation is False


def _staff_view(world, her):
    url = reverse("no-show-list")
    return client_for(world.coordinator).get(url, {"participant": str(her.pk)})


def test_a_no_show_at_a_women_only_session_is_invisible_without_the_grant(world, her):
    missed(world.public_activity, her, days_ago=9)
    response = _staff_view(world, her)
    assert response.status_code == 200
    without = response.content
    hidden = missed(world.protected_activity, her, days_ago=12)
    with_hidden = _staff_view(world, her).content
    assert with_hidden == without  # byte for byte: as if it did not exist
    assert str(hidden.pk).encode() not in with_hidden
    assert world.protected_activity.title.encode() not in with_hidden
    # She sees both; the space's coordinator sees both.
    assert client_for(world.learner_with_grant).get(reverse("no-show-list")).json()["count"] == 2
    space = client_for(world.space_coordinator).get(
        reverse("no-show-list"), {"participant": str(her.pk)}
    )
    assert space.status_code == 200 and space.json()["count"] == 2


def test_a_public_rule_never_counts_a_hidden_no_show(world, her):
    no_shows.no_show_rule_set(actor=world.coordinator, activity=world.public_activity, after=2,
                              weeks=8)  # fmt: skip
    missed(world.public_activity, her, days_ago=9)
    missed(world.protected_activity, her, days_ago=12)
    session = world.public_activity.sessions.filter(start__gt=timezone.now()).order_by("start")[0]
    booking, _ = booking_services.booking_create(actor=world.learner_with_grant, session=session)
    # Held back only if the women's class counted: the coordinator would then learn of it.
    assert booking.needs_confirmation is False


def test_staff_see_only_people_they_may_see(world):
    stranger = participant_for_user(user=world.man)
    url = reverse("no-show-list")
    answer = client_for(world.learner).get(url, {"participant": str(stranger.pk)})
    assert answer.status_code == 404
