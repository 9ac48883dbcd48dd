"""Organisations, venues and rooms are public reference data: Django's global
model permissions (superusers, or staff given them) govern their admin."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from backend.access import policy

from .models import Organisation, Room, Venue


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


class RoomFormSet(BaseInlineFormSet):
    """A venue's room names are unique among the rooms the viewer may see: the
    forms here are exactly those rooms (and the new ones), so a hidden room
    never collides and its name is never refused."""

    def clean(self):
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            name = (getattr(form, "cleaned_data", None) or {}).get("name")
            if not name or self._should_delete_form(form):
                continue
            if name in seen:
                form.add_error("name", "Another room at this venue has this name.")
            seen.add(name)


class RoomInline(admin.TabularInline):
    """Rooms used only by a protected space the admin user may not see are
    left out, and rooms are never deleted here (the deletion summary would
    list the sessions held in them)."""

    model = Room
    formset = RoomFormSet
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return policy.visible_rooms(request.user).select_related("venue")


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "postcode")
    inlines = [RoomInline]
    search_fields = ("name", "postcode")

    def get_queryset(self, request):
        return policy.visible_venues(request.user)

    def has_delete_permission(self, request, obj=None):
        return False
