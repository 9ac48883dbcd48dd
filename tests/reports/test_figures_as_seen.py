"""Figures say nothing of a space to anyone without its grant (issue 12 item 3):
every window, of every length, is the same with and without the hidden data;
the grant-holding coordinator and the space's coordinator get the space's
numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import Participant
from backend.bookings.models import Booking
from backend.organisations.services import organisation_role_assign
from backend.registers.models import Attendance
from backend.reports.selectors import figures
from tests.conftest import client_for

DAYS = 60
WITHOUT_GRANT = ("coordinator", "tutor_elsewhere", "superuser", "other_coordinator")


def _held(activity, day: int, hour: int = 10):
    """A session `day` days ago (day 1 = yesterday), held."""
    start = (timezone.localtime() - timedelta(days=day)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


def _visit(session, person, mark="present"):
    Attendance.objects.create(session=session, participant=person, mark=mark)
    day = timezone.localtime(session.start).date()
    if mark in Attendance.ATTENDED and (person.first_seen is None or person.first_seen > day):
        person.first_seen = day
        person.save(update_fields=["first_seen"])


def _people(*names):
    return [Participant.objects.create(known_as=name) for name in names]


def _public_world(world):
    """What everyone may see: public sessions across the 60 days."""
    omar, sam, lina = _people("Omar", "Sam", "Lina")
    for day, who in ((50, [omar]), (30, [omar, lina]), (12, [sam]), (5, [sam, lina]), (2, [omar])):
        session = _held(world.public_activity, day)
        for person in who:
            _visit(session, person)
    return {"sam": sam}


def _hidden_world(world, public):
    """The space's sessions: one only she knows of, and Sam's first visit ever
    (so on his first public day he is "new" to those without the grant)."""
    roya, hana = _people("Roya", "Hana")
    first = _held(world.protected_activity, 40, hour=13)
    _visit(first, public["sam"])
    _visit(first, roya)
    second = _held(world.protected_activity, 20, hour=13)
    _visit(second, roya)
    _visit(second, hana)
    Booking.objects.create(
        session=second, participant=hana, status="confirmed", queued_at=second.start
    )
    no_show = Participant.objects.create(known_as="Dina")
    Booking.objects.create(
        session=second, participant=no_show, status="confirmed", queued_at=second.start
    )
    _visit(_held(world.protected_activity, 3, hour=13), roya, mark="late")


def _windows():
    """Every length 1..60, each sliding to a different start, so that together
    they cover every day of the period at every length's edge."""
    today = timezone.localdate()
    for length in range(1, DAYS + 1):
        date_to = today - timedelta(days=(length * 7) % 23)
        yield date_to - timedelta(days=length - 1), date_to


def _answers(world):
    """Each role's figures for every window: the selector for those with a
    role, and the HTTP answer (status and body) for a sample of windows."""
    out = {}
    windows = list(_windows())
    for role in WITHOUT_GRANT:
        user = getattr(world, role)
        if role in ("coordinator", "superuser"):
            out[role] = [
                figures(user=user, organisation=world.org, date_from=a, date_to=b)
                for a, b in (windows if role == "coordinator" else windows[::3])
            ]
        client = client_for(user)
        for a, b in windows[::30]:
            query = {"organisation": str(world.org.pk), "date_from": a, "date_to": b}
            for name in ("figures", "figures-csv"):
                response = client.get(reverse(name), query)
                out[(role, name, a, b)] = (response.status_code, response.content)
    return out


def test_every_window_is_the_same_with_and_without_the_space(world):
    # Superuser status is no grant: as a coordinator too, he sees what any coordinator does.
    organisation_role_assign(organisation=world.org, user=world.superuser, role="coordinator")
    public = _public_world(world)
    without = _answers(world)
    _hidden_world(world, public)
    with_hidden = _answers(world)
    differences = [key for key in without if without[key] != with_hidden[key]]
    assert not differences, differences[:5]
    # The probe reaches data: Sam's first visible visit makes him new in a short window.
    assert any(f["new_people"] for f in without["coordinator"])
    assert any(f["people_supported"] == 3 for f in without["coordinator"])


def test_sam_is_new_on_his_first_visible_day(world):
    public = _public_world(world)
    _hidden_world(world, public)
    day = timezone.localdate() - timedelta(days=12)
    numbers = figures(user=world.coordinator, organisation=world.org, date_from=day, date_to=day)
    assert (numbers["people_supported"], numbers["new_people"]) == (1, 1)
    assert numbers["by_week"][0]["new_people"] == 1


def _full_period(world, user, **extra):
    today = timezone.localdate()
    query = {"date_from": today - timedelta(days=DAYS), "date_to": today, **extra}
    return client_for(user).get(reverse("figures"), query)


def test_the_grant_holding_coordinator_sees_the_space_and_the_space_coordinator_her_space(
    world,
):
    public = _public_world(world)
    _hidden_world(world, public)
    blind = _full_period(world, world.coordinator, organisation=str(world.org.pk)).json()
    assert (blind["people_supported"], blind["attendances"], blind["bookings"]) == (3, 7, 0)
    assert [r["label"] for r in blind["by_activity"]] == [world.public_activity.title]

    # A coordinator of the organisation who holds the grant: everything.
    organisation_role_assign(organisation=world.org, user=world.tutor_in_space, role="coordinator")
    full = _full_period(world, world.tutor_in_space, organisation=str(world.org.pk)).json()
    assert (full["people_supported"], full["attendances"]) == (5, 7 + 5)
    assert (full["bookings"], full["no_shows"]) == (2, 1)
    assert {r["label"] for r in full["by_activity"]} == {
        world.public_activity.title,
        world.protected_activity.title,
    }
    assert full["new_people"] == 5 and full["space"] is None

    # The space's coordinator: her space alone, by organisation or by space.
    for extra in ({"organisation": str(world.org.pk)}, {"space": str(world.space.pk)}):
        mine = _full_period(world, world.space_coordinator, **extra)
        assert mine.status_code == 200, mine.content
        mine = mine.json()
        assert (mine["people_supported"], mine["attendances"], mine["sessions_held"]) == (3, 5, 3)
        assert [r["label"] for r in mine["by_activity"]] == [world.protected_activity.title]
        assert mine["came_once"] == 2  # Sam and Hana, once each
    csv = client_for(world.space_coordinator).get(
        reverse("figures-csv"), {"space": str(world.space.pk)}
    )
    assert csv.status_code == 200 and b'"total","people_supported","",3,' in csv.content


@pytest.mark.parametrize("role", ["coordinator", "superuser", "learner", "tutor_in_space"])
def test_a_space_one_may_not_have_figures_for_is_not_found(world, role):
    import uuid

    client = client_for(getattr(world, role))
    hidden = client.get(reverse("figures"), {"space": str(world.space.pk)})
    unknown = client.get(reverse("figures"), {"space": str(uuid.uuid4())})
    assert hidden.status_code == 400
    assert (hidden.status_code, hidden.content) == (unknown.status_code, unknown.content)
