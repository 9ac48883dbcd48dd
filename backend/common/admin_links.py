"""The Django admin is for the team that runs the server; coordinators run
their timetable in the app. Admin pages for things the app manages say so
and link to the app's screen (issue 14, item 8: the admin's add form stays
refused rather than growing a second path around the services)."""

from __future__ import annotations

from django.utils.html import format_html


class AppScreenLink:
    """Mixin for a ModelAdmin: `app_screen = ("#/activities", "Activities")`."""

    app_screen: tuple[str, str] = ("#/", "Timetable")

    def _app_subtitle(self):
        href, name = self.app_screen
        return format_html(
            "For the team that runs the server. Coordinators do this in the app: "
            '<a href="/{}">{}</a>.',
            href,
            name,
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {"subtitle": self._app_subtitle(), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"subtitle": self._app_subtitle(), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra_context)
