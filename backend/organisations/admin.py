"""Organisations, venues and rooms are public reference data: Django's global
model permissions (superusers, or staff given them) govern their admin."""

from django.contrib import admin

from backend.access import policy
from backend.common.admin_links import AppScreenLink

from .models import Organisation, Room, Venue


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


class RoomInline(admin.TabularInline):
    """Rooms used only by a protected space the admin user may not see are
    left out, and rooms are never deleted here (the deletion summary would
    list the sessions held in them)."""

    model = Room
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return policy.visible_rooms(request.user).select_related("venue")


@admin.register(Venue)
class VenueAdmin(AppScreenLink, admin.ModelAdmin):
    app_screen = ("#/venues", "Venues and rooms")

    list_display = ("name", "postcode")
    inlines = [RoomInline]
    search_fields = ("name", "postcode")

    def get_queryset(self, request):
        return policy.visible_venues(request.user)

    def has_delete_permission(self, request, obj=None):
        return False
