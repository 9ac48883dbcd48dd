"""factory_boy factories and a small, named world of people and places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from backend.access import services as access_services
from backend.access.models import Space
from backend.bookings.creche import Child
from backend.organisations.models import Organisation, Room, Venue
from backend.organisations.services import organisation_role_assign
from backend.timetable import services as timetable_services
from backend.timetable.models import Activity, Language
from backend.timetable.services import ScheduleInput


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    known_as = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Charity {n}")
    slug = factory.Sequence(lambda n: f"charity-{n}")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Venue {n}")
    postcode = "DE1 1AA"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 30


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Space {n}")


def coordinator_of(organisation: Organisation, **kwargs):
    user = UserFactory(**kwargs)
    organisation_role_assign(organisation=organisation, user=user, role="coordinator")
    return user


def child_aged(months: int, *, on) -> Child:
    """A child `months` old (in whole months) on a day, or on a session's day."""
    day = on if isinstance(on, date) else timezone.localtime(on.start).date()
    total = day.year * 12 + (day.month - 1) - months
    return Child(total // 12, total % 12 + 1)


def next_weekday(weekday: int, after: date | None = None) -> date:
    after = after or timezone.localdate()
    return after + timedelta(days=(weekday - after.weekday()) % 7 or 7)


def make_activity(
    *,
    actor,
    organisation: Organisation,
    room: Room | None = None,
    title: str = "English: Entry 1",
    kind: str = Activity.Kind.ENGLISH_CLASS,
    capacity: int = 12,
    start_date: date | None = None,
    start_time: time = time(18, 0),
    end_time: time = time(20, 0),
    recurrence: str | None = "RRULE:FREQ=WEEKLY",
    excluded_dates: tuple[date, ...] = (),
    space: Space | None = None,
    **extra,
) -> Activity:
    return timetable_services.activity_create(
        actor=actor,
        organisation=organisation,
        room=room or RoomFactory(),
        kind=kind,
        title=title,
        capacity=capacity,
        space=space,
        schedule_input=ScheduleInput(
            start_date=start_date or next_weekday(3),
            start_time=start_time,
            end_time=end_time,
            recurrence=recurrence,
            excluded_dates=excluded_dates,
        ),
        **extra,
    )


@dataclass
class World:
    """Two organisations, a protected space, and one person for each role in
    the permission matrix (issue: women-only spaces)."""

    org: Organisation
    other_org: Organisation
    space: Space
    room: Room
    coordinator: object  # organisation coordinator, no grant
    other_coordinator: object
    space_coordinator: object
    tutor_in_space: object
    tutor_elsewhere: object
    learner: object
    learner_with_grant: object
    man: object
    superuser: object
    public_activity: Activity
    protected_activity: Activity

    @classmethod
    def build(cls) -> World:
        Language.objects.get_or_create(code="en", defaults={"name": "English"})
        Language.objects.get_or_create(code="ar", defaults={"name": "Arabic"})
        org = OrganisationFactory(name="Upbeat Communities", slug="upbeat")
        other_org = OrganisationFactory(name="Derbyshire Refugee Solidarity", slug="drs")
        space = SpaceFactory(organisation=org, name="Upbeat Women")
        coordinator = coordinator_of(org, username="coord")
        other_coordinator = coordinator_of(other_org, username="coord-other")
        space_coordinator = UserFactory(username="coord-space")
        access_services.space_coordinator_appoint(space=space, user=space_coordinator)
        tutor_in_space = UserFactory(username="tutor-space")
        tutor_elsewhere = UserFactory(username="tutor-other")
        for tutor in (tutor_in_space, tutor_elsewhere):
            organisation_role_assign(organisation=org, user=tutor, role="tutor")
        learner = UserFactory(username="learner")
        learner_with_grant = UserFactory(username="learner-granted")
        man = UserFactory(username="man")
        superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
        for user in (tutor_in_space, learner_with_grant):
            access_services.space_grant(actor=space_coordinator, space=space, user=user)
        room = RoomFactory(name="Classroom 1", capacity=20)
        public_activity = make_activity(
            actor=coordinator, organisation=org, room=room, title="English: Entry 2",
            start_time=time(10), end_time=time(12),
        )  # fmt: skip
        timetable_services.activity_tutor_assign(
            actor=coordinator, activity=public_activity, tutor=tutor_elsewhere
        )
        protected_room = RoomFactory(name="Quiet room", capacity=14, space=space)
        protected_activity = make_activity(
            actor=space_coordinator, organisation=org, room=protected_room, space=space,
            title="Women's English", start_time=time(13), end_time=time(15),
        )  # fmt: skip
        timetable_services.activity_tutor_assign(
            actor=space_coordinator, activity=protected_activity, tutor=tutor_in_space
        )
        return cls(
            org=org, other_org=other_org, space=space, room=room, coordinator=coordinator,
            other_coordinator=other_coordinator, space_coordinator=space_coordinator,
            tutor_in_space=tutor_in_space, tutor_elsewhere=tutor_elsewhere, learner=learner,
            learner_with_grant=learner_with_grant, man=man, superuser=superuser,
            public_activity=public_activity, protected_activity=protected_activity,
        )  # fmt: skip
