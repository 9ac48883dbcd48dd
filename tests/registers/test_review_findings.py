"""Regressions for a review of registers, participants, figures and logs."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.bookings.models import Booking
from backend.common.csv_cells import cell
from backend.notifications.models import Notification
from backend.organisations.services import organisation_role_assign
from backend.registers import services
from backend.registers.models import Attendance
from backend.timetable.models import Session
from tests.conftest import client_for
from tests.factories import OrganisationFactory, UserFactory


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


def test_a_public_register_does_not_betray_a_protected_first_visit(world):
    woman = world.learner_with_grant
    person = participant_for_user(user=woman)
    person.organisations.add(world.org)
    protected = _held(world.protected_activity, days_ago=3)
    public = _held(world.public_activity, days_ago=1)
    services.walk_in_add(actor=world.tutor_in_space, session=protected, participant=person)
    services.walk_in_add(actor=world.coordinator, session=public, participant=person)
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


def test_figures_refuse_dates_at_the_ends_of_the_calendar(world):
    client = client_for(world.coordinator)
    for query in ({"date_to": "0001-01-05"}, {"date_from": "9999-12-30", "date_to": "9999-12-31"}):
        response = client.get(reverse("figures"), {"organisation": str(world.org.pk), **query})
        assert response.status_code == 400 and response.json()["code"] == "invalid_date_range"


def test_csv_cells_never_start_a_formula():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert cell(text).startswith("'")
    assert cell("Fatima") == "Fatima"


def test_a_corrected_mark_moves_her_first_visit(world):
    person = Participant.objects.create(known_as="Sara")
    person.organisations.add(world.org)
    early = _held(world.public_activity, days_ago=5)
    late = _held(world.public_activity, days_ago=2)
    services.walk_in_add(actor=world.coordinator, session=early, participant=person)
    services.walk_in_add(actor=world.coordinator, session=late, participant=person)
    services.attendance_mark(actor=world.coordinator, session=early, marks=[(person, "absent")])
    person.refresh_from_db()
    assert person.first_seen == timezone.localtime(late.start).date()
    assert Attendance.objects.get(session=late).first_visit is True
    services.attendance_mark(actor=world.coordinator, session=late, marks=[(person, "absent")])
    person.refresh_from_db()
    assert person.first_seen is None


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
