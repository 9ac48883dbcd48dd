"""Attendance (one mark per person per session), its change log, register
reopenings, the participant audit log, and an activity's no-show rule with the
coordinators' lifts of it (docs/fair-shares.md)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from backend.accounts.models import Participant
from backend.common.models import TimestampedModel, UUIDModel
from backend.timetable.models import Activity, Session


class Attendance(TimestampedModel):
    class Mark(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    ATTENDED = ("present", "late")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="attendance"
    )
    mark = models.CharField(max_length=10, choices=Mark.choices)
    walk_in = models.BooleanField(default=False, help_text="Came without a booking.")
    over_capacity = models.BooleanField(
        default=False, help_text="Recorded although the session was full: flagged, not refused."
    )
    first_visit = models.BooleanField(default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="one_mark_per_person")
        ]
        indexes = [models.Index(fields=["participant", "mark"])]


class AttendanceChange(UUIDModel):
    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    old_mark = models.CharField(max_length=10, blank=True)
    new_mark = models.CharField(max_length=10)

    class Meta:
        ordering = ["at"]


class RegisterReopening(UUIDModel):
    """A coordinator reopens a locked register for a while; audited."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reopenings")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    until = models.DateTimeField()
    reason = models.CharField(max_length=300)


class ParticipantEvent(UUIDModel):
    """Merges, erasures and exports: who and when."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, related_name="events"
    )
    action = models.CharField(max_length=30)
    note = models.CharField(max_length=300, blank=True)


class NoShowRule(TimestampedModel):
    """After `after` no-shows in `weeks` weeks, her next place on this activity
    waits for a coordinator's confirmation (she is told; never a silent penalty)."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="no_show_rule")
    after = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    weeks = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )


class NoShowLift(UUIDModel):
    """A coordinator lifted the rule for her, with a reason: no-shows before
    `at` no longer count towards this activity's rule."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="no_show_lifts"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at"]


class WalkInKey(UUIDModel):
    """A walk-in as the phone named it (an id it made, `crypto.randomUUID()`),
    so a walk-in sent twice (offline, then again after a lost reply) is recorded
    once. The key names the walk-in, never the person: the server always makes
    the person's own id, so a key equal to some other person's id (hidden or
    not) means nothing. Keys are per register."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "key"], name="one_walk_in_per_key")
        ]
