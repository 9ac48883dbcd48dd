"""Who holds a staff role in which organisation. Explicit grants only:
superuser and staff flags never imply a role (DESIGN.md)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import (
    COORDINATE,
    TUTOR,
    Organisation,
    OrganisationGroupObjectPermission,
    OrganisationUserObjectPermission,
)


def organisations_with_role(user, role: str) -> QuerySet[Organisation]:
    """Guardian's direct-FK tables, read with plain subqueries (no DB hit until
    evaluated); global permissions and superuser status never count."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    direct = OrganisationUserObjectPermission.objects.filter(
        user=user, permission__codename=role, permission__content_type__app_label="organisations"
    ).values("content_object_id")
    via_group = OrganisationGroupObjectPermission.objects.filter(
        group__user=user,
        permission__codename=role,
        permission__content_type__app_label="organisations",
    ).values("content_object_id")
    return Organisation.objects.filter(Q(pk__in=direct) | Q(pk__in=via_group))


def coordinated_organisations(user) -> QuerySet[Organisation]:
    return organisations_with_role(user, COORDINATE)


def tutored_organisations(user) -> QuerySet[Organisation]:
    return organisations_with_role(user, TUTOR)


def is_coordinator(user, organisation: Organisation) -> bool:
    return coordinated_organisations(user).filter(pk=organisation.pk).exists()
