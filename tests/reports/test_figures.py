"""The figures funders ask for (backend/reports): totals, breakdowns and the CSV,
as the asker may see them."""

from __future__ import annotations

import random
from datetime import time, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import Participant
from backend.bookings import services as booking_services
from backend.organisations.services import organisation_role_assign
from backend.registers import services
from backend.registers.models import Attendance
from backend.reports.selectors import figures
from backend.timetable.models import Activity, Session
from tests.conftest import client_for
from tests.factories import OrganisationFactory, RoomFactory, coordinator_of, make_activity
from tests.registers.thursday import LONDON, MONDAY, book_people


def _held(activity, days_ago=1):
    start = timezone.now() - timedelta(days=days_ago)
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


def test_short_periods_never_show_a_protected_session_to_those_without_the_grant(world):
    session = _held(world.protected_activity)
    services.walk_in_add(actor=world.space_coordinator, session=session, known_as="Roya")
    day = timezone.localtime(session.start).date().isoformat()
    query = {"organisation": str(world.org.pk), "date_from": day, "date_to": day}
    numbers = client_for(world.coordinator).get(reverse("figures"), query).json()
    assert numbers["space"] is None
    assert (numbers["sessions_held"], numbers["attendances"], numbers["by_week"]) == (0, 0, [])
    assert numbers["by_activity"] == []


def test_figures_refuse_dates_at_the_ends_of_the_calendar(world):
    client = client_for(world.coordinator)
    for query in ({"date_to": "0001-01-05"}, {"date_from": "9999-12-30", "date_to": "9999-12-31"}):
        response = client.get(reverse("figures"), {"organisation": str(world.org.pk), **query})
        assert response.status_code == 400 and response.json()["code"] == "invalid_date_range"


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
    assert b'"total","people_supported","",30,' in as_csv.content


def test_protected_attendance_counts_only_for_those_with_the_grant(world):
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
