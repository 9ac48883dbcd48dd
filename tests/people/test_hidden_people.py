"""A person known to an organisation only through a women-only space does not
exist for its staff without the grant (issue 12 item 2).

Each probe asks the same questions of a world without her and of the same world
after she was recorded at the space's register, and compares status and body
byte for byte."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.registers import services as register_services
from tests.conftest import client_for

WITHOUT_GRANT = (
    "learner", "man", "tutor_elsewhere", "coordinator", "other_coordinator", "superuser",
)  # fmt: skip
# Her name, a typo, a prefix, her phone's digits, her name in Arabic script, a variant.
SEARCHES = ("fatima", "Fatma", "FATIMA AL", "0770 0900 555", "فاطمة", "Fatimah")
PEOPLE = "/api/v1/participants/"


def _held(activity, days_ago=1):
    start = timezone.now() - timedelta(days=days_ago)
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


def _visible_person(world) -> Participant:
    """Someone the organisation's staff may see: a walk-in at the public class."""
    register_services.walk_in_add(
        actor=world.coordinator, session=_held(world.public_activity), known_as="Omar Haddad"
    )
    return Participant.objects.get(known_as="Omar Haddad")


def _answers(world, role, person_id, public_session, visible_id) -> list[tuple]:
    """Every question a member of staff could ask about someone by name or id."""
    client = client_for(getattr(world, role))
    person, other = str(person_id), str(visible_id)
    register = f"/api/v1/registers/{public_session.pk}/"
    mark = {"marks": [{"participant": person, "mark": "present"}]}
    booking = {"session": str(public_session.pk), "participant": person}
    asked = [
        *(("search", q, client.get(PEOPLE, {"q": q})) for q in SEARCHES),
        ("list", "", client.get(PEOPLE)),
        ("detail", "", client.get(f"{PEOPLE}{person}/")),
        ("export", "", client.get(f"{PEOPLE}{person}/export/")),
        ("erase", "", client.post(f"{PEOPLE}{person}/erase/")),
        ("code", "", client.post(f"{PEOPLE}{person}/sign-in-code/")),
        ("merge", "keep", client.post(f"{PEOPLE}{person}/merge/", {"other": other}, "json")),
        ("merge", "other", client.post(f"{PEOPLE}{other}/merge/", {"other": person}, "json")),
        ("walk-in", "", client.post(f"{register}walk-ins/", {"participant": person}, "json")),
        ("mark", "", client.post(f"{register}marks/", mark, "json")),
        ("book", "", client.post("/api/v1/bookings/", booking, "json")),
    ]
    return [(kind, query, r.status_code, r.content) for kind, query, r in asked]


def _compare(before, after, role):
    for old, new in zip(before, after, strict=True):
        assert old == new, f"{role}: {new[0]} {new[1]!r} answers differently once she exists"


def _record_hidden_walk_in(world) -> Participant:
    """Fatima comes to the women's class for the first time: a walk-in."""
    register_services.walk_in_add(
        actor=world.tutor_in_space, session=_held(world.protected_activity),
        known_as="Fatima Al-Sayed", phone="07700 900555",
    )  # fmt: skip
    return Participant.objects.get(known_as="Fatima Al-Sayed")


def _record_hidden_known_person(world) -> Participant:
    """A woman with her own login, known only through the space: booked and
    marked at one women's session, added as a walk-in at another."""
    world.learner_with_grant.known_as = "Fatima Al-Sayed"
    world.learner_with_grant.save()
    person = participant_for_user(user=world.learner_with_grant)
    Participant.objects.filter(pk=person.pk).update(phone="07700 900555")
    upcoming = world.protected_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=world.learner_with_grant, session=upcoming)
    earlier = _held(world.protected_activity, days_ago=2)
    register_services.walk_in_add(actor=world.tutor_in_space, session=earlier, participant=person)
    later = _held(world.protected_activity, days_ago=1)
    register_services.walk_in_add(actor=world.space_coordinator, session=later, participant=person)
    register_services.attendance_mark(
        actor=world.tutor_in_space, session=later, marks=[(person, "late")]
    )
    return person


@pytest.mark.parametrize("record", [_record_hidden_walk_in, _record_hidden_known_person])
def test_staff_without_the_grant_get_the_same_answers_with_or_without_her(world, record):
    visible = _visible_person(world)
    public_session = world.public_activity.sessions.order_by("start").first()
    missing = uuid.uuid4()
    before = {
        role: _answers(world, role, missing, public_session, visible.pk) for role in WITHOUT_GRANT
    }
    hidden = record(world)
    for role in WITHOUT_GRANT:
        after = _answers(world, role, hidden.pk, public_session, visible.pk)
        _compare(before[role], after, role)
    # Nothing was written on her behalf by any of those requests.
    hidden.refresh_from_db()
    assert hidden.erased_at is None and hidden.merged_into_id is None


def test_those_with_the_grant_still_find_her(world):
    hidden = _record_hidden_walk_in(world)
    for role in ("tutor_in_space", "space_coordinator"):
        client = client_for(getattr(world, role))
        for query in ("fatima", "Fatma", "0770 0900 555"):
            found = client.get(PEOPLE, {"q": query}).json()["results"]
            assert [p["id"] for p in found] == [str(hidden.pk)], (role, query)
    export = client_for(world.space_coordinator).get(f"{PEOPLE}{hidden.pk}/export/")
    assert export.status_code == 200
    assert [a["mark"] for a in export.json()["attendance"]] == ["present"]


def test_a_space_walk_in_is_not_attached_to_the_organisation(world):
    hidden = _record_hidden_walk_in(world)
    assert list(hidden.organisations.all()) == []
    assert hidden.registered_in_space == world.space


def test_a_public_walk_in_is_still_registered_with_the_organisation(world):
    person = _visible_person(world)
    assert list(person.organisations.all()) == [world.org]


def test_once_she_books_a_public_class_its_staff_see_her_public_history_only(world):
    hidden = _record_hidden_known_person(world)
    public = world.public_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=world.learner_with_grant, session=public)
    client = client_for(world.coordinator)
    found = client.get(PEOPLE, {"q": "fatima"}).json()["results"]
    assert [p["id"] for p in found] == [str(hidden.pk)]
    export = client.get(f"{PEOPLE}{hidden.pk}/export/").json()
    assert [b["session"] for b in export["bookings"]] == [str(public.pk)]
    assert export["attendance"] == [] and export["participant"]["first_seen"] is None
