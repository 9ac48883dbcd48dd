"""The answer cache (backend/common/answer_cache.py) never shows what a grant
hides to someone without it, never serves an answer a write has changed, and
an unreachable cache means uncached answers, not errors or stale ones.

Every cached row of `make bench-stack`: the week's timetable, a session's
detail, a register, a year's figures, the personal feed (full and 304)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.access import answer_scope
from backend.access import services as access_services
from backend.accounts.models import Participant
from backend.bookings import services as booking_services
from backend.common import answer_cache
from backend.feeds import services as feed_services
from backend.registers.services import register_opens_at as services_opens_at
from backend.timetable import services as timetable_services
from backend.timetable.models import Session
from tests.conftest import client_for

DOWN = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there


def _week():
    today = timezone.localdate()
    return {"date_from": today.isoformat(), "date_to": (today + timedelta(days=13)).isoformat()}


def _titles(client) -> list[str]:
    response = client.get(reverse("session-list"), _week())
    assert response.status_code == 200
    return [s["activity"]["title"] for s in response.json()["results"]]


def _next(activity) -> Session:
    return (
        Session.objects.filter(activity=activity, start__gte=timezone.now()).order_by("start")
    ).first()


def _participant(user) -> Participant:
    return Participant.objects.get_or_create(user=user, defaults={"known_as": user.username})[0]


# --- who may be served what ----------------------------------------------------------


def test_the_key_carries_the_visibility_class(world):
    granted = answer_scope.visibility_class(world.learner_with_grant)
    assert granted == f"spaces:{world.space.pk}"
    # A man, a learner without the grant and an anonymous visitor share one class.
    assert {answer_scope.visibility_class(u) for u in (world.man, world.learner, None)} == {
        answer_scope.PUBLIC
    }


@pytest.mark.parametrize("granted_first", [True, False])
def test_a_cached_week_never_reaches_someone_without_the_grant(world, granted_first):
    her, him = client_for(world.learner_with_grant), client_for(world.man)
    for _ in range(2):  # the second round is served from the cache
        order = [(her, True), (him, False)] if granted_first else [(him, False), (her, True)]
        for client, sees in order:
            titles = _titles(client)
            assert ("Women's English" in titles) is sees
            assert "English: Entry 2" in titles


def test_a_cached_detail_of_a_hidden_session_stays_not_found(world):
    hidden = _next(world.protected_activity)
    url = reverse("session-detail", args=[hidden.pk])
    her = client_for(world.learner_with_grant)
    assert her.get(url).status_code == 200
    assert her.get(url).status_code == 200  # cached
    for viewer in (world.man, world.learner, world.coordinator):
        answer = client_for(viewer).get(url)
        assert answer.status_code == 404
        assert "Women" not in answer.content.decode()
    assert client_for(None).get(url).status_code == 404


def test_personal_filters_are_cached_per_person(world):
    url = reverse("session-list")
    query = {**_week(), "registers": "true"}
    tutor = client_for(world.tutor_in_space).get(url, query).json()["results"]
    coordinator = client_for(world.learner_with_grant).get(url, query).json()["results"]
    assert {s["activity"]["title"] for s in tutor} == {"Women's English"}
    assert coordinator == []


# --- the very next request ------------------------------------------------------------


def test_a_revoked_grant_shows_on_the_very_next_request(world):
    her = world.learner_with_grant
    hidden = _next(world.protected_activity)
    detail = reverse("session-detail", args=[hidden.pk])
    client = client_for(her)
    assert "Women's English" in _titles(client)
    assert client.get(detail).status_code == 200
    access_services.space_revoke(actor=world.space_coordinator, space=world.space, user=her)
    assert "Women's English" not in _titles(client)
    assert client.get(detail).status_code == 404


def test_a_booking_made_and_cancelled_show_on_the_very_next_request(world):
    session = _next(world.public_activity)
    detail = reverse("session-detail", args=[session.pk])
    client = client_for(world.learner)

    def places():
        listed = client.get(reverse("session-list"), _week()).json()["results"]
        in_list = next(s["places_left"] for s in listed if s["id"] == str(session.pk))
        return in_list, client.get(detail).json()["places_left"]

    before = places()
    assert places() == before  # cached
    booking, _ = booking_services.booking_create(actor=world.learner, session=session)
    assert places() == (before[0] - 1, before[1] - 1)
    booking_services.booking_cancel(actor=world.learner, booking=booking)
    assert places() == before


def test_a_moved_or_cancelled_session_shows_on_the_very_next_request(world):
    session = _next(world.public_activity)
    detail = reverse("session-detail", args=[session.pk])
    client = client_for(world.learner)
    assert client.get(detail).json()["start"] == client.get(detail).json()["start"]
    start = session.start + timedelta(hours=2)
    end = start + timedelta(hours=2)
    timetable_services.session_move(actor=world.coordinator, session=session, start=start, end=end)
    moved = client.get(detail).json()
    assert moved["is_moved"] is True
    listed = client.get(reverse("session-list"), _week()).json()["results"]
    assert next(s for s in listed if s["id"] == str(session.pk))["is_moved"] is True
    session.refresh_from_db()
    timetable_services.session_cancel(actor=world.coordinator, session=session, reason="Flood")
    assert client.get(detail).json()["status"] == "cancelled"
    listed = client.get(reverse("session-list"), _week()).json()["results"]
    assert next(s for s in listed if s["id"] == str(session.pk))["status"] == "cancelled"


def _open_register(world) -> tuple[Session, Participant]:
    session = _next(world.public_activity)
    person = _participant(world.learner)
    booking_services.booking_create(actor=world.learner, session=session)
    now = timezone.now()  # it has begun: the register is open
    Session.objects.filter(pk=session.pk).update(
        start=now - timedelta(minutes=30), end=now + timedelta(minutes=30)
    )
    session.refresh_from_db()
    return session, person


def test_a_register_mark_shows_on_the_very_next_request_in_register_and_figures(world):
    session, person = _open_register(world)
    register = reverse("register-detail", args=[session.pk])
    tutor = client_for(world.tutor_elsewhere)
    figures_url = reverse("figures")
    year = {
        "organisation": str(world.org.pk),
        "date_from": (timezone.localdate() - timedelta(days=300)).isoformat(),
        "date_to": timezone.localdate().isoformat(),
    }
    coordinator = client_for(world.coordinator)

    def her_mark():
        rows = tutor.get(register).json()["rows"]
        return next(r["mark"] for r in rows if r["participant"]["id"] == str(person.pk))

    assert her_mark() is None and her_mark() is None  # the second from the cache
    before = coordinator.get(figures_url, year).json()
    assert coordinator.get(figures_url, year).json() == before
    answer = tutor.post(
        f"{register}marks/",
        {"marks": [{"participant": str(person.pk), "mark": "present"}]},
        format="json",
    )
    assert answer.status_code == 200
    assert her_mark() == "present"
    assert coordinator.get(figures_url, year).json()["attendances"] == before["attendances"] + 1


def test_a_register_cached_before_it_opens_opens_on_time(world):
    session = _next(world.public_activity)
    register = reverse("register-detail", args=[session.pk])
    tutor = client_for(world.tutor_elsewhere)
    assert tutor.get(register).json()["open"] is False
    assert tutor.get(register).json()["open"] is False  # cached, until it opens
    later = services_opens_at(session) + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert tutor.get(register).json()["open"] is True


def test_the_personal_feed_follows_bookings_and_grants_at_once(world):
    her = world.learner_with_grant
    token = feed_services.feed_token_rotate(user=her)
    url = reverse("feed-personal", args=[token])
    client = client_for(None)
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304  # from the cache
    assert client.get(url).content == first.content
    women = _next(world.protected_activity)
    booking_services.booking_create(actor=her, session=women)
    after = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    assert f"{women.pk}@harbour" in after.content.decode()
    access_services.space_revoke(actor=world.space_coordinator, space=world.space, user=her)
    revoked = client.get(url)
    assert revoked.status_code == 200
    assert f"{women.pk}@harbour" not in revoked.content.decode()
    # A rotated secret: the old URL dies at once, cached or not.
    feed_services.feed_token_rotate(user=her)
    assert client.get(url).status_code == 404


# --- an unreachable cache ---------------------------------------------------------------


def test_an_unreachable_cache_answers_uncached_and_never_stale(world, settings):
    session = _next(world.public_activity)
    detail = reverse("session-detail", args=[session.pk])
    client = client_for(world.learner)
    before = client.get(detail).json()["places_left"]
    assert client.get(detail).json()["places_left"] == before  # cached in the working cache

    settings.CACHES = {**settings.CACHES, "down": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOWN,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }}  # fmt: skip
    settings.HARBOUR_ANSWER_CACHE_ALIAS = "down"
    # The write cannot bump the version; the reads are computed afresh.
    booking_services.booking_create(actor=world.learner, session=session)
    assert client.get(detail).json()["places_left"] == before - 1
    assert "English: Entry 2" in _titles(client)

    # The cache is back, still holding the answers stored before the write:
    # they must not be served.
    settings.HARBOUR_ANSWER_CACHE_ALIAS = "default"
    assert client.get(detail).json()["places_left"] == before - 1  # not retried yet
    answer_cache._state["retry_at"] = 0.0  # the back-off has passed
    assert client.get(detail).json()["places_left"] == before - 1
    assert client.get(detail).json()["places_left"] == before - 1  # cached afresh
    assert answer_cache._state["suspect"] is False


def test_sessions_survive_a_session_cache_outage(world, settings):
    """Sessions in Redis (cached_db): with the session cache down, a signed-in
    request reads the session table instead."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test import Client

    settings.CACHES = {**settings.CACHES, "sessions": {
        "BACKEND": "backend.common.tolerant_cache.TolerantRedisCache", "LOCATION": DOWN,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "MAX_TIMEOUT": 60},
    }}  # fmt: skip
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    from django.contrib.sessions.backends.cached_db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(world.learner.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = world.learner.get_session_auth_hash()
    store.create()
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    me = browser.get(reverse("me"))
    assert me.status_code == 200
    assert me.json()["username"] == world.learner.username


def test_a_sign_out_during_a_session_cache_outage_is_deleted_when_it_is_back():
    from backend.common.tolerant_cache import TolerantRedisCache

    down = TolerantRedisCache(DOWN, {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert down.get("k") is None  # an outage answers "not cached"
    down._retry_at = 0.0
    assert down.delete("k") is False
    assert ("k", None) in down._pending_deletes  # retried first when Redis answers


@pytest.mark.django_db(transaction=True)
def test_committed_writes_bump_the_version_once_per_transaction():
    """Real commits (no test transaction): a cached answer from before a
    booking is not served after it, and a rolled-back write bumps nothing."""
    from django.db import transaction

    from tests.factories import World

    world = World.build()
    session = _next(world.public_activity)
    detail = reverse("session-detail", args=[session.pk])
    client = client_for(world.learner)
    before = client.get(detail).json()["places_left"]
    version = answer_cache.lookup("probe").version
    assert client.get(detail).json()["places_left"] == before
    assert answer_cache.lookup("probe").version == version  # reads bump nothing

    with pytest.raises(RuntimeError), transaction.atomic():
        booking_services.booking_create(actor=world.learner, session=session)
        raise RuntimeError("rolled back")
    assert answer_cache.lookup("probe").version == version
    booking_services.booking_create(actor=world.learner, session=session)
    assert answer_cache.lookup("probe").version != version
    assert client.get(detail).json()["places_left"] == before - 1
