from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Harbour", {"fields": ("known_as", "preferred_language")}),
    )
    list_display = ("username", "known_as", "email", "is_staff")
    search_fields = ("username", "known_as", "email")

    def has_delete_permission(self, request, obj=None):
        # The deletion summary would list her grants (and so her spaces). People
        # are deactivated here, or erased through the participant service.
        return False
