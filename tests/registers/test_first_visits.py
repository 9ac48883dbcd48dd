"""First visits follow the marks: correcting a mark moves her first visit."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from backend.accounts.models import Participant
from backend.registers import services
from backend.registers.models import Attendance


def _held(activity, days_ago=1):
    start = timezone.now() - timedelta(days=days_ago)
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


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
