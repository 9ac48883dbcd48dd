"""The timetable over HTTP: listing and filtering sessions, the error body for
every refusal, coordinators' writes (activities, cancel, move, reinstate) and
the public reference lists. Time is frozen on Monday 4 January 2027, 09:00 in
London, so "this week" is Monday 4 to Sunday 10 January."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import time_machine
import yaml
from django.urls import reverse

from backend.timetable.models import Activity, Language, Session
from tests.conftest import client_for
from tests.factories import RoomFactory, VenueFactory, make_activity
from tests.test_project import ROOT

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)
TODAY = NOW.date()
SESSIONS = "/api/v1/sessions/"
ACTIVITIES = "/api/v1/activities/"
NOT_FOUND = {"code": "not_found", "detail": "Not found.", "fields": {}}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def week(world):
    """Activities spread over this week and the next, for two organisations, in
    three venues, with different kinds, levels and languages.

    Within this week (anonymous view): Advice drop-in (Mon 4), ESOL Entry 1
    (Tue 5), Football (Wed 6), English: Entry 2 (Thu 7, from the world) and
    Allotment (Sun 10). Outside it: Bike repair (Mon 11), Football (Wed 13...),
    and a Bike repair session left over from yesterday."""
    en, ar = Language.objects.get(code="en"), Language.objects.get(code="ar")
    church = VenueFactory(name="St Anne's Church")
    hall = RoomFactory(venue=church, name="Hall", capacity=20)
    sports_centre = VenueFactory(name="Sports centre")
    pitch = RoomFactory(venue=sports_centre, name="Pitch", capacity=30)

    def one_off(*, actor, organisation, room, title, kind, day, start=18, **extra):
        return make_activity(
            actor=actor, organisation=organisation, room=room, title=title, kind=kind,
            start_date=day, start_time=time(start), end_time=time(start + 2), recurrence=None,
            **extra,
        )  # fmt: skip

    advice = one_off(
        actor=world.coordinator, organisation=world.org, room=hall, title="Advice drop-in",
        kind=Activity.Kind.ADVICE, day=TODAY,
    )  # fmt: skip
    esol = one_off(
        actor=world.coordinator, organisation=world.org, room=hall, title="ESOL Entry 1",
        kind=Activity.Kind.ENGLISH_CLASS, level=Activity.Level.ENTRY_1, languages=[en, ar],
        day=date(2027, 1, 5),
    )  # fmt: skip
    football = make_activity(
        actor=world.other_coordinator, organisation=world.other_org, room=pitch,
        title="Football", kind=Activity.Kind.SPORT, languages=[ar], capacity=22,
        start_date=date(2027, 1, 6), start_time=time(18), end_time=time(20),
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=WE",
    )  # fmt: skip
    allotment = one_off(
        actor=world.other_coordinator, organisation=world.other_org, room=pitch,
        title="Allotment", kind=Activity.Kind.ALLOTMENT, day=date(2027, 1, 10),
    )  # fmt: skip
    bikes = one_off(
        actor=world.coordinator, organisation=world.org, room=hall, title="Bike repair",
        kind=Activity.Kind.BIKE_REPAIR, day=date(2027, 1, 11), start=10,
    )  # fmt: skip
    yesterday = datetime(2027, 1, 3, 10, 0, tzinfo=LONDON)
    Session.objects.create(
        activity=bikes, original_start=yesterday, start=yesterday,
        end=yesterday + timedelta(hours=2), room=hall, capacity=bikes.capacity,
    )  # fmt: skip
    return {
        "church": church, "hall": hall, "sports_centre": sports_centre, "pitch": pitch,
        "advice": advice, "esol": esol, "football": football, "allotment": allotment,
        "bikes": bikes,
    }  # fmt: skip


def local(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(LONDON)


def listed(client, **params) -> list[tuple[str, date]]:
    """(title, local day) of each session listed, in order."""
    response = client.get(SESSIONS, {"page_size": 200, **params})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["results"])
    return [(r["activity"]["title"], local(r["start"]).date()) for r in body["results"]]


def titles(client, **params) -> set[str]:
    return {title for title, _ in listed(client, **params)}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["fields"], dict)
    for messages in body["fields"].values():
        assert messages and all(isinstance(m, str) and m for m in messages)
    return body


def counts() -> tuple[int, int]:
    return Activity.objects.count(), Session.objects.count()


THIS_WEEK = [
    ("Advice drop-in", date(2027, 1, 4)),
    ("ESOL Entry 1", date(2027, 1, 5)),
    ("Football", date(2027, 1, 6)),
    ("English: Entry 2", date(2027, 1, 7)),
    ("Allotment", date(2027, 1, 10)),
]


# --- listing sessions --------------------------------------------------------------------


def test_default_range_is_today_and_the_next_six_days(week, api):
    assert listed(api) == THIS_WEEK


def test_default_range_follows_the_clock(week, api):
    with time_machine.travel(datetime(2027, 1, 5, 9, 0, tzinfo=LONDON), tick=False):
        days = listed(api)
    assert ("Advice drop-in", date(2027, 1, 4)) not in days
    assert ("Bike repair", date(2027, 1, 11)) in days
    assert {day for _, day in days} <= {date(2027, 1, 5) + timedelta(days=n) for n in range(7)}


def test_protected_sessions_are_listed_only_for_people_granted_the_space(world, week, api):
    assert "Women's English" not in titles(api)
    assert "Women's English" not in titles(client_for(world.coordinator))
    assert "Women's English" in titles(client_for(world.learner_with_grant))


def test_a_session_names_its_space_so_the_app_can_offer_quick_exit(world, week):
    body = client_for(world.learner_with_grant).get(SESSIONS, {"page_size": 200}).json()
    spaces = {r["activity"]["title"]: r["activity"]["space"] for r in body["results"]}
    assert spaces["Women's English"] == {"id": str(world.space.pk), "name": "Upbeat Women"}
    assert spaces["English: Entry 2"] is None


def test_date_from_and_date_to_choose_the_days(week, api):
    assert listed(api, date_from="2027-01-11", date_to="2027-01-13") == [
        ("Bike repair", date(2027, 1, 11)),
        ("Football", date(2027, 1, 13)),
    ]
    assert listed(api, date_from="2027-01-03", date_to="2027-01-03") == [
        ("Bike repair", date(2027, 1, 3))
    ]
    # One end given: the range is that day and six more (or six before).
    assert listed(api, date_from="2027-01-07") == [
        ("English: Entry 2", date(2027, 1, 7)),
        ("Allotment", date(2027, 1, 10)),
        ("Bike repair", date(2027, 1, 11)),
        ("Football", date(2027, 1, 13)),
    ]
    assert listed(api, date_to="2027-01-06") == [
        ("Bike repair", date(2027, 1, 3)),
        *THIS_WEEK[:3],
    ]


def test_date_range_is_in_london_local_days(world, api):
    """00:30 on a summer day is 23:30 UTC the day before; it belongs to the local day."""
    make_activity(
        actor=world.coordinator, organisation=world.org, title="Night shelter talk",
        kind=Activity.Kind.ADVICE, start_date=date(2027, 6, 10), start_time=time(0, 30),
        end_time=time(1, 30), recurrence=None,
    )  # fmt: skip
    assert ("Night shelter talk", date(2027, 6, 10)) in listed(
        api, date_from="2027-06-10", date_to="2027-06-10"
    )
    assert "Night shelter talk" not in titles(api, date_from="2027-06-09", date_to="2027-06-09")


def test_a_range_of_92_days_is_allowed(week, api):
    response = api.get(SESSIONS, {"date_from": "2027-01-04", "date_to": "2027-04-05"})
    assert response.status_code == 200
    assert response.json()["count"] > 12


def test_each_result_says_how_many_places_are_left(week, api):
    Session.objects.filter(activity=week["football"], start__date=date(2027, 1, 6)).update(
        booked_places=5
    )
    response = api.get(SESSIONS)
    results = {r["activity"]["title"]: r for r in response.json()["results"]}
    assert all("places_left" in r for r in results.values())
    assert results["Football"]["capacity"] == 22
    assert results["Football"]["places_left"] == 17
    assert results["ESOL Entry 1"]["places_left"] == 12


def test_pagination_with_page_size(week, api):
    first = api.get(SESSIONS, {"page_size": 2}).json()
    assert first["count"] == len(THIS_WEEK)
    assert len(first["results"]) == 2
    assert first["next"] and first["previous"] is None
    last = api.get(SESSIONS, {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert last["results"][0]["activity"]["title"] == "Allotment"
    assert api.get(SESSIONS, {"page_size": 2, "page": 4}).status_code == 404


# --- filters -------------------------------------------------------------------------------


def test_filter_by_organisation(world, week, api):
    assert titles(api, organisation=world.other_org.pk) == {"Football", "Allotment"}
    assert titles(api, organisation=world.org.pk) == {
        "Advice drop-in",
        "ESOL Entry 1",
        "English: Entry 2",
    }


def test_filter_by_kind(week, api):
    assert titles(api, kind="sport") == {"Football"}
    assert titles(api, kind="english_class") == {"ESOL Entry 1", "English: Entry 2"}
    assert titles(api, kind="music") == set()


def test_filter_by_level(week, api):
    assert titles(api, level="entry_1") == {"ESOL Entry 1"}
    assert titles(api, level="entry_2") == set()


def test_filter_by_venue(world, week, api):
    assert titles(api, venue=week["sports_centre"].pk) == {"Football", "Allotment"}
    assert titles(api, venue=week["church"].pk) == {"Advice drop-in", "ESOL Entry 1"}
    assert titles(api, venue=world.room.venue.pk) == {"English: Entry 2"}


def test_filter_by_language(week, api):
    assert titles(api, language="ar") == {"ESOL Entry 1", "Football"}
    assert titles(api, language="en") == {"ESOL Entry 1"}


def test_filter_by_places_left(week, api):
    esol_session = week["esol"].sessions.get()
    esol_session.booked_places = esol_session.capacity
    esol_session.save()
    Session.objects.filter(activity=week["allotment"]).update(
        status=Session.Status.CANCELLED, cancel_reason="Rain"
    )
    assert titles(api, has_places="true") == {"Advice drop-in", "Football", "English: Entry 2"}
    assert titles(api, has_places="false") == {"ESOL Entry 1", "Allotment"}
    results = {r["activity"]["title"]: r for r in api.get(SESSIONS).json()["results"]}
    assert results["ESOL Entry 1"]["places_left"] == 0
    assert results["Allotment"]["places_left"] == 0


def test_registers_filter_lists_the_sessions_whose_register_she_takes(world, week):
    def staffed(user):
        return titles(client_for(user), registers="true")

    # She tutors only English: Entry 2; the women's class needs the grant as well.
    assert staffed(world.tutor_elsewhere) == {"English: Entry 2"}
    assert staffed(world.tutor_in_space) == {"Women's English"}
    # A coordinator takes the registers of her organisation's public sessions.
    assert staffed(world.coordinator) == {"Advice drop-in", "ESOL Entry 1", "English: Entry 2"}
    assert staffed(world.learner) == set()
    assert "English: Entry 2" not in titles(client_for(world.tutor_elsewhere), registers="false")


def test_filter_by_activity(week, api):
    football = week["football"].pk
    assert listed(api, activity=football) == [("Football", date(2027, 1, 6))]
    assert listed(api, activity=football, date_from="2027-01-04", date_to="2027-01-20") == [
        ("Football", date(2027, 1, 6)),
        ("Football", date(2027, 1, 13)),
        ("Football", date(2027, 1, 20)),
    ]


def test_filters_combine(world, week, api):
    assert titles(api, organisation=world.org.pk, language="ar") == {"ESOL Entry 1"}
    assert titles(api, kind="sport", venue=week["church"].pk) == set()


# --- refusals of a list are 400s with a stable code ----------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({"kind": "nope"}, "kind"),
        ({"level": "entry_9"}, "level"),
        ({"organisation": str(uuid.uuid4())}, "organisation"),
        ({"organisation": "not-a-uuid"}, "organisation"),
        ({"language": "xx"}, "language"),
        ({"venue": str(uuid.uuid4())}, "venue"),
        ({"activity": str(uuid.uuid4())}, "activity"),
        ({"status": "maybe"}, "status"),
        ({"date_from": "2027-02-30"}, "date_from"),
        ({"date_from": "tomorrow"}, "date_from"),
        ({"date_to": "2027/01/10x"}, "date_to"),
    ],
)
def test_unknown_filter_values_are_400_invalid_filter(week, api, params, field):
    body = assert_error(api.get(SESSIONS, params), 400, "invalid_filter")
    assert field in body["fields"]


def test_a_protected_activity_or_venue_filters_like_one_that_does_not_exist(world, week, api):
    hidden_activity = api.get(SESSIONS, {"activity": world.protected_activity.pk})
    missing_activity = api.get(SESSIONS, {"activity": uuid.uuid4()})
    assert hidden_activity.status_code == missing_activity.status_code == 400
    assert hidden_activity.json() == missing_activity.json()
    hidden_room = world.protected_activity.room
    hidden_venue = api.get(SESSIONS, {"venue": hidden_room.venue.pk})
    missing_venue = api.get(SESSIONS, {"venue": uuid.uuid4()})
    assert hidden_venue.json() == missing_venue.json()
    assert_error(hidden_venue, 400, "invalid_filter")


def test_date_to_before_date_from_is_invalid_date_range(week, api):
    body = assert_error(
        api.get(SESSIONS, {"date_from": "2027-01-10", "date_to": "2027-01-09"}),
        400,
        "invalid_date_range",
    )
    assert "date_to" in body["fields"]


def test_a_range_over_92_days_is_invalid_date_range(week, api):
    assert_error(
        api.get(SESSIONS, {"date_from": "2027-01-04", "date_to": "2027-04-06"}),
        400,
        "invalid_date_range",
    )


@pytest.mark.parametrize("params", [{"has_places": "maybe"}, {"needs_review": "perhaps"}])
def test_unknown_yes_no_filter_values_are_400_not_ignored(week, api, params):
    """filters.py: "An unknown value is a 400." A yes/no filter given neither
    yes nor no must not silently list everything."""
    body = assert_error(api.get(SESSIONS, params), 400, "invalid_filter")
    assert set(params) <= set(body["fields"])


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "9999-12-30"},
        {"date_from": "9999-12-31", "date_to": "9999-12-31"},
        {"date_to": "0001-01-02"},
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused_not_500(week, api, params):
    response = api.get(SESSIONS, params)
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_date_range", "invalid_filter"}


def test_activity_list_filters_refuse_unknown_values_too(week, api):
    assert_error(api.get(ACTIVITIES, {"kind": "nope"}), 400, "invalid_filter")
    assert_error(api.get(ACTIVITIES, {"organisation": uuid.uuid4()}), 400, "invalid_filter")
    response = api.get(ACTIVITIES, {"kind": "sport"})
    assert [a["title"] for a in response.json()["results"]] == ["Football"]


# --- creating activities -----------------------------------------------------------------


@pytest.fixture
def sports_hall(db):
    return RoomFactory(name="Sports hall", capacity=20)


def activity_payload(organisation, room, **changes) -> dict:
    schedule = {
        "start_date": "2027-01-06",
        "start_time": "18:00",
        "end_time": "20:00",
        "timezone": "Europe/London",
        "recurrence": "RRULE:FREQ=WEEKLY;BYDAY=WE",
        "excluded_dates": [],
    }
    schedule.update(changes.pop("schedule", {}))
    body = {
        "organisation": str(organisation.pk),
        "room": str(room.pk),
        "kind": "sport",
        "title": "Football",
        "capacity": 16,
        "languages": ["ar"],
        "schedule": schedule,
    }
    body.update(changes)
    return body


def test_a_coordinator_creates_an_activity_and_its_sessions_to_the_horizon(world, sports_hall):
    before_activities, before_sessions = counts()
    response = client_for(world.coordinator).post(
        ACTIVITIES, activity_payload(world.org, sports_hall), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Football"
    assert body["organisation"]["id"] == str(world.org.pk)
    assert body["room"]["id"] == str(sports_hall.pk)
    assert [lang["code"] for lang in body["languages"]] == ["ar"]
    assert body["schedule"]["recurrence"] == "RRULE:FREQ=WEEKLY;BYDAY=WE"

    activity = Activity.objects.get(pk=body["id"])
    assert counts() == (before_activities + 1, before_sessions + 12)
    starts = [local(s.start.isoformat()) for s in activity.sessions.order_by("start")]
    # Twelve weeks from today: every Wednesday up to, not including, Monday 29 March.
    expected = [date(2027, 1, 6) + timedelta(weeks=n) for n in range(12)]
    assert [s.date() for s in starts] == expected
    assert all(s.time() == time(18) for s in starts)
    assert all(s.room_id == sports_hall.pk for s in activity.sessions.all())
    assert all(s.capacity == 16 for s in activity.sessions.all())
    assert activity.sessions_generated_until == date(2027, 3, 29)

    listed_sessions = client_for(None).get(
        SESSIONS, {"activity": activity.pk, "date_from": "2027-01-04", "date_to": "2027-04-05"}
    )
    assert listed_sessions.json()["count"] == 12


def test_excluded_dates_are_not_generated(world, sports_hall):
    payload = activity_payload(world.org, sports_hall, schedule={"excluded_dates": ["2027-01-20"]})
    response = client_for(world.coordinator).post(ACTIVITIES, payload, format="json")
    assert response.status_code == 201, response.json()
    activity = Activity.objects.get(pk=response.json()["id"])
    days = {local(s.start.isoformat()).date() for s in activity.sessions.all()}
    assert len(days) == 11
    assert date(2027, 1, 20) not in days
    assert response.json()["schedule"]["excluded_dates"] == ["2027-01-20"]


@pytest.mark.parametrize(
    "changes, code, field",
    [
        ({"schedule": {"recurrence": "RRULE:FREQ=SOMETIMES"}}, "invalid_recurrence", "recurrence"),
        ({"schedule": {"recurrence": "FREQ=WEEKLY;BYDAY=WE"}}, "invalid_recurrence", "recurrence"),
        ({"schedule": {"recurrence": "RRULE:FREQ=HOURLY"}}, "invalid_recurrence", "recurrence"),
        ({"schedule": {"recurrence": "RRULE:FREQ=WEEKLY;BYDAY=XX"}}, "invalid_recurrence",
         "recurrence"),
        ({"capacity": 21}, "capacity_above_room", "capacity"),
        ({"schedule": {"start_time": "18:00", "end_time": "17:00"}}, "end_before_start",
         "end_time"),
        ({"schedule": {"start_time": "18:00", "end_time": "18:00"}}, "end_before_start",
         "end_time"),
        ({"level": "entry_1"}, "level_not_applicable", "level"),
    ],
)  # fmt: skip
def test_refused_activities_say_why_and_write_nothing(world, sports_hall, changes, code, field):
    before = counts()
    response = client_for(world.coordinator).post(
        ACTIVITIES, activity_payload(world.org, sports_hall, **changes), format="json"
    )
    body = assert_error(response, 400, code)
    assert field in body["fields"]
    assert counts() == before
    assert not Activity.objects.filter(title="Football").exists()


def test_missing_fields_are_listed_one_by_one(world):
    before = counts()
    client = client_for(world.coordinator)
    body = assert_error(client.post(ACTIVITIES, {}, format="json"), 400, "invalid")
    assert {"organisation", "room", "kind", "title", "capacity", "schedule"} <= set(body["fields"])
    assert counts() == before

    payload = {"organisation": str(world.org.pk), "room": str(world.room.pk), "kind": "sport",
               "title": "Football", "capacity": 10, "schedule": {}}  # fmt: skip
    body = assert_error(client.post(ACTIVITIES, payload, format="json"), 400, "invalid")
    assert {"schedule.start_date", "schedule.start_time", "schedule.end_time"} <= set(
        body["fields"]
    )
    assert counts() == before


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"capacity": 0}, "capacity"),
        ({"kind": "karaoke"}, "kind"),
        ({"languages": ["xx"]}, "languages"),
        ({"schedule": {"timezone": "Mars/Olympus"}}, "schedule.timezone"),
        ({"schedule": {"start_date": "2027-02-30"}}, "schedule.start_date"),
    ],
)
def test_invalid_values_are_invalid_with_the_field_named(world, sports_hall, changes, field):
    before = counts()
    response = client_for(world.coordinator).post(
        ACTIVITIES, activity_payload(world.org, sports_hall, **changes), format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert field in body["fields"]
    assert counts() == before


def test_a_room_used_only_by_a_protected_activity_is_not_offered(world):
    before = counts()
    hidden = world.protected_activity.room
    response = client_for(world.coordinator).post(
        ACTIVITIES, activity_payload(world.org, hidden, capacity=10), format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert "room" in body["fields"]
    assert counts() == before


def test_a_coordinator_of_another_organisation_cannot_create(world, sports_hall):
    before = counts()
    response = client_for(world.other_coordinator).post(
        ACTIVITIES, activity_payload(world.org, sports_hall), format="json"
    )
    assert_error(response, 403, "permission_denied")
    assert counts() == before


def test_anonymous_and_learners_cannot_create(world, sports_hall, api):
    before = counts()
    payload = activity_payload(world.org, sports_hall)
    assert_error(api.post(ACTIVITIES, payload, format="json"), 403, "not_authenticated")
    learner = client_for(world.learner)
    assert_error(learner.post(ACTIVITIES, payload, format="json"), 403, "permission_denied")
    assert counts() == before


def test_creating_into_an_occupied_room_is_a_409_naming_the_clash(world, api):
    before = counts()
    payload = activity_payload(
        world.org, world.room, capacity=10,
        schedule={"start_date": "2027-01-07", "start_time": "11:00", "end_time": "13:00",
                  "recurrence": "RRULE:FREQ=WEEKLY;BYDAY=TH"},
    )  # fmt: skip
    body = assert_error(
        client_for(world.coordinator).post(ACTIVITIES, payload, format="json"), 409, "room_clash"
    )
    assert "English: Entry 2" in body["detail"]
    assert counts() == before


# --- editing activities ----------------------------------------------------------------------


def test_a_coordinator_renames_an_activity(world):
    activity = world.public_activity
    response = client_for(world.coordinator).patch(
        f"{ACTIVITIES}{activity.pk}/", {"title": "English: Entry 2 (mornings)"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["activity"]["title"] == "English: Entry 2 (mornings)"
    assert set(response.json()["sessions"]) == {"created", "updated", "deleted", "flagged"}
    activity.refresh_from_db()
    assert activity.title == "English: Entry 2 (mornings)"


def test_a_coordinator_of_another_organisation_cannot_edit(world, api):
    activity = world.public_activity
    url = f"{ACTIVITIES}{activity.pk}/"
    other = client_for(world.other_coordinator)
    assert_error(other.patch(url, {"title": "Hijacked"}, format="json"), 403, "permission_denied")
    assert_error(api.patch(url, {"title": "Hijacked"}, format="json"), 403, "not_authenticated")
    activity.refresh_from_db()
    assert activity.title == "English: Entry 2"


def test_editing_a_protected_activity_one_cannot_see_is_404(world):
    url = f"{ACTIVITIES}{world.protected_activity.pk}/"
    response = client_for(world.coordinator).patch(url, {"title": "Hijacked"}, format="json")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_a_refused_edit_changes_nothing(world):
    activity = world.public_activity
    response = client_for(world.coordinator).patch(
        f"{ACTIVITIES}{activity.pk}/", {"title": "Bigger", "capacity": 21}, format="json"
    )
    assert_error(response, 400, "capacity_above_room")
    activity.refresh_from_db()
    assert (activity.title, activity.capacity) == ("English: Entry 2", 12)
    assert set(activity.sessions.values_list("capacity", flat=True)) == {12}


def test_a_schedule_patch_without_a_timezone_keeps_the_activitys(world):
    activity = world.public_activity
    schedule = {"start_date": "2027-01-07", "start_time": "10:00", "end_time": "12:30",
                "recurrence": "RRULE:FREQ=WEEKLY;BYDAY=TH"}  # fmt: skip
    response = client_for(world.coordinator).patch(
        f"{ACTIVITIES}{activity.pk}/", {"schedule": schedule}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()["activity"]["schedule"]
    assert (body["end_time"], body["timezone"]) == ("12:30:00", "Europe/London")
    ends = {local(s.end.isoformat()).time() for s in activity.sessions.all()}
    assert ends == {time(12, 30)}


def test_a_partial_schedule_patch_keeps_the_rest_of_the_schedule(world):
    activity = world.public_activity
    response = client_for(world.coordinator).patch(
        f"{ACTIVITIES}{activity.pk}/",
        {"schedule": {"recurrence": "RRULE:FREQ=WEEKLY;BYDAY=FR"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()["activity"]["schedule"]
    assert body["recurrence"] == "RRULE:FREQ=WEEKLY;BYDAY=FR"
    assert (body["start_date"], body["start_time"], body["end_time"]) == (
        "2027-01-07",
        "10:00:00",
        "12:00:00",
    )
    starts = [local(s.start.isoformat()) for s in activity.sessions.order_by("start")]
    # Nobody was booked, so the Thursday sessions go; Fridays replace them.
    assert starts[0] == datetime(2027, 1, 8, 10, tzinfo=LONDON)
    assert {s.weekday() for s in starts} == {4}
    assert {s.time() for s in starts} == {time(10)}


# --- single sessions: cancel, reinstate, move ---------------------------------------------------


@pytest.fixture
def thursday(world):
    """This Thursday's English: Entry 2, 10:00-12:00 in Classroom 1."""
    return world.public_activity.sessions.get(start=datetime(2027, 1, 7, 10, tzinfo=LONDON))


def session_url(session, action: str = "") -> str:
    return f"{SESSIONS}{session.pk}/{action + '/' if action else ''}"


def test_cancel_with_a_reason_then_reinstate(world, thursday):
    client = client_for(world.coordinator)
    response = client.post(session_url(thursday, "cancel"), {"reason": "Tutor ill"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["cancel_reason"] == "Tutor ill"
    assert body["places_left"] == 0
    thursday.refresh_from_db()
    assert thursday.status == Session.Status.CANCELLED

    listed_body = client_for(None).get(session_url(thursday)).json()
    assert (listed_body["status"], listed_body["places_left"]) == ("cancelled", 0)

    response = client.post(session_url(thursday, "reinstate"), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["cancel_reason"], body["places_left"]) == ("scheduled", "", 12)


def test_reinstating_into_a_room_taken_meanwhile_is_a_409(world, thursday):
    client = client_for(world.coordinator)
    client.post(session_url(thursday, "cancel"), {"reason": "Tutor ill"}, format="json")
    make_activity(
        actor=world.coordinator, organisation=world.org, room=world.room, title="Job club",
        kind=Activity.Kind.TRAINING, start_date=date(2027, 1, 7), start_time=time(11),
        end_time=time(12), recurrence=None,
    )  # fmt: skip
    body = assert_error(client.post(session_url(thursday, "reinstate")), 409, "room_clash")
    assert "Job club" in body["detail"]
    thursday.refresh_from_db()
    assert thursday.status == Session.Status.CANCELLED


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "   "}])
def test_cancel_without_a_reason_is_refused(world, thursday, payload):
    response = client_for(world.coordinator).post(
        session_url(thursday, "cancel"), payload, format="json"
    )
    assert response.status_code == 400
    # The serializer answers "invalid"; the service's own code is "reason_required".
    body = assert_error(response, 400, response.json()["code"])
    assert body["code"] in {"invalid", "reason_required"}
    assert "reason" in body["fields"]
    thursday.refresh_from_db()
    assert thursday.status == Session.Status.SCHEDULED
    assert thursday.cancel_reason == ""


def test_only_the_activitys_coordinators_cancel(world, thursday, api):
    payload = {"reason": "Because"}
    other = client_for(world.other_coordinator)
    assert_error(
        other.post(session_url(thursday, "cancel"), payload, format="json"),
        403,
        "permission_denied",
    )
    assert_error(
        api.post(session_url(thursday, "cancel"), payload, format="json"),
        403,
        "not_authenticated",
    )
    thursday.refresh_from_db()
    assert thursday.status == Session.Status.SCHEDULED


def test_move_to_another_room_and_time(world, thursday):
    library = RoomFactory(name="Library", capacity=15)
    new_start = datetime(2027, 1, 8, 14, tzinfo=LONDON)
    response = client_for(world.coordinator).post(
        session_url(thursday, "move"),
        {"room": str(library.pk), "start": new_start.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["is_moved"] is True
    assert body["room"]["id"] == str(library.pk)
    assert local(body["start"]) == new_start
    assert local(body["end"]) == new_start + timedelta(hours=2)
    assert local(body["original_start"]) == datetime(2027, 1, 7, 10, tzinfo=LONDON)
    thursday.refresh_from_db()
    assert (thursday.room_id, thursday.start, thursday.is_moved) == (library.pk, new_start, True)


def test_moving_into_a_room_another_charity_uses_is_a_409_naming_what_he_may_see(world, thursday):
    """A clash is named when the mover may see the other session (here another
    charity's public one); anything else reads "The room is reserved at that
    time" (tests/timetable/test_rooms_in_use.py)."""
    music_room = RoomFactory(name="Music room", capacity=20)
    make_activity(
        actor=world.other_coordinator, organisation=world.other_org, room=music_room,
        title="Music group", kind=Activity.Kind.MUSIC, start_date=date(2027, 1, 7),
        start_time=time(11), end_time=time(12, 30), recurrence=None,
    )  # fmt: skip
    response = client_for(world.coordinator).post(
        session_url(thursday, "move"), {"room": str(music_room.pk)}, format="json"
    )
    body = assert_error(response, 409, "room_clash")
    assert "Music group" in body["detail"]
    assert "room" in body["fields"]
    thursday.refresh_from_db()
    assert (thursday.room_id, thursday.is_moved) == (world.room.pk, False)


def test_a_move_needs_something_to_change(world, thursday):
    response = client_for(world.coordinator).post(session_url(thursday, "move"), {}, format="json")
    assert_error(response, 400, "invalid")


def test_only_the_activitys_coordinators_move(world, thursday):
    library = RoomFactory(name="Library", capacity=15)
    response = client_for(world.other_coordinator).post(
        session_url(thursday, "move"), {"room": str(library.pk)}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    thursday.refresh_from_db()
    assert thursday.room_id == world.room.pk


# --- reading activities and reference lists -------------------------------------------------


def test_activity_list_shows_only_visible_activities(world, api):
    response = api.get(ACTIVITIES)
    assert response.status_code == 200
    found = [a["title"] for a in response.json()["results"]]
    assert "English: Entry 2" in found
    assert "Women's English" not in found


def test_activity_detail_has_a_schedule_block(world, api):
    activity = world.public_activity
    response = api.get(f"{ACTIVITIES}{activity.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(activity.pk)
    assert body["room"] == {
        "id": str(world.room.pk),
        "name": "Classroom 1",
        "capacity": 20,
        "accessibility": "",
    }
    assert body["venue"]["id"] == str(world.room.venue.pk)
    schedule = body["schedule"]
    assert schedule["recurrence"] == "RRULE:FREQ=WEEKLY"
    assert schedule["start_date"] == "2027-01-07"
    assert schedule["start_time"] == "10:00:00"
    assert schedule["end_time"] == "12:00:00"
    assert schedule["duration_minutes"] == 120
    assert schedule["timezone"] == "Europe/London"
    assert schedule["excluded_dates"] == []
    assert schedule["summary"] and schedule["summary"] != "One-off"


def test_a_one_off_activity_has_no_recurrence(week, api):
    body = api.get(f"{ACTIVITIES}{week['allotment'].pk}/").json()
    assert body["schedule"]["recurrence"] is None
    assert body["schedule"]["summary"] == "One-off"


def test_a_protected_activity_is_not_found_for_others(world, api):
    response = api.get(f"{ACTIVITIES}{world.protected_activity.pk}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_organisations_are_listed(world, api):
    response = api.get("/api/v1/organisations/")
    assert response.status_code == 200
    names = {o["name"]: o["id"] for o in response.json()["results"]}
    assert names["Upbeat Communities"] == str(world.org.pk)
    assert names["Derbyshire Refugee Solidarity"] == str(world.other_org.pk)


def test_venues_list_rooms_with_capacities(world, week, api):
    response = api.get("/api/v1/venues/")
    assert response.status_code == 200
    venues = {v["id"]: v for v in response.json()["results"]}
    church = venues[str(week["church"].pk)]
    assert church["name"] == "St Anne's Church"
    assert {(r["name"], r["capacity"]) for r in church["rooms"]} == {("Hall", 20)}
    classroom_venue = venues[str(world.room.venue.pk)]
    assert [(r["name"], r["capacity"]) for r in classroom_venue["rooms"]] == [("Classroom 1", 20)]
    # A room used only by a protected activity is not shown to the public.
    all_rooms = {r["name"] for v in venues.values() for r in v["rooms"]}
    assert "Quiet room" not in all_rooms


def test_languages_are_listed(world, api):
    response = api.get("/api/v1/languages/")
    assert response.status_code == 200
    assert response.json() == [
        {"code": "ar", "name": "Arabic", "native_name": ""},
        {"code": "en", "name": "English", "native_name": ""},
    ]


# --- not found ------------------------------------------------------------------------------------


# A fixed id no session has (ids are uuid4): test ids must be the same on every
# pytest-xdist worker, so nothing random at collection.
@pytest.mark.parametrize("session_id", ["2f1c0a57-3a0e-4d5b-9c1e-6b7a8d9e0f12", "not-a-uuid", "12"])
def test_an_unknown_session_is_a_plain_404(world, api, session_id):
    response = api.get(f"{SESSIONS}{session_id}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_a_protected_session_is_the_same_404(world, api):
    session = world.protected_activity.sessions.first()
    response = api.get(f"{SESSIONS}{session.pk}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    coordinator = client_for(world.coordinator)
    response = coordinator.post(session_url(session, "cancel"), {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED


def test_an_action_on_an_unknown_session_is_404(world):
    response = client_for(world.coordinator).post(
        f"{SESSIONS}{uuid.uuid4()}/cancel/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_schedule_times_match_the_committed_schema(world, api):
    """Schemathesis found the schema calling start/end times RFC 3339 `format:
    time`, which requires an offset ("10:00:00Z"), while the API sends local
    wall-clock times ("10:00:00"). The schema now says what the API sends."""
    spec = yaml.safe_load((ROOT / "api_schema" / "openapi.yaml").read_text())
    schedule = spec["components"]["schemas"]["Schedule"]
    body = api.get(f"{ACTIVITIES}{world.public_activity.id}/").json()["schedule"]

    assert body["start_time"] == "10:00:00"
    for name in ("start_time", "end_time"):
        described = schedule["properties"][name]
        assert described.get("format") != "time"  # RFC 3339 full-time: needs an offset
        jsonschema.validate(body[name], described)  # its pattern: local HH:MM[:SS]


def test_session_detail_and_actions_work_beyond_the_default_week(world):
    far = world.public_activity.sessions.order_by("-start").first()
    client = client_for(world.coordinator)
    assert client.get(reverse("session-detail", kwargs={"pk": far.pk})).status_code == 200
    cancel = client.post(
        reverse("session-cancel", kwargs={"pk": far.pk}), {"reason": "Holiday"}, format="json"
    )
    assert cancel.status_code == 200


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
