"""Every API route x every method x every role, generated from the URLconf.

A route added without an entry here fails `test_every_route_is_in_the_matrix`.
Write requests send an empty JSON body: 400 therefore means "allowed through
the permission checks, then refused for the missing fields". Where a role may
not see a protected object, the response must equal the one for an id that
never existed, byte for byte. (The Django admin is covered in test_admin.py.)
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from backend.access import services as access_services
from backend.bookings import services as booking_services
from backend.feeds import services as feed_services
from tests.conftest import client_for

ROLES = (
    "anonymous", "learner", "learner_with_grant", "man", "tutor_in_space", "tutor_elsewhere",
    "coordinator", "space_coordinator", "superuser",
)  # fmt: skip
METHODS = ("get", "post", "put", "patch", "delete")
SEES_SPACE = {"learner_with_grant", "tutor_in_space", "space_coordinator"}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: dict[str, int], otherwise: int, anonymous: int = 403) -> dict[str, int]:
    table = {role: allowed.get(role, otherwise) for role in ROLES}
    table["anonymous"] = allowed.get("anonymous", anonymous)
    return table


def hidden_unless_seen(seen: dict[str, int]) -> dict[str, int]:
    """For a protected object: roles without the grant get 404; `seen` covers
    the roles with it; anonymous is refused at the login check."""
    table = {role: (seen[role] if role in SEES_SPACE else 404) for role in ROLES}
    table["anonymous"] = 403
    return table


MANAGE_PUBLIC = lambda ok: only({"coordinator": ok}, 403)  # noqa: E731
MANAGE_PROTECTED = lambda ok: hidden_unless_seen(  # noqa: E731
    {"learner_with_grant": 403, "tutor_in_space": 403, "space_coordinator": ok}
)
# A booking is seen by its owner and by the session's tutors and coordinators.
BOOKING_SEEN_PUBLIC = lambda ok: only(  # noqa: E731
    {"learner": ok, "tutor_elsewhere": ok, "coordinator": ok}, 404
)
BOOKING_SEEN_PROTECTED = lambda ok: only(  # noqa: E731
    {"learner_with_grant": ok, "tutor_in_space": ok, "space_coordinator": ok}, 404
)
# Registers: the activity's tutors and coordinators; others who can see get 403.
REGISTER_PUBLIC = lambda ok: only({"tutor_elsewhere": ok, "coordinator": ok}, 403)  # noqa: E731
REGISTER_PROTECTED = lambda ok: hidden_unless_seen(  # noqa: E731
    {"learner_with_grant": 403, "tutor_in_space": ok, "space_coordinator": ok}
)


def PARTICIPANT_SEEN(ok, staff=None, self_=None):
    """The learner's own record: she, her organisation's coordinator (ok) and
    its tutors (`staff`, default ok) may reach it; everyone else gets 404."""
    staff = ok if staff is None else staff
    return only(
        {
            "learner": ok if self_ is None else self_,
            "coordinator": ok,
            "tutor_elsewhere": staff,
            "tutor_in_space": staff,
        },
        404,
    )


def SPACE_PARTICIPANT(ok, staff=403):
    """A woman registered by the space (a login its coordinator made): its
    coordinator (ok) and the organisation's tutor who holds the grant (`staff`)
    may reach her; to everyone else, the organisation's staff included, she
    does not exist."""
    return only({"space_coordinator": ok, "tutor_in_space": staff}, 404)


SEE_PROTECTED = {**everyone(404), **dict.fromkeys(SEES_SPACE, 200)}
SEEN_SIGNED_IN = hidden_unless_seen(dict.fromkeys(SEES_SPACE, 200))

# route name -> target -> method -> expected status per role. Methods not listed: 405.
MATRIX: dict[str, dict[str, dict[str, dict[str, int]]]] = {
    "me": {
        "-": {
            "get": only({}, 200),
            **{m: only({}, 405) for m in ("post", "put", "patch", "delete")},
        }
    },
    # Signing in and out: anyone may try (an empty body is refused as invalid).
    "sign-in": {"-": {"post": everyone(400)}},
    "sign-in-code": {"-": {"post": everyone(400)}},
    "sign-in-secret": {"-": {"post": everyone(400)}},
    "sign-out": {"-": {"post": everyone(204)}},
    # Coordinators (of an organisation or a space) make learner logins.
    "learner-account-list": {
        "-": {"post": only({"coordinator": 400, "space_coordinator": 400}, 403)}
    },
    "ping": {
        "-": {
            "get": everyone(200),
            **{m: everyone(405) for m in ("post", "put", "patch", "delete")},
        }
    },
    "organisation-list": {"-": {"get": everyone(200)}},
    "organisation-detail": {"org": {"get": everyone(200)}},
    # Writes need a sign-in; an empty body is then refused as invalid. The
    # world's venue belongs to no organisation: nobody may edit it in the app.
    "venue-list": {"-": {"get": everyone(200), "post": only({}, 400)}},
    "venue-detail": {"venue": {"get": everyone(200), "patch": only({}, 403)}},
    "venue-rooms": {"venue": {"post": only({}, 400)}},
    "venue-room": {"venue_room": {"patch": only({}, 403)}},
    "language-list": {"-": {"get": everyone(200)}},
    "activity-list": {
        "-": {
            "get": everyone(200),
            "post": only({"coordinator": 400, "space_coordinator": 400}, 403),
        }
    },
    "activity-detail": {
        "public_activity": {"get": everyone(200), "patch": MANAGE_PUBLIC(200)},
        "protected_activity": {"get": SEE_PROTECTED, "patch": MANAGE_PROTECTED(200)},
    },
    # The schedule preview writes nothing; an empty edit previews the schedule as it is.
    "activity-preview-new": {
        "-": {"post": only({"coordinator": 400, "space_coordinator": 400}, 403)}
    },
    "activity-preview": {
        "public_activity": {"post": MANAGE_PUBLIC(200)},
        "protected_activity": {"post": MANAGE_PROTECTED(200)},
    },
    **{
        f"activity-{name}": {
            "public_activity": {"post": MANAGE_PUBLIC(400)},
            "protected_activity": {"post": MANAGE_PROTECTED(400)},
        }
        for name in ("end", "message")
    },
    # Terms and closures: the organisation's coordinators only.
    "term-list": {
        "-": {"get": only({"coordinator": 200}, 403), "post": only({"coordinator": 400}, 403)}
    },
    "term-detail": {
        "term": {
            "get": only({"coordinator": 200}, 403),
            "patch": only({"coordinator": 200}, 403),
            "delete": only({"coordinator": 204}, 403),
        }
    },
    "closure-list": {
        "-": {"get": only({"coordinator": 200}, 403), "post": only({"coordinator": 400}, 403)}
    },
    "closure-detail": {"closure": {"get": only({"coordinator": 200}, 403)}},
    "closure-undo": {"closure": {"post": only({"coordinator": 200}, 403)}},
    "session-list": {"-": {"get": everyone(200)}},
    "session-detail": {
        "public_session": {"get": everyone(200)},
        "protected_session": {"get": SEE_PROTECTED},
    },
    **{
        f"session-{name}": {
            "public_session": {"post": MANAGE_PUBLIC(ok)},
            "protected_session": {"post": MANAGE_PROTECTED(ok)},
        }
        for name, ok in (
            ("cancel", 400),
            ("move", 400),
            ("reinstate", 200),
            ("message", 400),
            ("creche-staff", 400),
        )
    },
    "space-list": {"-": {"get": everyone(200)}},
    "space-detail": {"space": {"get": everyone(200)}},
    "space-request-access": {
        "space": {"post": only(dict.fromkeys(SEES_SPACE, 409), 201)},
    },
    **{
        f"space-{name}": {"space": {method: only({"space_coordinator": ok}, 403)}}
        for name, method, ok in (
            ("grant", "post", 400),
            ("revoke", "post", 400),
            ("members", "get", 200),
            ("audit", "get", 200),
        )
    },
    "access-request-list": {"-": {"get": only({}, 200)}},
    **{
        f"access-request-{name}": {
            "pending_request": {"post": only({"learner": 403, "space_coordinator": 200}, 404)}
        }
        for name in ("approve", "decline")
    },
    "access-request-withdraw": {
        "pending_request": {"post": only({"learner": 200}, 404)},
    },
    "booking-list": {"-": {"get": only({}, 200), "post": only({}, 400)}},
    "booking-detail": {
        "own_booking": {"get": BOOKING_SEEN_PUBLIC(200)},
        "protected_booking": {"get": BOOKING_SEEN_PROTECTED(200)},
    },
    **{
        f"booking-{name}": {
            "own_booking": {"post": BOOKING_SEEN_PUBLIC(200)},
            "protected_booking": {"post": BOOKING_SEEN_PROTECTED(200)},
        }
        for name in ("cancel", "accept")
    },
    "booking-move-up": {
        "own_booking": {
            "post": only({"learner": 403, "tutor_elsewhere": 403, "coordinator": 400}, 404)
        },
        "protected_booking": {
            "post": only(
                {"learner_with_grant": 403, "tutor_in_space": 403, "space_coordinator": 400}, 404
            )
        },
    },
    # The line is the coordinator's: a confirmed place cannot be offered (409);
    # an empty body has no reason (400).
    "booking-offer-now": {
        "own_booking": {
            "post": only({"learner": 403, "tutor_elsewhere": 403, "coordinator": 409}, 404)
        },
        "protected_booking": {
            "post": only(
                {"learner_with_grant": 403, "tutor_in_space": 403, "space_coordinator": 409}, 404
            )
        },
    },
    "booking-remove": {
        "own_booking": {
            "post": only({"learner": 403, "tutor_elsewhere": 403, "coordinator": 400}, 404)
        },
        "protected_booking": {
            "post": only(
                {"learner_with_grant": 403, "tutor_in_space": 403, "space_coordinator": 400}, 404
            )
        },
    },
    "queue-entry-remove": {
        "queue_entry": {"post": only({"learner": 403, "coordinator": 400}, 404)},
    },
    # Courses (docs/courses.md): her enrolment is seen by her and the course's
    # coordinators; the class list by its coordinators only.
    "enrolment-list": {"-": {"get": only({}, 200), "post": only({}, 400)}},
    **{
        name: {
            "own_enrolment": {method: only({"learner": 200, "coordinator": 200}, 404)},
            "protected_enrolment": {
                method: only({"learner_with_grant": 200, "space_coordinator": 200}, 404)
            },
        }
        for name, method in (("enrolment-detail", "get"), ("enrolment-cancel", "post"))
    },
    "class-list-detail": {
        "public_course": {"get": only({"coordinator": 200}, 403)},
        "protected_course": {
            "get": hidden_unless_seen(
                {"learner_with_grant": 403, "tutor_in_space": 403, "space_coordinator": 200}
            )
        },
    },
    "queue-entry-list": {"-": {"get": only({}, 200), "post": only({}, 400)}},
    # A coordinator taking someone off the list gives a reason (an empty body: 400).
    "queue-entry-leave": {"queue_entry": {"post": only({"learner": 200, "coordinator": 400}, 404)}},
    "queue-entry-move-up": {
        "queue_entry": {"post": only({"learner": 403, "coordinator": 400}, 404)},
    },
    # Fair shares (docs/fair-shares.md). A list's rules and draws: read by whoever
    # sees the activity, changed by its coordinators (an empty body: 400; a
    # draw announced for later: 409 draw_not_due).
    "queue-rule-detail": {
        "public_activity": {"get": only({}, 200), "put": MANAGE_PUBLIC(400)},
        "protected_activity": {"get": SEEN_SIGNED_IN, "put": MANAGE_PROTECTED(400)},
    },
    "queue-draw-list": {"-": {"get": only({}, 200), "post": only({}, 400)}},
    "queue-draw-detail": {
        "public_draw": {"get": only({}, 200)},
        "protected_draw": {"get": SEEN_SIGNED_IN},
    },
    **{
        f"queue-draw-{name}": {
            "public_draw": {"post": MANAGE_PUBLIC(ok)},
            "protected_draw": {"post": MANAGE_PROTECTED(ok)},
        }
        for name, ok in (("draw", 409), ("cancel", 400))
    },
    # Its record for a trustee (CSV): the draws here are announced, not drawn yet.
    "queue-draw-record": {
        "public_draw": {"get": MANAGE_PUBLIC(409)},
        "protected_draw": {"get": MANAGE_PROTECTED(409)},
    },
    # Her own no-show record (staff: ?participant=, covered in tests/registers).
    "no-show-list": {"-": {"get": only({}, 200)}},
    "no-show-rule-detail": {
        "public_activity": {
            "get": only({}, 200),
            "put": MANAGE_PUBLIC(400),
            "delete": MANAGE_PUBLIC(200),
        },
        "protected_activity": {
            "get": SEEN_SIGNED_IN,
            "put": MANAGE_PROTECTED(400),
            "delete": MANAGE_PROTECTED(200),
        },
    },
    "no-show-rule-lift": {
        "public_activity": {"post": MANAGE_PUBLIC(400)},
        "protected_activity": {"post": MANAGE_PROTECTED(400)},
    },
    # Her levels and certificates (staff's uses: tests/people/test_esol.py).
    "esol-level-list": {"-": {"get": only({}, 200), "post": only({}, 400)}},
    "esol-level-name": {"-": {"post": only({}, 400)}},
    "attendance-certificate-list": {"-": {"get": only({}, 200)}},
    "attendance-certificate-threshold": {"-": {"post": only({}, 400)}},
    "attendance-certificate-print": {"-": {"get": only({}, 400)}},
    "feed": {
        "-": {
            "get": only({}, 200),
            "patch": only({}, 200),
            **{m: only({}, 405) for m in ("post", "put", "delete")},
        }
    },
    "feed-rotate": {
        "-": {
            "post": only({}, 201),
            **{m: only({}, 405) for m in ("get", "put", "patch", "delete")},
        }
    },
    "follow-list": {"-": {"get": only({}, 200), "post": only({}, 400)}},
    "follow-detail": {"own_follow": {"delete": only({"learner": 204}, 404)}},
    # Calendar feeds answer GET (and HEAD) only; other methods are 405.
    "feed-organisation": {"org": {"get": everyone(200)}},
    "feed-activity": {
        "public_activity": {"get": everyone(200)},
        "protected_activity": {"get": {**everyone(404)}},
    },
    "feed-personal": {"token": {"get": everyone(200)}},
    # One-tap replies from messages: the signed token is the authority, whoever holds it.
    "reply": {"reply_token": {"get": everyone(200), "post": everyone(200)}},
    "reply-link": {"reply_token": {"get": everyone(302)}},
    "feed-mine": {"-": {"get": only({}, 200, anonymous=404)}},
    "feed-mine-events": {"-": {"get": only({}, 200, anonymous=404)}},
    "feed-session": {
        "public_session": {"get": everyone(200)},
        "protected_session": {"get": SEE_PROTECTED},
    },
    "register-detail": {
        "public_session": {"get": REGISTER_PUBLIC(200)},
        "protected_session": {"get": REGISTER_PROTECTED(200)},
    },
    **{
        f"register-{name}": {
            "public_session": {method: REGISTER_PUBLIC(ok)},
            "protected_session": {method: REGISTER_PROTECTED(ok)},
        }
        for name, method, ok in (
            ("marks", "post", 400),
            # The sessions here are in the future: past the permission checks,
            # the register is not open yet (409 register_not_open).
            ("mark-all", "post", 409),
            ("walk-ins", "post", 409),
            ("csv", "get", 200),
            ("suggestions", "get", 200),
        )
    },
    # Her own registers (empty for someone who takes none).
    "register-list": {"-": {"get": only({}, 200)}},
    "register-reopen": {
        "public_session": {"post": only({"coordinator": 400}, 403)},
        "protected_session": {
            "post": hidden_unless_seen(
                {"learner_with_grant": 403, "tutor_in_space": 403, "space_coordinator": 400}
            )
        },
    },
    "participant-list": {"-": {"get": only({}, 200)}},
    "participant-detail": {
        "learner_participant": {"get": PARTICIPANT_SEEN(200)},
        "space_participant": {"get": SPACE_PARTICIPANT(200, staff=200)},
    },
    "participant-export": {
        "learner_participant": {"get": PARTICIPANT_SEEN(200, staff=403)},
        "space_participant": {"get": SPACE_PARTICIPANT(200)},
    },
    "participant-erase": {
        "learner_participant": {"post": PARTICIPANT_SEEN(200, staff=403)},
        "space_participant": {"post": SPACE_PARTICIPANT(200)},
    },
    # Only for a password-less learner login (made by the coordinator here);
    # her organisation's tutors see her but may not; everyone else: 404.
    "participant-sign-in-code": {
        "code_learner": {
            "post": only({"coordinator": 201, "tutor_elsewhere": 403, "tutor_in_space": 403}, 404)
        },
        "learner_participant": {
            "post": only(
                dict.fromkeys(("coordinator", "tutor_elsewhere", "tutor_in_space", "learner"), 403),
                404,
            )
        },
        "space_participant": {"post": SPACE_PARTICIPANT(201)},
    },
    # Her space's coordinator merges her records (an empty body: 400 once allowed).
    "participant-merge": {
        "learner_participant": {"post": PARTICIPANT_SEEN(400, staff=403, self_=403)},
        "space_participant": {"post": SPACE_PARTICIPANT(400)},
    },
    # Without ?organisation= every signed-in caller gets 400; tests/reports covers roles.
    **{
        name: {
            "-": {
                "get": only({}, 400),
                **{m: only({}, 405) for m in ("post", "put", "patch", "delete")},
            }
        }
        for name in ("figures", "figures-csv")
    },
    # Rooms in use: coordinators (of an organisation or a space) see when a room
    # is busy; a space's own room is not found without the grant.
    "room-availability": {
        "room": {
            "get": only({"coordinator": 200, "space_coordinator": 200}, 403),
            **{m: only({}, 405) for m in ("post", "put", "patch", "delete")},
        },
        "space_room": {
            "get": hidden_unless_seen(
                {"learner_with_grant": 403, "tutor_in_space": 403, "space_coordinator": 200}
            ),
            **{m: only({}, 405) for m in ("post", "put", "patch", "delete")},
        },
    },
    "room-reservation-list": {"-": {"get": only({}, 200), "post": only({}, 400)}},
    "room-reservation-detail": {
        "reservation": {
            "get": only({"coordinator": 200}, 404),
            "delete": only({"coordinator": 204}, 404),
        }
    },
    "healthz": {"-": {"get": everyone(200)}},
    "readyz": {"-": {"get": everyone(200)}},
    "schema": {"-": {"get": everyone(200)}},
    "api-docs": {"-": {"get": everyone(200)}},
    "app": {"-": {"get": everyone(200)}},
    "javascript-catalog": {"-": {"get": everyone(200)}},
    "service-worker": {"-": {"get": everyone(200)}},
    # One named language's public words (the sign-in slip in her language).
    "json-catalogue": {"language": {"get": everyone(200)}},
    # Django's set_language: POST only; without a `next` it redirects to "/".
    "set_language": {"-": {"post": everyone(302)}},
}


def api_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if getattr(pattern, "app_name", None) == "admin":
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"unnamed route {prefix}{pattern.pattern}"
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_route_is_in_the_matrix():
    assert api_route_names() == set(MATRIX)


def _courses(world):
    """A public course and a women-only one with a crèche, each with an enrolment."""
    from datetime import time

    from django.utils import timezone

    from backend.bookings import courses
    from backend.bookings.creche import Child
    from tests.factories import RoomFactory, make_activity

    start = timezone.localdate() + timedelta(days=2)
    common = {"start_date": start, "recurrence": "RRULE:FREQ=WEEKLY;COUNT=3", "is_course": True}
    public_course = make_activity(
        actor=world.coordinator, organisation=world.org, room=RoomFactory(capacity=20),
        title="Spring ESOL course", start_time=time(16), end_time=time(17), **common,
    )  # fmt: skip
    protected_course = make_activity(
        actor=world.space_coordinator, organisation=world.org, space=world.space,
        room=RoomFactory(capacity=20, space=world.space), title="Women's term",
        start_time=time(9), end_time=time(10), creche_staff=1, **common,
    )  # fmt: skip
    own, _ = courses.enrolment_create(actor=world.learner, activity=public_course)
    protected, _ = courses.enrolment_create(
        actor=world.learner_with_grant, activity=protected_course,
        children=[Child(start.year - 1, start.month)],
    )  # fmt: skip
    return public_course, protected_course, own, protected


@pytest.fixture
def targets(world):
    pending = access_services.access_request_create(user=world.learner, space=world.space)
    public_session = world.public_activity.sessions.order_by("start").first()
    protected_session = world.protected_activity.sessions.order_by("start").first()
    own, _ = booking_services.booking_create(actor=world.learner, session=public_session)
    protected, _ = booking_services.booking_create(
        actor=world.learner_with_grant, session=protected_session
    )
    world.public_activity.max_group_size = 2
    entry, _ = booking_services.queue_join(actor=world.learner, activity=world.public_activity)
    public_course, protected_course, own_enrolment, protected_enrolment = _courses(world)
    follow = feed_services.activity_follow(user=world.learner, activity=world.public_activity)
    from backend.bookings import draws

    later = timezone.now() + timedelta(days=2)
    lotteries = {}
    for actor, activity in (
        (world.coordinator, world.public_activity),
        (world.space_coordinator, world.protected_activity),
    ):
        draws.queue_rules_set(actor=actor, activity=activity, allocation="lottery", reason="Fair")
        lotteries[activity.pk] = draws.draw_announce(
            actor=actor, activity=activity, draw_at=later, places=2
        )
    token = feed_services.feed_token_rotate(user=world.learner_with_grant)
    from backend.accounts.models import Participant
    from backend.people import services as people_services

    code_learner = people_services.learner_account_create(
        actor=world.coordinator, known_as="Hana", organisation=world.org
    )
    from backend.timetable import rooms

    start = public_session.start + timedelta(days=1)
    reservation = rooms.room_reservation_create(
        actor=world.coordinator, room=world.room, organisation=world.org, start=start,
        end=start + timedelta(hours=1), kind="maintenance",
    )  # fmt: skip
    space_participant = people_services.learner_account_create(
        actor=world.space_coordinator, known_as="Mina", space=world.space
    )
    from datetime import date

    from backend.timetable import closures

    term = closures.term_create(
        actor=world.coordinator, organisation=world.org, name="Spring term",
        start_date=date(2030, 1, 6), end_date=date(2030, 3, 31),
    )  # fmt: skip
    soon = date.today() + timedelta(days=60)
    closure = closures.closure_create(
        actor=world.coordinator, organisation=world.org, reason="Snow", start_date=soon,
        end_date=soon,
    ).closure  # fmt: skip
    from backend.notifications.one_tap import reply_token_make

    return {
        "room": world.room.pk,
        "space_room": world.protected_activity.room.pk,
        "reservation": reservation.pk,
        "term": term.pk,
        "closure": closure.pk,
        "language": "fa",
        "reply_token": reply_token_make(booking_id=own.pk, purpose="cancel"),
        "code_learner": code_learner.pk,
        "space_participant": space_participant.pk,
        "learner_participant": Participant.objects.get(user=world.learner).pk,
        "own_follow": follow.pk,
        "token": token,
        "own_booking": own.pk,
        "protected_booking": protected.pk,
        "queue_entry": entry.pk,
        "public_draw": lotteries[world.public_activity.pk].pk,
        "protected_draw": lotteries[world.protected_activity.pk].pk,
        "public_course": public_course.pk,
        "protected_course": protected_course.pk,
        "own_enrolment": own_enrolment.pk,
        "protected_enrolment": protected_enrolment.pk,
        "-": None,
        "org": world.org.pk,
        "venue": world.room.venue.pk,
        "venue_room": (world.room.venue.pk, world.room.pk),
        "public_activity": world.public_activity.pk,
        "protected_activity": world.protected_activity.pk,
        "public_session": world.public_activity.sessions.order_by("start").first().pk,
        "protected_session": world.protected_activity.sessions.order_by("start").first().pk,
        "space": world.space.pk,
        "pending_request": pending.pk,
    }


URL_KWARG = {
    "feed-organisation": "organisation_id",
    "feed-activity": "activity_id",
    "feed-personal": "token",
    "feed-session": "session_id",
    "reply": "token",
    "reply-link": "token",
    "json-catalogue": "language",
}


def route_url(name, target_id) -> str:
    """The route's URL for a target of `targets` (a venue's room is a pair)."""
    if isinstance(target_id, tuple):
        return reverse(name, kwargs={"pk": target_id[0], "room_id": target_id[1]})
    if target_id:
        return reverse(name, kwargs={URL_KWARG.get(name, "pk"): target_id})
    return reverse(name)


def _request(role, world, name, target_id, method):
    user = None if role == "anonymous" else getattr(world, role)
    url = route_url(name, target_id)
    client = client_for(user)
    if name.startswith("feed-") and user is not None:
        client.force_login(user)  # plain Django views read the session, not DRF's auth
    return getattr(client, method)(url, {}, format="json")


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_route_answers_each_role_as_the_matrix_says(name, world, targets):
    failures = []
    for target, methods in MATRIX[name].items():
        for method in METHODS:
            expected = methods.get(method, everyone(405))
            for role in ROLES:
                with transaction.atomic():
                    response = _request(role, world, name, targets[target], method)
                    if response.status_code != expected[role]:
                        failures.append(
                            f"{method.upper()} {name}[{target}] as {role}: "
                            f"{response.status_code}, expected {expected[role]} "
                            f"{getattr(response, 'data', '')}"
                        )
                    elif response.status_code == 404 and targets[target] is not None:
                        unknown = _request(role, world, name, uuid.uuid4(), method)
                        if (unknown.status_code, unknown.content) != (404, response.content):
                            failures.append(f"{method.upper()} {name}[{target}] as {role}: "
                                            "404 differs from an unknown id's")  # fmt: skip
                    transaction.set_rollback(True)
    assert not failures, "\n".join(failures)
