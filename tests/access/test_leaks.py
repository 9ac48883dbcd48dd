"""Leak test: for everyone without the grant, walk every GET endpoint with every
filter value and every page, and find no trace of a protected session: not its
id, title, venue, room or time. Then the same walk as a grant holder finds it,
which proves the walk reaches where the data would be."""

from __future__ import annotations

import json
from datetime import UTC, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.organisations.services import organisation_role_assign
from backend.timetable.models import Activity
from backend.timetable.services import activity_tutor_assign
from tests.access.test_permission_matrix import MATRIX
from tests.conftest import client_for
from tests.factories import RoomFactory, VenueFactory, make_activity

# Static pages hold no data; they are checked once, not per role (the schema is slow).
STATIC = {"schema", "api-docs", "app", "healthz", "readyz", "service-worker"}
WITHOUT_GRANT = ("anonymous", "learner", "man", "tutor_elsewhere", "coordinator", "superuser")


@pytest.fixture
def secret(world):
    """A protected activity at an odd time in a venue used by nobody else."""
    venue = VenueFactory(name="Marigold House", address="7 Quiet Lane")
    room = RoomFactory(venue=venue, name="Rose room", capacity=14, space=world.space)
    activity = make_activity(
        actor=world.space_coordinator, organisation=world.org, room=room, space=world.space,
        title="Sewing circle for women", kind=Activity.Kind.SOCIAL, start_time=time(13, 17),
        end_time=time(14, 43), start_date=timezone.localdate() + timedelta(days=1),
        recurrence="RRULE:FREQ=DAILY",
    )  # fmt: skip
    # A session already held, with someone marked present: figures include it.
    from backend.registers import services as register_services

    held = activity.sessions.create(
        original_start=timezone.now() - timedelta(days=2, hours=3),
        start=timezone.now() - timedelta(days=2, hours=3),
        end=timezone.now() - timedelta(days=2, hours=2),
        room=room,
        capacity=14,
    )
    register_services.walk_in_add(actor=world.space_coordinator, session=held, known_as="Roya")
    # Its bike-list-style lottery, announced: its draw exists only for the space.
    from backend.bookings import draws

    draws.queue_rules_set(
        actor=world.space_coordinator, activity=activity, allocation="lottery", reason="Fair"
    )
    draw = draws.draw_announce(
        actor=world.space_coordinator, activity=activity, places=2,
        draw_at=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    # A women-only course with a crèche, a mother enrolled with her child
    # (docs/courses.md): its class list, enrolments and crèche are hidden too.
    from backend.bookings import courses
    from backend.bookings.creche import Child

    course = make_activity(
        actor=world.space_coordinator, organisation=world.org, room=room, space=world.space,
        title="Knitting term for mothers", kind=Activity.Kind.SOCIAL, start_time=time(7, 11),
        end_time=time(8, 29), start_date=timezone.localdate() + timedelta(days=2),
        recurrence="RRULE:FREQ=WEEKLY;COUNT=3", is_course=True, creche_staff=1,
    )  # fmt: skip
    year = timezone.localdate().year - 1
    enrolment, _ = courses.enrolment_create(
        actor=world.learner_with_grant, activity=course, children=[Child(year, 1, "Little Yasmin")]
    )
    sessions = list(activity.sessions.all()) + list(course.sessions.all())
    needles = {
        str(draw.pk),
        str(activity.pk),
        activity.title,
        "Sewing",
        venue.name,
        "Quiet Lane",
        room.name,
    }
    needles |= {str(course.pk), course.title, "Knitting", "Little Yasmin", str(enrolment.pk)}
    needles.add("Roya")
    needles |= {str(world.protected_activity.pk), world.protected_activity.title}
    needles |= {str(s.pk) for s in world.protected_activity.sessions.all()}
    for session in sessions:
        needles.add(str(session.pk))
        for moment in (session.start, session.end):
            needles.add(timezone.localtime(moment).strftime("T%H:%M"))
            needles.add(moment.astimezone(UTC).strftime("T%H:%M"))
    return {
        "activity": activity, "course": course, "venue": venue, "room": room, "needles": needles,
        "draw": draw,
    }  # fmt: skip


def _filter_values(world, secret) -> dict[str, list[str]]:
    today = timezone.localdate()
    ranges = [
        (today + timedelta(days=offset), today + timedelta(days=offset + 13))
        for offset in range(-7, 90, 14)
    ]
    return {
        "organisation": [str(world.org.pk), str(world.other_org.pk)],
        "kind": [k for k, _ in Activity.Kind.choices],
        "level": [lv for lv, _ in Activity.Level.choices],
        "venue": [str(secret["venue"].pk), str(world.room.venue_id)],
        "language": ["en", "ar"],
        "has_places": ["true", "false"],
        "status": ["scheduled", "cancelled"],
        "needs_review": ["true", "false"],
        "activity": [str(secret["activity"].pk), str(world.public_activity.pk)],
        "date_range": [f"{a.isoformat()}|{b.isoformat()}" for a, b in ranges],
    }


def _list_urls(world, secret) -> list[tuple[str, str]]:
    urls = []
    values = _filter_values(world, secret)
    for name, targets in MATRIX.items():
        readable = 200 in targets.get("-", {}).get("get", {}).values()
        # Calendar feeds (her own /feeds/mine.ics included) are walked in tests/feeds.
        if readable and name not in STATIC and not name.startswith("feed-"):
            base = reverse(name)
            urls.append((name, base))
            if name in ("session-list", "activity-list"):
                for param, options in values.items():
                    for option in options:
                        if param == "date_range":
                            start, end = option.split("|")
                            query = f"date_from={start}&date_to={end}"
                        else:
                            query = f"{param}={option}"
                        urls.append((name, f"{base}?{query}&page_size=5"))
    return urls


def _walk(client, url, seen_ids: set, bodies):
    while url:
        response = client.get(url)
        assert response.status_code in (200, 400, 403), (url, response.status_code)
        body = response.content.decode()
        bodies.append((url, body))
        url = None
        if response.get("Content-Type", "").startswith("application/json"):
            data = json.loads(body)
            if isinstance(data, dict) and isinstance(data.get("results"), list):
                seen_ids.update(str(r["id"]) for r in data["results"] if "id" in r)
                url = data.get("next")


def walk_everything(user, world, secret):
    client = client_for(user)
    seen: dict[str, set[str]] = {}
    bodies: list[tuple[str, str]] = []
    for name, url in _list_urls(world, secret):
        _walk(client, url, seen.setdefault(name.removesuffix("-list"), set()), bodies)
    # Every detail route, for each id its list showed, plus the secret ids.
    seen.setdefault("activity", set()).add(str(secret["activity"].pk))
    seen.setdefault("venue", set()).add(str(secret["venue"].pk))
    seen.setdefault("session", set()).update(str(s.pk) for s in secret["activity"].sessions.all())
    # Class lists of every course and activity, the secret course's included.
    seen.setdefault("class-list", set()).update(
        {str(secret["course"].pk), str(secret["activity"].pk), str(world.public_activity.pk)}
    )
    enrolments = f"{reverse('enrolment-list')}?activity={secret['course'].pk}"
    bodies.append((enrolments, client.get(enrolments).content.decode()))
    # Registers of every session, and the organisations' figures.
    for pk in seen.get("session", ()):
        for name in ("register-detail", "register-csv"):
            url = reverse(name, kwargs={"pk": pk})
            bodies.append((url, client.get(url).content.decode()))
    for org in (world.org, world.other_org):
        for name in ("figures", "figures-csv"):
            url = f"{reverse(name)}?organisation={org.pk}"
            bodies.append((url, client.get(url).content.decode()))
    for name, targets in MATRIX.items():
        if name.startswith(("register-", "figures")):
            continue
        if "-" in targets or not any("get" in methods for methods in targets.values()):
            continue
        if name.startswith("feed-"):
            continue  # calendar feeds are walked in tests/feeds
        for pk in seen.get(name.removesuffix("-detail"), ()):
            url = reverse(name, kwargs={"pk": pk})
            bodies.append((url, client.get(url).content.decode()))
    return bodies


@pytest.mark.parametrize("role", WITHOUT_GRANT)
def test_nothing_protected_appears_anywhere(role, world, secret):
    user = None if role == "anonymous" else getattr(world, role)
    bodies = walk_everything(user, world, secret)
    assert len(bodies) > 100
    leaks = [
        f"{url} contains {needle!r}"
        for url, body in bodies
        for needle in secret["needles"]
        if needle in body
    ]
    assert not leaks, "\n".join(leaks[:20])


def test_the_walk_finds_the_secret_for_a_grant_holder(world, secret):
    bodies = walk_everything(world.space_coordinator, world, secret)
    found = {needle for _, body in bodies for needle in secret["needles"] if needle in body}
    assert {"Sewing circle for women", "Marigold House", "Rose room"} <= found
    assert "Roya" in found  # her register, for the space's coordinator
    assert str(secret["activity"].pk) in found
    assert str(secret["draw"].pk) in found  # the space's lottery, for its coordinator
    # The course's class list (with the mother's child) is walked too.
    assert {"Knitting term for mothers", "Little Yasmin"} <= found


def test_static_pages_and_the_schema_hold_no_protected_data(world, secret):
    client = client_for(None)
    for name in sorted(STATIC):
        body = client.get(reverse(name)).content.decode()
        assert not [needle for needle in secret["needles"] if needle in body], name


def test_staff_booking_for_someone_never_learn_her_protected_class(world):
    protected = world.protected_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=world.learner_with_grant, session=protected)
    org = world.org
    clash = make_activity(
        actor=world.coordinator, organisation=org, room=RoomFactory(), title="Coffee",
        start_date=timezone.localtime(protected.start).date(), start_time=time(13, 30),
        end_time=time(14), recurrence=None,
    )  # fmt: skip
    organisation_role_assign(organisation=org, user=world.tutor_elsewhere, role="tutor")
    activity_tutor_assign(actor=world.coordinator, activity=clash, tutor=world.tutor_elsewhere)
    person = participant_for_user(user=world.learner_with_grant)
    # A place he may not see is not looked at: the booking goes ahead as for
    # anyone (docs/women-only-rooms.md); she is told of the overlap herself.
    booking, _ = booking_services.booking_create(
        actor=world.tutor_elsewhere, session=clash.sessions.get(), participant=person
    )
    assert booking.status == "confirmed"


def test_a_room_kept_for_a_future_protected_activity_is_hidden(world):
    room = RoomFactory(name="Refuge meeting room", space=world.space)
    make_activity(
        actor=world.space_coordinator, organisation=world.org, room=room, space=world.space,
        title="Later", start_date=timezone.localdate() + timedelta(days=200), recurrence=None,
    )  # fmt: skip
    body = client_for(world.man).get(reverse("venue-list")).content.decode()
    assert "Refuge meeting room" not in body
    assert (
        "Refuge" in client_for(world.learner_with_grant).get(reverse("venue-list")).content.decode()
    )
