"""Who holds a staff role in which organisation. Explicit grants only:
superuser and staff flags never imply a role (docs/architecture.md)."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.common.object_perms import objects_with_perm

from .models import (
    COORDINATE,
    TUTOR,
    Organisation,
    OrganisationGroupObjectPermission,
    OrganisationUserObjectPermission,
)


def organisations_with_role(user, role: str) -> QuerySet[Organisation]:
    return objects_with_perm(
        Organisation,
        user,
        role,
        user_perms=OrganisationUserObjectPermission,
        group_perms=OrganisationGroupObjectPermission,
    )


def coordinated_organisations(user) -> QuerySet[Organisation]:
    return organisations_with_role(user, COORDINATE)


def tutored_organisations(user) -> QuerySet[Organisation]:
    return organisations_with_role(user, TUTOR)


def is_coordinator(user, organisation: Organisation) -> bool:
    return coordinated_organisations(user).filter(pk=organisation.pk).exists()
