"""ESOL progress (issue 19 item 5): levels per skill with dated history, a
suggested class, and a printable certificate in her name and her own script
for a term whose attendance passes the coordinator's threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.accounts.services import participant_for_user
from backend.bookings.models import Booking
from backend.people import esol
from backend.people.models import EsolLevelChange
from backend.registers.models import Attendance
from backend.timetable import closures
from tests.conftest import client_for
from tests.factories import make_activity


@pytest.fixture
def her(world):
    return participant_for_user(user=world.learner_with_grant)


def _level(world, her, skill, level, days_ago=0):
    return client_for(world.tutor_elsewhere).post(
        reverse("esol-level-list"),
        {"participant": str(her.pk), "skill": skill, "level": level,
         "on": (timezone.localdate() - timedelta(days=days_ago)).isoformat()},
        format="json",
    )  # fmt: skip


def _known_to_org(world, her):
    her.organisations.add(world.org)


def test_a_tutor_records_levels_with_history_and_she_sees_them(world, her):
    _known_to_org(world, her)
    assert _level(world, her, "speaking", "entry_1", days_ago=60).status_code == 201
    assert _level(world, her, "speaking", "entry_2").status_code == 201
    body = client_for(world.learner_with_grant).get(reverse("esol-level-list")).json()
    assert body["levels"]["speaking"]["level"] == "entry_2"
    assert body["levels"]["writing"] is None
    assert [h["level"] for h in body["history"]] == ["entry_2", "entry_1"]
    assert EsolLevelChange.objects.filter(participant=her).count() == 2
    # She cannot set her own level; a stranger cannot find her.
    own = client_for(world.learner_with_grant).post(
        reverse("esol-level-list"),
        {"participant": str(her.pk), "skill": "reading", "level": "level_2"},
        format="json",
    )  # fmt: skip
    assert own.status_code == 403
    assert _level(world, her, "reading", "nonsense").status_code == 400


def test_the_suggested_class_follows_her_lowest_skill(world, her):
    _known_to_org(world, her)
    entry_1 = make_activity(
        actor=world.coordinator, organisation=world.org, title="English for beginners",
        level="entry_1", start_date=timezone.localdate() + timedelta(days=2),
    )  # fmt: skip
    make_activity(
        actor=world.coordinator, organisation=world.org, title="English at Level 1",
        level="level_1", start_date=timezone.localdate() + timedelta(days=2),
    )  # fmt: skip
    _level(world, her, "speaking", "entry_3")
    _level(world, her, "writing", "entry_1")
    body = client_for(world.learner_with_grant).get(reverse("esol-level-list")).json()
    assert body["suggested_level"] == "entry_1"
    assert [a["id"] for a in body["suggested"]] == [str(entry_1.pk)]


def _term_with_attendance(world, her, *, came: int, of: int, protected_came: int = 0):
    today = timezone.localdate()
    term = closures.term_create(
        actor=world.coordinator, organisation=world.org, name="Autumn term",
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=30),
    )  # fmt: skip
    for i in range(of):
        start = timezone.now() - timedelta(days=7 * (i + 1))
        session = world.public_activity.sessions.create(
            original_start=start, start=start, end=start + timedelta(hours=2),
            room=world.public_activity.room, capacity=12,
        )  # fmt: skip
        Booking.objects.create(
            session=session, participant=her, status="confirmed", queued_at=start, seq=1
        )
        Attendance.objects.create(
            session=session, participant=her, mark="present" if i < came else "absent"
        )
    for i in range(protected_came):
        start = timezone.now() - timedelta(days=7 * (i + 1), hours=3)
        session = world.protected_activity.sessions.create(
            original_start=start, start=start, end=start + timedelta(hours=1),
            room=world.protected_activity.room, capacity=12,
        )  # fmt: skip
        Attendance.objects.create(session=session, participant=her, mark="absent")
    return term


def test_a_certificate_for_a_term_past_the_threshold_in_her_own_script(world, her):
    _known_to_org(world, her)
    term = _term_with_attendance(world, her, came=3, of=4)
    url = reverse("attendance-certificate-threshold")
    assert (
        client_for(world.learner).post(url, {"term": str(term.pk), "percent": 75}).status_code
        == 403
    )
    ok = client_for(world.coordinator).post(
        url, {"term": str(term.pk), "percent": 75}, format="json"
    )
    assert ok.status_code == 200
    client_for(world.learner_with_grant).post(
        reverse("esol-level-name"), {"name_own_script": "فاطمة"}, format="json"
    )
    rows = (
        client_for(world.coordinator)
        .get(reverse("attendance-certificate-list"), {"term": str(term.pk)})
        .json()
    )
    row = next(r for r in rows if r["participant"]["id"] == str(her.pk))
    assert (row["attended"], row["sessions"], row["percent"], row["eligible"]) == (3, 4, 75, True)
    page = client_for(world.coordinator).get(
        reverse("attendance-certificate-print"), {"term": str(term.pk), "participant": str(her.pk)}
    )
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "فاطمة" in html and her.known_as in html and "size: A4" in html
    assert world.public_activity.title in html
    # Her own list of certificates, and her own print.
    mine = client_for(world.learner_with_grant).get(reverse("attendance-certificate-list")).json()
    assert [m["term"]["id"] for m in mine] == [str(term.pk)]
    own = client_for(world.learner_with_grant).get(
        reverse("attendance-certificate-print"), {"term": str(term.pk)}
    )
    assert own.status_code == 200
    # A higher threshold: not earned, and said so with a stable code.
    client_for(world.coordinator).post(url, {"term": str(term.pk), "percent": 90}, format="json")
    refused = client_for(world.learner_with_grant).get(
        reverse("attendance-certificate-print"), {"term": str(term.pk)}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "certificate_not_earned"


def test_women_only_sessions_never_count_for_a_coordinator_without_the_grant(world, her):
    _known_to_org(world, her)
    term = _term_with_attendance(world, her, came=3, of=4, protected_came=2)
    esol.threshold_set(actor=world.coordinator, term=term, percent=75)
    rows = client_for(world.coordinator).get(
        reverse("attendance-certificate-list"), {"term": str(term.pk)}
    )
    body = rows.content.decode()
    row = next(r for r in rows.json() if r["participant"]["id"] == str(her.pk))
    # Her two absences at the women's class would make it 3 of 6: he sees 3 of 4.
    assert (row["attended"], row["sessions"], row["eligible"]) == (3, 4, True)
    assert world.protected_activity.title not in body
    page = client_for(world.coordinator).get(
        reverse("attendance-certificate-print"), {"term": str(term.pk), "participant": str(her.pk)}
    )
    assert world.protected_activity.title not in page.content.decode()


def test_erasing_her_forgets_her_name_in_her_script(world, her):
    from backend.people import services as people_services

    esol.name_own_script_set(actor=world.learner_with_grant, participant=her, name="فاطمة")
    people_services.participant_erase(actor=world.learner_with_grant, participant=her)
    her.refresh_from_db()
    assert her.name_own_script == ""
