"""Reads for the timetable. Every queryset starts from the access policy."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import F, IntegerField, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from backend.access import policy
from backend.common.errors import ApplicationError

from .models import Activity, Session


def activity_list(*, user) -> QuerySet[Activity]:
    return (
        policy.visible_activities(user)
        .select_related("organisation", "room__venue", "space")
        .prefetch_related("languages")
        .order_by("title")
    )


def activity_get(*, user, activity_id) -> Activity | None:
    return activity_list(user=user).filter(pk=activity_id).first()


def with_places_left(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.annotate(
        places_left_db=Greatest(
            F("capacity") - F("booked_places"), Value(0), output_field=IntegerField()
        )
    )


def session_list(*, user) -> QuerySet[Session]:
    return with_places_left(
        policy.visible_sessions(user)
        .select_related("activity__organisation", "room__venue", "activity__space")
        .prefetch_related("activity__languages")
        .order_by("start", "activity__title", "pk")
    )


def session_get(*, user, session_id) -> Session | None:
    return session_list(user=user).filter(pk=session_id).first()


def upcoming_week(today: date | None = None) -> tuple[date, date]:
    """The default range: today and the six days after it. Learners asking for
    "this week" on a Sunday evening mean the days ahead, not the week behind."""
    today = today or timezone.localdate()
    return today, today + timedelta(days=6)


def date_range_bounds(start_day: date | None, end_day: date | None) -> tuple[datetime, datetime]:
    """Local [start of first day, start of the day after the last day), validated."""
    default_start, default_end = upcoming_week()
    try:
        if start_day is None and end_day is None:
            start_day, end_day = default_start, default_end
        elif start_day is None:
            start_day = end_day - timedelta(days=6)
        elif end_day is None:
            end_day = start_day + timedelta(days=6)
        end_day + timedelta(days=1)  # the exclusive bound must exist too
    except OverflowError:
        raise ApplicationError(
            "invalid_date_range",
            "Those dates are out of range.",
            fields={"date_from": ["Out of range."]},
        ) from None
    if end_day < start_day:
        raise ApplicationError(
            "invalid_date_range",
            "date_to is before date_from.",
            fields={"date_to": ["Must be on or after date_from."]},
        )
    if (end_day - start_day).days + 1 > settings.HARBOUR_MAX_RANGE_DAYS:
        raise ApplicationError(
            "invalid_date_range",
            f"Ask for at most {settings.HARBOUR_MAX_RANGE_DAYS} days at a time.",
            fields={
                "date_to": [f"At most {settings.HARBOUR_MAX_RANGE_DAYS} days after date_from."]
            },
        )
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start_day, time(0, 0), tzinfo=tz),
        datetime.combine(end_day + timedelta(days=1), time(0, 0), tzinfo=tz),
    )
