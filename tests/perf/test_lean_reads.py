"""The lean read path of issue 18 keeps the answer cache's Safety rules
(backend/common/answer_cache.py): the first screen `/` stored as rendered
bytes per visibility class, and the signed-in user kept in the cache instead
of read from the user table (backend/accounts/cached_auth.py).

Each: never shown to someone without the grant, every write on the very
next request, a cache outage answered uncached (never an error)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.access import services as access_services
from backend.bookings import services as booking_services
from backend.common import answer_cache
from backend.timetable import services as timetable_services
from backend.timetable.models import Session

DOWN = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _this_week(activity) -> Session:
    """Her next session of `activity`, moved to tomorrow: on the first screen
    whatever the day the test runs."""
    session = (
        Session.objects.filter(activity=activity, start__gte=timezone.now()).order_by("start")
    ).first()
    start = timezone.now() + timedelta(days=1)
    Session.objects.filter(pk=session.pk).update(start=start, end=start + timedelta(hours=2))
    session.refresh_from_db()
    return session


def _browser(user=None, **kwargs) -> Client:
    browser = Client(**kwargs)
    if user is not None:
        browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


def _page(browser) -> str:
    answer = browser.get("/")
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "private, no-store"
    return answer.content.decode()


# --- the first screen -----------------------------------------------------------------


@pytest.mark.parametrize("granted_first", [True, False])
def test_a_stored_first_screen_never_reaches_someone_without_the_grant(world, granted_first):
    _this_week(world.protected_activity)
    _this_week(world.public_activity)
    her = _browser(world.learner_with_grant)
    others = [_browser(world.man), _browser(world.learner), _browser()]
    for _ in range(2):  # the second round is served from the cache
        order = [her, *others] if granted_first else [*others, her]
        for browser in order:
            page = _page(browser)
            sees = browser is her
            assert ("Women&#x27;s English" in page or "Women's English" in page) is sees
            assert ('class="quick-exit button"' in page) is sees
            assert "English: Entry 2" in page
    assert 'data-signed-in="1"' not in _page(others[-1])  # anonymous: a page of its own


@pytest.mark.django_db
def test_every_stored_page_carries_the_requests_own_working_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    first, second = _page(browser), _page(browser)  # the second from the cache
    assert "csrf-slot" not in second
    token = TOKEN.search(second).group(1)
    assert token != TOKEN.search(first).group(1)  # masked afresh per request
    answer = browser.post(reverse("set_language"), {"language": "ar", "csrfmiddlewaretoken": token})
    assert answer.status_code in (204, 302)
    assert Client(enforce_csrf_checks=True).post(reverse("set_language"), {}).status_code == 403


@pytest.mark.django_db
def test_the_page_is_stored_per_language():
    english = _page(_browser())
    browser = _browser()
    browser.cookies["django_language"] = "ar"
    arabic = _page(browser)
    assert 'lang="ar" dir="rtl"' in arabic
    assert 'lang="en" dir="ltr"' in english
    assert 'lang="en"' in _page(_browser()).split(">", 3)[1]


def test_bookings_moves_cancellations_and_revoked_grants_show_on_the_very_next_page(world):
    session = _this_week(world.public_activity)
    hidden = _this_week(world.protected_activity)
    her = world.learner_with_grant
    browser = _browser(world.learner)

    def places() -> str:
        page = _page(browser)
        item = page.split(f'data-session="{session.pk}"', 1)[1].split("</li>", 1)[0]
        return re.search(r'class="places[^"]*">([^<]*)<', item).group(1)

    before = places()
    assert places() == before  # stored
    booking, _ = booking_services.booking_create(actor=world.learner, session=session)
    assert places() != before
    booking_services.booking_cancel(actor=world.learner, booking=booking)
    assert places() == before
    start = session.start + timedelta(hours=3)
    timetable_services.session_move(
        actor=world.coordinator, session=session, start=start, end=start + timedelta(hours=1)
    )
    assert timezone.localtime(start).strftime("%H:%M") in _page(browser)
    session.refresh_from_db()
    timetable_services.session_cancel(actor=world.coordinator, session=session, reason="Flood")
    assert places() == "Cancelled"

    mine = _browser(her)
    assert f'data-session="{hidden.pk}"' in _page(mine)
    assert f'data-session="{hidden.pk}"' in _page(mine)  # stored
    access_services.space_revoke(actor=world.space_coordinator, space=world.space, user=her)
    page = _page(mine)
    assert f'data-session="{hidden.pk}"' not in page
    assert 'class="quick-exit button"' not in page


def test_an_unreachable_cache_still_serves_the_page(world, settings):
    _this_week(world.public_activity)
    assert "English: Entry 2" in _page(_browser())
    settings.CACHES = {**settings.CACHES, "down": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOWN,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }}  # fmt: skip
    settings.HARBOUR_ANSWER_CACHE_ALIAS = "down"
    page = _page(_browser())
    assert "English: Entry 2" in page and TOKEN.search(page)


# --- the signed-in user from the cache -------------------------------------------------


def _user_queries(browser) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        assert browser.get(reverse("me")).status_code == 200
    return sum('"accounts_user"' in q["sql"].split("WHERE")[0] for q in captured)


def test_a_signed_in_request_reads_her_from_the_cache_without_her_secrets(world):
    browser = _browser(world.learner)
    assert _user_queries(browser) >= 1  # read once, then kept
    assert _user_queries(browser) == 0
    found = answer_cache.lookup(
        "auth-user", "django.contrib.auth.backends.ModelBackend", str(world.learner.pk)
    )
    kept, _hash = found.body
    assert "password" not in kept.__dict__ and "sign_in_secret" not in kept.__dict__
    assert kept.check_password("nope") is False  # deferred: loaded when asked for


def test_a_changed_password_or_deactivated_account_counts_on_the_very_next_request(world):
    browser = _browser(world.learner)
    assert browser.get(reverse("me")).status_code == 200
    assert browser.get(reverse("me")).status_code == 200  # from the cache
    world.learner.set_password("a-new-one-entirely")
    world.learner.save()
    assert browser.get(reverse("me")).status_code in (401, 403)  # the session has ended

    other = _browser(world.man)
    assert other.get(reverse("me")).status_code == 200
    assert other.get(reverse("me")).status_code == 200  # from the cache
    type(world.man).objects.filter(pk=world.man.pk).update(is_active=False)
    assert other.get(reverse("me")).status_code in (401, 403)


def test_a_revoked_grant_reaches_a_cached_user_at_once(world):
    hidden = _this_week(world.protected_activity)
    detail = reverse("session-detail", args=[hidden.pk])
    browser = _browser(world.learner_with_grant)
    assert browser.get(detail).status_code == 200
    assert browser.get(detail).status_code == 200
    access_services.space_revoke(
        actor=world.space_coordinator, space=world.space, user=world.learner_with_grant
    )
    assert browser.get(detail).status_code == 404


def test_signed_in_requests_survive_an_unreachable_cache(world, settings):
    browser = _browser(world.learner)
    assert browser.get(reverse("me")).json()["username"] == world.learner.username
    settings.CACHES = {**settings.CACHES, "down": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOWN,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }}  # fmt: skip
    settings.HARBOUR_ANSWER_CACHE_ALIAS = "down"
    assert browser.get(reverse("me")).json()["username"] == world.learner.username
    world.learner.set_password("changed-while-down")
    world.learner.save()
    assert browser.get(reverse("me")).status_code in (401, 403)


# --- a feed poll answered before the view ------------------------------------------------


def test_a_feed_poll_is_answered_early_and_follows_every_write(world, settings):
    from backend.feeds import services as feed_services

    her = world.learner_with_grant
    women = _this_week(world.protected_activity)
    token = feed_services.feed_token_rotate(user=her)
    url = reverse("feed-personal", args=[token])
    poller = Client()
    etag = poller.get(url)["ETag"]
    early = poller.get(url, HTTP_IF_NONE_MATCH=etag)
    assert early.status_code == 304
    # Straight after the security middleware: the framing and CSP middleware never ran.
    assert "X-Frame-Options" not in early and "Content-Security-Policy" not in early
    assert poller.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

    booking_services.booking_create(actor=her, session=women)
    after = poller.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    etag = after["ETag"]
    assert poller.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    access_services.space_revoke(actor=world.space_coordinator, space=world.space, user=her)
    revoked = poller.get(url, HTTP_IF_NONE_MATCH=etag)
    assert revoked.status_code == 200 and f"{women.pk}@harbour" not in revoked.content.decode()
    etag = revoked["ETag"]

    settings.CACHES = {**settings.CACHES, "down": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOWN,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }}  # fmt: skip
    settings.HARBOUR_ANSWER_CACHE_ALIAS = "down"
    computed = poller.get(url, HTTP_IF_NONE_MATCH=etag)  # by the view, uncached
    assert computed.status_code == 304 and "X-Frame-Options" in computed
    feed_services.feed_token_rotate(user=her)
    assert poller.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404
