"""The coordinator's repeat form over HTTP: "every Wednesday until July, not in
half-term" becomes a stored rule, the preview shows its dates, clashes and
closures without writing anything, and editing shows what is kept and flagged.
Time is frozen on Tuesday 1 December 2026, 09:00 in London."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.bookings import services as booking_services
from backend.timetable import closures
from backend.timetable.models import Activity, Session
from backend.timetable.schedule_builder import Builder, from_rule, to_rule
from tests.conftest import client_for
from tests.factories import RoomFactory, make_activity

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)
ACTIVITIES = "/api/v1/activities/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def conversation_club(world, room, **schedule) -> dict:
    return {
        "organisation": str(world.org.pk),
        "room": str(room.pk),
        "kind": "social",
        "title": "Conversation Club",
        "capacity": 12,
        "schedule": {
            "start_date": "2027-01-06",
            "start_time": "14:00",
            "end_time": "15:30",
            "repeat": "weekly",
            "days": ["WE"],
            "until": "2027-07-14",
            "skip": ["2027-02-17"],
            **schedule,
        },
    }


# --- conversion ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "rule"),
    [
        (Builder(repeat="once"), None),
        (Builder(repeat="weekly", days=("FR", "WE")), "RRULE:FREQ=WEEKLY;BYDAY=WE,FR"),
        (Builder(repeat="fortnightly", days=("TH",), count=6),
         "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=6"),
        (Builder(repeat="monthly", days=("SA",), monthly_week=1, until=date(2027, 6, 30)),
         "RRULE:FREQ=MONTHLY;BYDAY=1SA;UNTIL=20270630"),
        (Builder(repeat="monthly", days=("FR",), monthly_week=-1), "RRULE:FREQ=MONTHLY;BYDAY=-1FR"),
    ],
)  # fmt: skip
def test_the_form_becomes_a_rule_and_comes_back(builder, rule, world):
    assert to_rule(builder, start_date=date(2027, 1, 1)) == rule
    activity = make_activity(
        actor=world.coordinator, organisation=world.org, start_date=date(2027, 1, 1),
        recurrence=rule,
    )  # fmt: skip
    back = from_rule(activity.recurrence, tz_name="Europe/London")
    assert back["repeat"] == builder.repeat
    assert back["days"] == sorted(builder.days, key="MOTUWETHFRSASU".index)
    assert (back["until"], back["count"], back["monthly_week"]) == (
        builder.until, builder.count, builder.monthly_week,
    )  # fmt: skip


def test_a_rule_the_form_cannot_show_comes_back_as_none(world):
    activity = make_activity(
        actor=world.coordinator, organisation=world.org, start_date=date(2027, 1, 1),
        recurrence="RRULE:FREQ=MONTHLY;BYMONTHDAY=15",
    )  # fmt: skip
    response = client_for(world.coordinator).get(f"{ACTIVITIES}{activity.pk}/")
    assert response.json()["schedule"]["builder"] is None


@pytest.mark.parametrize(
    ("schedule", "code", "field"),
    [
        ({"days": []}, "schedule_days_required", "days"),
        ({"count": 5}, "schedule_end_conflict", "count"),
        ({"until": "2027-01-01"}, "schedule_until_before_start", "until"),
        ({"recurrence": "RRULE:FREQ=DAILY"}, "schedule_mixed", "recurrence"),
        ({"repeat": "monthly", "days": ["SA", "SU"], "monthly_week": 1},
         "schedule_days_required", "days"),
        ({"repeat": "hourly"}, "invalid", "schedule.repeat"),
        ({"interval": 9}, "invalid", "schedule.interval"),
        ({"end_time": "13:00"}, "end_before_start", "end_time"),
    ],
)  # fmt: skip
def test_bad_forms_are_refused_with_a_stable_code_and_nothing_written(schedule, code, field, world):
    room = RoomFactory(capacity=20)
    client = client_for(world.coordinator)
    before = (Activity.objects.count(), Session.objects.count())
    for path in (ACTIVITIES, f"{ACTIVITIES}preview/"):
        response = client.post(path, conversation_club(world, room, **schedule), format="json")
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == code
        assert field in response.json()["fields"]
    assert (Activity.objects.count(), Session.objects.count()) == before


# --- preview and save ---------------------------------------------------------------------


def test_every_wednesday_until_july_not_in_half_term_shows_27_dates_then_saves(world):
    room = RoomFactory(name="Room 2", capacity=20)
    client = client_for(world.coordinator)
    body = conversation_club(world, room)
    before = (Activity.objects.count(), Session.objects.count())
    response = client.post(f"{ACTIVITIES}preview/", body, format="json")
    assert response.status_code == 200, response.json()
    preview = response.json()
    assert (Activity.objects.count(), Session.objects.count()) == before  # nothing written
    days = [datetime.fromisoformat(d["start"]).astimezone(LONDON) for d in preview["dates"]]
    assert len(days) == 27
    assert days[0] == datetime(2027, 1, 6, 14, 0, tzinfo=LONDON)
    assert days[-1] == datetime(2027, 7, 14, 14, 0, tzinfo=LONDON)
    assert date(2027, 2, 17) not in {d.date() for d in days}
    assert all(d.hour == 14 for d in days)  # across the clock change in March
    assert [datetime.fromisoformat(s).astimezone(LONDON).date() for s in preview["skipped"]] == [
        date(2027, 2, 17)
    ]
    assert preview["more"] is False
    assert not any(d["clash"] or d["closure"] for d in preview["dates"])

    response = client.post(ACTIVITIES, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    rule = created["schedule"]["recurrence"]  # kept for integrators, never shown to her
    assert rule.startswith("RRULE:FREQ=WEEKLY;") and "BYDAY=WE" in rule and "UNTIL=2027071" in rule
    assert created["schedule"]["builder"] == {
        "repeat": "weekly", "days": ["WE"], "interval": 1, "monthly_week": None,
        "until": "2027-07-14", "count": None, "skip": ["2027-02-17"],
    }  # fmt: skip
    assert created["schedule"]["excluded_dates"] == ["2027-02-17"]


def test_the_preview_shows_a_clash_and_a_closure_among_the_dates(world):
    room = RoomFactory(name="Room 2", capacity=20)
    make_activity(
        actor=world.coordinator, organisation=world.org, room=room, title="Job club",
        start_date=date(2027, 1, 20), start_time=time(15), end_time=time(16), recurrence=None,
    )  # fmt: skip
    closures.closure_create(
        actor=world.coordinator, organisation=world.org, reason="Half-term",
        start_date=date(2027, 2, 15), end_date=date(2027, 2, 19),
    )  # fmt: skip
    body = conversation_club(world, room, skip=[])
    response = client_for(world.coordinator).post(f"{ACTIVITIES}preview/", body, format="json")
    dates = {d["start"][:10]: d for d in response.json()["dates"]}
    assert len(dates) == 28
    assert "Job club" in dates["2027-01-20"]["clash"]
    assert dates["2027-02-17"]["closure"]["reason"] == "Half-term"
    assert [k for k, d in dates.items() if d["clash"] or d["closure"]] == [
        "2027-01-20", "2027-02-17",
    ]  # fmt: skip
    # Saving as it is refuses the clash, and writes nothing.
    count = Activity.objects.count()
    response = client_for(world.coordinator).post(ACTIVITIES, body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "room_clash"
    assert Activity.objects.count() == count


def test_a_clash_with_a_hidden_session_is_worded_without_naming_it(world):
    room = world.protected_activity.room
    body = conversation_club(world, room, start_date=str(world.protected_activity.start_date),
                             start_time="13:30", end_time="14:30", until=None, skip=[],
                             days=["MO", "TU", "WE", "TH", "FR", "SA", "SU"])  # fmt: skip
    response = client_for(world.coordinator).post(f"{ACTIVITIES}preview/", body, format="json")
    # The women's room is not hers to use: it is not found, like any unknown room.
    assert response.status_code == 400
    assert response.json()["fields"]["room"] == [f'Invalid pk "{room.pk}" - object does not exist.']


def test_editing_a_schedule_previews_kept_and_flagged_sessions(world):
    room = RoomFactory(capacity=20)
    response = client_for(world.coordinator).post(
        ACTIVITIES, conversation_club(world, room, start_date="2026-12-02", until="2027-02-24",
                                      skip=[]), format="json",
    )  # fmt: skip
    activity = Activity.objects.get(pk=response.json()["id"])
    booked = activity.sessions.get(start__date=date(2026, 12, 9))
    booking_services.booking_create(actor=world.learner, session=booked)
    empty_count = activity.sessions.count()
    # Move it to Thursdays: Wednesday sessions go, the booked one is kept and flagged.
    change = {"schedule": {"repeat": "weekly", "days": ["TH"], "until": "2027-02-24",
                           "start_date": "2026-12-02"}}  # fmt: skip
    response = client_for(world.coordinator).post(
        f"{ACTIVITIES}{activity.pk}/preview/", change, format="json"
    )
    assert response.status_code == 200, response.json()
    preview = response.json()
    assert [f["start"][:10] for f in preview["flagged"]] == ["2026-12-09"]
    assert preview["flagged"][0]["booked"] == 1
    assert preview["flagged"][0]["reason"] == "not_in_schedule"
    assert preview["removed"] == empty_count - 1
    assert {d["start"][:10] for d in preview["dates"]} >= {"2026-12-03", "2026-12-10"}
    assert activity.sessions.count() == empty_count  # nothing written

    # Skipping the booked date instead: kept, cancelled and flagged.
    change = {"schedule": {"repeat": "weekly", "days": ["WE"], "until": "2027-02-24",
                           "skip": ["2026-12-09"]}}  # fmt: skip
    preview = (
        client_for(world.coordinator)
        .post(f"{ACTIVITIES}{activity.pk}/preview/", change, format="json")
        .json()
    )
    assert [(f["start"][:10], f["reason"]) for f in preview["flagged"]] == [
        ("2026-12-09", "skipped")
    ]
    response = client_for(world.coordinator).patch(
        f"{ACTIVITIES}{activity.pk}/", change, format="json"
    )
    assert response.status_code == 200, response.json()
    booked.refresh_from_db()
    assert booked.status == "cancelled" and booked.needs_review


def test_others_cannot_preview_or_end_her_activity(world):
    activity = world.public_activity
    for user in (world.learner, world.other_coordinator):
        client = client_for(user)
        assert (
            client.post(f"{ACTIVITIES}{activity.pk}/preview/", {}, format="json").status_code == 403
        )
        assert client.post(f"{ACTIVITIES}{activity.pk}/end/", {}, format="json").status_code == 403
    hidden = world.protected_activity
    response = client_for(world.coordinator).post(
        f"{ACTIVITIES}{hidden.pk}/preview/", {}, format="json"
    )
    assert response.status_code == 404


# --- ending -------------------------------------------------------------------------------


def test_ending_an_activity_removes_later_sessions_and_keeps_booked_ones(world):
    room = RoomFactory(capacity=20)
    activity = make_activity(
        actor=world.coordinator, organisation=world.org, room=room, start_date=date(2026, 12, 2),
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=WE",
    )  # fmt: skip
    late = activity.sessions.get(start__date=date(2026, 12, 9))
    booking_services.booking_create(actor=world.learner, session=late)
    client = client_for(world.coordinator)
    response = client.post(f"{ACTIVITIES}{activity.pk}/end/", {"last_date": "2026-12-02"},
                           format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["activity"]["schedule"]["builder"]["until"] == "2026-12-02"
    assert response.json()["sessions"]["flagged"] == 1
    remaining = activity.sessions.order_by("start")
    assert [s.start.astimezone(LONDON).date() for s in remaining] == [
        date(2026, 12, 2), date(2026, 12, 9),
    ]  # fmt: skip
    late.refresh_from_db()
    assert late.needs_review and late.status == "scheduled"

    for last, code in (("2026-11-01", "schedule_end_in_past"),):
        response = client.post(f"{ACTIVITIES}{activity.pk}/end/", {"last_date": last},
                               format="json")  # fmt: skip
        assert response.status_code == 400 and response.json()["code"] == code
    one_off = make_activity(actor=world.coordinator, organisation=world.org, recurrence=None)
    response = client.post(f"{ACTIVITIES}{one_off.pk}/end/", {"last_date": "2027-01-06"},
                           format="json")  # fmt: skip
    assert response.json()["code"] == "schedule_one_off"


def test_the_manageable_filter_lists_only_her_activities(world):
    response = client_for(world.coordinator).get(ACTIVITIES, {"manageable": "true"})
    assert [a["title"] for a in response.json()["results"]] == ["English: Entry 2"]
    response = client_for(world.space_coordinator).get(ACTIVITIES, {"manageable": "true"})
    assert [a["title"] for a in response.json()["results"]] == ["Women's English"]
    response = client_for(world.learner).get(ACTIVITIES, {"manageable": "true"})
    assert response.json()["results"] == []
