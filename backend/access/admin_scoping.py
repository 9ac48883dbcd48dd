"""The admin honours the access policy: superuser or staff status never shows a
protected space's activities, sessions or grants. Admin pages start from the
policy's querysets, so a hidden object's admin URL is a 404 like any unknown id.
"""

from __future__ import annotations

from django.contrib import admin


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
