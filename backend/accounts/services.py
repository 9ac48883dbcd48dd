"""Writes for people: the participant record behind a login."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import Participant


def participant_for_user(*, user) -> Participant:
    """The user's participant record, created on first need (idempotent)."""
    existing = Participant.objects.filter(user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Participant.objects.create(
                user=user,
                known_as=str(user),
                email=user.email,
                preferred_language=user.preferred_language,
            )
    except IntegrityError:  # created by a concurrent request
        return Participant.objects.get(user=user)
