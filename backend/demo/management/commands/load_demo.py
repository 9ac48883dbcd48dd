"""Load a believable fortnight at two Derby charities. Idempotent: run it twice
and nothing is duplicated. Refuses to run with DEBUG off unless --force, so demo
accounts with known passwords never reach a production database by accident."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from backend.access import services as access_services
from backend.access.models import AccessRequest, Space
from backend.accounts.models import Participant
from backend.accounts.services import user_sign_in_secret_set
from backend.bookings import services as booking_services
from backend.organisations.models import Organisation, Room, Venue
from backend.organisations.services import organisation_role_assign
from backend.registers import services as register_services
from backend.timetable import services as timetable_services
from backend.timetable.models import Activity, Language, Session
from backend.timetable.services import ScheduleInput

DEMO_PASSWORD = "harbour-demo"

LANGUAGES = [
    ("en", "English", "English"), ("ar", "Arabic", "العربية"), ("fa", "Farsi", "فارسی"),
    ("ku", "Kurdish", "Kurdî"), ("ti", "Tigrinya", "ትግርኛ"), ("ps", "Pashto", "پښتو"),
    ("ur", "Urdu", "اردو"), ("so", "Somali", "Soomaali"), ("fr", "French", "Français"),
    ("am", "Amharic", "አማርኛ"),
]  # fmt: skip

# username, known as, role description
USERS = [
    ("admin", "Site admin", "superuser (sees no protected space without a grant)"),
    ("coord.drs", "Sam (DRS coordinator)", "coordinator, Derbyshire Refugee Solidarity"),
    ("coord.upbeat", "Pat (Upbeat)", "coordinator, Upbeat Communities (not the women's space)"),
    ("coord.women", "Nadia (Upbeat Women)", "coordinator of the Upbeat Women space"),
    ("tutor.amira", "Amira", "tutor, Upbeat Women English (has the grant)"),
    ("tutor.john", "John", "tutor, English Entry 1"),
    ("learner.fatima", "Fatima", "learner with the Upbeat Women grant"),
    ("learner.layla", "Layla", "learner who has asked to join Upbeat Women"),
    ("learner.ahmed", "Ahmed", "learner (man), no grant"),
]  # fmt: skip

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

# Fatima signs in again with "Fatima" or 07700 900456 and this secret.
DEMO_SECRET = "274918"

# Arabic and Farsi for the demo's activities and venues, by title and name.
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations.json"


def _next(weekday: int, today: date) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _christmas_closures(weekday: int, today: date) -> list[date]:
    year = today.year if today.month < 12 or today.day < 28 else today.year + 1
    start = date(year, 12, 22)
    days = [start + timedelta(days=i) for i in range(12)]
    return [d for d in days if d.weekday() == weekday and d >= today]


class Command(BaseCommand):
    help = "Load demo organisations, venues, activities, sessions and users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data has known passwords: run with DEBUG=1, or --force.")
        with transaction.atomic():
            created = self._load()
        result = timetable_services.sessions_generate_all()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data {'loaded' if created else 'already present'}; sessions: "
                f"{result.created} created, {result.updated} updated."
            )
        )
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for username, _, role in USERS:
            self.stdout.write(f"  {username:<16} {role}")

    def _load(self) -> bool:
        if Organisation.objects.filter(slug="drs").exists():
            return False
        today = timezone.localdate()
        for code, name, native in LANGUAGES:
            Language.objects.get_or_create(
                code=code, defaults={"name": name, "native_name": native}
            )
        lang = {code: Language.objects.get(code=code) for code, _, _ in LANGUAGES}

        User = get_user_model()
        users = {}
        for username, known_as, _ in USERS:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
            user.known_as = known_as
            user.is_staff = username.startswith(("coord.", "admin"))
            user.is_superuser = username == "admin"
            user.save()
            users[username] = user

        drs = Organisation.objects.create(
            name="Derbyshire Refugee Solidarity", slug="drs",
            description="Drop-ins, advice, bike repair and trips for people seeking sanctuary.",
            contact_email="hello@drs.example.org",
        )  # fmt: skip
        upbeat = Organisation.objects.create(
            name="Upbeat Communities", slug="upbeat",
            description="English classes, music and a women's group.",
            contact_email="hello@upbeat.example.org",
        )  # fmt: skip
        organisation_role_assign(organisation=drs, user=users["coord.drs"], role="coordinator")
        organisation_role_assign(
            organisation=upbeat, user=users["coord.upbeat"], role="coordinator"
        )
        for tutor in ("tutor.amira", "tutor.john"):
            organisation_role_assign(organisation=upbeat, user=users[tutor], role="tutor")

        def venue(name, address, postcode, rooms):
            v = Venue.objects.create(name=name, address=address, postcode=postcode)
            return {r: Room.objects.create(venue=v, name=r, capacity=c) for r, c in rooms}

        st_annes = venue(
            "St Anne's Church", "Church Street, Derby", "DE1 3GJ",
            [("Hall", 60), ("Side room", 15), ("Bike workshop", 8)],
        )  # fmt: skip
        centre = venue(
            "Upbeat Centre", "Becket Street, Derby", "DE1 1HT",
            [("Classroom 1", 20), ("Classroom 2", 16), ("Music room", 12)],
        )  # fmt: skip
        park = venue("Osmaston Park", "Osmaston Park Road, Derby", "DE24 8BT", [("Pitch 2", 24)])
        plots = venue(
            "Chaddesden Allotments", "Nottingham Road, Derby", "DE21 6LZ", [("Plot 14", 8)]
        )
        coach = venue(
            "Coach from St Anne's Church", "Meet at the church gate, Church Street", "DE1 3GJ",
            [("Coach", 20)],
        )  # fmt: skip

        women = Space.objects.create(
            organisation=upbeat, name="Upbeat Women",
            public_description="A women-only group with its own English class. Ask to join; "
            "a coordinator will get in touch.",
        )  # fmt: skip
        access_services.space_coordinator_appoint(space=women, user=users["coord.women"])
        for who in ("tutor.amira", "learner.fatima"):
            access_services.space_grant(actor=users["coord.women"], space=women, user=users[who])
        access_services.access_request_create(
            user=users["learner.layla"], space=women, message="My friend Fatima told me about it."
        )

        def weekly(org, actor, title, kind, room, capacity, weekday, start, end, **extra):
            langs = extra.pop("languages", ["en"])
            excluded = extra.pop("excluded", False)
            activity = timetable_services.activity_create(
                actor=actor, organisation=org, room=room, kind=kind, title=title,
                capacity=capacity, languages=[lang[c] for c in langs],
                schedule_input=ScheduleInput(
                    start_date=_next(weekday, today), start_time=start, end_time=end,
                    recurrence=f"RRULE:FREQ=WEEKLY;BYDAY={WEEKDAYS[weekday]}",
                    excluded_dates=tuple(_christmas_closures(weekday, today)) if excluded else (),
                ),
                **extra,
            )  # fmt: skip
            return activity

        def one_off(org, actor, title, kind, room, capacity, day, start, end, **extra):
            langs = extra.pop("languages", ["en"])
            return timetable_services.activity_create(
                actor=actor, organisation=org, room=room, kind=kind, title=title,
                capacity=capacity, languages=[lang[c] for c in langs],
                schedule_input=ScheduleInput(start_date=day, start_time=start, end_time=end),
                **extra,
            )  # fmt: skip

        d, u = users["coord.drs"], users["coord.upbeat"]
        many = ["en", "ar", "fa", "ku", "ti"]
        weekly(
            drs,
            d,
            "Thursday drop-in: tea and welcome",
            Activity.Kind.SOCIAL,
            st_annes["Hall"],
            60,
            3,
            time(10),
            time(14),
            booking_required=False,
            languages=many,
            excluded=True,
            description="Tea, cake, a warm room and someone to talk to. Everyone welcome.",
        )
        weekly(
            drs,
            d,
            "Advice drop-in",
            Activity.Kind.ADVICE,
            st_annes["Side room"],
            15,
            3,
            time(10, 30),
            time(13),
            booking_required=False,
            languages=many,
            excluded=True,
            description="Housing, benefits, letters from the Home Office. Interpreters on hand.",
        )
        bikes = weekly(
            drs,
            d,
            "Bike repair",
            Activity.Kind.BIKE_REPAIR,
            st_annes["Bike workshop"],
            8,
            3,
            time(10),
            time(13),
            booking_opens_days=7,
            excluded=True,
            what_to_bring="Your bike, if you have one.",
            description="Fix your bike with our volunteers, or join the list for a donated bike.",
        )
        weekly(
            drs,
            d,
            "Community meal",
            Activity.Kind.SOCIAL,
            st_annes["Hall"],
            50,
            4,
            time(18),
            time(20, 30),
            languages=many,
            excluded=True,
            description="A hot meal cooked together. Bring friends and family.",
        )
        weekly(
            drs,
            d,
            "Football",
            Activity.Kind.SPORT,
            park["Pitch 2"],
            22,
            1,
            time(18),
            time(19, 30),
            what_to_bring="Trainers or boots; water.",
            description="Friendly five-a-side. All abilities.",
        )
        weekly(
            drs,
            d,
            "Allotment: grow your own",
            Activity.Kind.ALLOTMENT,
            plots["Plot 14"],
            6,
            2,
            time(10),
            time(12),
            languages=["en", "ar"],
            description="Grow vegetables from home on a shared plot. Tools provided.",
        )
        trip = one_off(
            drs,
            d,
            "Day trip to Matlock Bath",
            Activity.Kind.DAY_TRIP,
            coach["Coach"],
            20,
            _next(5, today) + timedelta(days=14),
            time(9),
            time(17, 30),
            booking_opens_days=21,
            booking_closes_hours=48,
            languages=many,
            what_to_bring="Packed lunch, warm coat, walking shoes.",
            description="A day by the river and the cable cars. Children welcome with a parent.",
        )
        one_off(
            drs,
            d,
            "Volunteer training: safeguarding basics",
            Activity.Kind.TRAINING,
            st_annes["Side room"],
            15,
            _next(0, today) + timedelta(days=7),
            time(18),
            time(20),
        )

        english = [
            ("English: Pre-entry", Activity.Level.PRE_ENTRY, "Classroom 1", 0, time(10), time(12)),
            ("English: Entry 1", Activity.Level.ENTRY_1, "Classroom 1", 0, time(13), time(15)),
            ("English: Entry 2", Activity.Level.ENTRY_2, "Classroom 1", 1, time(10), time(12)),
            ("English: Entry 3 (evening)", Activity.Level.ENTRY_3, "Classroom 1", 2, time(18),
             time(20)),
            ("English: Level 1 (evening)", Activity.Level.LEVEL_1, "Classroom 2", 3, time(18),
             time(20)),
            ("English: Level 2", Activity.Level.LEVEL_2, "Classroom 2", 4, time(10), time(12)),
        ]  # fmt: skip
        for title, level, room, weekday, start, end in english:
            activity = weekly(
                upbeat,
                u,
                title,
                Activity.Kind.ENGLISH_CLASS,
                centre[room],
                16,
                weekday,
                start,
                end,
                level=level,
                languages=["en", "ar", "fa"],
                what_to_bring="A pen and notebook (we have spares).",
            )
            if title == "English: Entry 1":
                timetable_services.activity_tutor_assign(
                    actor=u, activity=activity, tutor=users["tutor.john"]
                )
        women_class = weekly(
            upbeat, users["coord.women"], "Women's English", Activity.Kind.ENGLISH_CLASS,
            centre["Classroom 2"], 12, 1, time(10), time(12), space=women,
            level=Activity.Level.ENTRY_1, languages=["en", "ar", "fa", "ps"],
            description="English for women, taught by women, with a crèche next door.",
        )  # fmt: skip
        timetable_services.activity_tutor_assign(
            actor=users["coord.women"], activity=women_class, tutor=users["tutor.amira"]
        )
        weekly(
            upbeat,
            u,
            "Music group",
            Activity.Kind.MUSIC,
            centre["Music room"],
            12,
            2,
            time(14),
            time(16),
            languages=["en", "ar", "fa", "ku"],
            description="Sing, drum and play together. No experience needed.",
        )
        assert AccessRequest.objects.filter(space=women).exists()
        guests = self._bookings(users, trip, bikes, women_class)
        self._history(users, guests, today)
        self._translations(users)
        return True

    def _translations(self, users) -> None:
        """Arabic and Farsi for the charities' own words (common/translations.py),
        and a learner who has chosen her sign-in secret (docs/learners.md)."""
        translations = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
        for title, texts in translations["activities"].items():
            Activity.objects.filter(title=title).update(translations=texts)
        for name, texts in translations["venues"].items():
            Venue.objects.filter(name=name).update(translations=texts)
        fatima = users["learner.fatima"]
        Participant.objects.filter(user=fatima).update(phone="07700 900456")
        user_sign_in_secret_set(user=fatima, secret=DEMO_SECRET)

    def _bookings(self, users, trip, bikes, women_class) -> list[Participant]:
        """A nearly full day trip with a family on the waiting list, the bike
        list longer than the workshop, and Fatima booked into her class."""
        coordinator = users["coord.drs"]
        guests = [
            Participant.objects.create(known_as=name, phone=f"07700 900{100 + i}")
            for i, name in enumerate(
                ["Abdi", "Bahar", "Dawit", "Elham", "Farid", "Goli", "Hamid", "Iman", "Jamal",
                 "Kawsar", "Leyla", "Mehdi", "Nasrin", "Omid", "Parisa", "Rahel", "Samir",
                 "Tesfay", "Yasmin", "Zana", "Huda", "Karim"]
            )
        ]  # fmt: skip
        trip_session = trip.sessions.get()
        for guest in guests[:18]:
            booking_services.booking_create(
                actor=coordinator, session=trip_session, participant=guest
            )
        booking_services.booking_create(
            actor=coordinator, session=trip_session, participant=guests[18], places=3
        )  # a mother and two children: waits until all three fit
        booking_services.booking_create(actor=users["learner.ahmed"], session=trip_session)
        for guest in guests[10:22]:
            booking_services.queue_join(actor=coordinator, activity=bikes, participant=guest)
        first_class = women_class.sessions.order_by("start").first()
        booking_services.booking_create(actor=users["learner.fatima"], session=first_class)
        return guests

    def _history(self, users, guests, today: date) -> None:
        """Eight past weeks of the Thursday drop-in and English: Entry 1, with
        their registers, so registers and the funders' figures have something
        to show. Generation only looks forward, so the past sessions are written
        as rows here; each register is reopened (as a coordinator would, with a
        reason) and filled through the register services."""
        pick = random.Random(2026)  # the same history on every machine
        newcomers = iter(
            ["Amani", "Bilal", "Dina", "Esra", "Faisal", "Ghazal", "Hadi", "Ibrahim", "Jana",
             "Kamal", "Lina", "Maryam", "Nabil", "Rana", "Sara", "Tariq", "Wafa", "Yonas"]
        )  # fmt: skip
        for title, coordinator, regulars, pool in (
            # People DRS already knows (booked on its trip); the rest are only in a queue.
            ("Thursday drop-in: tea and welcome", users["coord.drs"], 9, guests[:19]),
            ("English: Entry 1", users["coord.upbeat"], 6, []),  # her own learners
        ):
            activity = Activity.objects.get(title=title)
            back = (today.weekday() - activity.start_date.weekday()) % 7 or 7
            for week in range(8, 0, -1):
                day = today - timedelta(days=back + 7 * (week - 1))
                start = datetime.combine(day, activity.start_time, ZoneInfo(activity.timezone))
                session, _ = Session.objects.get_or_create(
                    activity=activity, original_start=start,
                    defaults={"start": start, "end": start + activity.duration,
                              "room": activity.room, "capacity": activity.capacity},
                )  # fmt: skip
                register_services.register_reopen(
                    actor=coordinator, session=session, reason="Demo: past weeks"
                )
                for person in pick.sample(pool, min(len(pool), regulars)):
                    register_services.walk_in_add(
                        actor=coordinator, session=session, participant=person
                    )
                new = max(regulars - len(pool), 0) + (week % 3 == 0)
                for _ in range(new):
                    mark = register_services.walk_in_add(
                        actor=coordinator, session=session, known_as=next(newcomers)
                    )
                    pool.append(mark.participant)
