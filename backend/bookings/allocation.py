"""The order of an activity's queue under its allocation rules (first come,
lottery, rotation): who is next for a free place, and her position. Reads
only; the services hand out places in this order (docs/fair-shares.md)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from backend.timetable.models import Activity

from .models import HOLDING, ActivityQueueEntry, Booking, QueueRules


def rules_of(activity: Activity) -> QueueRules:
    """Her activity's queue rules; an activity without a row is first come."""
    found = QueueRules.objects.filter(activity_id=activity.pk).first()
    return found or QueueRules(activity=activity)


def _waiting(activity: Activity) -> QuerySet[ActivityQueueEntry]:
    return ActivityQueueEntry.objects.filter(
        activity=activity, status=ActivityQueueEntry.Status.WAITING
    )


def queue_line(activity: Activity, *, now=None) -> QuerySet[ActivityQueueEntry]:
    """Entries that may be given a free place now, in the order they get it.

    - first come: a coordinator's move-up (priority), then arrival.
    - lottery: only those drawn (in draw order, earlier draws first) and anyone
      a coordinator moved up with a reason; the rest wait for the next draw.
    - rotation: people who had a place at this activity in the last N weeks
      come after those who did not; within each, as first come."""
    rules = rules_of(activity)
    line = _waiting(activity)
    if rules.allocation == QueueRules.Allocation.LOTTERY:
        return line.filter(Q(won_draw__isnull=False) | Q(priority__gt=0)).order_by(
            "-priority", "won_draw__draw_at", "draw_rank", "seq"
        )
    if rules.allocation == QueueRules.Allocation.ROTATION:
        since = (now or timezone.now()) - timedelta(weeks=rules.rotation_weeks)
        recent = Booking.objects.filter(
            participant=OuterRef("participant"),
            session__activity=activity,
            status__in=HOLDING,
            session__start__gte=since,
        )
        return line.annotate(had_recent_place=Exists(recent)).order_by(
            "had_recent_place", "-priority", "seq"
        )
    return line.order_by("-priority", "seq")


def queue_positions(activity: Activity) -> dict:
    """Entry id -> position (1 = next) for those in line for a place now.
    Under a lottery, entries not (yet) drawn have no position."""
    ids = queue_line(activity).values_list("pk", flat=True)
    return {pk: n for n, pk in enumerate(ids, start=1)}
