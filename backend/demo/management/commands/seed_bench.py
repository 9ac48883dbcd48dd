"""Seed the production-stack benchmark (`make bench-stack`): two charities, a
women-only space, 500 sessions (x --scale) of which ~80% lie in the past year
with bookings and attendance, a learner granted the space with bookings,
follows and a personal feed, a tutor with a register to take, a coordinator
for the figures, and a crowd of learners with signed-in sessions who book a
few contended sessions.

It EMPTIES the database first (`flush`), so it refuses unless the database
name contains "bench" and --reset is given. Prints one JSON object on stdout:
the ids, the feed secret and the session cookies the load generator needs.
Accounts have the password `harbour-bench`."""

from __future__ import annotations

import json
import random
import secrets
from datetime import time, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from backend.access import services as access_services
from backend.access.models import Space
from backend.accounts.models import Participant
from backend.bookings.models import Booking
from backend.feeds.models import Follow, PersonalFeed
from backend.feeds.services import token_hash
from backend.organisations.models import Organisation, Room, Venue
from backend.organisations.services import organisation_role_assign
from backend.registers.models import Attendance
from backend.timetable import services as timetable_services
from backend.timetable.models import Activity, Language, Session
from backend.timetable.services import ScheduleInput

BENCH_PASSWORD = "harbour-bench"
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
SESSIONS_PER_SCALE = 500
ACTIVITIES_PER_SCALE = 10
CONTENDED = 4  # sessions the crowd books
CHARITIES_PER_SCALE = 5  # from --scale 2 on; scale 1 keeps its two


def _cookie(user) -> str:
    """A signed-in session for `user` without a login round trip (what a
    browser holds after signing in), in the configured session store."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _organisation_of(i: int, *, protected: bool, network: list) -> Organisation:
    """The space's activities are Upbeat's; the rest alternate between the two
    charities, or (a city network, --scale 2 and up) go round all of them."""
    drs, upbeat = network[:2]
    if protected:
        return upbeat
    if len(network) == 2:
        return upbeat if i % 2 else drs
    return network[i % len(network)]


def _past_sessions(activities: list[Activity], past_needed: int) -> list[Session]:
    """Weekly sessions going back from each activity's first, round-robin, until enough."""
    past: list[Session] = []
    week = 1
    while len(past) < past_needed:
        for activity in activities:
            if len(past) >= past_needed:
                break
            first = Session.objects.filter(activity=activity).order_by("start").first()
            start = first.start - timedelta(weeks=week)
            past.append(
                Session(
                    activity=activity, original_start=start, start=start,
                    end=start + timedelta(hours=1), room=activity.room, capacity=20,
                )
            )  # fmt: skip
        week += 1
    return past


def _year_of_bookings(rng, past: list[Session], people: list) -> tuple[list, list]:
    bookings, marks = [], []
    for session in past:
        chosen = rng.sample(people, 14)
        for seq, person in enumerate(chosen[:10], start=1):
            bookings.append(
                Booking(session=session, participant=person, status="confirmed",
                        queued_at=session.start - timedelta(days=2), seq=seq)
            )  # fmt: skip
        for person in chosen[2:]:
            mark = rng.choice(["present", "present", "late", "absent"])
            marks.append(Attendance(session=session, participant=person, mark=mark))
    return bookings, marks


class Command(BaseCommand):
    help = "EMPTY the (bench) database and seed the production-stack benchmark data."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Required: flushes the DB.")
        parser.add_argument("--scale", type=int, default=1, help="Multiplies the data size.")
        parser.add_argument("--crowd", type=int, default=600, help="Learners who book.")

    def handle(self, *args, reset=False, scale=1, crowd=600, **options):
        name = str(connection.settings_dict["NAME"])
        if not reset or "bench" not in name:
            raise CommandError(
                f"seed_bench empties the database; run it with --reset on a database whose "
                f"name contains 'bench' (this one is {name!r})."
            )
        call_command("flush", interactive=False, verbosity=0)
        with transaction.atomic():
            result = self._seed(scale=scale, crowd=crowd)
        with connection.cursor() as cursor:  # as autovacuum would after a real year
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        self.stdout.write(json.dumps(result))

    def _seed(self, *, scale: int, crowd: int) -> dict:
        rng = random.Random(8)
        today = timezone.localdate()
        now = timezone.now()
        User = get_user_model()
        password = make_password(BENCH_PASSWORD)

        for code, lang_name in (("en", "English"), ("ar", "Arabic"), ("fa", "Farsi")):
            Language.objects.create(code=code, name=lang_name, native_name=lang_name)
        english = Language.objects.get(code="en")

        def user(username, **extra):
            return User.objects.create(username=username, password=password, **extra)

        coord = user("bench.coord", known_as="Sam")
        women_coord = user("bench.women", known_as="Nadia")
        tutor = user("bench.tutor", known_as="Amira")
        learner = user("bench.learner", known_as="Fatima")

        drs = Organisation.objects.create(name="Bench Refugee Solidarity", slug="bench-drs")
        upbeat = Organisation.objects.create(name="Bench Upbeat", slug="bench-upbeat")
        # A city network at scale: 5 charities per scale step (50 at --scale 10).
        others = [
            Organisation.objects.create(name=f"Bench Charity {n}", slug=f"bench-charity-{n}")
            for n in range(3, CHARITIES_PER_SCALE * scale + 1 if scale > 1 else 3)
        ]
        network = [drs, upbeat, *others]
        for org in network:
            organisation_role_assign(organisation=org, user=coord, role="coordinator")
            organisation_role_assign(organisation=org, user=tutor, role="tutor")
        women = Space.objects.create(organisation=upbeat, name="Bench Women")
        access_services.space_coordinator_appoint(space=women, user=women_coord)
        for who in (tutor, learner):
            access_services.space_grant(actor=women_coord, space=women, user=who)

        venue = Venue.objects.create(name="Bench Centre", address="1 Bench Street", postcode="DE1")
        activities: list[Activity] = []
        n_activities = ACTIVITIES_PER_SCALE * scale
        for i in range(n_activities):
            protected = i % 5 == 4  # one in five in the women-only space
            weekday = i % 7
            start_hour = 8 + (i // 7) % 12
            room = Room.objects.create(venue=venue, name=f"Room {i}", capacity=40)
            activity = timetable_services.activity_create(
                actor=women_coord if protected else coord,
                organisation=_organisation_of(i, protected=protected, network=network),
                space=women if protected else None,
                room=room, kind=Activity.Kind.ENGLISH_CLASS, title=f"Class {i}",
                capacity=20, languages=[english],
                schedule_input=ScheduleInput(
                    start_date=today + timedelta(days=(weekday - today.weekday()) % 7),
                    start_time=time(start_hour), end_time=time(start_hour + 1),
                    recurrence=f"RRULE:FREQ=WEEKLY;BYDAY={WEEKDAYS[weekday]}",
                ),
            )  # fmt: skip
            activity.tutors.add(tutor)
            activities.append(activity)

        # The past year: bulk rows, so that the total is SESSIONS_PER_SCALE x scale.
        future = Session.objects.count()
        past_needed = SESSIONS_PER_SCALE * scale - future
        past = Session.objects.bulk_create(_past_sessions(activities, past_needed))

        # People: a crowd with logins who book, and walk-ins without.
        crowd_users = User.objects.bulk_create(
            User(username=f"bench.p{i:04d}", password=password, known_as=f"P{i}")
            for i in range(crowd)
        )
        crowd_people = Participant.objects.bulk_create(
            Participant(user=u, known_as=u.known_as) for u in crowd_users
        )
        walk_ins = Participant.objects.bulk_create(
            Participant(known_as=f"W{i}", first_seen=today - timedelta(days=300 - i % 300))
            for i in range(300 * scale)
        )
        her = Participant.objects.create(user=learner, known_as="Fatima")
        people = crowd_people[:200] + walk_ins

        # A year of bookings and attendance on past sessions.
        bookings, marks = _year_of_bookings(rng, past, people)
        Booking.objects.bulk_create(bookings, batch_size=2000)
        Attendance.objects.bulk_create(marks, batch_size=2000)
        Session.objects.filter(pk__in=[s.pk for s in past]).update(booked_places=10)

        # Her bookings (a third of the coming sessions, women's class included),
        # her follows, and a feed.
        upcoming = list(Session.objects.filter(start__gte=now).order_by("start"))
        hers = [s for s in upcoming if s.activity_id in {a.pk for a in activities[2:5]}]
        Booking.objects.bulk_create(
            Booking(session=s, participant=her, status="confirmed", queued_at=now, seq=1)
            for s in hers
        )
        for s in hers:
            Session.objects.filter(pk=s.pk).update(booked_places=s.booked_places + 1)
        Follow.objects.bulk_create(Follow(user=learner, activity=a) for a in activities[5:8])
        feed_secret = secrets.token_urlsafe(32)
        PersonalFeed.objects.create(user=learner, token_hash=token_hash(feed_secret))

        # A register: the tutor's next public session, 18 booked, 4 waiting, a few marked.
        this_week = [s for s in upcoming if s.start.date() <= today + timedelta(days=6)]
        register = next(s for s in this_week if s.activity.space_id is None)
        line = rng.sample(walk_ins, 22)
        Booking.objects.bulk_create(
            Booking(session=register, participant=p, queued_at=now, seq=i,
                    status="confirmed" if i <= 18 else "waiting")
            for i, p in enumerate(line, start=1)
        )  # fmt: skip
        Session.objects.filter(pk=register.pk).update(booked_places=18, capacity=18)
        Attendance.objects.bulk_create(
            Attendance(session=register, participant=p, mark="present") for p in line[:6]
        )

        # Contended sessions: public, bookable, on different days (no overlap refusal).
        contended, days = [], set()
        for s in upcoming:
            public = s.activity.space_id is None and s.pk != register.pk
            fresh = s.start > now + timedelta(days=1) and not s.booked_places
            if public and fresh and s.start.date() not in days:
                contended.append(s)
                days.add(s.start.date())
            if len(contended) == CONTENDED:
                break
        Session.objects.filter(pk__in=[s.pk for s in contended]).update(capacity=10)

        detail = next(s for s in this_week if s.activity.space_id is not None)
        return {
            "scale": scale,
            "sessions": Session.objects.count(),
            "attendance": Attendance.objects.count(),
            "bookings": Booking.objects.count(),
            "organisation": str(drs.pk),
            "feed_secret": feed_secret,
            "date_from": today.isoformat(),
            "date_to": (today + timedelta(days=6)).isoformat(),
            "year_from": (today - timedelta(days=365)).isoformat(),
            "year_to": today.isoformat(),
            "detail_session": str(detail.pk),
            "register_session": str(register.pk),
            "contended_sessions": [str(s.pk) for s in contended],
            "cookies": {
                "learner": _cookie(learner),
                "tutor": _cookie(tutor),
                "coordinator": _cookie(coord),
                "crowd": [_cookie(u) for u in crowd_users],
            },
            "session_cookie_name": settings.SESSION_COOKIE_NAME,
            "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        }
