"""Feeds in a language: a personal feed in its owner's, a public one in
?lang= (else the request's), English where nothing was translated, charity
text bidi-isolated in Arabic and Persian, discreet titles unchanged."""

from __future__ import annotations

from django.urls import reverse

from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.feeds import services as feed_services
from tests.feeds.test_feeds import _personal, expand, far, get, uid

FSI, PDI = "\u2068", "\u2069"
ARABIC = {"title": "موسيقى معًا", "description": "نغني ونعزف.", "what_to_bring": "آلتك"}


def _translated(activity):
    activity.what_to_bring = "Your instrument (we have spares)."
    activity.translations = {"ar": ARABIC}
    activity.save()
    venue = activity.sessions.first().room.venue
    venue.translations = {"ar": {"name": "مركز الحي"}}
    venue.save()
    return activity


def _activity_feed(activity, query="", **headers):
    url = reverse("feed-activity", kwargs={"activity_id": activity.pk}) + query
    return get(url, **headers)


def test_a_public_feed_in_arabic_by_lang(world):
    activity = _translated(world.public_activity)
    response = _activity_feed(activity, "?lang=ar")
    event = next(iter(expand(response.content, *far()).values()))
    assert str(event["SUMMARY"]) == f"{FSI}{ARABIC['title']}{PDI}"
    description = str(event["DESCRIPTION"])
    assert f"{FSI}{ARABIC['description']}{PDI}" in description
    assert f"أحضر معك: {FSI}آلتك{PDI}" in description
    assert "Bring" not in description and "Organised by" not in description
    assert str(event["LOCATION"]).startswith(f"{FSI}مركز الحي{PDI}، ")


def test_persian_falls_back_to_english_isolated_and_english_is_untouched(world):
    activity = _translated(world.public_activity)
    fa = next(iter(expand(_activity_feed(activity, "?lang=fa").content, *far()).values()))
    assert str(fa["SUMMARY"]) == f"{FSI}{activity.title}{PDI}"
    assert f"{FSI}Your instrument (we have spares).{PDI}" in str(fa["DESCRIPTION"])
    assert "همراه بیاورید" in str(fa["DESCRIPTION"])
    en = next(iter(expand(_activity_feed(activity).content, *far()).values()))
    assert str(en["SUMMARY"]) == activity.title
    assert "Bring: Your instrument (we have spares)." in str(en["DESCRIPTION"])
    assert FSI not in _activity_feed(activity, "?lang=xx").content.decode()


def test_without_lang_the_request_language_is_used_and_is_part_of_the_etag(world):
    activity = _translated(world.public_activity)
    arabic = _activity_feed(activity, HTTP_ACCEPT_LANGUAGE="ar")
    assert ARABIC["title"] in arabic.content.decode()
    english = _activity_feed(activity)
    assert arabic["ETag"] != english["ETag"]
    again = _activity_feed(activity, "?lang=ar", HTTP_IF_NONE_MATCH=arabic["ETag"])
    assert again.status_code == 304
    other = _activity_feed(activity, "?lang=fa", HTTP_IF_NONE_MATCH=arabic["ETag"])
    assert other.status_code == 200


def test_the_organisation_feed_and_a_download_take_lang_too(world):
    activity = _translated(world.public_activity)
    url = reverse("feed-organisation", kwargs={"organisation_id": world.org.pk})
    assert ARABIC["title"] in get(url + "?lang=ar").content.decode()
    session = activity.sessions.order_by("start").first()
    download = reverse("feed-session", kwargs={"session_id": session.pk})
    assert ARABIC["title"] in get(download + "?lang=ar").content.decode()
    assert ARABIC["title"] not in get(download).content.decode()


def test_a_personal_feed_is_in_its_owners_language_whatever_reads_it(world):
    activity = _translated(world.public_activity)
    user = world.learner
    person = participant_for_user(user=user)
    person.preferred_language = "ar"
    person.save()
    session = activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=user, session=session)
    token, events = _personal(user)
    assert str(events[uid(session)]["SUMMARY"]) == f"{FSI}{ARABIC['title']}{PDI}"
    url = reverse("feed-personal", kwargs={"token": token})
    body = get(url + "?lang=en", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ARABIC["title"] in body and "X-WR-CALNAME:Harbour: جلساتي" in body


def test_discreet_mode_is_unchanged_in_her_language(world):
    user = world.learner_with_grant
    person = participant_for_user(user=user)
    person.preferred_language = "fa"
    person.save()
    protected = world.protected_activity
    protected.translations = {"fa": {"title": "انگلیسی زنان"}}
    protected.save()
    session = protected.sessions.order_by("start").first()
    booking_services.booking_create(actor=user, session=session)
    feed_services.feed_settings_update(user=user, discreet=True, discreet_title="Tea with Sara")
    token, events = _personal(user)
    event = events[uid(session)]
    assert str(event["SUMMARY"]) == "Tea with Sara"
    assert "LOCATION" not in event and "DESCRIPTION" not in event
    body = get(reverse("feed-personal", kwargs={"token": token})).content.decode()
    assert "انگلیسی زنان" not in body and "Women" not in body
