"""Admin for spaces: only a space's coordinators see it, its requests and its
audit log. Grants are made in the app (or API), where they are audited."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from . import admin_scoping, policy
from .admin_scoping import PolicyScopedAdmin
from .models import AccessRequest, AuditEntry, Space


@admin.register(Space)
class SpaceAdmin(PolicyScopedAdmin):
    list_display = ("name", "organisation", "is_listed")
    fields = ("organisation", "name", "public_description", "is_listed")
    readonly_fields = ("organisation",)

    def scoped_queryset(self, request):
        return policy.coordinated_spaces(request.user).select_related("organisation")

    def can_manage(self, request, obj):
        return self.scoped_queryset(request).filter(pk=obj.pk).exists()


@admin.register(AccessRequest)
class AccessRequestAdmin(PolicyScopedAdmin):
    list_display = ("user", "space", "status", "created_at", "decided_by")
    list_filter = ("status",)
    readonly_fields = (
        "space", "user", "message", "status", "decided_by", "decided_at", "decision_note",
    )  # fmt: skip

    def scoped_queryset(self, request):
        return AccessRequest.objects.filter(
            space__in=policy.coordinated_spaces(request.user).values("pk")
        ).select_related("space", "user", "decided_by")

    def can_manage(self, request, obj):
        return False  # decisions go through the app so they are audited


@admin.register(AuditEntry)
class AuditEntryAdmin(PolicyScopedAdmin):
    list_display = ("at", "actor", "action", "subject", "space")
    list_filter = ("action",)
    readonly_fields = ("at", "actor", "action", "space", "subject", "note")

    def scoped_queryset(self, request):
        return AuditEntry.objects.filter(
            space__in=policy.coordinated_spaces(request.user).values("pk")
        ).select_related("actor", "subject", "space")

    def can_manage(self, request, obj):
        return False


# Groups that carry a space's grant exist, in the admin, only for coordinators
# of every space they carry; only they manage them (issue 12 item 7).
admin.site.unregister(Group)


@admin.register(Group)
class ScopedGroupAdmin(GroupAdmin):
    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .exclude(pk__in=admin_scoping.hidden_groups(request.user).values("pk"))
        )

    def _carries_a_space(self, obj) -> bool:
        return obj is not None and obj.pk in set(admin_scoping.space_group_ids().values_list(
            "group_id", flat=True
        ))  # fmt: skip

    def has_change_permission(self, request, obj=None):
        if self._carries_a_space(obj):
            return self.get_queryset(request).filter(pk=obj.pk).exists() and bool(
                policy.coordinated_spaces(request.user).exists()
            )
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._carries_a_space(obj):
            return False  # revoking goes through the space, where it is audited
        return super().has_delete_permission(request, obj)


# django-axes' sign-in records (times, addresses) of the accounts a space looks
# after are shown only to coordinators of every space that looks after her.
def _scoped_axes(admin_class):
    class Scoped(admin_class):
        def get_queryset(self, request):
            rows = super().get_queryset(request)
            hidden = admin_scoping.protected_usernames().exclude(
                pk__in=[
                    u.pk
                    for u in get_user_model().objects.filter(
                        username__in=admin_scoping.protected_usernames()
                    )
                    if admin_scoping.may_manage_account(request.user, u)
                ]
            )
            return rows.exclude(username__in=hidden)

    Scoped.__name__ = admin_class.__name__
    return Scoped


for _model, _admin_class in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _scoped_axes(_admin_class))
