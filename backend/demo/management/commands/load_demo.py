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
from backend.accounts.services import participant_for_user, user_sign_in_secret_set
from backend.bookings import courses as course_services
from backend.bookings import services as booking_services
from backend.bookings.creche import Child
from backend.demo.fair_shares import load_fair_shares
from backend.feeds import services as feed_services
from backend.organisations.models import Organisation, Room, RoomReservation, Venue
from backend.organisations.services import organisation_role_assign
from backend.people import services as people_services
from backend.registers import services as register_services
from backend.registers.models import RegisterReopening
from backend.timetable import closures
from backend.timetable import rooms as room_services
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
    ("tutor.john", "John", "tutor, English Entry 1 and the Thursday drop-in"),
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
        parser.add_argument(
            "--without-space-content",
            action="store_true",
            help="The demo as it would be if the women-only space had never run anything: "
            "the space, its coordinator, grants and requests stay; its activities, "
            "sessions, bookings, registers and the people known only through them are "
            "not made. tests/access/test_demo_probe.py compares the real demo with it.",
        )

    def handle(self, *args, force=False, without_space_content=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data has known passwords: run with DEBUG=1, or --force.")
        with transaction.atomic():
            created = self._load(with_space=not without_space_content)
        result = timetable_services.sessions_generate_all()
        # The sessions were made with their activities: say how many there are,
        # not how many this last pass added (usually none).
        added = f", {result.created} added up to the horizon" if result.created else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data {'loaded' if created else 'already present'}: "
                f"{Session.objects.count()} sessions{added}."
            )
        )
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for username, _, role in USERS:
            self.stdout.write(f"  {username:<16} {role}")

    def _languages(self) -> dict[str, Language]:
        for code, name, native in LANGUAGES:
            Language.objects.get_or_create(
                code=code, defaults={"name": name, "native_name": native}
            )
        return {code: Language.objects.get(code=code) for code, _, _ in LANGUAGES}

    def _users(self) -> dict:
        User = get_user_model()
        users = {}
        for username, known_as, _ in USERS:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
            user.known_as = known_as
            user.is_staff = username.startswith(("coord.", "admin"))
            user.is_superuser = username == "admin"
            user.save()
            users[username] = user
        return users

    def _load(self, *, with_space: bool = True) -> bool:
        if Organisation.objects.filter(slug="drs").exists():
            return False
        today = timezone.localdate()
        lang = self._languages()
        users = self._users()

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
        # Residents who hire a room at the Upbeat Centre; they run nothing in Harbour.
        Organisation.objects.create(
            name="Becket Street Tenants' Association", slug="becket-tenants",
            description="Residents' meetings at the Upbeat Centre.",
        )  # fmt: skip
        organisation_role_assign(organisation=drs, user=users["coord.drs"], role="coordinator")
        organisation_role_assign(
            organisation=upbeat, user=users["coord.upbeat"], role="coordinator"
        )
        for tutor in ("tutor.amira", "tutor.john"):
            organisation_role_assign(organisation=upbeat, user=users[tutor], role="tutor")

        def venue(name, address, postcode, rooms, **details):
            v = Venue.objects.create(name=name, address=address, postcode=postcode, **details)
            return {r: Room.objects.create(venue=v, name=r, capacity=c) for r, c in rooms}

        st_annes = venue(
            "St Anne's Church", "Church Street, Derby", "DE1 3GJ",
            [("Hall", 60), ("Side room", 15), ("Bike workshop", 8)], organisation=drs,
            accessibility="Step-free entrance by the car park; accessible toilet off the hall.",
            map_url="https://www.openstreetmap.org/search?query=DE1%203GJ",
        )  # fmt: skip
        centre = venue(
            "Upbeat Centre", "Becket Street, Derby", "DE1 1HT",
            [("Classroom 1", 20), ("Classroom 2", 16), ("Music room", 12)], organisation=upbeat,
            accessibility="Lift to all floors; hearing loop in Classroom 1.",
            map_url="https://www.openstreetmap.org/search?query=DE1%201HT",
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
        # Discreet texts, emails and feed are the default (Fatima's); Amira's phone
        # is her own and she chose the full wording.
        feed_services.feed_settings_update(user=users["tutor.amira"], discreet=False)
        access_services.access_request_create(
            user=users["learner.layla"], space=women, message="My friend Fatima told me about it."
        )
        # A room kept for the space from the day it was made: nobody without the
        # grant ever sees it. (Women's English meets in shared Classroom 2, where
        # others see its time only as "Reserved", like the reservations below.)
        if with_space:
            centre["Garden room"] = Room.objects.create(
                venue=centre["Classroom 1"].venue, name="Garden room", capacity=10, space=women
            )
            # A woman Nadia registered at the space herself, with the space in
            # the same step (issue 14): she sees its sessions from the start,
            # and to anyone without the grant her login does not exist.
            people_services.learner_account_create(
                actor=users["coord.women"], known_as="Mahsa", preferred_language="fa",
                space=women, grant=True,
            )  # fmt: skip

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
            # A morning workshop: reminded 2 hours before (08:00, as quiet hours end).
            reminder_timing=Activity.ReminderTiming.TWO_HOURS,
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
            # A term's course with a crèche (docs/courses.md): two crèche staff.
            is_course=True, course_ends=today + timedelta(weeks=10), creche_staff=2,
            booking_opens_days=90,
        )  # fmt: skip
        timetable_services.activity_tutor_assign(
            actor=users["coord.women"], activity=women_class, tutor=users["tutor.amira"]
        )
        if not with_space:
            self._stand_in_for(women_class, today)
            women_class = None
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
        if with_space:
            weekly(
                upbeat, users["coord.women"], "Women's coffee morning", Activity.Kind.SOCIAL,
                centre["Garden room"], 10, 4, time(10), time(11, 30), space=women,
                booking_required=False, languages=["en", "ar", "fa", "ps"],
                description="Coffee, a chat and a crèche.",
            )  # fmt: skip
        self._reservations(users, today, st_annes, centre)
        assert AccessRequest.objects.filter(space=women).exists()
        guests = self._bookings(users, trip, bikes, women_class)
        self._history(users, guests, today)
        self._terms_and_closures(u, upbeat, d, drs, st_annes, today)
        self._translations(users)
        load_fair_shares(users, today=today)
        return True

    def _stand_in_for(self, women_class: Activity, today: date) -> None:
        """In the world without the space's activities, Classroom 2 is still
        taken at the times the women's class would meet: the tenants' association
        next door holds closed meetings there. That is the world a coordinator
        without the grant must not be able to tell from the real one."""
        timetable_services.sessions_generate_all()
        tenants = Organisation.objects.get(slug="becket-tenants")
        times = [(s.start, s.end) for s in women_class.sessions.all()]
        times += [
            (s.start, s.end)
            for s in (self._past_session(women_class, today, w) for w in range(6, 0, -1))
        ]
        for start, end in times:
            RoomReservation.objects.create(
                room=women_class.room, organisation=tenants, start=start, end=end,
                kind=RoomReservation.Kind.CLOSED_MEETING,
            )  # fmt: skip
        Activity.objects.filter(pk=women_class.pk).delete()

    def _reservations(self, users, today: date, st_annes, centre) -> None:
        """Ordinary reservations in shared rooms, so "Reserved" in a room's
        availability is not a synonym for the women's class: a choir that hires
        Classroom 2 on Tuesday afternoons, heating repairs, a trustees' meeting
        and a hall hire at St Anne's."""
        tz = ZoneInfo(settings.TIME_ZONE)

        def at(day, hour, minute=0):
            return datetime.combine(day, time(hour, minute), tz)

        u, d = users["coord.upbeat"], users["coord.drs"]
        upbeat, drs = Organisation.objects.get(slug="upbeat"), Organisation.objects.get(slug="drs")
        plan = [
            *[
                (u, upbeat, centre["Classroom 2"], _next(1, today) + timedelta(weeks=w), 13, 15,
                 RoomReservation.Kind.PRIVATE_HIRE, "Derby Community Choir, paid termly")
                for w in range(4)
            ],
            (u, upbeat, centre["Classroom 2"], _next(0, today), 9, 17,
             RoomReservation.Kind.MAINTENANCE, "Heating engineer; key from reception"),
            (u, upbeat, centre["Classroom 1"], _next(2, today), 14, 16,
             RoomReservation.Kind.CLOSED_MEETING, "Trustees"),
            (d, drs, st_annes["Hall"], _next(5, today), 12, 17,
             RoomReservation.Kind.PRIVATE_HIRE, "Christening party (parish booking)"),
        ]  # fmt: skip
        for actor, org, room, day, begin, finish, kind, note in plan:
            room_services.room_reservation_create(
                actor=actor, room=room, organisation=org, start=at(day, begin),
                end=at(day, finish), kind=kind, note=note,
            )  # fmt: skip

    def _terms_and_closures(self, u, upbeat, d, drs, st_annes, today: date) -> None:
        """Upbeat's terms (the schedule builder offers their dates), a half-term
        week closed for all its classes, and a day St Anne's is shut (undone
        again when the fête moved): the screen at #/closures shows all three."""
        this_term = today - timedelta(days=40)
        closures.term_create(
            actor=u, organisation=upbeat, name="This term", start_date=this_term,
            end_date=this_term + timedelta(weeks=15),
        )  # fmt: skip
        closures.term_create(
            actor=u, organisation=upbeat, name="Next term",
            start_date=this_term + timedelta(weeks=17), end_date=this_term + timedelta(weeks=30),
        )  # fmt: skip
        half_term = _next(0, today) + timedelta(weeks=5)
        closures.closure_create(
            actor=u, organisation=upbeat, reason="Half-term: no classes this week",
            start_date=half_term, end_date=half_term + timedelta(days=4),
        )  # fmt: skip
        fete = _next(3, today) + timedelta(weeks=3)
        moved = closures.closure_create(
            actor=d, organisation=drs, venue=st_annes["Hall"].venue,
            reason="St Anne's is closed for the church fête", start_date=fete, end_date=fete,
        ).closure  # fmt: skip
        closures.closure_undo(actor=d, closure=moved)

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
        if women_class is not None:
            # Fatima enrols for the term with crèche places for her two children
            # (birth month and year only; no names).
            year = timezone.localdate().year
            course_services.enrolment_create(
                actor=users["learner.fatima"], activity=women_class,
                children=[Child(year - 1, 3), Child(year - 3, 9)],
            )  # fmt: skip
            # The term is then made two weeks longer: the sessions it gains go to
            # Fatima's enrolment, crèche places too (docs/courses.md).
            timetable_services.activity_update(
                actor=users["coord.women"], activity=women_class,
                course_ends=women_class.course_ends + timedelta(weeks=2),
            )  # fmt: skip
            # One week a third helper comes, so that session's crèche has its own number.
            third = women_class.sessions.order_by("start")[2]
            timetable_services.session_creche_staff_set(
                actor=users["coord.women"], session=third, staff=3
            )
        # Fatima also comes to Entry 1, which everyone at Upbeat may see.
        entry_1 = Activity.objects.get(title="English: Entry 1").sessions.order_by("start")
        booking_services.booking_create(actor=users["learner.fatima"], session=entry_1.first())
        # Pat (no grant) books Fatima onto Entry 2, at the time of her women's
        # class: he cannot see that place, so it is not looked at and the booking
        # goes ahead. Fatima sees the overlap on both bookings (and gets a
        # message); Pat sees an ordinary booking.
        entry_2 = (
            Session.objects.filter(activity__title="English: Entry 2").order_by("start").first()
        )
        if entry_2 is not None:
            booking_services.booking_create(
                actor=users["coord.upbeat"], session=entry_2,
                participant=participant_for_user(user=users["learner.fatima"]),
            )  # fmt: skip
        return guests

    def _history(self, users, guests, today: date) -> None:
        """Eight past weeks of the Thursday drop-in and English: Entry 1, with
        their registers, so registers and the funders' figures have something
        to show. Generation only looks forward, so the past sessions are written
        as rows here; each register is reopened (as a coordinator would, with a
        reason) and filled through the register services."""
        pick = random.Random(2026)  # the same history on every machine
        # Some names as the newcomer wrote them: searching "Maryam" or "Hadi"
        # finds them (participant search compares transliterations).
        newcomers = iter(
            ["Amani", "Bilal", "مریم", "Esra", "Faisal", "Ghazal", "هادی", "Ibrahim", "Jana",
             "Kamal", "Lina", "Dina", "Nabil", "Rana", "Sara", "Tariq", "Wafa", "Yonas"]
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
            if title.startswith("Thursday drop-in"):
                # A second Samir, told apart from the first by the walk-in suggestions
                # (last visit, phone's last digits, languages).
                register_services.walk_in_add(
                    actor=coordinator, session=session, known_as="Samir",
                    phone="07700 900987", languages=["ar"],
                )  # fmt: skip
                # A long name on a phone's register: read whole, on two lines.
                register_services.walk_in_add(
                    actor=coordinator, session=session, known_as="Khadija Mohammadzadeh-Rahimi"
                )
                # John tutors the drop-in too: his registers show last week's (still
                # open), and the next one (read-only until an hour before it starts).
                organisation_role_assign(
                    organisation=activity.organisation, user=users["tutor.john"], role="tutor"
                )
                timetable_services.activity_tutor_assign(
                    actor=coordinator, activity=activity, tutor=users["tutor.john"]
                )
        self._fatima_history(users, today, with_space=Activity.objects.filter(
            space__isnull=False).exists())  # fmt: skip
        # The past weeks were reopened only to be filled in: close them again, so
        # that registers lock as usual and only the recent ones are still open.
        RegisterReopening.objects.filter(reason="Demo: past weeks").update(until=timezone.now())

    def _past_session(self, activity: Activity, today: date, weeks_ago: int) -> Session:
        back = (today.weekday() - activity.start_date.weekday()) % 7 or 7
        day = today - timedelta(days=back + 7 * (weeks_ago - 1))
        start = datetime.combine(day, activity.start_time, ZoneInfo(activity.timezone))
        session, _ = Session.objects.get_or_create(
            activity=activity, original_start=start,
            defaults={"start": start, "end": start + activity.duration,
                      "room": activity.room, "capacity": activity.capacity},
        )  # fmt: skip
        return session

    def _fatima_history(self, users, today: date, *, with_space: bool) -> None:
        """Fatima's first visits were to the women's class (six weeks of it, with
        Roya and Shirin, who came only there); the last two weeks she also came
        to Entry 1. To anyone without the grant she is a newcomer to Entry 1
        two weeks ago, and Roya and Shirin do not exist."""
        fatima = participant_for_user(user=users["learner.fatima"])
        if with_space:
            nadia = users["coord.women"]
            women_class = Activity.objects.get(title="Women's English")
            for week in range(6, 0, -1):
                session = self._past_session(women_class, today, week)
                register_services.register_reopen(
                    actor=nadia, session=session, reason="Demo: past weeks"
                )
                register_services.walk_in_add(actor=nadia, session=session, participant=fatima)
                for name in ("Roya", "Shirin")[: 1 + (week < 5)]:
                    known = Participant.objects.filter(known_as=name).first()
                    register_services.walk_in_add(
                        actor=nadia, session=session, participant=known, known_as=name
                    )
        pat = users["coord.upbeat"]
        entry_1 = Activity.objects.get(title="English: Entry 1")
        for week in (2, 1):
            session = self._past_session(entry_1, today, week)
            register_services.walk_in_add(actor=pat, session=session, participant=fatima)
