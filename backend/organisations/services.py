"""Writes for organisations: staff role grants."""

from __future__ import annotations

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from backend.common.errors import ApplicationError

from .models import COORDINATE, TUTOR, Organisation

ROLES = {"coordinator": COORDINATE, "tutor": TUTOR}


def _role_perm(role: str) -> str:
    try:
        return f"organisations.{ROLES[role]}"
    except KeyError:
        raise ApplicationError(
            "unknown_role", f"Unknown role {role!r}; expected one of {sorted(ROLES)}."
        ) from None


@transaction.atomic
def organisation_role_assign(*, organisation: Organisation, user, role: str) -> None:
    assign_perm(_role_perm(role), user, organisation)


@transaction.atomic
def organisation_role_remove(*, organisation: Organisation, user, role: str) -> None:
    remove_perm(_role_perm(role), user, organisation)
