"""Issue 12, item 4: rooms in use. A women-only session in a shared room shows
to anyone without the grant exactly like an ordinary reservation: in the
room's availability, in a `room_clash` refusal (moving or creating a session)
and in the nightly generator's review note. Reservations clash too."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from backend.common.errors import ApplicationError
from backend.organisations.models import RoomReservation
from backend.timetable import rooms
from backend.timetable import services as timetable_services
from backend.timetable.models import Session
from tests.conftest import client_for
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    coordinator_of,
    make_activity,
    next_weekday,
)
from tests.probes import answers_in, assert_same_answer

RESERVED = {"code": "room_clash", "detail": rooms.ROOM_RESERVED,
            "fields": {"room": [rooms.ROOM_RESERVED]}}  # fmt: skip
RESERVATIONS = reverse("room-reservation-list")


@pytest.fixture
def slot(world):
    """Wednesday 15:00-16:00 in the shared Classroom 1 (the public class meets
    there on Thursdays)."""
    day = next_weekday(2, after=next_weekday(3))  # after the series' first Thursday
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time(15), tz)
    return {"day": day, "start": start, "end": start + timedelta(hours=1)}


def _womens_class(world, slot):
    def setup():
        make_activity(
            actor=world.space_coordinator, organisation=world.org, room=world.room,
            space=world.space, title="Women's sewing", start_date=slot["day"],
            start_time=time(15), end_time=time(16), recurrence=None,
        )  # fmt: skip

    return setup


def _reservation(world, slot):
    def setup():
        RoomReservation.objects.create(
            room=world.room, organisation=world.other_org, start=slot["start"], end=slot["end"],
            kind=RoomReservation.Kind.PRIVATE_HIRE, note="Choir",
        )  # fmt: skip

    return setup


def _same_as_a_reservation(world, slot, ask):
    hidden, reserved = answers_in(_womens_class(world, slot), _reservation(world, slot), ask=ask)
    assert hidden == reserved, f"women's class: {hidden}\nreservation: {reserved}"
    return hidden


def _move_into_slot(world, slot):
    session = world.public_activity.sessions.order_by("start").first()
    url = reverse("session-move", kwargs={"pk": session.pk})
    payload = {"start": slot["start"].isoformat(), "end": slot["end"].isoformat()}
    return lambda: client_for(world.coordinator).post(url, payload, format="json")


def test_moving_into_the_room_at_her_time_reads_like_any_reservation(world, slot):
    status, body = _same_as_a_reservation(world, slot, _move_into_slot(world, slot))
    assert (status, body) == (409, RESERVED)


def test_creating_into_the_room_at_her_time_reads_like_any_reservation(world, slot):
    payload = {
        "organisation": str(world.org.pk), "room": str(world.room.pk), "kind": "sport",
        "title": "Table tennis", "capacity": 10, "languages": [],
        "schedule": {"start_date": slot["day"].isoformat(), "start_time": "15:30",
                     "end_time": "16:30", "timezone": "Europe/London", "recurrence": ""},
    }  # fmt: skip
    url = reverse("activity-list")

    def ask():
        return client_for(world.coordinator).post(url, payload, format="json")

    status, body = _same_as_a_reservation(world, slot, ask)
    assert (status, body) == (409, RESERVED)


def test_a_visible_clash_is_named_whatever_hidden_one_is_there_too(world, slot):
    make_activity(
        actor=world.coordinator, organisation=world.org, room=world.room, title="Chess club",
        start_date=slot["day"], start_time=time(14), end_time=time(15), recurrence=None,
    )  # fmt: skip
    # The move covers 14:30-16:00: the chess club and (in one world) her class.
    wider = {**slot, "start": slot["start"] - timedelta(minutes=30)}
    status, body = assert_same_answer(_womens_class(world, slot), _move_into_slot(world, wider))
    assert status == 409 and "Chess club" in body["detail"]


def test_the_availability_shows_her_class_exactly_like_a_reservation(world, slot):
    url = reverse("room-availability", kwargs={"pk": world.room.pk})
    params = {"from": slot["day"].isoformat(), "to": (slot["day"] + timedelta(days=1)).isoformat()}
    for viewer in (world.coordinator, world.other_coordinator):
        status, body = _same_as_a_reservation(
            world, slot, lambda viewer=viewer: client_for(viewer).get(url, params)
        )
        assert status == 200
        reserved = [b for b in body["busy"] if b["kind"] == "reserved"]
        assert reserved == [
            {"start": _iso(slot["start"]), "end": _iso(slot["end"]), "kind": "reserved"}
        ]
        sessions = [b["activity"] for b in body["busy"] if b["kind"] == "session"]
        assert sessions == ["English: Entry 2"]


def test_a_grant_holder_sees_her_class_by_name(world, slot):
    _womens_class(world, slot)()
    url = reverse("room-availability", kwargs={"pk": world.room.pk})
    body = client_for(world.space_coordinator).get(url, {"from": slot["day"].isoformat()}).json()
    assert "Women's sewing" in [b.get("activity") for b in body["busy"]]


def test_neutral_blocks_merge_where_they_touch(world, slot):
    _womens_class(world, slot)()
    RoomReservation.objects.create(
        room=world.room, organisation=world.other_org, start=slot["end"],
        end=slot["end"] + timedelta(hours=2), kind=RoomReservation.Kind.MAINTENANCE,
    )  # fmt: skip
    busy = rooms.room_availability(
        viewer=world.coordinator, room=world.room, start=slot["start"] - timedelta(hours=1),
        end=slot["end"] + timedelta(hours=3),
    )  # fmt: skip
    assert busy == [
        {"start": slot["start"], "end": slot["end"] + timedelta(hours=2), "kind": "reserved"}
    ]


def _iso(moment) -> str:
    return serializers.DateTimeField().to_representation(moment)


def test_availability_is_for_coordinators_and_hidden_rooms_are_not_found(world, slot):
    url = reverse("room-availability", kwargs={"pk": world.room.pk})
    assert client_for(world.learner).get(url).status_code == 403
    assert client_for(world.tutor_elsewhere).get(url).status_code == 403
    quiet = world.protected_activity.room
    hidden = client_for(world.coordinator).get(
        reverse("room-availability", kwargs={"pk": quiet.pk})
    )
    unknown = client_for(world.coordinator).get(
        reverse("room-availability", kwargs={"pk": "7d4f6a34-0000-4000-8000-000000000000"})
    )
    assert (hidden.status_code, hidden.content) == (404, unknown.content)
    too_long = client_for(world.coordinator).get(url, {"from": "2027-01-01", "to": "2027-12-31"})
    assert too_long.status_code == 400 and too_long.json()["code"] == "invalid_date_range"
    garbled = client_for(world.coordinator).get(url, {"from": "soon"})
    assert garbled.status_code == 400 and garbled.json()["code"] == "invalid_date_range"


def test_the_generators_review_note_reads_the_same_for_her_class_and_a_reservation(world, slot):
    activity = world.public_activity

    def regenerate():
        # The series gains a Wednesday 15:00 session; the nightly run flags it.
        from backend.timetable.schedule import parse_rule

        activity.recurrence = parse_rule(
            "RRULE:FREQ=WEEKLY;BYDAY=TH,WE", tz=timezone.get_current_timezone()
        )
        activity.start_time, activity.duration = time(15), timedelta(hours=1)
        activity.save()
        timetable_services.sessions_sync(activity=activity)
        flagged = Session.objects.get(activity=activity, start=slot["start"])

        class Answer:
            status_code = 200
            content = (
                f'["{flagged.status}", "{flagged.review_note}", "{flagged.cancel_reason}"]'
            ).encode()

        return Answer()

    hidden, reserved = answers_in(
        _womens_class(world, slot), _reservation(world, slot), ask=regenerate
    )
    assert hidden == reserved
    assert hidden[1][0] == "cancelled" and hidden[1][1] == timetable_services.REVIEW_CLASH


# --- reservations -----------------------------------------------------------------


def _reserve(actor, room, start, end, **extra):
    payload = {
        "room": str(room.pk), "organisation": str(extra.pop("organisation").pk),
        "start": start.isoformat(), "end": end.isoformat(), "kind": "maintenance", **extra,
    }  # fmt: skip
    return client_for(actor).post(RESERVATIONS, payload, format="json")


def test_a_coordinator_reserves_and_deletes_and_only_her_organisation_sees_the_note(world, slot):
    response = _reserve(world.coordinator, world.room, slot["start"], slot["end"],
                        organisation=world.org, note="Boiler service")  # fmt: skip
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["kind"] == "maintenance" and made["note"] == "Boiler service"
    mine = client_for(world.coordinator).get(RESERVATIONS, {"room": str(world.room.pk)}).json()
    assert [r["id"] for r in mine["results"]] == [made["id"]]
    theirs = client_for(world.other_coordinator).get(RESERVATIONS).json()
    assert theirs["results"] == []
    detail = reverse("room-reservation-detail", kwargs={"pk": made["id"]})
    assert client_for(world.other_coordinator).delete(detail).status_code == 404
    assert client_for(world.coordinator).delete(detail).status_code == 204
    assert not RoomReservation.objects.exists()


def test_reservations_clash_with_sessions_and_each_other(world, slot):
    start = world.public_activity.sessions.order_by("start").first().start
    response = _reserve(world.other_coordinator, world.room, start, start + timedelta(hours=1),
                        organisation=world.other_org)  # fmt: skip
    assert response.status_code == 409 and "English: Entry 2" in response.json()["detail"]
    assert _reserve(world.coordinator, world.room, slot["start"], slot["end"],
                    organisation=world.org).status_code == 201  # fmt: skip
    again = _reserve(world.other_coordinator, world.room, slot["start"], slot["end"],
                     organisation=world.other_org)  # fmt: skip
    assert (again.status_code, again.json()) == (409, RESERVED)
    with pytest.raises(ApplicationError) as caught:
        make_activity(
            actor=world.coordinator, organisation=world.org, room=world.room, title="Yoga",
            start_date=slot["day"], start_time=time(15), end_time=time(16), recurrence=None,
        )  # fmt: skip
    assert caught.value.code == "room_clash" and caught.value.detail == rooms.ROOM_RESERVED


def test_reserving_over_her_class_reads_like_reserving_over_a_reservation(world, slot):
    def ask():
        return _reserve(world.coordinator, world.room, slot["start"], slot["end"],
                        organisation=world.org)  # fmt: skip

    assert _same_as_a_reservation(world, slot, ask) == (409, RESERVED)


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"end": "before"}, 400, "end_before_start"),
        ({"kind": "party"}, 400, "invalid"),
        ({"start": "1999-12-31T10:00:00Z"}, 400, "date_out_of_range"),
        ({"organisation": "other"}, 403, "permission_denied"),
        ({"room": "hidden"}, 400, "invalid"),
        ({"note": "x" * 301}, 400, "invalid"),
    ],
)
def test_bad_reservations_are_refused_with_a_stable_code(world, slot, change, status, code):
    payload = {
        "room": str(world.room.pk), "organisation": str(world.org.pk),
        "start": slot["start"].isoformat(), "end": slot["end"].isoformat(), "kind": "maintenance",
    }  # fmt: skip
    if change.get("end") == "before":
        change = {"end": (slot["start"] - timedelta(hours=1)).isoformat()}
    elif change.get("organisation") == "other":
        change = {"organisation": str(world.other_org.pk)}
    elif change.get("room") == "hidden":
        change = {"room": str(world.protected_activity.room.pk)}
    response = client_for(world.coordinator).post(
        RESERVATIONS, {**payload, **change}, format="json"
    )
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not RoomReservation.objects.exists()


def test_a_space_room_takes_only_its_spaces_activities(world):
    quiet = world.protected_activity.room
    assert quiet.space_id == world.space.pk
    # Even a coordinator with the grant cannot put a public activity there.
    from backend.organisations.services import organisation_role_assign

    organisation_role_assign(organisation=world.org, user=world.space_coordinator,
                             role="coordinator")  # fmt: skip
    with pytest.raises(ApplicationError) as caught:
        make_activity(actor=world.space_coordinator, organisation=world.org, room=quiet,
                      title="Open class")  # fmt: skip
    assert caught.value.code == "room_kept_for_space"
    session = world.public_activity.sessions.order_by("start").first()
    with pytest.raises(ApplicationError) as caught:
        timetable_services.session_move(actor=world.space_coordinator, session=session, room=quiet)
    assert caught.value.code == "room_kept_for_space"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reservation_and_a_move_into_one_slot_at_once_only_one_wins():
    """Both take the room's row lock before the clash check: exactly one wins."""
    org = OrganisationFactory()
    actor = coordinator_of(org)
    room = RoomFactory(name="Hall", capacity=60)
    day = timezone.localdate() + timedelta(days=10)
    tz = timezone.get_current_timezone()
    sessions = [
        make_activity(
            actor=actor, organisation=org, title=f"Class {hour}", start_date=day,
            start_time=time(hour), end_time=time(hour + 1), recurrence=None,
        ).sessions.get()
        for hour in (9, 12)
    ]  # fmt: skip
    target = datetime.combine(day + timedelta(days=1), time(10), tz)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def run(work):
        try:
            barrier.wait()
            work()
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    works = [
        lambda s=s: timetable_services.session_move(actor=actor, session=s, room=room, start=target)
        for s in sessions
    ] + [
        lambda: rooms.room_reservation_create(
            actor=actor, room=room, organisation=org, start=target,
            end=target + timedelta(minutes=30), kind="maintenance",
        )
    ] * 2  # fmt: skip
    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "room_clash", "room_clash", "room_clash"]
    busy = Session.objects.filter(room=room, start=target).count()
    busy += RoomReservation.objects.filter(room=room).count()
    assert busy == 1
