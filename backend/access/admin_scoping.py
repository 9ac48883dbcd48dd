"""The admin honours the access policy: superuser or staff status never shows a
protected space's activities, sessions or grants. Admin pages start from the
policy's querysets, so a hidden object's admin URL is a 404 like any unknown id.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet

from . import policy
from .models import (
    ACCESS,
    COORDINATE,
    Space,
    SpaceGroupObjectPermission,
    SpaceUserObjectPermission,
)


class PolicyScopedAdmin(admin.ModelAdmin):
    """Subclasses implement `scoped_queryset(request)` (what the user may see)
    and `can_manage(request, obj)`."""

    def scoped_queryset(self, request):  # pragma: no cover - abstract
        raise NotImplementedError

    def can_manage(self, request, obj) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def can_manage_any(self, request) -> bool:
        return self.scoped_queryset(request).exists()

    def get_queryset(self, request):
        return self.scoped_queryset(request)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and self.can_manage_any(request)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return self.scoped_queryset(request).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return self.can_manage(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Accounts a protected space looks after (issue 12 item 7). Web superuser and
# staff status are not trusted with them: whoever runs the server (shell,
# database) is; see docs/women-only-figures-admin.md.

SPACE_PERMS = (ACCESS, COORDINATE)


def account_spaces(account) -> QuerySet[Space]:
    """Spaces whose grant she holds (directly or through a group), or whose
    register made her record."""
    from backend.accounts.models import Participant

    direct = SpaceUserObjectPermission.objects.filter(
        user=account, permission__codename__in=SPACE_PERMS
    ).values("content_object_id")
    via_group = SpaceGroupObjectPermission.objects.filter(
        group__user=account, permission__codename__in=SPACE_PERMS
    ).values("content_object_id")
    registered = Participant.objects.filter(user=account, registered_in_space__isnull=False).values(
        "registered_in_space"
    )
    return Space.objects.filter(
        Q(pk__in=direct) | Q(pk__in=via_group) | Q(pk__in=registered)
    ).order_by("name")


def protected_usernames() -> QuerySet:
    """Usernames of every account some space looks after."""
    from django.contrib.auth import get_user_model

    direct = SpaceUserObjectPermission.objects.filter(permission__codename__in=SPACE_PERMS).values(
        "user_id"
    )
    via_group = SpaceGroupObjectPermission.objects.filter(
        permission__codename__in=SPACE_PERMS
    ).values("group__user")
    return (
        get_user_model()
        .objects.filter(
            Q(pk__in=direct)
            | Q(pk__in=via_group)
            | Q(participant__registered_in_space__isnull=False)
        )
        .values("username")
    )


def may_manage_account(viewer, account) -> bool:
    """May `viewer` change her password, email, phone, active flag, groups or
    permissions in the admin? Only as a coordinator of every space that looks
    after her. No account outside a space is managed so in the admin, by
    anyone: a form that is read-only for her alone would tell a superuser
    which accounts a space looks after."""
    spaces = account_spaces(account)
    if account is None or not spaces.exists():
        return False
    return not spaces.exclude(pk__in=policy.coordinated_spaces(viewer).values("pk")).exists()


def hidden_groups(viewer) -> QuerySet:
    """Groups carrying a grant on a space the viewer does not coordinate."""
    from django.contrib.auth.models import Group

    return Group.objects.filter(
        pk__in=SpaceGroupObjectPermission.objects.exclude(
            content_object__in=policy.coordinated_spaces(viewer).values("pk")
        ).values("group_id")
    )


def space_group_ids() -> QuerySet:
    return SpaceGroupObjectPermission.objects.values("group_id")
