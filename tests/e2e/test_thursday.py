"""The scripted Thursday (issue 15): a 120-person drop-in on the tutor's phone.

80 booked, 60 of them come; 40 walk-ins, 15 of them new. The tutor's phone does
a representative part through the UI: marks and walk-ins online, then with no
connection (marks, regulars' "Here", new people), a reload with no connection
in the middle, more of the same, and the sync when the connection returns.
What the UI would only repeat (the other marks, the other walk-ins) goes
through the same API the phone uses, some of it sent twice as a phone with a
lost reply would (the rest of the walk-ins through the service that API calls).
Meanwhile a coordinator on another phone marks one person
differently. Afterwards there is no duplicate person or mark, the later
received mark stands with both in her history, and the day's figures (the
figures API) are exact. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid

from django.utils import timezone
from playwright.sync_api import expect

from backend.accounts.models import Participant
from backend.registers import services as register_services
from backend.registers.models import Attendance, AttendanceChange
from tests.conftest import client_for
from tests.e2e.scenarios import ready
from tests.e2e.test_tutor import FIRST, LAST

NEW_ONLINE = ["Nour Tahir", "Reza Moradi"]
NEW_OFFLINE = ["Dina Yilmaz", "Amir Kaya", "Hana Abebe", "Sara Tesfaye", "Karim Bakr"]
NEW_AFTER_RELOAD = ["Lina Saleh", "Rami Jaber", "Maha Osman"]
NEW_BY_API = ["Tariq Noori", "Huda Rahimi", "Bilal Haidari", "Rana Mansour", "Sami Kaya"]
REGULARS = [f"Regular {n} Osman" for n in range(25)]


def _thursday(world):
    """Today's drop-in (all day, so it is open whenever the suite runs) with 80
    people booked, and last week's, where the 25 regulars came. Rows written
    in bulk: the booking and register services are not what this test is
    about, and 105 trips through them cost more than the rest of it."""
    from datetime import datetime, time, timedelta

    from backend.bookings.models import Booking
    from backend.timetable import services as timetable_services
    from backend.timetable.models import Activity, Session
    from tests.factories import RoomFactory, make_activity

    today = timezone.localdate()
    activity = make_activity(
        actor=world.coordinator, organisation=world.org, room=RoomFactory(capacity=200),
        title="Thursday drop-in", kind=Activity.Kind.SOCIAL, capacity=150, recurrence=None,
        start_date=today + timedelta(days=1), start_time=time(10), end_time=time(12),
    )  # fmt: skip
    timetable_services.activity_tutor_assign(
        actor=world.coordinator, activity=activity, tutor=world.tutor_elsewhere
    )
    session = activity.sessions.get()
    zone = timezone.get_current_timezone()
    start = datetime.combine(today, time(0, 1), tzinfo=zone)
    Session.objects.filter(pk=session.pk).update(
        start=start, end=datetime.combine(today, time(23, 59), tzinfo=zone), original_start=start
    )
    session.refresh_from_db()
    names = [f"{first} {last}" for last in LAST for first in FIRST][:80]
    booked = Participant.objects.bulk_create(Participant(known_as=n) for n in names)
    now = timezone.now()
    Booking.objects.bulk_create(
        Booking(session=session, participant=p, places=1, status="confirmed", queued_at=now,
                seq=n + 1)
        for n, p in enumerate(booked)
    )  # fmt: skip
    last_week = start - timedelta(days=7)
    earlier = Session.objects.create(
        activity=activity, original_start=last_week, start=last_week,
        end=last_week + timedelta(hours=2), room=session.room, capacity=150,
    )  # fmt: skip
    regulars = Participant.objects.bulk_create(
        Participant(known_as=n, first_seen=last_week.date()) for n in REGULARS
    )
    Attendance.objects.bulk_create(
        Attendance(session=earlier, participant=p, mark="present", walk_in=True, first_visit=True,
                   marked_by=world.tutor_elsewhere)
        for p in regulars
    )  # fmt: skip
    world.org.registered_participants.add(*booked, *regulars)
    return session, booked


class Phone:
    """What the tutor does on the register screen."""

    def __init__(self, page):
        self.page = page

    def row(self, name):
        return self.page.locator("li.row", has_text=name)

    def present(self, name):
        self.row(name).get_by_role("radio", name="Present").check()

    def here(self, name):
        self.page.get_by_role("button", name=f"{name} is here").click()

    def add_new(self, name):
        self.page.get_by_label("Find or add a name").fill(name)
        self.page.get_by_role("button", name="Add new person").click()
        expect(self.page.locator(".result")).to_contain_text(f"{name} added and marked present")


def test_a_thursday_drop_in_of_120_online_and_offline_adds_up_exactly(world, app, screenshot):
    session, booked = _thursday(world)
    coordinator = client_for(world.coordinator)
    base = f"/api/v1/registers/{session.pk}"
    today = timezone.localdate().isoformat()
    day = {"organisation": str(world.org.pk), "date_from": today, "date_to": today}
    before = coordinator.get("/api/v1/reports/figures/", day).json()
    names = [p.known_as for p in booked]

    page = app("/#/today", user=world.tutor_elsewhere)
    ready(page, "today")
    page.wait_for_selector("html[data-offline=ready]", timeout=20_000)
    page.locator("li.session", has_text="Thursday drop-in").first.get_by_role("link").click()
    ready(page, "register")
    expect(page.locator(".counts")).to_have_text("0 here of 80 on the list")

    phone = Phone(page)
    row, present, here, add_new = phone.row, phone.present, phone.here, phone.add_new

    # Online: three booked people, two regulars, two new people.
    for name in names[:3]:
        present(name)
    for name in REGULARS[:2]:
        here(name)
    for name in NEW_ONLINE:
        add_new(name)
        # Online, she is sent at once (after whatever was on its way).
        expect(page.locator(".result")).to_have_text(f"{name} added and marked present.")
    expect(page.locator(".sync")).to_have_text("All marks saved.", timeout=30_000)

    # Another phone: the coordinator marks names[3] absent, online.
    answer = coordinator.post(
        f"{base}/marks/", {"marks": [{"participant": str(booked[3].pk), "mark": "absent"}]},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 200

    # The connection drops: six booked (names[3] among them), three regulars, five new.
    page.context.set_offline(True)
    for name in names[3:9]:
        present(name)
    for name in REGULARS[2:5]:
        here(name)
    for name in NEW_OFFLINE:
        add_new(name)
    waiting = ", ".join(REGULARS[2:5] + NEW_OFFLINE)
    expect(page.locator(".sync")).to_have_text(
        "6 marks waiting to be sent. They will be sent when the connection returns. "
        f"8 walk-ins waiting to be sent ({waiting}). They will be sent when the connection returns."
    )
    assert Attendance.objects.filter(session=session).count() == 3 + 1 + 2 + 2

    # The phone reloads with no connection: the register opens from the phone.
    page.reload()
    ready(page, "register")
    expect(page.locator(".counts")).to_have_text("21 here of 92 on the list")
    expect(row(names[3]).get_by_role("radio", name="Present")).to_be_checked()
    for name in NEW_AFTER_RELOAD:
        add_new(name)
    for name in names[9:12]:
        present(name)
    expect(page.locator(".sync")).to_contain_text("9 marks waiting to be sent")
    expect(page.locator(".sync")).to_contain_text("11 walk-ins waiting to be sent")
    screenshot(page, "thursday-offline")

    page.context.set_offline(False)
    expect(page.locator(".sync")).to_have_text("All marks saved.", timeout=30_000)
    expect(page.locator(".counts")).to_have_text("27 here of 95 on the list")
    expect(page.locator("li.row .badge.warn", has_text="Not sent yet")).to_have_count(0)

    _the_rest_by_the_api(world, session, booked)
    _no_duplicate_person_or_mark(world, session, booked, names)

    # The day's figures are exact.
    _exact(before, coordinator.get("/api/v1/reports/figures/", day).json())

    page.reload()
    ready(page, "register")
    expect(page.locator(".counts")).to_have_text("100 here of 120 on the list")
    screenshot(page, "thursday-done")


def _the_rest_by_the_api(world, session, booked):
    tutor = client_for(world.tutor_elsewhere)
    base = f"/api/v1/registers/{session.pk}"
    # The rest, as the phone's API calls: 48 more booked come, 20 do not.
    marks = [{"participant": str(p.pk), "mark": "present"} for p in booked[12:60]]
    marks += [{"participant": str(p.pk), "mark": "absent"} for p in booked[60:]]
    assert tutor.post(f"{base}/marks/", {"marks": marks}, format="json").status_code == 200
    # The other walk-ins through the service the walk-in API calls (each answer
    # of the API is the whole register: sent 25 times it would only repeat).
    regulars = {p.known_as: p for p in Participant.objects.filter(known_as__in=REGULARS)}
    keys = {}
    for value in [{"participant": regulars[n]} for n in REGULARS[5:]] + [
        {"known_as": n} for n in NEW_BY_API
    ]:
        key = uuid.uuid4()
        person = register_services.walk_in_record(
            actor=world.tutor_elsewhere, session=session, key=key, **value
        )
        keys[key] = (value, person)
    # Three replies lost on the way: the phone sends those walk-ins again, by the API.
    for key, (value, person) in list(keys.items())[-3:]:
        again = tutor.post(
            f"{base}/walk-ins/", {"walk_in_id": str(key), "known_as": value["known_as"]},
            format="json",
        )  # fmt: skip
        assert again.status_code == 201
        assert again.json()["added"] == str(person.pk)


def _no_duplicate_person_or_mark(world, session, booked, names):
    # No duplicate person, no duplicate mark.
    new = NEW_ONLINE + NEW_OFFLINE + NEW_AFTER_RELOAD + NEW_BY_API
    assert len(new) == 15
    for name in new + REGULARS + names:
        assert Participant.objects.filter(known_as=name).count() == 1, name
    rows = Attendance.objects.filter(session=session)
    assert rows.count() == 120
    assert rows.values("participant").distinct().count() == 120
    assert rows.filter(mark__in=Attendance.ATTENDED).count() == 100
    assert rows.filter(walk_in=True).count() == 40
    assert set(rows.filter(walk_in=True).values_list("participant__known_as", flat=True)) == set(
        new + REGULARS
    )
    # Two phones, one person: the mark the server received later stands; both are kept.
    disputed = rows.get(participant=booked[3])
    assert disputed.mark == "present"
    history = AttendanceChange.objects.filter(attendance=disputed).order_by("at")
    assert [(c.old_mark, c.new_mark, c.by) for c in history] == [
        ("", "absent", world.coordinator), ("absent", "present", world.tutor_elsewhere),
    ]  # fmt: skip


def _exact(before, after):
    assert (before["people_supported"], before["attendances"]) == (0, 0)
    assert after["people_supported"] == 100
    assert after["attendances"] == 100
    # New: the 60 who booked had never come; the 15 new walk-ins; not the 25 regulars.
    assert after["new_people"] == 60 + 15
    assert after["came_once"] == 60 + 15
    assert after["bookings"] == before["bookings"]
    assert after["bookings"] - after["no_shows"] == before["bookings"] - before["no_shows"] + 60
    drop_in = next(a for a in after["by_activity"] if a["label"] == "Thursday drop-in")
    assert (drop_in["people"], drop_in["attendances"]) == (100, 100)
