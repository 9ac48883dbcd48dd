"""Regressions for a review of registers, participants, figures and logs."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import Participant
from backend.common.csv_cells import cell
from backend.registers import services
from backend.registers.models import Attendance
from tests.conftest import client_for


def _held(activity, days_ago=1):
    start = timezone.now() - timedelta(days=days_ago)
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


def test_short_periods_never_show_a_protected_session_to_those_without_the_grant(world):
    session = _held(world.protected_activity)
    services.walk_in_add(actor=world.space_coordinator, session=session, known_as="Roya")
    day = timezone.localtime(session.start).date().isoformat()
    query = {"organisation": str(world.org.pk), "date_from": day, "date_to": day}
    numbers = client_for(world.coordinator).get(reverse("figures"), query).json()
    assert numbers["protected_included"] is False
    assert (numbers["sessions_held"], numbers["attendances"], numbers["by_week"]) == (0, 0, [])
    assert numbers["by_activity"] == []


def test_figures_refuse_dates_at_the_ends_of_the_calendar(world):
    client = client_for(world.coordinator)
    for query in ({"date_to": "0001-01-05"}, {"date_from": "9999-12-30", "date_to": "9999-12-31"}):
        response = client.get(reverse("figures"), {"organisation": str(world.org.pk), **query})
        assert response.status_code == 400 and response.json()["code"] == "invalid_date_range"


def test_csv_cells_never_start_a_formula():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert cell(text).startswith("'")
    assert cell("Fatima") == "Fatima"


def test_a_corrected_mark_moves_her_first_visit(world):
    person = Participant.objects.create(known_as="Sara")
    person.organisations.add(world.org)
    early = _held(world.public_activity, days_ago=5)
    late = _held(world.public_activity, days_ago=2)
    services.walk_in_add(actor=world.coordinator, session=early, participant=person)
    services.walk_in_add(actor=world.coordinator, session=late, participant=person)
    services.attendance_mark(actor=world.coordinator, session=early, marks=[(person, "absent")])
    person.refresh_from_db()
    assert person.first_seen == timezone.localtime(late.start).date()
    assert Attendance.objects.get(session=late).first_visit is True
    services.attendance_mark(actor=world.coordinator, session=late, marks=[(person, "absent")])
    person.refresh_from_db()
    assert person.first_seen is None
