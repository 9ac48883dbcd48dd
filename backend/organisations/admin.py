"""Organisations, venues and rooms are public reference data: Django's global
model permissions (superusers, or staff given them) govern their admin."""

from django.contrib import admin

from .models import Organisation, Room, Venue


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "postcode")
    inlines = [RoomInline]
    search_fields = ("name", "postcode")
