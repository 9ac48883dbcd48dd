"""Organisations, venues and rooms are public reference data: Django's global
model permissions (superusers, or staff given them) govern their admin."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from backend.access import policy
from backend.common.admin_links import AppScreenLink

from .models import Organisation, Room, Venue


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "accessibility", "space"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            # A room's space is chosen when it is made and never changes after:
            # a visible room must not vanish (nor a hidden one appear) later.
            field = self.fields["space"]
            field.disabled = True
            field.queryset = field.queryset.model.objects.filter(pk=self.instance.space_id)


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
    """Rooms kept for a space the admin user has no grant to are left out,
    and rooms are never deleted here (the deletion summary would list the
    sessions held in them). Only a space's coordinators may make its rooms."""

    model = Room
    form = RoomForm
    formset = RoomFormSet
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return policy.visible_rooms(request.user).select_related("venue", "space")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "space":
            kwargs["queryset"] = policy.coordinated_spaces(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
