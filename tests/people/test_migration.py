"""The data migration that forgets organisation links made at a space."""

from __future__ import annotations

import importlib
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.people import services as people_services
from backend.registers.models import Attendance

migration = importlib.import_module(
    "backend.people.migrations.0001_forget_space_registrations_at_the_organisation"
)


def _held(activity):
    start = timezone.now() - timedelta(days=1)
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


def test_links_made_at_a_space_go_and_public_ones_stay(world):
    women, public = _held(world.protected_activity), _held(world.public_activity)
    # As the old code recorded them: every one of these was linked to the organisation.
    space_walk_in = Participant.objects.create(known_as="Roya", registered_in_space=world.space)
    Attendance.objects.create(session=women, participant=space_walk_in, mark="present")
    known_in_space = participant_for_user(user=world.learner_with_grant)
    Attendance.objects.create(session=women, participant=known_in_space, mark="present")
    both = Participant.objects.create(known_as="Sara")
    Attendance.objects.create(session=women, participant=both, mark="present")
    Attendance.objects.create(session=public, participant=both, mark="present")
    org_login = people_services.learner_account_create(
        actor=world.coordinator, known_as="Hana", organisation=world.org
    )
    Attendance.objects.create(session=women, participant=org_login, mark="present")
    space_login = people_services.learner_account_create(
        actor=world.space_coordinator, known_as="Mina", space=world.space
    )
    quiet = Participant.objects.create(known_as="Omar")
    everyone = [space_walk_in, known_in_space, both, org_login, space_login, quiet]
    for person in everyone:
        person.organisations.add(world.org)

    migration.forget_space_registrations(apps, None)

    linked = set(world.org.registered_participants.values_list("known_as", flat=True))
    assert linked == {"Sara", "Hana", "Omar"}
