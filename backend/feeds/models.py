"""The personal feed's token and settings, and followed activities."""

from django.conf import settings
from django.db import models

from backend.common.models import TimestampedModel
from backend.timetable.models import Activity


class PersonalFeed(TimestampedModel):
    """Calendar apps cannot log in, so the feed URL carries a secret. Only its
    SHA-256 is stored; rotating replaces it and the old URL dies at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Her one "shared phone" preference: it governs the calendar feed and the
    # texts and emails about women-only sessions (notifications/services.py).
    # Discreet unless she chose otherwise.
    discreet = models.BooleanField(
        default=True,
        help_text="Show protected-space sessions with a neutral title and no place or details, "
        "in the calendar feed and in texts and emails (phones are often shared).",
    )
    discreet_title = models.CharField(max_length=60, default="Class")
    include_followed = models.BooleanField(
        default=True, help_text="Also every session of the activities she follows."
    )


class Follow(TimestampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="followers")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "activity"], name="follow_once")]
