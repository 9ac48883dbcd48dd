"""Notification: one message to one person on one channel."""

from django.db import models

from backend.accounts.models import Participant
from backend.common.models import TimestampedModel


class Notification(TimestampedModel):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    kind = models.CharField(max_length=40)
    language = models.CharField(max_length=10)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # A worker's lease on a pending row: set when it claims the row, cleared
    # when the send is recorded. A row whose worker died is claimable again
    # once its lease has run out, so a crash mid-batch loses nothing.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]


class Reminder(models.Model):
    """That a booking was reminded of its session at this start time: the
    unique row makes `send_reminders` idempotent (run it as often as you like,
    from several servers), and a session moved to a new time is reminded again."""

    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="+")
    session_start = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "session_start"], name="one_reminder_per_booking_and_start"
            )
        ]

    def __str__(self) -> str:
        return f"reminder for {self.booking_id} at {self.session_start:%Y-%m-%d %H:%M}"
