"""Writes for feeds: token rotation, settings, following activities."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from backend.access import policy
from backend.common.errors import NotFoundError

from .models import Follow, PersonalFeed


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_token_rotate(*, user) -> str:
    """Issue a new secret (returned once, never stored in clear); the old URL
    stops working immediately."""
    token = secrets.token_urlsafe(32)
    feed, _ = PersonalFeed.objects.select_for_update().get_or_create(user=user)
    feed.token_hash = token_hash(token)
    feed.save()
    return token


@transaction.atomic
def feed_settings_update(*, user, **changes) -> PersonalFeed:
    feed, _ = PersonalFeed.objects.select_for_update().get_or_create(user=user)
    for field in ("discreet", "discreet_title", "include_followed"):
        if field in changes:
            setattr(feed, field, changes[field])
    feed.save()
    return feed


@transaction.atomic
def activity_follow(*, user, activity) -> Follow:
    if not policy.can_see_activity(user, activity):
        raise NotFoundError()
    follow, _ = Follow.objects.get_or_create(user=user, activity=activity)
    return follow


@transaction.atomic
def activity_unfollow(*, user, activity) -> None:
    Follow.objects.filter(user=user, activity=activity).delete()
