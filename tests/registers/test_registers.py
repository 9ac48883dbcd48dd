"""Registers on a phone, participants, and the figures funders ask for."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from backend.accounts.models import Participant
from backend.bookings import services as booking_services
from backend.registers import services
from backend.registers.models import Attendance, AttendanceChange, ParticipantEvent
from backend.timetable.models import Activity
from tests.conftest import client_for
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    UserFactory,
    coordinator_of,
    make_activity,
)

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2027, 3, 1, 8, 0, tzinfo=LONDON)  # Thursdays: 4 and 11 March


@pytest.fixture
def thursday_dropin(db):
    """A booked Thursday class at St Anne's, its coordinator and tutor."""
    with time_machine.travel(MONDAY, tick=False):
        org = OrganisationFactory(name="Derbyshire Refugee Solidarity", slug="drs")
        coordinator = coordinator_of(org)
        tutor = UserFactory(username="tutor")
        from backend.organisations.services import organisation_role_assign
        from backend.timetable.services import activity_tutor_assign

        organisation_role_assign(organisation=org, user=tutor, role="tutor")
        activity = make_activity(
            actor=coordinator, organisation=org, room=RoomFactory(capacity=40), capacity=30,
            title="Thursday English", kind=Activity.Kind.ENGLISH_CLASS,
            start_date=date(2027, 3, 4), start_time=time(10), end_time=time(12),
            recurrence="RRULE:FREQ=WEEKLY;BYDAY=TH", booking_opens_days=14,
        )  # fmt: skip
        activity_tutor_assign(actor=coordinator, activity=activity, tutor=tutor)
        first, second = activity.sessions.order_by("start")[:2]
    return {"org": org, "coordinator": coordinator, "tutor": tutor, "activity": activity,
            "first": first, "second": second}  # fmt: skip


def book_people(session, n, prefix):
    people = []
    for i in range(n):
        user = UserFactory(username=f"{prefix}{i}")
        booking_services.booking_create(actor=user, session=session)
        people.append(Participant.objects.get(user=user))
    return people


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


def test_a_thursday_25_booked_18_come_12_walk_ins_9_new(thursday_dropin):
    """End to end through the API, and the figures agree."""
    t = thursday_dropin
    tutor = client_for(t["tutor"])
    with time_machine.travel(MONDAY, tick=False):
        regulars = book_people(t["first"], 25, "r")  # booked for both Thursdays
    # Last week three of today's walk-ins came too (so they are not new).
    known = []
    with time_machine.travel(t["first"].start, tick=False):
        tutor.post(reverse("register-mark-all", kwargs={"pk": t["first"].pk}), {}, format="json")
        for name in ("Aziz", "Bahar", "Chala"):
            tutor.post(reverse("register-walk-ins", kwargs={"pk": t["first"].pk}),
                       {"known_as": name}, format="json")  # fmt: skip
            known.append(Participant.objects.get(known_as=name))
    with time_machine.travel(MONDAY + timedelta(days=5), tick=False):
        for person in regulars:
            booking_services.booking_create(actor=person.user, session=t["second"])
    second = t["second"]
    with time_machine.travel(second.start, tick=False):
        marks = [{"participant": str(p.pk), "mark": "present" if i < 18 else "absent"}
                 for i, p in enumerate(regulars)]  # fmt: skip
        response = tutor.post(reverse("register-marks", kwargs={"pk": second.pk}),
                              {"marks": marks}, format="json")  # fmt: skip
        assert response.status_code == 200
        walk_ins = reverse("register-walk-ins", kwargs={"pk": second.pk})
        for person in known:
            tutor.post(walk_ins, {"participant": str(person.pk)}, format="json")
        for i in range(9):
            tutor.post(walk_ins, {"known_as": f"New {i}", "phone": f"07700 9005{i:02d}"},
                       format="json")  # fmt: skip
        register = tutor.get(reverse("register-detail", kwargs={"pk": second.pk})).json()
    assert register["present"] == 30
    assert sum(r["walk_in"] for r in register["rows"]) == 12
    assert sum(r["first_visit"] for r in register["rows"]) == 9
    csv = tutor.get(reverse("register-csv", kwargs={"pk": second.pk}))
    assert csv["Content-Type"].startswith("text/csv") and csv.content.count(b"\n") == 1 + 37

    coordinator = client_for(t["coordinator"])
    day = second.start.astimezone(LONDON).date().isoformat()
    with time_machine.travel(second.end + timedelta(hours=1), tick=False):
        numbers = coordinator.get(reverse("figures"), {
            "organisation": str(t["org"].pk), "date_from": day, "date_to": day}).json()  # fmt: skip
        both = coordinator.get(reverse("figures"), {
            "organisation": str(t["org"].pk), "date_from": "2027-03-01",
            "date_to": "2027-03-14"}).json()  # fmt: skip
        as_csv = coordinator.get(reverse("figures-csv"), {
            "organisation": str(t["org"].pk), "date_from": day, "date_to": day})  # fmt: skip
    assert numbers["people_supported"] == 30
    assert numbers["attendances"] == 30
    assert numbers["new_people"] == 9
    assert numbers["sessions_held"] == 1
    assert numbers["bookings"] == 25 and numbers["no_shows"] == 7
    assert numbers["attendance_rate"] == 0.72
    assert numbers["by_kind"] == [
        {"key": "english_class", "label": "english_class", "people": 30, "attendances": 30}
    ]
    assert [w["attendances"] for w in numbers["by_week"]] == [30]
    # Over both Thursdays: 25 regulars + 3 known + 9 new; 7 regulars came only once.
    assert both["people_supported"] == 37 and both["new_people"] == 37
    assert both["attendances"] == 28 + 30
    assert both["came_once"] == 7 + 9
    assert b"people_supported,,30" in as_csv.content


def test_protected_attendance_counts_only_for_those_with_the_grant(world):
    from django.utils import timezone

    from backend.organisations.services import organisation_role_assign

    def held(activity, name, tutor):
        session = activity.sessions.create(
            original_start=timezone.now() - timedelta(days=1),
            start=timezone.now() - timedelta(days=1),
            end=timezone.now() - timedelta(days=1) + timedelta(hours=1),
            room=activity.room, capacity=10,
        )  # fmt: skip
        services.walk_in_add(actor=tutor, session=session, known_as=name)

    held(world.public_activity, "Omar", world.coordinator)
    held(world.protected_activity, "Roya", world.space_coordinator)
    query = {"organisation": str(world.org.pk)}
    without = client_for(world.coordinator).get(reverse("figures"), query).json()
    assert without["people_supported"] == 1
    assert [r["key"] for r in without["by_activity"]] == [str(world.public_activity.pk)]
    assert "Women" not in str(without)
    organisation_role_assign(
        organisation=world.org, user=world.space_coordinator, role="coordinator"
    )
    with_grant = client_for(world.space_coordinator).get(reverse("figures"), query).json()
    titles = {r["label"] for r in with_grant["by_activity"]}
    assert titles == {world.public_activity.title, world.protected_activity.title}
    assert with_grant["people_supported"] == 2
    assert client_for(world.tutor_elsewhere).get(reverse("figures"), query).status_code == 403


def _bulk_year(org, actor, *, activities, sessions_each, people, marks_each):
    """Rows straight into the tables: a year of a busy charity, fast."""
    import random

    from django.utils import timezone

    from backend.timetable.models import Session

    rng = random.Random(7)
    start = timezone.now() - timedelta(days=364)
    made = []
    for i in range(activities):
        activity = make_activity(
            actor=actor, organisation=org, room=RoomFactory(), title=f"Activity {i}",
            kind=rng.choice(list(Activity.Kind.values)), recurrence=None,
            start_date=timezone.localdate() + timedelta(days=400), start_time=time(10),
            end_time=time(11),
        )  # fmt: skip
        made += Session.objects.bulk_create(
            Session(
                activity=activity, original_start=start + timedelta(days=d, minutes=i),
                start=start + timedelta(days=d, minutes=i),
                end=start + timedelta(days=d, minutes=i, hours=1), room=activity.room, capacity=30,
            )
            for d in range(sessions_each)
        )  # fmt: skip
    crowd = Participant.objects.bulk_create(
        Participant(known_as=f"P{i}", first_seen=(start + timedelta(days=i % 300)).date())
        for i in range(people)
    )
    rows, seen = [], set()
    for session in made:
        for person in rng.sample(crowd, min(marks_each, len(crowd))):
            if (session.pk, person.pk) not in seen:
                seen.add((session.pk, person.pk))
                mark = rng.choice(["present", "present", "late", "absent"])
                rows.append(Attendance(session=session, participant=person, mark=mark))
    Attendance.objects.bulk_create(rows, batch_size=2000)
    return len(made), len(rows)


def test_figures_cost_the_same_queries_for_a_small_or_a_busy_year(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from backend.reports.selectors import figures

    counts = []
    for size in (1, 4):
        org = OrganisationFactory()
        actor = coordinator_of(org)
        _bulk_year(org, actor, activities=2 * size, sessions_each=5 * size, people=20 * size,
                   marks_each=3 * size)  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            numbers = figures(user=actor, organisation=org,
                              date_from=timezone.localdate() - timedelta(days=365),
                              date_to=timezone.localdate())  # fmt: skip
        assert numbers["attendances"] > 0
        counts.append(len(captured))
    assert counts[0] == counts[1]
