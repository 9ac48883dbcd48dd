"""Which sessions each feed holds, always from the policy's querysets."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from backend.access import policy
from backend.bookings.models import HOLDING, Booking
from backend.timetable.models import Session

from .models import Follow, PersonalFeed
from .services import token_hash

# Feeds cover a month back (so recent changes still reach subscribers) and
# everything generated ahead.
PAST = timedelta(days=31)


def _window(qs: QuerySet[Session]) -> QuerySet[Session]:
    return (
        qs.filter(start__gte=timezone.now() - PAST)
        .select_related("activity__organisation", "room__venue", "activity__space")
        .order_by("start", "pk")
    )


def public_sessions() -> QuerySet[Session]:
    """What anyone may see: the policy's answer for an anonymous visitor."""
    return _window(policy.visible_sessions(AnonymousUser()))


def feed_for_token(token: str) -> PersonalFeed | None:
    if not token:
        return None
    return (
        PersonalFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )


def feed_of(*, user) -> PersonalFeed:
    """Her feed settings; an unsaved default row when she has never changed them."""
    return PersonalFeed.objects.filter(user=user).first() or PersonalFeed(user=user)


def wants_discreet(*, user) -> bool:
    """Whether what a shared phone may show of women-only sessions is discreet
    for her: yes unless she chose the full wording (people without a login
    never chose, so always yes)."""
    if user is None:
        return True
    return feed_of(user=user).discreet


def personal_sessions(*, feed: PersonalFeed) -> tuple[QuerySet[Session], dict]:
    """Her confirmed and offered sessions, and (optionally) every session of the
    activities she follows, among what the policy lets her see today.
    Returns the sessions and {session_id: booking status} (lazy: read on first use)."""
    user = feed.user
    mine = Booking.objects.filter(participant__user=user, status__in=HOLDING)
    wanted = Q(pk__in=mine.values("session_id"))
    if feed.include_followed:
        # A subquery, not a join: no duplicates, so no DISTINCT over every column.
        wanted |= Q(activity__in=Follow.objects.filter(user=user).values("activity_id"))
    sessions = _window(policy.visible_sessions(user).filter(wanted))
    # Read only when the calendar is rendered: a 304 never needs it.
    statuses = SimpleLazyObject(lambda: dict(mine.values_list("session_id", "status")))
    return sessions, statuses
