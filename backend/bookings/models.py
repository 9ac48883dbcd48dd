"""Booking (a place, or a place in the queue, for one session), the activity
queue ("any upcoming session"), how that queue hands out places (first come,
lottery draws, rotation: docs/fair-shares.md), course enrolments (a place on
every remaining session of a course, or a place in its line: docs/courses.md),
crèche children, and the booking event log."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from backend.accounts.models import Participant
from backend.common.models import TimestampedModel, UUIDModel
from backend.timetable.models import MAX_GROUP, Activity, Session


class BookingStatus(models.TextChoices):
    """A booking's status: the one list, in Python (`Booking.Status`) and, for
    the browser app, `frontend/js/statuses.js` (a test keeps the two equal)."""

    CONFIRMED = "confirmed", "Confirmed"
    OFFERED = "offered", "Offered (waiting for her answer)"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Offer expired"


ACTIVE = (BookingStatus.CONFIRMED, BookingStatus.OFFERED, BookingStatus.WAITING)
HOLDING = (BookingStatus.CONFIRMED, BookingStatus.OFFERED)  # they take places in the session


class Booking(TimestampedModel):
    Status = BookingStatus

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="bookings")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="bookings")
    places = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUP)]
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    # Waiting-list order: higher priority first (a coordinator's move-up), then first come.
    priority = models.IntegerField(default=0)
    queued_at = models.DateTimeField()
    # Place in line, handed out under the session's lock: arrival order as the
    # database saw it, immune to clock differences between app servers.
    seq = models.PositiveIntegerField(default=0)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    from_queue = models.ForeignKey(
        "ActivityQueueEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    # She holds the place, but a coordinator confirms it first: the activity's
    # no-show rule applied when the place was given (registers.NoShowRule).
    needs_confirmation = models.BooleanField(default=False, db_default=False)

    # Her place on one session of a course she enrolled for (docs/courses.md).
    enrolment = models.ForeignKey(
        "CourseEnrolment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )

    class Meta:
        ordering = ["session__start", "-priority", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"],
                condition=models.Q(status__in=ACTIVE),
                name="one_active_booking_per_person_per_session",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="booking_idempotency_key",
            ),
            models.CheckConstraint(condition=models.Q(places__gte=1), name="booking_places_gte_1"),
        ]
        indexes = [models.Index(fields=["session", "status", "-priority", "seq"])]


class ActivityQueueEntry(TimestampedModel):
    """Waiting for a place in ANY upcoming session of an activity (the bike list)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        PLACED = "placed", "Given a place"
        LEFT = "left", "Left the queue"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="queue")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="queues")
    places = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUP)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    priority = models.IntegerField(default=0)
    queued_at = models.DateTimeField()
    seq = models.PositiveIntegerField(default=0)  # handed out under the activity's lock
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    # Drawn in a lottery (allocation "lottery"): she is among the next to be
    # given a place, in `draw_rank` order. Entries not drawn wait for the next draw.
    won_draw = models.ForeignKey(
        "QueueDraw", on_delete=models.SET_NULL, null=True, blank=True, related_name="winners_set"
    )
    draw_rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-priority", "seq"]
        verbose_name_plural = "activity queue entries"
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant"],
                condition=models.Q(status="waiting"),
                name="one_queue_place_per_person",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="queue_idempotency_key",
            ),
        ]


class QueueRules(TimestampedModel):
    """How an activity's queue hands out places. No row: first come."""

    class Allocation(models.TextChoices):
        FIRST_COME = "first_come", "First come, first served"
        LOTTERY = "lottery", "Lottery draws for batches of places"
        ROTATION = "rotation", "Rotation: people without a recent place first"

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="queue_rules")
    allocation = models.CharField(
        max_length=12, choices=Allocation.choices, default=Allocation.FIRST_COME
    )
    rotation_weeks = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Rotation: a place in the last N weeks puts her after those without one.",
    )

    class Meta:
        verbose_name_plural = "queue rules"


class QueueDraw(TimestampedModel):
    """A lottery for a batch of places, announced before it is drawn. The seed
    is a random value recorded (and shown to coordinators) at the announcement;
    at the draw the entrants are recorded, sorted by entry id, and the winners
    follow from the seed and the entrants alone (`backend/bookings/lottery.py`),
    so anyone holding this record can re-run it (`manage.py verify_draw`)."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", "Announced"
        DRAWN = "drawn", "Drawn"
        CANCELLED = "cancelled", "Cancelled"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="draws")
    draw_at = models.DateTimeField()
    places = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    seed = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ANNOUNCED)
    # [{"id": entry id, "places": n}, ...] sorted by id, as they stood at the draw.
    entrants = models.JSONField(default=list, blank=True)
    winners = models.JSONField(default=list, blank=True)  # entry ids, in draw order
    drawn_at = models.DateTimeField(null=True, blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["draw_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity"],
                condition=models.Q(status="announced"),
                name="one_announced_draw_per_activity",
            ),
        ]


class CourseEnrolment(TimestampedModel):
    """A learner's enrolment on a course: a place on each of its remaining
    sessions (all or none, `Booking.enrolment`), or a place in the course's own
    line while any of them is full. The line is ordered like a session's line
    (priority, then `seq`, handed out under the activity's row lock)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Enrolled"
        WAITING = "waiting", "In the course's line"
        CANCELLED = "cancelled", "Cancelled"

    LIVE = (Status.CONFIRMED, Status.WAITING)

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="enrolments")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrolments"
    )
    places = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUP)]
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    priority = models.IntegerField(default=0)
    queued_at = models.DateTimeField()
    seq = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-priority", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant"],
                condition=models.Q(status__in=("confirmed", "waiting")),
                name="one_live_enrolment_per_person_per_course",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="enrolment_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["activity", "status", "-priority", "seq"])]


class CrecheChild(TimestampedModel):
    """A child in the crèche while her mother is in the class: on one booking,
    or on a course enrolment (then on each of its sessions). Minimal data
    (docs/courses.md): the birth year and month that decide the age band, and
    a label that is "Child 1" unless she chose to give a name."""

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="creche_children"
    )
    enrolment = models.ForeignKey(
        CourseEnrolment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="creche_children",
    )
    birth_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2200)]
    )
    birth_month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    label = models.CharField(max_length=40, blank=True)
    number = models.PositiveSmallIntegerField(default=1, help_text='"Child 1", "Child 2"...')

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(booking__isnull=True, enrolment__isnull=False)
                | models.Q(booking__isnull=False, enrolment__isnull=True),
                name="creche_child_on_a_booking_or_an_enrolment",
            ),
        ]


class BookingEvent(UUIDModel):
    """Append-only history: every confirmation, offer, expiry, cancellation and
    move-up (with the coordinator's reason)."""

    at = models.DateTimeField(auto_now_add=True)
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, null=True, related_name="events")
    queue_entry = models.ForeignKey(
        ActivityQueueEntry, on_delete=models.CASCADE, null=True, related_name="events"
    )
    # Changes to a queue as a whole: its allocation rules, a draw.
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    draw = models.ForeignKey(
        QueueDraw, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )

    enrolment = models.ForeignKey(
        CourseEnrolment, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at"]
