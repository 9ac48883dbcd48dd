"""Texts and emails about a women-only session may be read on a shared phone
(issue 12 item 8): discreet by default, the full wording where she chose it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.feeds import services as feed_services
from backend.notifications.models import Notification
from backend.registers import services as register_services

GIVE_AWAY = ("Women", "English", "Quiet room", "Venue", "pool")


def _reachable(user):
    person = participant_for_user(user=user)
    person.phone, person.email = "07700 900123", "her@example.org"
    person.save()
    return person


def _texts(person):
    return [f"{n.subject}\n{n.body}" for n in Notification.objects.filter(participant=person)]


def test_a_womens_session_is_confirmed_discreetly_by_default(world):
    person = _reachable(world.learner_with_grant)
    session = world.protected_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=world.learner_with_grant, session=session)
    texts = _texts(person)
    assert len(texts) == 2  # email and SMS
    when = f"{timezone.localtime(session.start):%a %d %b %H:%M}"
    for text in texts:
        assert f"Your {when} session is confirmed" in text
        assert not [word for word in GIVE_AWAY if word in text], text


def test_every_kind_is_discreet_a_cancellation_reason_included(world):
    person = _reachable(world.learner_with_grant)
    session = world.protected_activity.sessions.order_by("start").first()
    booking, _ = booking_services.booking_create(actor=world.learner_with_grant, session=session)
    type(session).objects.filter(pk=session.pk).update(
        status="cancelled", cancel_reason="The pool at Quiet room is shut"
    )
    session.refresh_from_db()
    booking_services.session_cancelled_notify(session=session)
    booking_services.booking_cancel(actor=world.learner_with_grant, booking=booking)
    booking.refresh_from_db()
    kinds = set(Notification.objects.filter(participant=person).values_list("kind", flat=True))
    assert kinds == {"booking_confirmed", "session_cancelled", "booking_cancelled"}
    for text in _texts(person):
        assert not [word for word in GIVE_AWAY if word in text], text


def test_the_full_wording_only_where_she_chose_it(world):
    person = _reachable(world.learner_with_grant)
    feed_services.feed_settings_update(user=world.learner_with_grant, discreet=False)
    session = world.protected_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=world.learner_with_grant, session=session)
    assert all("Women's English" in text for text in _texts(person))


def test_public_sessions_keep_their_full_wording(world):
    person = _reachable(world.learner)
    session = world.public_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=world.learner, session=session)
    assert all("English: Entry 2" in text for text in _texts(person))


def test_someone_without_a_login_is_always_told_discreetly(world):
    """A walk-in never chose anything; her messages are discreet."""
    start = timezone.now() - timedelta(hours=1)
    held = world.protected_activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=world.protected_activity.room, capacity=10,
    )  # fmt: skip
    register_services.walk_in_add(
        actor=world.space_coordinator, session=held, known_as="Roya", phone="07700 900555"
    )
    roya = held.attendance.get().participant
    later = world.protected_activity.sessions.filter(start__gt=timezone.now()).order_by("start")[0]
    booking_services.booking_create(actor=world.space_coordinator, session=later, participant=roya)
    texts = _texts(roya)
    assert texts and not [t for t in texts if any(word in t for word in GIVE_AWAY)]
