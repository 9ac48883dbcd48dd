"""Admin for spaces: only a space's coordinators see it, its requests and its
audit log. Grants are made in the app (or API), where they are audited."""

from django.contrib import admin

from . import policy
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
