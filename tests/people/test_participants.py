"""Participant records: search, merge, erasure and export (moved here from
tests/registers with the code they test)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.bookings.models import Booking
from backend.notifications.models import Notification
from backend.organisations.services import organisation_role_assign
from backend.people import services
from backend.people.selectors import participant_search
from backend.registers.models import Attendance, ParticipantEvent
from backend.registers.services import attendance_mark, walk_in_add
from backend.timetable.models import Session
from tests.conftest import client_for
from tests.factories import OrganisationFactory, UserFactory, coordinator_of
from tests.registers.test_registers import MONDAY

LONDON = ZoneInfo("Europe/London")


def _held(activity, days_ago=1):
    start = timezone.now() - timedelta(days=days_ago)
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


def test_search_forgives_typos_and_finds_phone_numbers(thursday_dropin):
    t = thursday_dropin
    for name, phone in (("Fatima Ahmadi", "07700 900111"), ("Yonas", "07700 900222")):
        walk_in_add(actor=t["coordinator"], session=t["first"], known_as=name, phone=phone)
    client = client_for(t["tutor"])
    found = client.get(reverse("participant-list"), {"q": "fatma"}).json()["results"]
    assert [p["known_as"] for p in found] == ["Fatima Ahmadi"]
    found = client.get(reverse("participant-list"), {"q": "900222"}).json()["results"]
    assert [p["known_as"] for p in found] == ["Yonas"]
    stranger = coordinator_of(OrganisationFactory())
    assert (
        client_for(stranger).get(reverse("participant-list"), {"q": "fatma"}).json()["count"] == 0
    )


def test_protected_registers_and_their_walk_ins_stay_hidden(world):
    session = world.protected_activity.sessions.order_by("start").first()
    url = reverse("register-detail", kwargs={"pk": session.pk})
    assert client_for(world.coordinator).get(url).status_code == 404
    assert client_for(world.tutor_in_space).get(url).status_code == 200
    walk_in_add(actor=world.tutor_in_space, session=session, known_as="Shirin")
    shirin = Participant.objects.get(known_as="Shirin")
    assert shirin.registered_in_space == world.space
    # Her organisation's staff without the grant cannot find her...
    for user in (world.coordinator, world.tutor_elsewhere):
        found = client_for(user).get(reverse("participant-list"), {"q": "Shirin"}).json()
        assert found["count"] == 0
    # ...those with it can.
    found = client_for(world.space_coordinator).get(reverse("participant-list"), {"q": "shirin"})
    assert found.json()["count"] == 1


def test_merge_keeps_all_history_and_counts_her_once(thursday_dropin):
    t = thursday_dropin
    c = t["coordinator"]
    walk_in_add(actor=c, session=t["first"], known_as="Amal", phone="07700 900333")
    walk_in = Participant.objects.get(known_as="Amal")
    user = UserFactory(username="amal")
    with time_machine.travel(MONDAY + timedelta(days=5), tick=False):
        booking_services.booking_create(actor=user, session=t["second"])
    account = Participant.objects.get(user=user)
    attendance_mark(actor=c, session=t["second"], marks=[(account, "present")])
    kept = services.participant_merge(actor=c, keep=account, other=walk_in)
    assert set(kept.attendance.values_list("session_id", flat=True)) == {
        t["first"].pk,
        t["second"].pk,
    }
    assert kept.phone == "07700 900333" and kept.first_seen == date(2027, 3, 4)
    walk_in.refresh_from_db()
    assert walk_in.merged_into == kept
    assert ParticipantEvent.objects.filter(action="merged", actor=c).exists()
    from backend.reports.selectors import figures

    with time_machine.travel(datetime(2027, 3, 20, tzinfo=LONDON)):
        numbers = figures(user=c, organisation=t["org"], date_from=date(2027, 3, 1),
                          date_to=date(2027, 3, 19))  # fmt: skip
    assert numbers["people_supported"] == 1 and numbers["attendances"] == 2


def test_erasure_keeps_the_figures_and_export_has_everything(thursday_dropin):
    t = thursday_dropin
    c = t["coordinator"]
    walk_in_add(actor=c, session=t["first"], known_as="Noor", phone="07700 900444")
    noor = Participant.objects.get(known_as="Noor")
    export = client_for(c).get(reverse("participant-export", kwargs={"pk": noor.pk})).json()
    assert export["participant"]["phone"] == "07700 900444"
    assert [a["mark"] for a in export["attendance"]] == ["present"]
    client_for(c).post(reverse("participant-erase", kwargs={"pk": noor.pk}))
    noor.refresh_from_db()
    assert (noor.known_as, noor.phone, noor.erased_at is not None) == ("(erased)", "", True)
    assert Attendance.objects.filter(participant=noor, mark="present").count() == 1
    from backend.reports.selectors import figures

    with time_machine.travel(datetime(2027, 3, 20, tzinfo=LONDON)):
        numbers = figures(user=c, organisation=t["org"], date_from=date(2027, 3, 1),
                          date_to=date(2027, 3, 19))  # fmt: skip
    assert numbers["people_supported"] == 1


def test_a_public_register_does_not_betray_a_protected_first_visit(world):
    woman = world.learner_with_grant
    person = participant_for_user(user=woman)
    person.organisations.add(world.org)
    protected = _held(world.protected_activity, days_ago=3)
    public = _held(world.public_activity, days_ago=1)
    walk_in_add(actor=world.tutor_in_space, session=protected, participant=person)
    walk_in_add(actor=world.coordinator, session=public, participant=person)
    assert Attendance.objects.get(session=public).first_visit is True
    export = services.participant_export(actor=world.coordinator, participant=person)
    assert (
        export["participant"]["first_seen"] == timezone.localtime(public.start).date().isoformat()
    )
    assert export["notifications"] == []


def test_merge_keeps_the_stronger_booking_and_serves_the_line(world):
    session = world.public_activity.sessions.order_by("start").first()
    Session.objects.filter(pk=session.pk).update(capacity=1)
    walk_in = Participant.objects.create(known_as="Amal")
    account = participant_for_user(user=world.learner)
    booking_services.booking_create(actor=world.coordinator, session=session, participant=walk_in)
    booking_services.booking_create(actor=world.learner, session=session)
    other_person = UserFactory()
    third, _ = booking_services.booking_create(actor=other_person, session=session)
    services.participant_merge(actor=world.coordinator, keep=account, other=walk_in)
    statuses = sorted(Booking.objects.filter(session=session).values_list("status", flat=True))
    assert statuses == ["cancelled", "confirmed", "waiting"]
    assert Booking.objects.get(session=session, status="confirmed").participant == account
    session.refresh_from_db()
    assert session.booked_places == 1
    third.refresh_from_db()
    assert third.status == "waiting"


def test_two_accounts_are_never_merged(world):
    a = participant_for_user(user=world.learner)
    b = participant_for_user(user=world.man)
    for person in (a, b):
        person.organisations.add(world.org)
    response = client_for(world.coordinator).post(
        reverse("participant-merge", kwargs={"pk": a.pk}), {"other": str(b.pk)}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "both_have_accounts"


def test_coordinating_another_organisation_does_not_let_a_tutor_erase_here(world):
    other_org = OrganisationFactory()
    organisation_role_assign(organisation=other_org, user=world.tutor_elsewhere, role="coordinator")
    walk_in = Participant.objects.create(known_as="Hana")
    walk_in.organisations.add(world.org)
    response = client_for(world.tutor_elsewhere).post(
        reverse("participant-erase", kwargs={"pk": walk_in.pk})
    )
    assert response.status_code == 403


def test_erasure_reaches_merged_records_messages_and_her_login(world):
    world.learner.email = "her@example.org"
    world.learner.save()
    account = participant_for_user(user=world.learner)
    account.organisations.add(world.org)
    session = world.public_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=world.learner, session=session)
    old = Participant.objects.create(known_as="Fatima H", phone="07700 900222")
    old.organisations.add(world.org)
    services.participant_merge(actor=world.coordinator, keep=account, other=old)
    services.participant_erase(actor=world.learner, participant=account)
    old.refresh_from_db()
    world.learner.refresh_from_db()
    assert (old.known_as, old.phone) == ("(erased)", "")
    assert Notification.objects.exists()
    assert set(Notification.objects.values_list("body", flat=True)) == {"(erased)"}
    assert not world.learner.is_active and world.learner.known_as == ""


def test_ids_of_people_staff_may_not_see_are_simply_not_found(world):
    stranger = Participant.objects.create(known_as="Elsewhere")  # another charity's
    session = world.public_activity.sessions.order_by("start").first()
    marks = client_for(world.coordinator).post(
        reverse("register-marks", kwargs={"pk": session.pk}),
        {"marks": [{"participant": str(stranger.pk), "mark": "present"}]},
        format="json",
    )
    assert marks.status_code == 400 and marks.json()["fields"] == {"participant": ["Not found."]}
    booking = client_for(world.coordinator).post(
        reverse("booking-list"),
        {"session": str(session.pk), "participant": str(stranger.pk)},
        format="json",
    )
    assert booking.status_code == 400 and booking.json()["fields"] == {
        "participant": ["Not found."]
    }


def test_names_are_found_across_scripts_and_typos(world):
    session = _held(world.public_activity)
    for name in ("فاطمة رضایی", "Mohammed Ali", "Zahra", "Omar", "Maryam Hosseini"):
        walk_in_add(actor=world.coordinator, session=session, known_as=name)

    def names(query):
        return [p.known_as for p in participant_search(user=world.coordinator, query=query)]

    assert names("Fatima") == ["فاطمة رضایی"]
    assert names("fatma") == ["فاطمة رضایی"]
    assert names("محمد") == ["Mohammed Ali"]
    assert names("زهرا") == ["Zahra"]
    assert names("مریم") == ["Maryam Hosseini"]
    assert names("Mohamed") == ["Mohammed Ali"]
    assert names("Xavier") == []
    # Only people the viewer may see, whatever matches.
    assert participant_search(user=world.other_coordinator, query="Fatima") == []


def test_a_phone_number_beats_a_name_and_short_digit_runs_do_not_count(world):
    session = _held(world.public_activity)
    walk_in_add(actor=world.coordinator, session=session, known_as="Yonas", phone="07700 900123")
    walk_in_add(actor=world.coordinator, session=session, known_as="Sara", phone="07700 900999")
    found = participant_search(user=world.coordinator, query="900 123")
    assert [p.known_as for p in found] == ["Yonas"]
    assert participant_search(user=world.coordinator, query="123") == []
