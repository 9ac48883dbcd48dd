"""ESOL progress (docs/fair-shares.md): a learner's level per skill, as dated
changes by a tutor (the history is kept; her level is the latest), and the
attendance a term's certificate asks for, set by a coordinator."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from backend.accounts.models import Participant
from backend.common.models import TimestampedModel, UUIDModel
from backend.timetable.models import Activity, Term


class EsolLevelChange(UUIDModel):
    class Skill(models.TextChoices):
        SPEAKING = "speaking", "Speaking"
        LISTENING = "listening", "Listening"
        READING = "reading", "Reading"
        WRITING = "writing", "Writing"

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="esol_levels"
    )
    skill = models.CharField(max_length=10, choices=Skill.choices)
    level = models.CharField(max_length=10, choices=Activity.Level.choices)
    on = models.DateField(default=timezone.localdate, help_text="The day she was assessed.")
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-at"]
        indexes = [models.Index(fields=["participant", "skill", "-on"])]


class CertificateThreshold(TimestampedModel):
    """A term's attendance certificate: earned by attending at least `percent`
    of the sessions she held a place on (and at least `minimum_sessions`)."""

    term = models.OneToOneField(Term, on_delete=models.CASCADE, related_name="certificate")
    percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    minimum_sessions = models.PositiveSmallIntegerField(default=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
