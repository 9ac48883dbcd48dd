"""Who holds a staff role in which organisation. Explicit grants only:
superuser and staff flags never imply a role (DESIGN.md)."""

from __future__ import annotations

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import COORDINATE, TUTOR, Organisation


def organisations_with_role(user, role: str) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return get_objects_for_user(
        user,
        f"organisations.{role}",
        klass=Organisation,
        with_superuser=False,
        accept_global_perms=False,
    )


def coordinated_organisations(user) -> QuerySet[Organisation]:
    return organisations_with_role(user, COORDINATE)


def tutored_organisations(user) -> QuerySet[Organisation]:
    return organisations_with_role(user, TUTOR)


def is_coordinator(user, organisation: Organisation) -> bool:
    return coordinated_organisations(user).filter(pk=organisation.pk).exists()
