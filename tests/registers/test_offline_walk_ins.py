"""Walk-ins the phone names itself (issue 15 item 4): a new person added
offline is sent with an id made on the phone, and sent twice she is one person
with one mark and the same answer. The id names the walk-in, never a person:
one that equals a hidden person's id (or a key used on a hidden register) is
answered exactly as a fresh one."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.urls import reverse

from backend.accounts.models import Participant
from backend.registers.models import Attendance, AttendanceChange, WalkInKey
from tests.conftest import client_for
from tests.e2e.scenarios import all_day_today


def _walk_in(client, session, **body):
    url = reverse("register-walk-ins", kwargs={"pk": session.pk})
    return client.post(url, body, format="json")


def _public_register(world):
    from backend.timetable.services import activity_tutor_assign

    session = all_day_today(world, title="Drop-in", booked=[world.learner])
    activity_tutor_assign(
        actor=world.coordinator, activity=session.activity, tutor=world.tutor_elsewhere
    )
    return session


def test_a_walk_in_sent_twice_is_one_person_one_mark_and_the_same_answer(world):
    session = _public_register(world)
    client = client_for(world.tutor_elsewhere)
    key = str(uuid.uuid4())
    body = {"walk_in_id": key, "known_as": "Samira Noori", "phone": "07700 900111"}
    first = _walk_in(client, session, **body)
    again = _walk_in(client, session, **body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    people = Participant.objects.filter(known_as="Samira Noori")
    assert people.count() == 1
    person = people.get()
    assert first.json()["added"] == str(person.pk)
    assert str(person.pk) != key  # the server makes the person's id
    assert Attendance.objects.filter(session=session, participant=person).count() == 1
    assert AttendanceChange.objects.filter(attendance__participant=person).count() == 1


def test_a_replay_never_undoes_a_mark_corrected_since(world):
    session = _public_register(world)
    client = client_for(world.tutor_elsewhere)
    key = str(uuid.uuid4())
    added = _walk_in(client, session, walk_in_id=key, known_as="Yusuf Osman").json()["added"]
    url = reverse("register-marks", kwargs={"pk": session.pk})
    client.post(url, {"marks": [{"participant": added, "mark": "late"}]}, format="json")
    replay = _walk_in(client, session, walk_in_id=key, known_as="Yusuf Osman")
    assert replay.status_code == 201
    assert Attendance.objects.get(session=session, participant_id=added).mark == "late"


def test_a_known_person_added_with_a_key_twice_is_marked_once(world):
    session = _public_register(world)
    man = Participant.objects.create(known_as="Omar Saleh")
    man.organisations.add(world.org)
    client = client_for(world.tutor_elsewhere)
    key = str(uuid.uuid4())
    for _ in range(2):
        answer = _walk_in(client, session, walk_in_id=key, participant=str(man.pk))
        assert answer.status_code == 201
        assert answer.json()["added"] == str(man.pk)
    assert Attendance.objects.filter(session=session, participant=man).count() == 1
    assert WalkInKey.objects.filter(session=session).count() == 1


def _normalised(answer, added_name):
    """The answer with the new person's server-made id taken out."""
    data = answer.json()
    added = data.pop("added")
    for row in data["rows"]:
        if row["participant"]["id"] == added:
            assert row["participant"]["known_as"] == added_name
            row["participant"]["id"] = "NEW"
    return answer.status_code, data


def test_a_key_equal_to_a_hidden_person_or_a_hidden_registers_key_is_a_fresh_key(world):
    from backend.registers import services

    session = _public_register(world)
    hidden = Participant.objects.create(known_as="Hidden Person", registered_in_space=world.space)
    protected = world.protected_activity.sessions.order_by("start").first()
    hidden_key = uuid.uuid4()
    from datetime import datetime, time

    from django.utils import timezone

    today = timezone.localdate()
    type(protected).objects.filter(pk=protected.pk).update(
        start=datetime.combine(today, time(0, 1), tzinfo=timezone.get_current_timezone()),
        end=datetime.combine(today, time(23, 59), tzinfo=timezone.get_current_timezone()),
    )
    protected.refresh_from_db()
    services.walk_in_record(
        actor=world.tutor_in_space, session=protected, key=hidden_key, participant=hidden
    )
    client = client_for(world.tutor_elsewhere)
    answers = {}
    for name, key in (
        ("fresh", uuid.uuid4()),
        ("hidden person's id", hidden.pk),
        ("hidden register's key", hidden_key),
    ):
        with transaction.atomic():
            answer = _walk_in(client, session, walk_in_id=str(key), known_as="Leila Karimi")
            answers[name] = _normalised(answer, "Leila Karimi")
            assert Participant.objects.filter(known_as="Leila Karimi").count() == 1
            transaction.set_rollback(True)
    assert answers["hidden person's id"] == answers["fresh"]
    assert answers["hidden register's key"] == answers["fresh"]
    assert answers["fresh"][0] == 201
    hidden.refresh_from_db()
    assert hidden.known_as == "Hidden Person"
    assert not Attendance.objects.filter(session=session, participant=hidden).exists()


def test_a_keyed_walk_in_is_refused_before_the_register_opens_and_nothing_is_kept(world):
    from tests.e2e.scenarios import one_off

    session = one_off(world, title="Next week", days_ahead=7)
    answer = _walk_in(
        client_for(world.coordinator), session, walk_in_id=str(uuid.uuid4()), known_as="Early"
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "register_not_open"
    assert not Participant.objects.filter(known_as="Early").exists()
    assert not WalkInKey.objects.exists()
