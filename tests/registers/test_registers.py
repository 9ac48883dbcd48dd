"""Registers on a phone, participants, and the figures funders ask for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from backend.accounts.models import Participant
from backend.registers import services
from backend.registers.models import Attendance, AttendanceChange
from tests.conftest import client_for
from tests.registers.conftest import MONDAY, book_people


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


def test_registers_lock_and_a_coordinator_reopens_on_record(thursday_dropin, settings):
    t = thursday_dropin
    settings.HARBOUR_REGISTER_LOCK_DAYS = 3
    with time_machine.travel(t["first"].start, tick=False):
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
