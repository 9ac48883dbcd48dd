"""Registers on a phone, and the participants on them. (The figures: tests/reports.)"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from backend.accounts.models import Participant
from backend.bookings import services as booking_services
from backend.registers import services
from backend.registers.models import Attendance, AttendanceChange, ParticipantEvent
from tests.conftest import client_for
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    coordinator_of,
)
from tests.registers.thursday import LONDON, MONDAY, book_people, thursday_dropin_world


@pytest.fixture
def thursday_dropin(db):
    return thursday_dropin_world()


def test_register_lists_booked_waiting_and_walk_ins_and_marks_are_idempotent(thursday_dropin):
    t = thursday_dropin
    with time_machine.travel(MONDAY, tick=False):
        booked = book_people(t["first"], 2, "b")
    client = client_for(t["tutor"])
    url = reverse("register-detail", kwargs={"pk": t["first"].pk})
    with time_machine.travel(t["first"].start, tick=False):
        register = client.get(url).json()
        assert [r["booking_status"] for r in register["rows"]] == ["confirmed", "confirmed"]
        assert all(r["mark"] is None for r in register["rows"])
        marks_url = reverse("register-marks", kwargs={"pk": t["first"].pk})
        body = {"marks": [{"participant": str(booked[0].pk), "mark": "late"}]}
        client.post(marks_url, body, format="json")
        client.post(marks_url, body, format="json")  # the same tap twice
        attendance = Attendance.objects.get(participant=booked[0])
        assert attendance.mark == "late" and attendance.first_visit
        assert AttendanceChange.objects.filter(attendance=attendance).count() == 1
        assert AttendanceChange.objects.get(attendance=attendance).by == t["tutor"]
        client.post(reverse("register-mark-all", kwargs={"pk": t["first"].pk}), {}, format="json")
        marks = dict(Attendance.objects.values_list("participant_id", "mark"))
        assert marks == {booked[0].pk: "late", booked[1].pk: "present"}
        booked[1].refresh_from_db()
        assert booked[1].first_seen == date(2027, 3, 4)


def test_walk_in_in_one_step_and_a_full_room_is_flagged_not_refused(thursday_dropin):
    t = thursday_dropin
    from backend.timetable.models import Session

    Session.objects.filter(pk=t["first"].pk).update(capacity=1)
    client = client_for(t["tutor"])
    url = reverse("register-walk-ins", kwargs={"pk": t["first"].pk})
    with time_machine.travel(t["first"].start, tick=False):
        first = client.post(url, {"known_as": "Yonas", "phone": "07700 900123"}, format="json")
        assert first.status_code == 201
        second = client.post(url, {"known_as": "Mariam"}, format="json")
    rows = {r["participant"]["known_as"]: r for r in second.json()["rows"]}
    assert rows["Yonas"]["walk_in"] and not rows["Yonas"]["over_capacity"]
    assert rows["Mariam"]["over_capacity"] and rows["Mariam"]["mark"] == "present"
    yonas = Participant.objects.get(known_as="Yonas")
    assert list(yonas.organisations.all()) == [t["org"]]


def test_search_forgives_typos_and_finds_phone_numbers(thursday_dropin):
    t = thursday_dropin
    for name, phone in (("Fatima Ahmadi", "07700 900111"), ("Yonas", "07700 900222")):
        services.walk_in_add(actor=t["coordinator"], session=t["first"], known_as=name, phone=phone)
    client = client_for(t["tutor"])
    found = client.get(reverse("participant-list"), {"q": "fatma"}).json()["results"]
    assert [p["known_as"] for p in found] == ["Fatima Ahmadi"]
    found = client.get(reverse("participant-list"), {"q": "900222"}).json()["results"]
    assert [p["known_as"] for p in found] == ["Yonas"]
    stranger = coordinator_of(OrganisationFactory())
    assert (
        client_for(stranger).get(reverse("participant-list"), {"q": "fatma"}).json()["count"] == 0
    )


def test_registers_lock_and_a_coordinator_reopens_on_record(thursday_dropin, settings):
    t = thursday_dropin
    settings.HARBOUR_REGISTER_LOCK_DAYS = 3
    services.walk_in_add(actor=t["tutor"], session=t["first"], known_as="Sara")
    sara = Participant.objects.get(known_as="Sara")
    with time_machine.travel(t["first"].end + timedelta(days=4), tick=False):
        with pytest.raises(Exception) as caught:
            services.attendance_mark(actor=t["tutor"], session=t["first"], marks=[(sara, "absent")])
        assert caught.value.code == "register_locked"
        with pytest.raises(Exception) as denied:
            services.register_reopen(actor=t["tutor"], session=t["first"], reason="typo")
        assert denied.value.code == "permission_denied"
        services.register_reopen(actor=t["coordinator"], session=t["first"], reason="Wrong mark")
        services.attendance_mark(actor=t["tutor"], session=t["first"], marks=[(sara, "absent")])
    assert Attendance.objects.get(participant=sara).mark == "absent"
    assert t["first"].reopenings.get().by == t["coordinator"]


def test_protected_registers_and_their_walk_ins_stay_hidden(world):
    session = world.protected_activity.sessions.order_by("start").first()
    url = reverse("register-detail", kwargs={"pk": session.pk})
    assert client_for(world.coordinator).get(url).status_code == 404
    assert client_for(world.tutor_in_space).get(url).status_code == 200
    services.walk_in_add(actor=world.tutor_in_space, session=session, known_as="Shirin")
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
    services.walk_in_add(actor=c, session=t["first"], known_as="Amal", phone="07700 900333")
    walk_in = Participant.objects.get(known_as="Amal")
    user = UserFactory(username="amal")
    with time_machine.travel(MONDAY + timedelta(days=5), tick=False):
        booking_services.booking_create(actor=user, session=t["second"])
    account = Participant.objects.get(user=user)
    services.attendance_mark(actor=c, session=t["second"], marks=[(account, "present")])
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
    services.walk_in_add(actor=c, session=t["first"], known_as="Noor", phone="07700 900444")
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
