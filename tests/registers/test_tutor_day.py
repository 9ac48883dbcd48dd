"""The tutor's Thursday (issue 15): no future attendance by any route, her
registers in the order she needs them, regulars, undo, and walk-in suggestions
that tell namesakes apart without showing what she may not see."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse

from backend.accounts.models import Participant
from backend.common.error_codes import ERROR_MESSAGES
from backend.registers import services
from backend.registers.models import Attendance, AttendanceChange
from tests.conftest import client_for
from tests.registers.conftest import LONDON, MONDAY, book_people


def _url(name, session):
    return reverse(name, kwargs={"pk": session.pk})


# --- 1. no future attendance ------------------------------------------------------------------


@pytest.mark.parametrize("minutes_before", [61, 24 * 60 * 7])
def test_every_write_route_refuses_a_register_not_open_yet(thursday_dropin, minutes_before):
    t = thursday_dropin
    session = t["first"]
    with time_machine.travel(MONDAY, tick=False):
        booked = book_people(session, 2, "b")
    client = client_for(t["tutor"])
    with time_machine.travel(session.start - timedelta(minutes=minutes_before), tick=False):
        mark = {"participant": str(booked[0].pk), "mark": "present"}
        answers = {
            "marks": client.post(_url("register-marks", session), {"marks": [mark]}, format="json"),
            # What the phone's queue sends after a dropped connection: a batch of marks.
            "queued": client.post(
                _url("register-marks", session),
                {"marks": [mark, {"participant": str(booked[1].pk), "mark": "late"}]},
                format="json",
            ),
            "mark-all": client.post(_url("register-mark-all", session), {}, format="json"),
            "walk-in new": client.post(
                _url("register-walk-ins", session), {"known_as": "Samira"}, format="json"
            ),
            "walk-in known": client.post(
                _url("register-walk-ins", session),
                {"participant": str(booked[0].pk)},
                format="json",
            ),
            "clear": client.post(
                _url("register-marks", session),
                {"marks": [{"participant": str(booked[0].pk), "mark": None}]},
                format="json",
            ),
        }
        register = client.get(_url("register-detail", session)).json()
    for route, answer in answers.items():
        assert answer.status_code == 409, route
        assert answer.json()["code"] == "register_not_open", route
    assert not Attendance.objects.exists()
    assert not Participant.objects.filter(known_as="Samira").exists()  # nothing half-written
    assert register["open"] is False and register["locked"] is False
    assert datetime.fromisoformat(register["opens_at"]) == session.start - timedelta(minutes=60)


def test_the_service_refuses_too_whoever_calls_it(thursday_dropin):
    """The demo loader, a shell, a future admin action: all go through the services."""
    t = thursday_dropin
    with time_machine.travel(MONDAY, tick=False):
        (person,) = book_people(t["first"], 1, "b")
        for write in (
            lambda: services.attendance_mark(
                actor=t["coordinator"], session=t["first"], marks=[(person, "present")]
            ),
            lambda: services.attendance_mark_all(
                actor=t["coordinator"], session=t["first"], mark="present"
            ),
            lambda: services.walk_in_add(
                actor=t["coordinator"], session=t["first"], known_as="Yusuf"
            ),
        ):
            with pytest.raises(services.ApplicationError) as refused:
                write()
            assert refused.value.code == "register_not_open"
    assert not Attendance.objects.exists()
    assert "register_not_open" in ERROR_MESSAGES


def test_the_admin_has_no_way_to_write_attendance():
    assert Attendance not in admin.site._registry
    assert AttendanceChange not in admin.site._registry


def test_the_register_opens_the_grace_period_before_the_start(thursday_dropin, settings):
    t = thursday_dropin
    settings.HARBOUR_REGISTER_OPENS_BEFORE_MINUTES = 30
    session = t["first"]
    with time_machine.travel(MONDAY, tick=False):
        (person,) = book_people(session, 1, "b")
    too_early = session.start - timedelta(minutes=31)
    with time_machine.travel(too_early, tick=False), pytest.raises(services.ApplicationError):
        services.attendance_mark(actor=t["tutor"], session=session, marks=[(person, "late")])
    with time_machine.travel(session.start - timedelta(minutes=29), tick=False):
        services.attendance_mark(actor=t["tutor"], session=session, marks=[(person, "late")])
    assert Attendance.objects.get().mark == "late"


def test_a_reopening_never_opens_a_future_register(thursday_dropin):
    t = thursday_dropin
    with time_machine.travel(MONDAY, tick=False):
        services.register_reopen(actor=t["coordinator"], session=t["second"], reason="early")
        with pytest.raises(services.ApplicationError) as refused:
            services.walk_in_add(actor=t["coordinator"], session=t["second"], known_as="Rana")
    assert refused.value.code == "register_not_open"


# --- undo ------------------------------------------------------------------------------------


def test_a_null_mark_takes_a_mark_back_and_her_first_visit_with_it(thursday_dropin):
    t = thursday_dropin
    session = t["first"]
    client = client_for(t["tutor"])
    with time_machine.travel(session.start, tick=False):
        client.post(_url("register-walk-ins", session), {"known_as": "Dina"}, format="json")
        dina = Participant.objects.get(known_as="Dina")
        assert dina.first_seen is not None
        undo = {"marks": [{"participant": str(dina.pk), "mark": None}]}
        answer = client.post(_url("register-marks", session), undo, format="json")
        again = client.post(_url("register-marks", session), undo, format="json")  # idempotent
    assert answer.status_code == again.status_code == 200
    assert answer.json()["rows"] == []  # a walk-in taken back leaves the register
    dina.refresh_from_db()
    assert dina.first_seen is None
    assert not Attendance.objects.exists() and not AttendanceChange.objects.exists()


def test_undo_of_mark_all_clears_exactly_those_it_marked(thursday_dropin):
    t = thursday_dropin
    session = t["first"]
    with time_machine.travel(MONDAY, tick=False):
        people = book_people(session, 3, "b")
    client = client_for(t["tutor"])
    with time_machine.travel(session.start, tick=False):
        client.post(
            _url("register-marks", session),
            {"marks": [{"participant": str(people[0].pk), "mark": "late"}]},
            format="json",
        )
        client.post(_url("register-mark-all", session), {}, format="json")
        undo = [{"participant": str(p.pk), "mark": None} for p in people[1:]]
        register = client.post(_url("register-marks", session), {"marks": undo}, format="json")
    marks = {r["participant"]["id"]: r["mark"] for r in register.json()["rows"]}
    assert marks == {str(people[0].pk): "late", str(people[1].pk): None, str(people[2].pk): None}


# --- 2. her registers ------------------------------------------------------------------------


def test_her_registers_today_then_recent_unlocked_then_her_next(thursday_dropin, settings):
    """Sessions on 4, 11, 18 March: seen from the 11th, from the 14th and from the 1st."""
    t = thursday_dropin
    settings.HARBOUR_REGISTER_LOCK_DAYS = 7
    first, second = t["first"], t["second"]
    third = t["activity"].sessions.order_by("start")[2]
    client = client_for(t["tutor"])

    def groups(when):
        with time_machine.travel(when, tick=False):
            body = client.get(reverse("register-list")).json()
        return [(item["group"], item["session"]["id"], item["open"]) for item in body]

    # Thursday the 11th, 08:00: today's (not open yet), last week's (still open), the next.
    assert groups(datetime(2027, 3, 11, 8, 0, tzinfo=LONDON)) == [
        ("today", str(second.pk), False),
        ("recent", str(first.pk), True),
        ("upcoming", str(third.pk), False),
    ]
    # Sunday the 14th: nothing today; the 4th has locked (7 days after it ended).
    assert groups(datetime(2027, 3, 14, 12, 0, tzinfo=LONDON)) == [
        ("recent", str(second.pk), True),
        ("upcoming", str(third.pk), False),
    ]
    # A week before her first class: just that one, whenever it is.
    assert groups(datetime(2027, 2, 25, 9, 0, tzinfo=LONDON)) == [
        ("upcoming", str(first.pk), False)
    ]
    # A reopened register is open again, so it is listed again.
    with time_machine.travel(datetime(2027, 3, 14, 12, 0, tzinfo=LONDON), tick=False):
        services.register_reopen(actor=t["coordinator"], session=first, reason="late figures")
    assert ("recent", str(first.pk), True) in groups(datetime(2027, 3, 14, 13, 0, tzinfo=LONDON))


def test_her_registers_hold_only_what_she_takes(world):
    def ids(user):
        body = client_for(user).get(reverse("register-list")).json()
        return {item["session"]["id"] for item in body}

    public = {str(s.pk) for s in world.public_activity.sessions.all()}
    protected = {str(s.pk) for s in world.protected_activity.sessions.all()}
    assert ids(world.tutor_elsewhere) and ids(world.tutor_elsewhere) <= public
    assert ids(world.tutor_in_space) and ids(world.tutor_in_space) <= protected
    # The organisation's coordinator runs the public class, and has no grant.
    assert ids(world.coordinator) <= public
    assert ids(world.learner) == ids(world.man) == set()


# --- 3. regulars and suggestions -------------------------------------------------------------


def test_regulars_are_last_four_weeks_visitors_not_on_the_register(thursday_dropin):
    t = thursday_dropin
    activity = t["activity"]
    sessions = list(activity.sessions.order_by("start")[:6])
    names = ["Amani", "Bilal", "Hadi"]
    for week, session in enumerate(sessions[:5]):
        with time_machine.travel(session.start, tick=False):
            for name in names[: 3 if week == 0 else 2]:
                person = Participant.objects.filter(known_as=name).first()
                if person is None:
                    services.walk_in_add(actor=t["tutor"], session=session, known_as=name)
                else:
                    services.walk_in_add(actor=t["tutor"], session=session, participant=person)
    sixth = sessions[5]
    bilal = Participant.objects.get(known_as="Bilal")
    with time_machine.travel(sixth.start, tick=False):
        services.walk_in_add(actor=t["tutor"], session=sixth, participant=bilal)
        register = client_for(t["tutor"]).get(_url("register-detail", sixth)).json()
    # Hadi came only five weeks ago; Bilal is on the register already.
    assert [r["participant"]["known_as"] for r in register["regulars"]] == ["Amani"]
    last = datetime.fromisoformat(register["regulars"][0]["last_visit"])
    assert last == sessions[4].start


def test_suggestions_tell_two_ahmeds_apart(thursday_dropin):
    t = thursday_dropin
    first, second = t["first"], t["second"]
    with time_machine.travel(first.start, tick=False):
        services.walk_in_add(
            actor=t["tutor"], session=first, known_as="Ahmed Karimi", phone="07700 900123",
            languages=["fa"],
        )  # fmt: skip
    # The other Ahmed is known to her organisation but has never come.
    Participant.objects.create(known_as="Ahmed Hassan", phone="07700 900456", languages=["ar"])
    other = Participant.objects.get(known_as="Ahmed Hassan")
    other.organisations.add(t["org"])
    with time_machine.travel(second.start, tick=False):
        url = _url("register-suggestions", second)
        body = client_for(t["tutor"]).get(url, {"q": "ahmad"}).json()
    by_name = {s["participant"]["known_as"]: s for s in body}
    assert set(by_name) == {"Ahmed Karimi", "Ahmed Hassan"}
    karimi, hassan = by_name["Ahmed Karimi"], by_name["Ahmed Hassan"]
    assert datetime.fromisoformat(karimi["last_visit"]) == first.start
    assert hassan["last_visit"] is None
    assert (karimi["phone_end"], hassan["phone_end"]) == ("123", "456")
    assert (karimi["languages"], hassan["languages"]) == (["fa"], ["ar"])
    assert not karimi["on_register"]


def test_a_suggestion_says_nothing_of_a_visit_to_a_space(world):
    """Her organisation's coordinator (no grant) is told the same about Fatima on
    a public register whether or not she also went to the women's class."""
    from backend.bookings.services import booking_create

    first_public, public = world.public_activity.sessions.order_by("start")[:2]
    protected, next_protected = world.protected_activity.sessions.order_by("start")[:2]
    booking_create(actor=world.learner_with_grant, session=first_public)
    person = Participant.objects.get(user=world.learner_with_grant)

    def told():
        with time_machine.travel(public.start, tick=False):
            return (
                client_for(world.coordinator)
                .get(_url("register-suggestions", public), {"q": person.known_as})
                .content
            )

    before = told()
    with time_machine.travel(protected.start, tick=False):
        services.walk_in_add(actor=world.tutor_in_space, session=protected, participant=person)
    assert told() == before
    assert person.known_as.encode() in before and b'"last_visit":null' in before
    # The space's own next register may say when she came.
    with time_machine.travel(next_protected.start, tick=False):
        inside = client_for(world.tutor_in_space).get(
            _url("register-suggestions", next_protected), {"q": person.known_as}
        )
    assert datetime.fromisoformat(inside.json()[0]["last_visit"]) == protected.start


# --- two tutors, one person, at once ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tutors_marking_one_person_at_once_take_turns_and_the_later_wins(monkeypatch):
    """The rule: marks are taken in the order the server receives them; the
    later one stands, both are in her change log, and there is one mark."""
    import threading
    import time as clock

    from django.db import connection

    from backend.timetable.services import activity_tutor_assign
    from tests.e2e.scenarios import all_day_today
    from tests.factories import World

    world = World.build()
    session = all_day_today(world, title="Drop-in", booked=[world.learner])
    activity_tutor_assign(
        actor=world.coordinator, activity=session.activity, tutor=world.tutor_elsewhere
    )
    person = Participant.objects.get(user=world.learner)
    real_save = Attendance.save

    def slow_save(self, *args, **kwargs):
        # Widen the gap between looking for her mark and writing it, as a slow
        # request would: only the register's lock keeps the second one waiting.
        clock.sleep(0.4)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Attendance, "save", slow_save)
    errors = []
    start = threading.Barrier(2)

    def mark(actor, value, delay):
        try:
            start.wait()
            clock.sleep(delay)
            services.attendance_mark(actor=actor, session=session, marks=[(person, value)])
        except Exception as exc:  # collected: the assertion below names it
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=mark, args=(world.tutor_elsewhere, "present", 0)),
        threading.Thread(target=mark, args=(world.coordinator, "late", 0.1)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    attendance = Attendance.objects.get(session=session, participant=person)
    assert attendance.mark == "late"
    changes = list(AttendanceChange.objects.filter(attendance=attendance).order_by("at"))
    assert [(c.old_mark, c.new_mark) for c in changes] == [("", "present"), ("present", "late")]
