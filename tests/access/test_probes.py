"""Active probes (issue 12): for every WRITE endpoint of the URLconf and every
role without the grant, the same request in a world with the hidden data and
in one without it gives the same status and body (modulo the actor's own new
ids and times). Then the admin as the superuser: the index (Recent actions),
every changelist, every add and change form, every history page and a
validation error, with and without the hidden data.

The routes come from the permission matrix, which is checked against the
URLconf (test_permission_matrix.test_every_route_is_in_the_matrix), so a new
endpoint is probed the day it is added: with an empty body at least, and with
the bodies in PROBES where a meaningful one reaches deeper.

Both worlds are one database: every probe runs and is rolled back, then the
hidden data is added, and every probe runs again against the same ids.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.organisations.models import RoomReservation
from backend.registers import services as register_services
from backend.timetable.models import Activity
from tests.access import test_permission_matrix
from tests.access.test_permission_matrix import MATRIX, route_url
from tests.conftest import client_for
from tests.factories import OrganisationFactory, RoomFactory, VenueFactory, make_activity

WITHOUT_GRANT = ("anonymous", "learner", "man", "tutor_elsewhere", "coordinator", "superuser")
WRITES = ("post", "put", "patch", "delete")


def _public_session(world):
    return world.public_activity.sessions.order_by("start").first()


def _iso(moment):
    return timezone.localtime(moment).isoformat()


# route name -> function(world, targets) -> list of bodies to send (besides {}).
PROBES = {
    # Booking someone onto a session at the time of her hidden place.
    "booking-list": lambda w, t: [
        {"session": str(_public_session(w).pk), "participant": str(t["her_participant"])},
        {"session": str(_public_session(w).pk)},
    ],
    # Moving a session into the shared room at the hidden session's time.
    "session-move": lambda w, t: [
        {
            "start": _iso(t["clash_start"]),
            "end": _iso(t["clash_start"] + timedelta(hours=1)),
            "room": str(w.room.pk),
        },
    ],
    "activity-list": lambda w, t: [
        {
            "organisation": str(w.org.pk),
            "room": str(w.room.pk),
            "kind": "english_class",
            "title": "Probe class",
            "capacity": 10,
            "schedule": {
                "start_date": t["clash_start"].date().isoformat(),
                "start_time": timezone.localtime(t["clash_start"]).strftime("%H:%M"),
                "end_time": (timezone.localtime(t["clash_start"]) + timedelta(hours=1)).strftime(
                    "%H:%M"
                ),
            },
        }
    ],
    "register-walk-ins": lambda w, t: [
        {"participant": str(t["her_participant"])},
        {"known_as": "Roya"},
    ],
    "register-marks": lambda w, t: [
        {"marks": [{"participant": str(t["her_participant"]), "mark": "present"}]},
    ],
    "participant-merge": lambda w, t: [{"into": str(t["her_participant"])}],
    "queue-entry-list": lambda w, t: [{"activity": str(w.public_activity.pk)}],
    # A session's crèche staff cut to none: refused only for children on it.
    "session-creche-staff": lambda w, t: [{"creche_staff": 0}, {"creche_staff": None}],
}

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d)?")
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')
SIGN_IN_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")
TOKEN_URL = re.compile(r"/feeds/personal/[A-Za-z0-9_-]+")
SECRET_PARAM = re.compile(r"(code|token)=[A-Za-z0-9_%-]+")


def _normalise(text: str, known: set[str]) -> str:
    """The actor's own new ids and the moment of the write are not the hidden data's."""
    text = UUID.sub(lambda m: m.group(0) if m.group(0) in known else "<new id>", text)
    text = MOMENT.sub("<now>", text)
    text = CSRF.sub(r'\1<csrf>"', text)
    text = SIGN_IN_CODE.sub("<code>", text)
    text = SECRET_PARAM.sub(r"\1=<secret>", text)
    text = re.sub(r'"qr_svg":"(?:[^"\\]|\\.)*"', '"qr_svg":"<qr>"', text)
    return TOKEN_URL.sub("/feeds/personal/<token>", text)


def _known_ids() -> set[str]:
    """Every id in the database before the probes (hidden ones too)."""
    from django.apps import apps

    known = set()
    for model in apps.get_models():
        if model._meta.pk.get_internal_type() == "UUIDField":
            known.update(str(pk) for pk in model.objects.values_list("pk", flat=True))
    return known


def write_probes(world, targets):
    for name in sorted(MATRIX):
        for target, methods in MATRIX[name].items():
            for method in WRITES:
                if method not in methods:
                    continue
                bodies = [{}] + (PROBES[name](world, targets) if name in PROBES else [])
                for index, body in enumerate(bodies):
                    yield name, target, method, index, body


def _write(role, world, name, target_id, method, body):
    user = None if role == "anonymous" else getattr(world, role)
    url = route_url(name, target_id)
    client = client_for(user)
    return getattr(client, method)(url, body, format="json")


def run_write_probes(world, targets, known) -> dict:
    answers = {}
    for name, target, method, index, body in write_probes(world, targets):
        for role in WITHOUT_GRANT:
            with transaction.atomic():
                response = _write(role, world, name, targets[target], method, body)
                transaction.set_rollback(True)
            content = response.content.decode(errors="replace")
            answers[(name, target, method, index, role)] = (
                response.status_code,
                _normalise(content, known),
            )
    return answers


def add_hidden_data(world, targets):
    """What nobody without the grant may observe: a women's class in a room of
    its own at the public venue, one in the shared room, her place at the time
    of the public class, a held session with a walk-in, and a new woman."""
    public = _public_session(world)
    her = world.learner_with_grant
    # Her place at a hidden session at the very time of the public class.
    venue = VenueFactory(name="Marigold House", address="7 Quiet Lane")
    same_time = make_activity(
        actor=world.space_coordinator, organisation=world.org, space=world.space,
        room=RoomFactory(venue=venue, name="Rose room", capacity=14, space=world.space),
        capacity=14,
        title="Sewing circle", kind=Activity.Kind.SOCIAL, recurrence=None,
        start_date=timezone.localtime(public.start).date(),
        start_time=timezone.localtime(public.start).time(),
        end_time=timezone.localtime(public.end).time(),
    )  # fmt: skip
    booking_services.booking_create(actor=her, session=same_time.sessions.get())
    # A hidden session in the shared room (the room-clash probe's time). The
    # room is seen to be taken then in both worlds: without the hidden data it
    # is another body's closed meeting, which is what it looks like to him.
    clash = targets["clash_start"]
    RoomReservation.objects.filter(pk=targets["stand_in_reservation"]).delete()
    make_activity(
        actor=world.space_coordinator, organisation=world.org, space=world.space, room=world.room,
        title="Women's swimming", kind=Activity.Kind.SPORT, recurrence=None,
        start_date=timezone.localtime(clash).date(), start_time=timezone.localtime(clash).time(),
        end_time=(timezone.localtime(clash) + timedelta(hours=1)).time(),
    )  # fmt: skip
    # A room at the public venue that only the women's group uses.
    make_activity(
        actor=world.space_coordinator, organisation=world.org, space=world.space,
        room=RoomFactory(
            venue=world.room.venue, name="Lilac room", capacity=12, space=world.space
        ),
        capacity=12,
        title="Women's advice", start_time=time(9, 7), end_time=time(9, 52),
    )  # fmt: skip
    # A held session with a walk-in, and her first visit there.
    start = timezone.now() - timedelta(days=2)
    held = world.protected_activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=world.protected_activity.room, capacity=14,
    )  # fmt: skip
    register_services.walk_in_add(actor=world.space_coordinator, session=held, known_as="Roya")
    register_services.walk_in_add(
        actor=world.space_coordinator, session=held,
        participant=Participant.objects.get(pk=targets["her_participant"]),
    )  # fmt: skip


targets = test_permission_matrix.targets  # the matrix's fixture, shared


@pytest.fixture
def probe_targets(world, targets):
    her = participant_for_user(user=world.learner_with_grant)
    her.organisations.add(world.org)
    # She is known to the organisation through a visible booking (so staff may
    # name her in a request in both worlds).
    booking_services.booking_create(
        actor=world.learner_with_grant, session=world.public_activity.sessions.order_by("start")[1]
    )
    public = _public_session(world)
    clash = timezone.localtime(public.start) + timedelta(days=1, hours=5, minutes=17)
    # The shared room is physically taken at the clash time in both worlds
    # (see add_hidden_data): here by a tenants' association nobody probing
    # coordinates, as `load_demo --without-space-content` does.
    stand_in = RoomReservation.objects.create(
        room=world.room, organisation=OrganisationFactory(name="Becket Tenants"),
        start=clash, end=clash + timedelta(hours=1), kind=RoomReservation.Kind.CLOSED_MEETING,
    )  # fmt: skip
    return {
        **targets, "her_participant": her.pk, "clash_start": clash,
        "stand_in_reservation": stand_in.pk,
    }  # fmt: skip


def test_every_write_answers_the_same_with_and_without_the_hidden_data(world, probe_targets):
    known = _known_ids()
    without = run_write_probes(world, probe_targets, known)
    add_hidden_data(world, probe_targets)
    with_hidden = run_write_probes(world, probe_targets, known | _known_ids())
    assert len(without) > 200
    differences = [
        f"{method.upper()} {name}[{target}] body #{index} as {role}: "
        f"{without[key][0]} {without[key][1][:160]!r} -> "
        f"{with_hidden[key][0]} {with_hidden[key][1][:160]!r}"
        for key in without
        for name, target, method, index, role in [key]
        if without[key] != with_hidden[key]
    ]
    assert not differences, "\n".join(differences)


# The admin, as the superuser.


def _admin_urls(client, world) -> list[tuple[str, str, dict | None]]:
    """(label, url, post data or None) for every page of every registered model."""
    urls = [("index", "/admin/", None)]
    request = client.get("/admin/").wsgi_request
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        base = "admin:{}_{}_".format(*info)
        urls.append((f"{info} list", reverse(base + "changelist"), None))
        urls.append((f"{info} add", reverse(base + "add"), None))
        urls.append((f"{info} add invalid", reverse(base + "add"), {}))
        for pk in model_admin.get_queryset(request).values_list("pk", flat=True)[:30]:
            change = reverse(base + "change", args=[pk])
            urls.append((f"{info} {pk} change", change, None))
            urls.append((f"{info} {pk} change invalid", change, {"_probe": "1"}))
            urls.append((f"{info} {pk} history", reverse(base + "history", args=[pk]), None))
            if info == ("accounts", "user"):
                urls.append(
                    (
                        f"{info} {pk} password",
                        reverse("admin:auth_user_password_change", args=[pk]),
                        None,
                    )
                )
    return urls


def _admin_answers(client, urls, known) -> dict:
    answers = {}
    for label, url, data in urls:
        with transaction.atomic():
            response = client.get(url) if data is None else client.post(url, data)
            transaction.set_rollback(True)
        answers[label] = (response.status_code, _normalise(response.content.decode(), known))
    return answers


def _admin_history(world):
    """Admin work done before the probes: the superuser adds a room to the
    public venue. (The space's coordinator is staff in both worlds.)"""
    from tests.access.admin_forms import add_inline_row, form_data

    _admin_client(world.space_coordinator)
    client = _admin_client(world.superuser)
    url = f"/admin/organisations/venue/{world.room.venue_id}/change/"
    data = add_inline_row(
        form_data(client.get(url)), "rooms", name="Music room", capacity="10", accessibility=""
    )
    assert client.post(url, data).status_code == 302


def _admin_client(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_admin_answers_the_superuser_the_same_with_and_without_the_hidden_data(
    world, probe_targets
):
    _admin_history(world)
    client = _admin_client(world.superuser)
    urls = _admin_urls(client, world)
    known = _known_ids()
    without = _admin_answers(client, urls, known)
    add_hidden_data(world, probe_targets)
    # The women's coordinator works in the admin too: her entries are hidden data.
    coordinator = _admin_client(world.space_coordinator)
    from tests.access.admin_forms import form_data

    url = f"/admin/timetable/activity/{world.protected_activity.pk}/change/"
    data = form_data(coordinator.get(url))
    data["description"] = "Bring a notebook"
    assert coordinator.post(url, data).status_code == 302
    _admin_hidden_data(world)
    with_hidden = _admin_answers(client, urls, known | _known_ids())
    assert len(urls) > 40
    differences = [
        f"{label}: {without[label][0]} -> {with_hidden[label][0]} "
        f"{_first_difference(without[label][1], with_hidden[label][1])}"
        for label in without
        if without[label] != with_hidden[label]
    ]
    assert not differences, "\n".join(differences)
    assert any(status == 200 for status, _ in without.values())


def _admin_hidden_data(world):
    """A group carrying the grant, with her in it; her sign-in records; and the
    room the superuser added now used only by a women's class."""
    from axes.models import AccessAttempt, AccessLog
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    from backend.organisations.models import Room

    group = Group.objects.create(name="Upbeat Women volunteers")
    assign_perm("access.access_space", group, world.space)
    world.learner_with_grant.groups.add(group)
    for account in (world.learner_with_grant, world.tutor_in_space):
        AccessLog.objects.create(username=account.username, ip_address="198.51.100.7",
                                 user_agent="her phone", path_info="/")  # fmt: skip
        AccessAttempt.objects.create(username=account.username, ip_address="198.51.100.7",
                                     user_agent="her phone", path_info="/", failures_since_start=1,
                                     get_data="", post_data="")  # fmt: skip
    make_activity(
        actor=world.space_coordinator, organisation=world.org, space=world.space,
        room=Room.objects.get(name="Music room"), title="Women's choir", capacity=10,
        start_time=time(19, 11), end_time=time(20, 3),
    )  # fmt: skip


def _first_difference(a: str, b: str) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"at {i}: {a[max(0, i - 80) : i + 80]!r} / {b[max(0, i - 80) : i + 80]!r}"
