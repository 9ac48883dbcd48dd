"""Organisation, Venue, Room, and the direct-FK guardian permission tables."""

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
    """A building (St Anne's Church). Venues are shared: several charities use one hall."""

    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    # {lang: {"name"|"address": text}}: common/translations.py
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(TimestampedModel):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=200)
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    accessibility = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["venue__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_unique_name_per_venue"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="room_capacity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.venue.name}: {self.name}"
