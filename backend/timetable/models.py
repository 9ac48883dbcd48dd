"""Activity and Session.

An Activity's schedule is a django-recurrence rule stored WITHOUT a DTSTART,
plus separate start_date / start_time / duration / timezone columns and our own
list of excluded dates (django-recurrence 1.14 stores DTSTART/EXDATE in UTC and
loses them on reload; see docs/architecture.md). Expansion lives in schedule.py.
"""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from recurrence.fields import RecurrenceField

from backend.access.models import Space
from backend.common.models import TimestampedModel
from backend.organisations.models import MAX_CAPACITY, Organisation, Room

MAX_GROUP = 20


def validate_timezone(value: str) -> None:
    # Not field choices: the tz database differs between machines, and choices
    # would make migrations and the OpenAPI schema drift with it.
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/London).")


class Language(models.Model):
    """A language spoken in an activity, by ISO 639-1 code (en, ar, fa, ku, ti...)."""

    code = models.CharField(max_length=10, primary_key=True)
    name = models.CharField(max_length=60, help_text="The name in English.")
    native_name = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Activity(TimestampedModel):
    class Kind(models.TextChoices):
        ENGLISH_CLASS = "english_class", "English class"
        SPORT = "sport", "Sport"
        DAY_TRIP = "day_trip", "Day trip"
        ALLOTMENT = "allotment", "Allotment"
        MUSIC = "music", "Music"
        BIKE_REPAIR = "bike_repair", "Bike repair"
        ADVICE = "advice", "Advice"
        SOCIAL = "social", "Social"
        TRAINING = "training", "Training"
        OTHER = "other", "Other"

    class Level(models.TextChoices):
        PRE_ENTRY = "pre_entry", "Pre-entry"
        ENTRY_1 = "entry_1", "Entry 1"
        ENTRY_2 = "entry_2", "Entry 2"
        ENTRY_3 = "entry_3", "Entry 3"
        LEVEL_1 = "level_1", "Level 1"
        LEVEL_2 = "level_2", "Level 2"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="activities"
    )
    space = models.ForeignKey(
        Space,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text="A protected space: only people granted it can see this activity.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    what_to_bring = models.CharField(max_length=300, blank=True)
    # {lang: {"title"|"description"|"what_to_bring": text}}: common/translations.py
    translations = models.JSONField(default=dict, db_default={}, blank=True)
    level = models.CharField(
        max_length=10, choices=Level.choices, blank=True, help_text="ESOL level (English only)."
    )
    languages = models.ManyToManyField(Language, blank=True, related_name="activities")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="activities")
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    tutors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="tutored_activities"
    )

    booking_required = models.BooleanField(
        default=True, help_text="Off for drop-ins: people just turn up."
    )
    booking_opens_days = models.PositiveIntegerField(
        validators=[MaxValueValidator(365)],
        default=14,
        help_text="Booking opens this many days before a session starts.",
    )
    booking_closes_hours = models.PositiveIntegerField(
        validators=[MaxValueValidator(24 * 60)],
        default=0,
        help_text="Booking closes this many hours before a session starts.",
    )

    class WaitlistMode(models.TextChoices):
        CONFIRM = "confirm", "Confirm the next in line straight away"
        OFFER = "offer", "Offer the place for a time; it passes on if not accepted"

    waitlist_mode = models.CharField(
        max_length=10, choices=WaitlistMode.choices, default=WaitlistMode.CONFIRM
    )
    offer_hours = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        default=12,
        help_text="How long an offered place is held (offer mode).",
    )

    class ReminderTiming(models.TextChoices):
        DAY_BEFORE = "day_before", "The day before, in the evening"
        TWO_HOURS = "two_hours", "2 hours before"

    reminder_timing = models.CharField(
        max_length=12,
        choices=ReminderTiming.choices,
        default=ReminderTiming.DAY_BEFORE,
        db_default=ReminderTiming.DAY_BEFORE,
        help_text="When a booking is reminded of its session (never in quiet hours).",
    )
    weekly_limit = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        null=True,
        blank=True,
        help_text="Most sessions of this activity one person may hold per week (blank: no limit).",
    )
    max_group_size = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUP)],
        default=6,
        help_text="Most places one booking may take (a parent and children).",
    )

    # Run as a course (docs/courses.md): a learner enrols once for all its
    # remaining sessions between course_starts and course_ends (blank: every
    # session), and single-session bookings are refused.
    is_course = models.BooleanField(
        default=False,
        db_default=False,
        help_text="A course: learners enrol for the term, not for one session.",
    )
    course_starts = models.DateField(
        null=True, blank=True, help_text="First day of the course (blank: its first session)."
    )
    course_ends = models.DateField(
        null=True, blank=True, help_text="Last day of the course (blank: its last session)."
    )
    # Crèche (docs/courses.md): staff on each session; places follow age bands
    # and ratios in backend/bookings/creche.py. 0: no crèche.
    creche_staff = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        validators=[MaxValueValidator(20)],
        help_text="Crèche staff on each session (0: no crèche).",
    )

    # The schedule. No recurrence means a one-off on start_date.
    recurrence = RecurrenceField(null=True, blank=True, include_dtstart=False)
    excluded_dates = models.JSONField(
        default=list, blank=True, help_text="Local dates (YYYY-MM-DD) the series does not run."
    )
    start_date = models.DateField()
    start_time = models.TimeField()
    duration = models.DurationField(default=timedelta(hours=2))
    timezone = models.CharField(
        max_length=64, default=settings.TIME_ZONE, validators=[validate_timezone]
    )
    sessions_generated_until = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="activity_capacity"),
            models.CheckConstraint(
                condition=models.Q(kind="english_class") | models.Q(level=""),
                name="activity_level_only_for_english",
            ),
            models.CheckConstraint(
                condition=models.Q(duration__gt=timedelta(0)), name="activity_duration_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(course_starts__isnull=True)
                | models.Q(course_ends__isnull=True)
                | models.Q(course_ends__gte=models.F("course_starts")),
                name="activity_course_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence and self.recurrence.rrules)


class Session(TimestampedModel):
    """One occurrence of an activity. Bookings and registers attach here.

    `original_start` is the series slot this row stands for and never changes;
    `start`/`end`/`room` are where it actually happens (they differ once moved).
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    original_start = models.DateTimeField()
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions")
    capacity = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_CAPACITY)])
    # Maintained by the bookings services under a row lock; places_left derives from it.
    booked_places = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_CAPACITY)]
    )
    # Crèche staff on this session (docs/courses.md); blank: the activity's
    # `creche_staff`. Its crèche places follow (backend/bookings/creche.py).
    creche_staff = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(20)],
        help_text="Crèche staff on this session (blank: the activity's number).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # {lang: {"cancel_reason": text}}: common/translations.py
    translations = models.JSONField(default=dict, db_default={}, blank=True)
    # Moved by a coordinator: series edits no longer touch its time or room.
    is_moved = models.BooleanField(default=False)
    # Kept but no longer matching the schedule (rule edited while people were booked).
    needs_review = models.BooleanField(default=False)
    review_note = models.CharField(max_length=300, blank=True)
    # Bumped on every change a calendar subscriber must see (iCal SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(2**31 - 1)])

    class Meta:
        ordering = ["start", "activity__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "original_start"], name="session_unique_occurrence"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["room", "start"])]

    def __str__(self) -> str:
        return f"{self.activity.title} {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked_places, 0)


# --- terms and closures -------------------------------------------------------------


class Term(TimestampedModel):
    """An organisation's term (Spring term, 6 January - 14 July): the schedule
    builder offers its dates, so a class set up "for the term" starts and ends
    with it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=120)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="term_end_on_or_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Closure(TimestampedModel):
    """Days an organisation does not run (Christmas, half-term), or a venue is
    shut. Creating one cancels the sessions it covers; the sessions it cancelled
    are remembered, so undoing it reinstates exactly those."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="closures"
    )
    # Blank: the whole organisation. Set: only sessions in this venue's rooms.
    venue = models.ForeignKey(
        "organisations.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closures",
    )
    reason = models.CharField(max_length=300, help_text="People booked are told this.")
    start_date = models.DateField()
    end_date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    sessions = models.ManyToManyField(Session, blank=True, related_name="closures")

    class Meta:
        ordering = ["start_date", "reason"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="closure_end_on_or_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.start_date}\u2013{self.end_date})"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None
