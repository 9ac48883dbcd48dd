"""A room cannot hold two sessions at once, even when two coordinators try at
the same moment; the refusal names the clash unless the clash is hidden."""

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from backend.common.errors import ApplicationError
from backend.timetable import services
from backend.timetable.models import Activity, Session
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    SpaceFactory,
    UserFactory,
    coordinator_of,
    make_activity,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setting(db):
    org = OrganisationFactory()
    actor = coordinator_of(org)
    room = RoomFactory(name="Hall")
    music = make_activity(
        actor=actor, organisation=org, room=room, title="Music group", kind=Activity.Kind.MUSIC,
        start_date=date(2027, 1, 7), start_time=time(14), end_time=time(16),
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=TH",
    )  # fmt: skip
    return org, actor, room, music


def test_creating_an_activity_into_an_occupied_room_is_refused_and_names_it(frozen, setting):
    org, actor, room, _ = setting
    with pytest.raises(ApplicationError) as caught:
        make_activity(
            actor=actor, organisation=org, room=room, title="Choir", kind=Activity.Kind.MUSIC,
            start_date=date(2027, 1, 7), start_time=time(15), end_time=time(17),
            recurrence="RRULE:FREQ=WEEKLY;BYDAY=TH",
        )  # fmt: skip
    assert caught.value.code == "room_clash"
    assert caught.value.status_code == 409
    assert "Music group" in caught.value.detail and "Hall" in caught.value.detail
    assert not Activity.objects.filter(title="Choir").exists()
    assert not Session.objects.filter(activity__title="Choir").exists()


def test_back_to_back_sessions_do_not_clash(frozen, setting):
    org, actor, room, _ = setting
    make_activity(
        actor=actor, organisation=org, room=room, title="Choir", kind=Activity.Kind.MUSIC,
        start_date=date(2027, 1, 7), start_time=time(16), end_time=time(18),
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=TH",
    )  # fmt: skip
    assert Session.objects.filter(activity__title="Choir").count() == 12


def test_moving_a_session_into_an_occupied_room_is_refused(frozen, setting):
    org, actor, room, _ = setting
    other = make_activity(
        actor=actor, organisation=org, title="Bike repair", kind=Activity.Kind.BIKE_REPAIR,
        start_date=date(2027, 1, 7), start_time=time(14), end_time=time(15), recurrence=None,
    )  # fmt: skip
    session = other.sessions.get()
    with pytest.raises(ApplicationError) as caught:
        services.session_move(actor=actor, session=session, room=room)
    assert caught.value.code == "room_clash"
    session.refresh_from_db()
    assert session.room_id == other.room_id and not session.is_moved

    moved = services.session_move(
        actor=actor, session=session, room=room, start=session.start + timedelta(hours=2)
    )
    assert moved.room_id == room.pk and moved.is_moved and moved.sequence == 1


def test_a_cancelled_session_frees_its_room(frozen, setting):
    org, actor, room, music = setting
    first = music.sessions.order_by("start").first()
    services.session_cancel(actor=actor, session=first, reason="Tutor ill")
    trip = make_activity(
        actor=actor, organisation=org, room=room, title="Film", kind=Activity.Kind.SOCIAL,
        start_date=date(2027, 1, 7), start_time=time(14), end_time=time(16), recurrence=None,
    )  # fmt: skip
    assert trip.sessions.count() == 1
    with pytest.raises(ApplicationError) as caught:
        services.session_reinstate(actor=actor, session=first)
    assert caught.value.code == "room_clash"


def test_a_clash_with_a_hidden_session_is_refused_without_naming_it(frozen, setting):
    org, actor, room, _ = setting
    from backend.access import services as access_services

    space = SpaceFactory(organisation=org)
    space_coordinator = UserFactory()
    access_services.space_coordinator_appoint(space=space, user=space_coordinator)
    make_activity(
        actor=space_coordinator, organisation=org, room=room, space=space,
        title="Secret women's class", start_date=date(2027, 1, 8), start_time=time(10),
        end_time=time(12), recurrence=None,
    )  # fmt: skip
    with pytest.raises(ApplicationError) as caught:
        make_activity(
            actor=actor, organisation=org, room=room, title="Quiz", start_date=date(2027, 1, 8),
            start_time=time(11), end_time=time(12), recurrence=None,
        )  # fmt: skip
    assert caught.value.code == "room_clash"
    assert "Secret" not in caught.value.detail and "women" not in caught.value.detail
    assert caught.value.detail == "The room is reserved at that time."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_moving_into_one_slot_at_once_only_one_wins():
    """Row locks on the room serialise the check: exactly one move succeeds."""
    org = OrganisationFactory()
    actor = coordinator_of(org)
    room = RoomFactory(name="Hall", capacity=60)
    day = date.today() + timedelta(days=10)
    sessions = []
    for hour in (9, 12, 15, 18):
        activity = make_activity(
            actor=actor, organisation=org, title=f"Class {hour}", start_date=day,
            start_time=time(hour), end_time=time(hour + 1), recurrence=None,
        )  # fmt: skip
        sessions.append(activity.sessions.get())
    target = datetime.combine(day + timedelta(days=1), time(10), tzinfo=LONDON)
    barrier = threading.Barrier(len(sessions))
    outcomes: list[str] = []

    def move(session):
        try:
            barrier.wait()
            services.session_move(actor=actor, session=session, room=room, start=target)
            outcomes.append("moved")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=move, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["moved", "room_clash", "room_clash", "room_clash"]
    assert Session.objects.filter(room=room, start=target, status="scheduled").count() == 1
