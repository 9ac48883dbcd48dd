"""Reads for protected spaces, requests and the audit log, scoped by the policy."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from guardian.shortcuts import get_users_with_perms

from . import policy
from .models import ACCESS, AccessRequest, AuditEntry, Space


def space_list(*, user) -> QuerySet[Space]:
    """Listed spaces (name and public blurb only, so people can ask to join)
    plus any space the user holds a grant for."""
    return (
        Space.objects.filter(Q(is_listed=True) | Q(pk__in=policy.granted_spaces(user).values("pk")))
        .select_related("organisation")
        .order_by("name")
    )


def space_get(*, user, space_id) -> Space | None:
    return space_list(user=user).filter(pk=space_id).first()


def space_members(*, space: Space) -> QuerySet:
    users = get_users_with_perms(
        space, only_with_perms_in=[ACCESS], with_superusers=False, with_group_users=True
    )
    return get_user_model().objects.filter(pk__in=users.values("pk")).order_by("username")


def access_request_list(*, user) -> QuerySet[AccessRequest]:
    """Her own requests, and the requests to spaces she coordinates."""
    if not user.is_authenticated:
        return AccessRequest.objects.none()
    return (
        AccessRequest.objects.filter(
            Q(user=user) | Q(space__in=policy.coordinated_spaces(user).values("pk"))
        )
        .select_related("space", "user", "decided_by")
        .order_by("-created_at")
    )


def audit_list(*, user, space: Space) -> QuerySet[AuditEntry]:
    if not policy.coordinated_spaces(user).filter(pk=space.pk).exists():
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(space=space).select_related("actor", "subject")


def my_access_status(*, user, spaces) -> dict:
    """For each space: 'granted', 'pending' or 'none' (two queries in all)."""
    if not user.is_authenticated:
        return {}
    granted = set(policy.granted_spaces(user).values_list("pk", flat=True))
    pending = set(
        AccessRequest.objects.filter(
            user=user, status=AccessRequest.Status.PENDING, space__in=[s.pk for s in spaces]
        ).values_list("space_id", flat=True)
    )
    return {
        s.pk: "granted" if s.pk in granted else "pending" if s.pk in pending else "none"
        for s in spaces
    }
