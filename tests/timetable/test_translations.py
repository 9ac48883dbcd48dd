"""Charity-typed text in her language: activity, venue and cancellation reason
translations, edited through the API, served in the viewer's language with the
original as the fallback, on the first screen and in messages too."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.notifications.models import Notification
from tests.conftest import client_for
from tests.factories import RoomFactory
from tests.timetable.test_api import activity_payload

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=ZoneInfo("Europe/London"))
ACTIVITIES = "/api/v1/activities/"
AR_TITLE = "كرة القدم"
FA_BRING = "کفش ورزشی"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def football(world):
    room = RoomFactory(name="Sports hall", capacity=20)
    venue = room.venue
    venue.name = "St Anne's Church"
    venue.translations = {"ar": {"name": "كنيسة القديسة آن"}}
    venue.save()
    payload = activity_payload(world.org, room)
    payload["what_to_bring"] = "Trainers (we have spares)."
    payload["translations"] = {
        "ar": {"title": AR_TITLE, "what_to_bring": " "},  # blank: dropped, falls back
        "fa": {"what_to_bring": FA_BRING},
    }
    response = client_for(world.coordinator).post(ACTIVITIES, payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def in_language(client, lang):
    client.cookies["django_language"] = lang
    return client


def test_each_viewer_gets_her_language_with_english_as_fallback(world, football):
    url = f"{ACTIVITIES}{football['id']}/"
    ar = in_language(APIClient(), "ar").get(url).json()
    fa = in_language(APIClient(), "fa").get(url).json()
    en = APIClient().get(url).json()
    assert (ar["title"], ar["what_to_bring"]) == (AR_TITLE, "Trainers (we have spares).")
    assert (fa["title"], fa["what_to_bring"]) == ("Football", FA_BRING)
    assert (en["title"], en["what_to_bring"]) == ("Football", "Trainers (we have spares).")
    assert ar["venue"]["name"] == "كنيسة القديسة آن"
    assert fa["venue"]["name"] == "St Anne's Church"
    assert en["translations"] == {"ar": {"title": AR_TITLE}, "fa": {"what_to_bring": FA_BRING}}
    sessions = in_language(APIClient(), "ar").get("/api/v1/sessions/", {"activity": football["id"]})
    assert {s["activity"]["title"] for s in sessions.json()["results"]} == {AR_TITLE}


def test_a_coordinator_edits_translations(world, football):
    url = f"{ACTIVITIES}{football['id']}/"
    response = client_for(world.coordinator).patch(
        url, {"translations": {"fa": {"title": "فوتبال"}}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert in_language(APIClient(), "fa").get(url).json()["title"] == "فوتبال"
    assert in_language(APIClient(), "ar").get(url).json()["title"] == "Football"  # replaced


@pytest.mark.parametrize(
    "bad",
    [
        {"de": {"title": "Fußball"}},
        {"ar": {"capacity": "3"}},
        {"ar": {"title": 3}},
        {"ar": "كرة"},
        ["ar"],
        {"ar": {"title": "x" * 201}},
    ],
)
def test_bad_translations_are_refused_whole(world, football, bad):
    url = f"{ACTIVITIES}{football['id']}/"
    response = client_for(world.coordinator).patch(
        url, {"translations": bad, "title": "Changed"}, format="json"
    )
    assert response.status_code == 400
    assert "translations" in response.json()["fields"]
    assert APIClient().get(url).json()["title"] == "Football"


def test_the_cancellation_reason_reaches_her_in_her_language(world, football):
    session_id = (
        APIClient()
        .get("/api/v1/sessions/", {"activity": football["id"]})
        .json()["results"][0]["id"]
    )
    person = participant_for_user(user=world.learner)
    person.preferred_language = "ar"
    person.phone = "07700 900123"
    person.save()
    from backend.timetable.models import Session

    booking_services.booking_create(actor=world.learner, session=Session.objects.get(pk=session_id))
    response = client_for(world.coordinator).post(
        f"/api/v1/sessions/{session_id}/cancel/",
        {"reason": "The hall is flooded.",
         "translations": {"ar": {"cancel_reason": "القاعة غمرتها المياه."}}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    shown = in_language(APIClient(), "ar").get(f"/api/v1/sessions/{session_id}/").json()
    assert shown["cancel_reason"] == "القاعة غمرتها المياه."
    assert APIClient().get(f"/api/v1/sessions/{session_id}/").json()["cancel_reason"] == (
        "The hall is flooded."
    )
    note = Notification.objects.get(participant=person, kind="session_cancelled")
    assert "القاعة غمرتها المياه." in note.body
    assert AR_TITLE in note.body


def test_the_first_screen_shows_her_language_bidi_isolated(world, football):
    page = in_language(APIClient(), "ar").get("/").content.decode()
    assert f"<bdi>{AR_TITLE}</bdi>" in page
    assert "<bdi>كنيسة القديسة آن</bdi>، <bdi>Sports hall</bdi>" in page  # Arabic comma


@pytest.mark.django_db
def test_the_demo_shows_activities_in_arabic_and_farsi_and_fatima_has_a_secret():
    from django.core.management import call_command

    from backend.timetable.models import Activity

    call_command("load_demo", force=True, verbosity=0)
    translated_titles = Activity.objects.exclude(translations={}).count()
    assert translated_titles >= 8
    football = Activity.objects.get(title="Football")
    assert (
        in_language(APIClient(), "fa").get(f"{ACTIVITIES}{football.pk}/").json()["title"]
        == "فوتبال"
    )
    response = APIClient().post(
        "/api/v1/auth/sign-in-secret/",
        {"name_or_phone": "07700 900456", "secret": "274918"},
        format="json",
    )
    assert response.status_code == 200, response.content
