"""A fair bike list (issue 19 item 3): lottery draws reproducible from their
record, rotation, one live offer at a time, reasons on every manual change."""

from __future__ import annotations

from datetime import time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from backend.accounts.services import participant_for_user
from backend.bookings import draws, lottery, services
from backend.bookings.models import ActivityQueueEntry, Booking, BookingEvent, QueueDraw
from backend.common.errors import ApplicationError
from backend.notifications.models import Notification
from backend.timetable.models import Activity
from tests.conftest import client_for
from tests.factories import RoomFactory, UserFactory, make_activity


@pytest.fixture
def bikes(org, coordinator):
    """Two weekly sessions open for booking, one bike each."""
    return make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(), capacity=1,
        title="Bike provision", kind=Activity.Kind.BIKE_REPAIR, recurrence="RRULE:FREQ=WEEKLY",
        start_date=timezone.localdate() + timedelta(days=1), start_time=time(10),
        end_time=time(12), booking_opens_days=10,
    )  # fmt: skip


@pytest.fixture
def crowd(db):
    return [UserFactory(username=f"rider{i}", email=f"r{i}@example.org") for i in range(8)]


def _due(draw):
    QueueDraw.objects.filter(pk=draw.pk).update(draw_at=timezone.now() - timedelta(minutes=1))
    draw.refresh_from_db()
    return draw


def test_a_lottery_gives_places_only_to_those_drawn_and_can_be_re_run(bikes, coordinator, crowd):
    draws.queue_rules_set(
        actor=coordinator, activity=bikes, allocation="lottery", reason="The list is too long"
    )
    entries = [services.queue_join(actor=p, activity=bikes)[0] for p in crowd]
    assert all(e.status == "waiting" for e in entries)  # nobody is placed before a draw
    draw = draws.draw_announce(
        actor=coordinator, activity=bikes, draw_at=timezone.now() + timedelta(hours=1), places=2
    )
    with pytest.raises(ApplicationError) as early:
        draws.draw_run(actor=coordinator, draw=draw)
    assert early.value.code == "draw_not_due"
    assert draws.draws_run_due() == 0
    _due(draw)
    assert draws.draws_run_due() == 1
    draw.refresh_from_db()
    assert draw.status == "drawn" and len(draw.winners) == 2 and len(draw.entrants) == 8
    assert [e["id"] for e in draw.entrants] == sorted(str(e.pk) for e in entries)
    placed = set(
        ActivityQueueEntry.objects.filter(activity=bikes, status="placed").values_list(
            "pk", flat=True
        )
    )
    assert {str(pk) for pk in placed} == set(draw.winners)
    # Drawn twice from its record: the same winners, in the same order.
    again = lottery.draw_winners(draw.seed, list(reversed(draw.entrants)), draw.places)
    assert again == lottery.draw_winners(draw.seed, draw.entrants, draw.places) == draw.winners
    out = StringIO()
    call_command("verify_draw", str(draw.pk), stdout=out)
    assert "MATCH" in out.getvalue() and draw.seed in out.getvalue()
    # A record that was tampered with does not verify.
    QueueDraw.objects.filter(pk=draw.pk).update(winners=list(reversed(draw.winners)))
    with pytest.raises(CommandError, match="MISMATCH"):
        call_command("verify_draw", str(draw.pk), stdout=StringIO())
    # Everyone who entered was told the outcome.
    kinds = Notification.objects.filter(kind__in=("draw_drawn", "draw_not_drawn"))
    assert kinds.filter(kind="draw_drawn").count() == 2
    assert kinds.filter(kind="draw_not_drawn").count() == 6
    actions = set(BookingEvent.objects.filter(draw=draw).values_list("action", flat=True))
    assert {"draw_announced", "draw_drawn", "drawn"} <= actions


def test_the_shuffle_is_fixed_by_seed_and_entrants_alone():
    entrants = [{"id": f"00000000-0000-0000-0000-00000000000{i}", "places": 1} for i in range(9)]
    first = lottery.draw_winners("abc", entrants, 3)
    assert first == lottery.draw_winners("abc", entrants[::-1], 3)
    assert first != lottery.draw_winners("abd", entrants, 3) or len(first) == 3
    # A family is all or none: a group of 3 does not take a batch of 2.
    family = [{"id": "a", "places": 3}, {"id": "b", "places": 1}]
    assert lottery.draw_winners("x", family, 2) == ["b"]


def test_a_learner_sees_the_next_draw_and_not_the_seed(bikes, coordinator, crowd):
    draws.queue_rules_set(actor=coordinator, activity=bikes, allocation="lottery", reason="Fair")
    services.queue_join(actor=crowd[0], activity=bikes)
    at = timezone.now() + timedelta(days=2)
    draw = draws.draw_announce(actor=coordinator, activity=bikes, draw_at=at, places=5)
    mine = client_for(crowd[0]).get(reverse("queue-entry-list")).json()["results"][0]
    assert mine["allocation"] == "lottery" and mine["position"] is None
    assert mine["next_draw"]["places"] == 5 and mine["next_draw"]["id"] == str(draw.pk)
    seen = client_for(crowd[0]).get(reverse("queue-draw-detail", kwargs={"pk": draw.pk})).json()
    assert seen["seed"] is None and seen["record"] is None
    assert seen["seed_sha256"] == draws.seed_hash(draw.seed)
    run = client_for(crowd[0]).post(reverse("queue-draw-draw", kwargs={"pk": draw.pk}))
    assert run.status_code == 403
    _due(draw)
    done = client_for(coordinator).post(reverse("queue-draw-draw", kwargs={"pk": draw.pk}))
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["seed"] == QueueDraw.objects.get(pk=draw.pk).seed
    assert body["record"]["winners"][0]["known_as"]
    twice = client_for(coordinator).post(reverse("queue-draw-draw", kwargs={"pk": draw.pk}))
    assert twice.status_code == 409 and twice.json()["code"] == "draw_not_open"


def test_announcing_needs_a_lottery_a_future_time_and_one_draw_at_a_time(bikes, coordinator):
    later = timezone.now() + timedelta(days=1)
    with pytest.raises(ApplicationError) as refused:
        draws.draw_announce(actor=coordinator, activity=bikes, draw_at=later, places=2)
    assert refused.value.code == "not_a_lottery"
    draws.queue_rules_set(actor=coordinator, activity=bikes, allocation="lottery", reason="Fair")
    with pytest.raises(ApplicationError) as past:
        draws.draw_announce(
            actor=coordinator, activity=bikes, draw_at=timezone.now() - timedelta(1), places=2
        )
    assert past.value.code == "draw_in_past"
    draw = draws.draw_announce(actor=coordinator, activity=bikes, draw_at=later, places=2)
    with pytest.raises(ApplicationError) as second:
        draws.draw_announce(actor=coordinator, activity=bikes, draw_at=later, places=2)
    assert second.value.code == "draw_already_announced"
    with pytest.raises(ApplicationError) as switch:
        draws.queue_rules_set(
            actor=coordinator, activity=bikes, allocation="first_come", reason="x"
        )
    assert switch.value.code == "draw_announced"
    with pytest.raises(ApplicationError) as no_reason:
        draws.draw_cancel(actor=coordinator, draw=draw, reason=" ")
    assert no_reason.value.code == "reason_required"
    draws.draw_cancel(actor=coordinator, draw=draw, reason="Bikes delayed")
    assert BookingEvent.objects.get(draw=draw, action="draw_cancelled").note == "Bikes delayed"


def test_rotation_puts_people_without_a_recent_place_first(org, coordinator, crowd):
    trips = make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(), capacity=1, title="Trip",
        kind=Activity.Kind.DAY_TRIP, recurrence="RRULE:FREQ=WEEKLY",
        start_date=timezone.localdate() + timedelta(days=1), start_time=time(10),
        end_time=time(12), booking_opens_days=6,
    )  # fmt: skip
    ago = timezone.now() - timedelta(days=14)
    past = trips.sessions.create(
        original_start=ago, start=ago, end=ago + timedelta(hours=2), room=trips.room, capacity=1
    )
    regular = participant_for_user(user=crowd[0])
    Booking.objects.create(
        session=past, participant=regular, status="confirmed", queued_at=past.start, seq=1
    )
    draws.queue_rules_set(
        actor=coordinator, activity=trips, allocation="rotation", rotation_weeks=4,
        reason="Give everyone a turn",
    )  # fmt: skip
    upcoming = trips.sessions.filter(start__gt=timezone.now()).order_by("start").first()
    blocker = UserFactory(username="blocker")
    held, _ = services.booking_create(actor=blocker, session=upcoming)
    first, _ = services.queue_join(actor=crowd[0], activity=trips)  # first come, but had a place
    second, _ = services.queue_join(actor=crowd[1], activity=trips)
    entries = client_for(coordinator).get(reverse("queue-entry-list"), {"activity": trips.pk})
    positions = {r["participant"]["known_as"]: r["position"] for r in entries.json()["results"]}
    assert positions[crowd[1].known_as or crowd[1].username] == 1
    services.booking_cancel(actor=blocker, booking=held)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == "placed" and first.status == "waiting"


def test_nobody_holds_two_live_offers(org, coordinator, crowd):
    trips = make_activity(
        actor=coordinator, organisation=org, room=RoomFactory(), capacity=1, title="Swim",
        kind=Activity.Kind.SPORT, recurrence="RRULE:FREQ=WEEKLY",
        start_date=timezone.localdate() + timedelta(days=1), start_time=time(10),
        end_time=time(12), booking_opens_days=10, waitlist_mode=Activity.WaitlistMode.OFFER,
    )  # fmt: skip
    one, two = trips.sessions.order_by("start")[:2]
    holders = [
        services.booking_create(actor=crowd[i], session=s)[0] for i, s in ((0, one), (1, two))
    ]
    for session in (one, two):
        services.booking_create(actor=crowd[2], session=session)  # she waits on both
        services.booking_create(actor=crowd[3], session=session)
    services.booking_cancel(actor=crowd[0], booking=holders[0])
    services.booking_cancel(actor=crowd[1], booking=holders[1])
    her = Booking.objects.filter(participant__user=crowd[2])
    assert sorted(her.values_list("status", flat=True)) == ["offered", "waiting"]
    nxt = Booking.objects.get(participant__user=crowd[3], session=two)
    assert nxt.status == "offered"


def test_taking_someone_off_the_list_needs_a_reason(bikes, coordinator, crowd):
    services.booking_create(actor=UserFactory(), session=bikes.sessions.order_by("start")[0])
    services.booking_create(actor=UserFactory(), session=bikes.sessions.order_by("start")[1])
    entry, _ = services.queue_join(actor=crowd[0], activity=bikes)
    url = reverse("queue-entry-leave", kwargs={"pk": entry.pk})
    refused = client_for(coordinator).post(url, {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "reason_required"
    ok = client_for(coordinator).post(url, {"reason": "Has a bike now"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "left"
    assert BookingEvent.objects.get(queue_entry=entry, action="removed").note == "Has a bike now"
    rules = client_for(coordinator).put(
        reverse("queue-rule-detail", kwargs={"pk": bikes.pk}), {"allocation": "rotation"},
        format="json",
    )  # fmt: skip
    assert rules.status_code == 400


def test_a_trustee_checks_a_draw_from_its_record_csv_by_hand(bikes, coordinator, crowd):
    """The record CSV alone, and any SHA-256 tool, give the winners."""
    import csv
    import hashlib

    draws.queue_rules_set(actor=coordinator, activity=bikes, allocation="lottery", reason="Fair")
    for p in crowd:
        services.queue_join(actor=p, activity=bikes)
    draw = draws.draw_announce(
        actor=coordinator, activity=bikes, draw_at=timezone.now() + timedelta(hours=1), places=3
    )
    url = reverse("queue-draw-record", kwargs={"pk": draw.pk})
    early = client_for(coordinator).get(url)
    assert early.status_code == 409 and early.json()["code"] == "draw_not_drawn"
    draws.draw_run(actor=coordinator, draw=_due(draw))
    draw.refresh_from_db()
    answer = client_for(coordinator).get(url)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(StringIO(answer.content.decode())))
    head = {r[0]: r[1] for r in rows if len(r) == 2}
    assert head["seed"] == draw.seed and head["recomputed"] == "MATCH"
    assert head["seed_sha256"] == hashlib.sha256(draw.seed.encode()).hexdigest()
    table = rows[rows.index(["entry", "places", "ticket", "order", "drawn"]) + 1 :]
    assert len(table) == 8
    for entry, _places, ticket, _order, _drawn in table:
        assert ticket == hashlib.sha256(f"{head['seed']}:{entry}".encode()).hexdigest()
    by_ticket = sorted(table, key=lambda r: r[2])  # all one place each: the first 3 tickets
    assert [r[0] for r in by_ticket[:3]] == draw.winners
    assert [r[4] for r in by_ticket] == ["1", "2", "3", "", "", "", "", ""]
    names = {p.username for p in crowd} | {p.known_as for p in crowd}
    assert not any(n in answer.content.decode() for n in names)  # no names: the draw is checked
    learner = client_for(crowd[0]).get(url)
    assert learner.status_code == 403 and learner.json()["code"] == "permission_denied"
