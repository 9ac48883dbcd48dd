"""A coordinator's short message to everyone booked (optionally waiting) on a
session or on all of an activity's upcoming sessions (issue 14 item 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.bookings.models import Booking
from backend.common.errors import ApplicationError, NotFoundError
from backend.feeds import services as feed_services
from backend.notifications.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory

GIVE_AWAY = ("Women", "English", "Quiet room", "Venue")


def _reachable(user, *, language="en"):
    person = participant_for_user(user=user)
    person.phone, person.email, person.preferred_language = "07700 900123", "", language
    person.save()
    return person


def _book(user, session, *, status=None):
    booking, _ = booking_services.booking_create(actor=user, session=session)
    if status:
        Booking.objects.filter(pk=booking.pk).update(status=status)
    return booking


def _messages(person=None):
    notes = Notification.objects.filter(kind="coordinator_message")
    return notes.filter(participant=person) if person else notes


def _first_session(activity):
    return activity.sessions.order_by("start").first()


def test_everyone_booked_on_a_session_gets_her_text_ending_with_a_link(world):
    session = _first_session(world.public_activity)
    booked = _reachable(world.learner)
    waiting_user = UserFactory()
    waiting = _reachable(waiting_user)
    _book(world.learner, session)
    _book(waiting_user, session, status="waiting")
    Notification.objects.all().delete()

    response = client_for(world.coordinator).post(
        f"/api/v1/sessions/{session.pk}/message/",
        {"text": "Bring a pen, please."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"sessions": 1, "people": 1}
    (note,) = _messages(booked)
    assert "English: Entry 2" in note.subject
    assert "Bring a pen, please." in note.body
    assert note.body.endswith(settings.HARBOUR_SITE_URL.rstrip("/") + "/")
    assert not _messages(waiting).exists()


def test_include_waiting_reaches_the_waiting_list_too(world):
    session = _first_session(world.public_activity)
    waiting_user = UserFactory()
    waiting = _reachable(waiting_user)
    _book(waiting_user, session, status="waiting")
    Notification.objects.all().delete()
    response = client_for(world.coordinator).post(
        f"/api/v1/sessions/{session.pk}/message/",
        {"text": "We start 10 minutes late.", "include_waiting": True},
        format="json",
    )
    assert response.json() == {"sessions": 1, "people": 1}
    assert _messages(waiting).count() == 1


def test_an_activity_message_reaches_each_person_once_about_her_next_session(world):
    sessions = list(world.public_activity.sessions.order_by("start")[:2])
    person = _reachable(world.learner)
    for session in reversed(sessions):
        _book(world.learner, session)
    other_user = UserFactory()
    other = _reachable(other_user)
    _book(other_user, sessions[0], status="cancelled")  # a cancelled place is not told
    Notification.objects.all().delete()
    result = booking_services.session_message_send(
        actor=world.coordinator, activity=world.public_activity, text="New tutor from May."
    )
    assert result["people"] == 1
    assert (
        result["sessions"]
        == world.public_activity.sessions.filter(
            status="scheduled", start__gte=timezone.now()
        ).count()
    )
    (note,) = _messages(person)
    assert f"{timezone.localtime(sessions[0].start):%a %d %b %H:%M}" in note.body
    assert not _messages(other).exists()


def test_past_sessions_are_left_out_of_an_activity_message(world):
    session = _first_session(world.public_activity)
    _reachable(world.learner)
    _book(world.learner, session)
    type(session).objects.filter(pk=session.pk).update(
        start=timezone.now() - timedelta(days=7), end=timezone.now() - timedelta(days=7, hours=-2)
    )
    Notification.objects.all().delete()
    result = booking_services.session_message_send(
        actor=world.coordinator, activity=world.public_activity, text="Hello"
    )
    assert result["people"] == 0 and not _messages().exists()


def test_each_person_gets_the_text_in_her_language_where_one_was_written(world):
    session = _first_session(world.public_activity)
    arabic_user = UserFactory()
    arabic = _reachable(arabic_user, language="ar")
    farsi_user = UserFactory()
    farsi = _reachable(farsi_user, language="fa")
    _book(arabic_user, session)
    _book(farsi_user, session)
    booking_services.session_message_send(
        actor=world.coordinator,
        session=session,
        text="Bring a pen.",
        translations={"ar": "أحضري قلماً.", "fa": ""},
    )
    assert "أحضري قلماً." in _messages(arabic).get().body
    assert "Bring a pen." in _messages(farsi).get().body  # blank version: the original


def test_a_womens_session_is_messaged_discreetly_unless_she_chose_full_wording(world):
    session = _first_session(world.protected_activity)
    discreet = _reachable(world.learner_with_grant)
    _book(world.learner_with_grant, session)
    full_user = UserFactory()
    from backend.access import services as access_services

    access_services.space_grant(actor=world.space_coordinator, space=world.space, user=full_user)
    full = _reachable(full_user)
    feed_services.feed_settings_update(user=full_user, discreet=False)
    _book(full_user, session)
    booking_services.session_message_send(
        actor=world.space_coordinator, session=session, text="Bring your papers."
    )
    note = _messages(discreet).get()
    text = f"{note.subject}\n{note.body}"
    assert "Bring your papers." in text and note.body.endswith(
        settings.HARBOUR_SITE_URL.rstrip("/") + "/"
    )
    assert not [word for word in GIVE_AWAY if word in text], text
    assert "Women's English" in _messages(full).get().body


@pytest.mark.parametrize("text", ["", "   ", "x" * 301])
def test_an_empty_or_long_text_is_refused_and_nothing_sent(world, text):
    session = _first_session(world.public_activity)
    _reachable(world.learner)
    _book(world.learner, session)
    with pytest.raises(ApplicationError) as refused:
        booking_services.session_message_send(actor=world.coordinator, session=session, text=text)
    assert refused.value.code == "invalid" and "text" in refused.value.fields
    response = client_for(world.coordinator).post(
        f"/api/v1/sessions/{session.pk}/message/", {"text": text}, format="json"
    )
    assert response.status_code == 400
    assert not _messages().exists()


def test_an_over_long_translation_is_refused(world):
    session = _first_session(world.public_activity)
    response = client_for(world.coordinator).post(
        f"/api/v1/sessions/{session.pk}/message/",
        {"text": "Hello", "translations": {"ar": "x" * 301}},
        format="json",
    )
    assert response.status_code == 400 and not _messages().exists()


def test_only_her_coordinators_may_message_and_the_hidden_class_is_not_found(world):
    protected = _first_session(world.protected_activity)
    _reachable(world.learner_with_grant)
    _book(world.learner_with_grant, protected)
    # The organisation's coordinator without the grant: as if it did not exist.
    with pytest.raises(NotFoundError):
        booking_services.session_message_send(
            actor=world.coordinator, session=protected, text="Hello"
        )
    hidden = client_for(world.coordinator).post(
        f"/api/v1/activities/{world.protected_activity.pk}/message/",
        {"text": "Hello"},
        format="json",
    )
    import uuid

    missing = client_for(world.coordinator).post(
        f"/api/v1/activities/{uuid.uuid4()}/message/", {"text": "Hello"}, format="json"
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    # Her tutor sees it but does not run it.
    with pytest.raises(ApplicationError) as refused:
        booking_services.session_message_send(
            actor=world.tutor_in_space, session=protected, text="Hello"
        )
    assert refused.value.status_code == 403
    assert not _messages().exists()
