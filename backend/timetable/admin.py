"""Admin for coordinators: their own organisations' activities and sessions,
scoped by the access policy. Changes to schedules go through the API (which
validates rules and room clashes); here coordinators can read, fix plain text
fields and see what needs review."""

from django.contrib import admin

from backend.access import policy
from backend.access.admin_scoping import PolicyScopedAdmin
from backend.common.admin_links import AppScreenLink

from . import services
from .models import Activity, Language, Session


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "native_name")
    search_fields = ("code", "name")


@admin.register(Activity)
class ActivityAdmin(AppScreenLink, PolicyScopedAdmin):
    app_screen = ("#/activities", "Activities")

    list_display = ("title", "organisation", "kind", "level", "room", "capacity")
    list_filter = ("kind", "level")
    search_fields = ("title",)
    fields = (
        "organisation", "space", "title", "kind", "level", "description", "what_to_bring",
        "room", "capacity", "booking_required", "booking_opens_days", "booking_closes_hours",
        "start_date", "start_time", "duration", "timezone", "recurrence", "excluded_dates",
    )  # fmt: skip
    readonly_fields = (
        "organisation", "space", "kind", "level", "room", "capacity", "start_date",
        "start_time", "duration", "timezone", "recurrence", "excluded_dates",
    )  # fmt: skip

    def scoped_queryset(self, request):
        return policy.manageable_activities(request.user).select_related("organisation", "room")

    def can_manage(self, request, obj):
        return policy.can_manage_activity(request.user, obj)

    def save_model(self, request, obj, form, change):
        plain = {f: form.cleaned_data[f] for f in form.changed_data if f in services.PLAIN_FIELDS}
        services.activity_update(actor=request.user, activity=obj, **plain)


@admin.register(Session)
class SessionAdmin(AppScreenLink, PolicyScopedAdmin):
    app_screen = ("#/coordinate", "Coordinate")

    list_display = (
        "activity",
        "start",
        "room",
        "capacity",
        "booked_places",
        "status",
        "needs_review",
    )
    list_filter = ("status", "needs_review")
    date_hierarchy = "start"
    fields = (
        "activity", "start", "end", "room", "capacity", "booked_places", "status",
        "cancel_reason", "is_moved", "needs_review", "review_note",
    )  # fmt: skip
    readonly_fields = fields

    def scoped_queryset(self, request):
        return (
            policy.visible_sessions(request.user)
            .filter(activity__in=policy.manageable_activities(request.user).values("pk"))
            .select_related("activity", "room__venue")
        )

    def can_manage(self, request, obj):
        return policy.can_manage_session(request.user, obj)
