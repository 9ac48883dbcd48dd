"""Organisation, Venue, Room, RoomReservation, and the direct-FK guardian
permission tables."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from backend.common.models import TimestampedModel

# Explicit bounds on integers: they also keep the OpenAPI schema the same on
# SQLite and PostgreSQL (whose own integer ranges differ).
MAX_CAPACITY = 10_000

COORDINATE = "coordinate_organisation"
TUTOR = "tutor_organisation"


class Organisation(TimestampedModel):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            (COORDINATE, "Coordinate the organisation's timetable"),
            (TUTOR, "Tutor for the organisation"),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class Venue(TimestampedModel):
    """A building (St Anne's Church). Venues are shared: several charities use one hall.

    `organisation` is the charity that looks after the venue's details in the
    app (its coordinators edit it and add rooms); blank for a venue kept by
    the team that runs the server."""

    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="venues"
    )
    accessibility = models.TextField(
        db_default="",
        blank=True,
        help_text="Step-free access, lifts, toilets, hearing loop, parking...",
    )
    map_url = models.URLField(
        blank=True, db_default="", max_length=500, help_text="A link to the venue on a map."
    )
    # {lang: {"name"|"address": text}}: common/translations.py
    translations = models.JSONField(default=dict, db_default={}, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(TimestampedModel):
    """A room's name is unique among the rooms of its venue that a viewer may
    see, which the database cannot know: the admin checks it against the
    policy's visible rooms (organisations/admin.py). A database constraint on
    (venue, name) would collide with a hidden room, and its refusal (a 500,
    naming the room with DEBUG on) would say the hidden room exists."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=200)
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    accessibility = models.CharField(max_length=300, blank=True)
    # A room made for a protected space (a refuge's meeting room) is hidden from
    # the start from everyone without that space's grant, and only the space's
    # activities use it. Every other room is visible to everyone, whoever uses
    # it: a room's visibility never changes because a space started using it
    # (docs/women-only-rooms.md).
    space = models.ForeignKey(
        "access.Space",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rooms",
        help_text="Only for a room kept for one protected space: hidden from everyone "
        "without its grant. Leave empty for a room others book too.",
    )

    class Meta:
        ordering = ["venue__name", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="room_capacity_gte_1"),
            # Names are unique among the rooms one person may see: the shared
            # rooms of a venue, and a space's own rooms with them. A space's
            # room never collides with a shared one (nor with another space's),
            # so a name is never refused because of a room the asker cannot see.
            models.UniqueConstraint(
                fields=["venue", "name"],
                condition=models.Q(space__isnull=True),
                name="room_unique_shared_name_per_venue",
            ),
            models.UniqueConstraint(
                fields=["venue", "space", "name"],
                condition=models.Q(space__isnull=False),
                name="room_unique_space_name_per_venue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue.name}: {self.name}"


class RoomReservation(TimestampedModel):
    """The room is taken, for something that is not a Harbour session: a
    private hire, maintenance, another organisation's closed meeting. Everyone
    who may book the room sees it as a neutral "Reserved" block, exactly like a
    session they may not see; only its organisation's coordinators see its kind
    and note."""

    class Kind(models.TextChoices):
        PRIVATE_HIRE = "private_hire", "Private hire"
        MAINTENANCE = "maintenance", "Maintenance"
        CLOSED_MEETING = "closed_meeting", "Closed meeting"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="reservations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="room_reservations"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="reservation_end_after_start"
            )
        ]
        indexes = [models.Index(fields=["room", "start"])]

    def __str__(self) -> str:
        return f"{self.room}: {self.get_kind_display()}"
