"""Booking rules, waiting lists, offers, groups, idempotency and the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from backend.bookings import services
from backend.bookings.models import Booking, BookingEvent
from backend.common.errors import ApplicationError
from backend.notifications.models import Notification
from backend.timetable.models import Activity, Session
from backend.timetable.services import session_cancel
from tests.conftest import client_for


def book(user, session, **kwargs):
    booking, _ = services.booking_create(actor=user, session=session, **kwargs)
    return booking


def statuses(session):
    return list(
        Booking.objects.filter(session=session)
        .order_by("created_at")
        .values_list("participant__user__username", "status")
    )


def refused(code, fn, *args, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code, caught.value.detail
    return caught.value


def test_full_session_puts_her_on_the_waiting_list_and_a_cancellation_promotes(
    make_session, people
):
    session = make_session(capacity=2)
    a, b, c, d = (book(p, session) for p in people[:4])
    assert [x.status for x in (a, b, c, d)] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert services.waiting_position(c) == 1 and services.waiting_position(d) == 2
    session.refresh_from_db()
    assert session.booked_places == 2 and session.places_left == 0

    services.booking_cancel(actor=people[0], booking=a)
    c.refresh_from_db()
    d.refresh_from_db()
    session.refresh_from_db()
    assert c.status == "confirmed" and d.status == "waiting"
    assert services.waiting_position(d) == 1
    assert session.booked_places == 2


def test_a_freed_place_goes_to_the_line_not_to_whoever_asks_next(make_session, people):
    session = make_session(capacity=1)
    first = book(people[0], session)
    waiting = book(people[1], session)
    services.booking_cancel(actor=people[0], booking=first)
    late = book(people[2], session)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed" and late.status == "waiting"


def test_leaving_the_waiting_list(make_session, people):
    session = make_session(capacity=1)
    book(people[0], session)
    waiting = book(people[1], session)
    services.booking_cancel(actor=people[1], booking=waiting)
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"
    session.refresh_from_db()
    assert session.booked_places == 1


def test_offer_mode_holds_the_place_then_passes_it_on(make_session, people, settings):
    settings.HARBOUR_QUIET_START = settings.HARBOUR_QUIET_END = 0  # see test_offer_clock
    session = make_session(capacity=1, waitlist_mode=Activity.WaitlistMode.OFFER, offer_hours=12)
    first = book(people[0], session)
    second = book(people[1], session)
    third = book(people[2], session)
    assert first.status == "confirmed"  # she asked while a place was free: no offer needed
    services.booking_cancel(actor=people[0], booking=first)
    second.refresh_from_db()
    assert second.status == "offered"
    assert second.offer_expires_at - timezone.now() <= timedelta(hours=12)

    with time_machine.travel(timezone.now() + timedelta(hours=13)):
        call_command("process_waiting_lists", verbosity=0)
        call_command("process_waiting_lists", verbosity=0)  # idempotent
        second.refresh_from_db()
        third.refresh_from_db()
        assert second.status == "expired" and third.status == "offered"
        refused("offer_expired", services.offer_accept, actor=people[1], booking=second)
        services.offer_accept(actor=people[2], booking=third)
        third.refresh_from_db()
        assert third.status == "confirmed"
    session.refresh_from_db()
    assert session.booked_places == 1


def test_expired_offers_are_also_processed_lazily_on_read(make_session, people, settings):
    settings.HARBOUR_QUIET_START = settings.HARBOUR_QUIET_END = 0  # see test_offer_clock
    session = make_session(capacity=1, waitlist_mode=Activity.WaitlistMode.OFFER, offer_hours=1)
    first = book(people[0], session)
    second = book(people[1], session)
    third = book(people[2], session)
    services.booking_cancel(actor=people[0], booking=first)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        mine = client_for(people[2]).get(reverse("booking-list")).json()["results"]
        assert [b["status"] for b in mine] == ["offered"]
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == ("expired", "offered")


def test_a_group_is_promoted_only_when_all_of_it_fits(make_session, people):
    session = make_session(capacity=4, max_group_size=4)
    a = book(people[0], session, places=2)
    b = book(people[1], session, places=2)
    family = book(people[2], session, places=3)
    single = book(people[3], session)
    assert family.status == "waiting" and single.status == "waiting"
    services.booking_cancel(actor=people[0], booking=a)  # 2 free: the family of 3 cannot fit
    family.refresh_from_db()
    single.refresh_from_db()
    assert family.status == "waiting" and single.status == "confirmed"
    assert services.waiting_position(family) == 1  # she keeps the head of the line
    services.booking_cancel(actor=people[1], booking=b)  # 3 free now
    family.refresh_from_db()
    assert family.status == "confirmed"
    session.refresh_from_db()
    assert session.booked_places == 4


def test_group_larger_than_allowed_is_refused(make_session, people):
    session = make_session(capacity=4, max_group_size=3)
    refused("group_too_large", book, people[0], session, places=4)
    assert not Booking.objects.exists()


def test_one_booking_per_person_per_session(make_session, people):
    session = make_session(capacity=1)
    book(people[0], session)
    refused("already_booked", book, people[0], session)
    book(people[1], session)
    refused("already_waiting", book, people[1], session)


def test_booking_window(make_session, people):
    session = make_session(capacity=5, booking_opens_days=2, booking_closes_hours=24)
    refused("booking_not_open", book, people[0], session)
    with time_machine.travel(session.start - timedelta(hours=30)):
        assert book(people[0], session).status == "confirmed"
    with time_machine.travel(session.start - timedelta(hours=23)):
        refused("booking_closed", book, people[1], session)


def test_cancelled_and_drop_in_sessions_cannot_be_booked(make_session, people, coordinator):
    session = make_session(capacity=5)
    session_cancel(actor=coordinator, session=session, reason="Coach broke down")
    refused("session_cancelled", book, people[0], Session.objects.get(pk=session.pk))
    drop_in = make_session(capacity=5, booking_required=False, title="Drop-in")
    refused("drop_in", book, people[0], drop_in)


def test_no_two_overlapping_confirmed_sessions(make_session, people):
    trip = make_session(capacity=5)
    clash = make_session(capacity=5, title="Football", kind=Activity.Kind.SPORT)
    book(people[0], trip)
    err = refused("overlapping_booking", book, people[0], clash)
    assert "Matlock" in err.detail


def test_weekly_limit_per_activity(org, coordinator, people):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    # A Tuesday: the Monday after next is inside the 14-day booking window. (Run on a
    # Monday before 10:00, the real clock put that session just outside it.)
    with time_machine.travel(datetime(2027, 1, 5, 9, tzinfo=ZoneInfo("Europe/London"))):
        _weekly_limit_holds(org, coordinator, people)


def _weekly_limit_holds(org, coordinator, people):
    from datetime import time

    from tests.factories import RoomFactory, make_activity

    english = make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(), capacity=5,
        title="Beginners' English", recurrence="RRULE:FREQ=WEEKLY;BYDAY=MO,WE",
        start_date=timezone.localdate() + timedelta(days=(7 - timezone.localdate().weekday())),
        start_time=time(10), end_time=time(12), weekly_limit=1,
    )  # fmt: skip
    monday, wednesday, next_monday = english.sessions.order_by("start")[:3]
    book(people[0], monday)
    refused("weekly_limit_reached", book, people[0], wednesday)
    assert book(people[0], next_monday).status == "confirmed"


def test_nobody_books_what_she_cannot_see(world):
    session = world.protected_activity.sessions.first()
    from backend.common.errors import NotFoundError

    with pytest.raises(NotFoundError):
        book(world.man, session)
    response = client_for(world.man).post(
        reverse("booking-list"), {"session": str(session.pk)}, format="json"
    )
    assert response.status_code == 400 and response.json()["fields"] == {"session": ["Not found."]}
    assert book(world.learner_with_grant, session).status == "confirmed"


def test_idempotent_retry_returns_the_first_result(make_session, people):
    session = make_session(capacity=1)
    client = client_for(people[0])
    url = reverse("booking-list")
    first = client.post(
        url, {"session": str(session.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        url, {"session": str(session.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Booking.objects.count() == 1
    other = client_for(people[1]).post(url, {"session": str(session.pk)}, format="json",
                                       HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert other.status_code == 201 and other.json()["status"] == "waiting"


def test_staff_book_for_someone_without_a_login(make_session, coordinator, people):
    from backend.accounts.models import Participant

    walk_in = Participant.objects.create(known_as="Yonas", phone="07700 900123")
    session = make_session(capacity=2)
    booking = book(coordinator, session, participant=walk_in)
    assert booking.status == "confirmed" and booking.participant == walk_in
    err = refused("permission_denied", book, people[0], session, participant=walk_in)
    assert err.status_code == 403


def test_moving_someone_up_needs_a_reason_and_is_audited(make_session, people, coordinator):
    session = make_session(capacity=1)
    book(people[0], session)
    book(people[1], session)
    urgent = book(people[2], session)
    refused(
        "reason_required", services.waiting_move_up, actor=coordinator, booking=urgent, reason=" "
    )
    refused(
        "permission_denied", services.waiting_move_up, actor=people[1], booking=urgent, reason="x"
    )
    services.waiting_move_up(actor=coordinator, booking=urgent, reason="Safeguarding priority")
    urgent.refresh_from_db()
    assert services.waiting_position(urgent) == 1
    event = BookingEvent.objects.get(booking=urgent, action="moved_up")
    assert event.actor == coordinator and event.note == "Safeguarding priority"


def test_activity_queue_fills_places_in_order_across_sessions(org, coordinator, people):
    from datetime import time

    from tests.factories import RoomFactory, make_activity

    bikes = make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(), capacity=1,
        title="Bike provision", kind=Activity.Kind.BIKE_REPAIR, recurrence="RRULE:FREQ=WEEKLY",
        start_date=timezone.localdate() + timedelta(days=1), start_time=time(10),
        end_time=time(12), booking_opens_days=10,
    )  # fmt: skip
    first, second = bikes.sessions.order_by("start")[:2]
    entries = [services.queue_join(actor=p, activity=bikes)[0] for p in people[:3]]
    for entry in entries:
        entry.refresh_from_db()
    # Two sessions within the booking window, one place each: the first two in line.
    assert [e.status for e in entries] == ["placed", "placed", "waiting"]
    assert entries[0].booking.session == first and entries[1].booking.session == second
    services.booking_cancel(actor=people[0], booking=entries[0].booking)
    entries[2].refresh_from_db()
    assert entries[2].status == "placed" and entries[2].booking.session == first
    assert entries[2].booking.status == "confirmed"


def test_outbox_has_every_confirmation_offer_and_cancellation(make_session, people, coordinator):
    session = make_session(capacity=1, waitlist_mode=Activity.WaitlistMode.OFFER)
    first = book(people[0], session)
    book(people[1], session)
    services.booking_cancel(actor=people[0], booking=first)
    session_cancel(actor=coordinator, session=session, reason="Storm warning")
    kinds = list(
        Notification.objects.order_by("created_at").values_list(
            "participant__user__username", "kind"
        )
    )
    assert kinds == [
        ("learner0", "booking_confirmed"),
        ("learner1", "booking_waiting"),
        ("learner0", "booking_cancelled"),
        ("learner1", "place_offered"),
        ("learner1", "session_cancelled"),
    ]
    call_command("send_notifications", verbosity=0)
    assert len(mail.outbox) == 5
    assert "Storm warning" in mail.outbox[-1].body
    assert not Notification.objects.filter(status="pending").exists()
    call_command("send_notifications", verbosity=0)
    assert len(mail.outbox) == 5  # nothing is sent twice


def test_messages_go_in_her_language_where_a_translation_exists(make_session, people):
    from backend.accounts.services import participant_for_user

    person = participant_for_user(user=people[0])
    person.preferred_language = "ar"
    person.save()
    book(people[0], make_session(capacity=1))
    note = Notification.objects.get()
    assert note.language == "ar"
    assert "Matlock" in note.subject  # English fallback until an Arabic catalogue exists


def test_lowering_capacity_below_bookings_is_refused_never_silent(
    make_session, people, coordinator
):
    from backend.timetable.services import activity_update

    session = make_session(capacity=3)
    for p in people[:3]:
        book(p, session)
    refused("capacity_below_bookings", activity_update, actor=coordinator,
            activity=session.activity, capacity=2)  # fmt: skip
    assert [s for _, s in statuses(session)] == ["confirmed"] * 3


def test_a_started_session_cannot_be_booked(make_session, people):
    session = make_session(capacity=5)
    with time_machine.travel(session.start + timedelta(minutes=5)):
        refused("session_started", book, people[0], session)


def test_queue_join_is_idempotent_and_leaving_keeps_the_record(org, coordinator, people):
    from datetime import time

    from tests.factories import RoomFactory, make_activity

    bikes = make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(), capacity=1,
        title="Bike provision", kind=Activity.Kind.BIKE_REPAIR, recurrence="RRULE:FREQ=WEEKLY",
        start_date=timezone.localdate() + timedelta(days=30), start_time=time(10),
        end_time=time(12), booking_opens_days=3,
    )  # fmt: skip
    client = client_for(people[0])
    url = reverse("queue-entry-list")
    first = client.post(url, {"activity": str(bikes.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="q1")
    again = client.post(url, {"activity": str(bikes.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="q1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["position"] == 1
    dup = client.post(url, {"activity": str(bikes.pk)}, format="json")
    assert dup.status_code == 409 and dup.json()["code"] == "already_queued"
    second = client_for(people[1]).post(url, {"activity": str(bikes.pk)}, format="json")
    assert second.json()["position"] == 2
    left = client.post(reverse("queue-entry-leave", kwargs={"pk": first.json()["id"]}))
    assert left.json()["status"] == "left"
    mine = client_for(people[1]).get(url).json()["results"]
    assert [e["position"] for e in mine] == [1]


def test_an_idempotency_key_reused_for_another_session_is_refused(world):
    one, two = world.public_activity.sessions.order_by("start")[:2]
    client = client_for(world.learner)
    url = reverse("booking-list")
    assert (
        client.post(
            url, {"session": str(one.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="k"
        ).status_code
        == 201
    )
    again = client.post(url, {"session": str(two.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 409 and again.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.filter(session=two).count() == 0
