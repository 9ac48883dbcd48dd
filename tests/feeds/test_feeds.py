"""Feeds parsed with icalendar and expanded with recurring-ical-events (the
oracle) equal the sessions the policy lets the feed's owner see."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backend.access import services as access_services
from backend.bookings import services as booking_services
from backend.common.errors import NotFoundError
from backend.feeds import services as feed_services
from backend.feeds.models import PersonalFeed
from backend.timetable.models import Activity, Session
from backend.timetable.services import session_cancel, session_move, sessions_sync
from tests.conftest import client_for
from tests.factories import OrganisationFactory, RoomFactory, coordinator_of, make_activity

LONDON = ZoneInfo("Europe/London")


def get(url, client=None, **headers):
    return (client or Client()).get(url, **headers)


def expand(body: bytes, start: date, end: date) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    events = recurring_ical_events.of(calendar).between(start, end)
    return {str(e["UID"]): e for e in events}


def uid(session) -> str:
    return f"{session.pk}@harbour"


def far():
    today = timezone.localdate()
    return today - timedelta(days=40), today + timedelta(days=400)


def test_public_feed_equals_public_sessions_and_hides_protected(world):
    url = reverse("feed-organisation", kwargs={"organisation_id": world.org.pk})
    response = get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="upbeat.ics"' in response["Content-Disposition"]
    events = expand(response.content, *far())
    expected = {uid(s) for s in Session.objects.filter(activity=world.public_activity)}
    assert set(events) == expected
    body = response.content.decode()
    assert world.protected_activity.title not in body and "Quiet room" not in body
    assert "ORGANIZER" not in body and "ATTENDEE" not in body
    assert "REFRESH-INTERVAL" in body and "X-PUBLISHED-TTL:PT6H" in body
    assert "BEGIN:VTIMEZONE" in body and "TZID=Europe/London" in body


def test_protected_activity_feed_does_not_exist(world):
    hidden = get(reverse("feed-activity", kwargs={"activity_id": world.protected_activity.pk}))
    assert hidden.status_code == 404


def test_weekly_class_stays_at_18_across_both_clock_changes_in_the_feed(db):
    with time_machine.travel(datetime(2027, 3, 1, 9, tzinfo=LONDON), tick=False):
        org = OrganisationFactory()
        activity = make_activity(
            actor=coordinator_of(org), organisation=org, room=RoomFactory(),
            start_date=date(2027, 3, 4), recurrence="RRULE:FREQ=WEEKLY;BYDAY=TH",
            excluded_dates=(date(2027, 3, 25), date(2027, 11, 4)),
        )  # fmt: skip
        sessions_sync(activity=Activity.objects.get(pk=activity.pk), horizon_weeks=45)
        body = get(reverse("feed-activity", kwargs={"activity_id": activity.pk})).content
    events = expand(body, date(2027, 3, 1), date(2028, 1, 31))
    sessions = {uid(s): s for s in Session.objects.filter(activity=activity)}
    assert set(events) == set(sessions)
    for key, event in events.items():
        start = event["DTSTART"].dt
        assert start.tzinfo is not None and start.astimezone(LONDON).hour == 18
        assert start == sessions[key].start
    local_days = {e["DTSTART"].dt.astimezone(LONDON).date() for e in events.values()}
    assert date(2027, 3, 25) not in local_days and date(2027, 11, 4) not in local_days
    assert date(2027, 4, 1) in local_days and date(2027, 10, 28) in local_days


def test_cancelled_and_moved_sessions_update_rather_than_duplicate(world):
    first, second = world.public_activity.sessions.order_by("start")[:2]
    url = reverse("feed-activity", kwargs={"activity_id": world.public_activity.pk})
    before = expand(get(url).content, *far())
    session_cancel(actor=world.coordinator, session=first, reason="Tutor ill")
    session_move(actor=world.coordinator, session=second, start=second.start + timedelta(hours=3))
    after = expand(get(url).content, *far())
    assert set(after) == set(before)
    assert str(after[uid(first)]["STATUS"]) == "CANCELLED"
    assert "Tutor ill" in str(after[uid(first)]["DESCRIPTION"])
    assert after[uid(first)]["SEQUENCE"] == before[uid(first)]["SEQUENCE"] + 1
    assert after[uid(second)]["DTSTART"].dt == second.start + timedelta(hours=3)
    assert after[uid(second)]["SEQUENCE"] > before[uid(second)]["SEQUENCE"]
    assert "LAST-MODIFIED" in after[uid(second)]


def test_conditional_requests_get_304_until_something_changes(world):
    url = reverse("feed-activity", kwargs={"activity_id": world.public_activity.pk})
    first = get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    session = world.public_activity.sessions.order_by("start").first()
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        session_cancel(actor=world.coordinator, session=session, reason="Flooded hall")
    changed = get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_personal_feed_token_is_hashed_and_rotation_kills_the_old_url(world):
    old = feed_services.feed_token_rotate(user=world.learner)
    feed = PersonalFeed.objects.get(user=world.learner)
    assert old not in feed.token_hash and len(feed.token_hash) == 64
    assert get(reverse("feed-personal", kwargs={"token": old})).status_code == 200
    new = feed_services.feed_token_rotate(user=world.learner)
    assert get(reverse("feed-personal", kwargs={"token": old})).status_code == 404
    assert get(reverse("feed-personal", kwargs={"token": new})).status_code == 200
    assert get(reverse("feed-personal", kwargs={"token": "guess"})).status_code == 404


def test_rotate_endpoint_offers_webcal_and_https_links(world):

    urls = client_for(world.learner).post(reverse("feed-rotate")).json()
    assert urls["https_url"].startswith("http://testserver/feeds/personal/")
    assert urls["webcal_url"] == "webcal://" + urls["https_url"].split("://")[1]
    # A QR code of the webcal link, to scan from another screen: an SVG of paths only.
    svg = urls["qr_svg"]
    assert svg.startswith("<svg") and "<path" in svg
    assert "<script" not in svg and "href" not in svg


def _personal(user) -> tuple[str, dict]:
    token = feed_services.feed_token_rotate(user=user)
    body = get(reverse("feed-personal", kwargs={"token": token})).content
    return token, expand(body, *far())


def test_personal_feed_holds_bookings_offers_and_followed_activities(world):
    public = world.public_activity.sessions.order_by("start")
    protected = world.protected_activity.sessions.order_by("start").first()
    user = world.learner_with_grant
    feed_services.feed_settings_update(user=user, discreet=False)  # she chose the full wording
    booking_services.booking_create(actor=user, session=public[0])
    booking_services.booking_create(actor=user, session=protected)
    token, events = _personal(user)
    assert set(events) == {uid(public[0]), uid(protected)}
    assert str(events[uid(protected)]["SUMMARY"]) == "Women's English"

    feed_services.activity_follow(user=user, activity=world.public_activity)
    events = expand(get(reverse("feed-personal", kwargs={"token": token})).content, *far())
    assert set(events) == {uid(protected)} | {uid(s) for s in public}


def test_my_calendar_in_the_app_is_her_feed(world):
    """The app's "My calendar" reads /feeds/mine.ics with her session: the same
    events as her secret URL, discreet settings included."""
    user = world.learner_with_grant
    session = world.protected_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=user, session=session)
    feed_services.feed_settings_update(user=user, discreet=False)  # she chose the full wording
    assert get(reverse("feed-mine")).status_code == 404  # nobody signed in
    app = Client()
    app.force_login(user)  # the app's session, as a browser holds it
    mine = expand(get(reverse("feed-mine"), app).content, *far())
    assert set(mine) == {uid(session)}
    assert str(mine[uid(session)]["SUMMARY"]) == "Women's English"

    feed_services.feed_settings_update(user=user, discreet=True)
    _, secret = _personal(user)
    mine = expand(get(reverse("feed-mine"), app).content, *far())
    assert set(mine) == set(secret)
    assert str(mine[uid(session)]["SUMMARY"]) == str(secret[uid(session)]["SUMMARY"]) == "Class"
    # The app reads the same calendar back as JSON (/feeds/mine.json).
    events = get(reverse("feed-mine-events"), app).json()["events"]
    assert {e["uid"] for e in events} == {str(u) for u in mine}
    (event,) = [e for e in events if e["uid"] == str(uid(session))]
    assert event["title"] == "Class" and event["status"] == "CONFIRMED"
    assert datetime.fromisoformat(event["start"]) == session.start
    assert get(reverse("feed-mine-events")).status_code == 404  # nobody signed in


def test_offers_appear_as_tentative(world):
    activity = world.public_activity
    activity.capacity = 1
    activity.waitlist_mode = Activity.WaitlistMode.OFFER
    activity.save()
    session = activity.sessions.order_by("start").first()
    Session.objects.filter(pk=session.pk).update(capacity=1)
    session.refresh_from_db()
    first, _ = booking_services.booking_create(actor=world.learner, session=session)
    booking_services.booking_create(actor=world.man, session=session)
    booking_services.booking_cancel(actor=world.learner, booking=first)
    _, events = _personal(world.man)
    assert str(events[uid(session)]["STATUS"]) == "TENTATIVE"
    assert str(events[uid(session)]["SUMMARY"]).startswith("Offer: ")


def test_discreet_mode_gives_a_neutral_title_and_no_place(world):
    user = world.learner_with_grant
    protected = world.protected_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=user, session=protected)
    feed_services.feed_settings_update(user=user, discreet=True, discreet_title="Tea with Sara")
    token = feed_services.feed_token_rotate(user=user)
    body = get(reverse("feed-personal", kwargs={"token": token})).content
    event = expand(body, *far())[uid(protected)]
    assert str(event["SUMMARY"]) == "Tea with Sara"
    assert "LOCATION" not in event and "DESCRIPTION" not in event and "URL" not in event
    text = body.decode()
    assert "Women" not in text and "Quiet room" not in text


def test_a_feed_is_discreet_until_she_chooses_the_full_wording(world):
    user = world.learner_with_grant
    protected = world.protected_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=user, session=protected)
    _, events = _personal(user)
    assert str(events[uid(protected)]["SUMMARY"]) == "Class"


def test_revoking_the_grant_removes_protected_sessions_from_her_feed(world):
    user = world.learner_with_grant
    protected = world.protected_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=user, session=protected)
    token, events = _personal(user)
    assert uid(protected) in events
    url = reverse("feed-personal", kwargs={"token": token})
    etag = get(url)["ETag"]
    access_services.space_revoke(actor=world.space_coordinator, space=world.space, user=user)
    response = get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200  # not a stale 304
    assert uid(protected) not in expand(response.content, *far())
    assert b"Women" not in response.content


@pytest.mark.parametrize("role", ["learner", "man", "coordinator", "superuser"])
def test_feeds_of_people_without_the_grant_never_hold_protected_sessions(world, role):
    user = getattr(world, role)
    feed_services.activity_follow(user=user, activity=world.public_activity)
    _token, events = _personal(user)
    protected = {uid(s) for s in world.protected_activity.sessions.all()}
    assert events and not (set(events) & protected)
    app = Client()
    app.force_login(user)
    body = get(reverse("feed-mine"), app).content  # the app's "My calendar"
    assert b"Women's English" not in body and b"Quiet room" not in body
    assert not (set(expand(body, *far())) & protected)
    with pytest.raises(NotFoundError):  # following what she cannot see is refused
        feed_services.activity_follow(user=user, activity=world.protected_activity)


def test_single_session_download(world):
    session = world.public_activity.sessions.order_by("start").first()
    response = get(reverse("feed-session", kwargs={"session_id": session.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="session.ics"'
    assert set(expand(response.content, *far())) == {uid(session)}
    protected = world.protected_activity.sessions.first()
    assert get(reverse("feed-session", kwargs={"session_id": protected.pk})).status_code == 404
    client = Client()
    client.force_login(world.learner_with_grant)
    assert (
        get(reverse("feed-session", kwargs={"session_id": protected.pk}), client).status_code == 200
    )


def test_a_304_reads_no_booking_statuses_and_costs_the_same_queries_at_any_size(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.learner
    feed_services.activity_follow(user=user, activity=world.public_activity)
    url = reverse("feed-personal", kwargs={"token": feed_services.feed_token_rotate(user=user)})
    counts = []
    for step in range(2):
        if step:  # more in her feed: a booking and every session of another activity
            session = world.public_activity.sessions.order_by("start").first()
            booking_services.booking_create(actor=user, session=session)
            other = make_activity(actor=world.coordinator, organisation=world.org, title="Art")
            feed_services.activity_follow(user=user, activity=other)
        etag = get(url)["ETag"]
        with CaptureQueriesContext(connection) as captured:
            assert get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        sql = [q["sql"] for q in captured.captured_queries]
        assert not any('"bookings_booking"."status" FROM' in q for q in sql), sql
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_what_the_app_reads_is_never_stored_on_the_phone(world):
    """API answers and her own calendar hold women-only sessions and names: no
    cache may keep them (a shared phone, after sign-out or quick exit)."""
    app = Client()
    app.force_login(world.learner_with_grant)
    for url in ("/api/v1/sessions/", "/api/v1/bookings/", "/api/v1/me/", reverse("feed-mine")):
        assert app.get(url)["Cache-Control"] == "private, no-store", url
