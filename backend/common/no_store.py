"""API answers are personal (her bookings, her women-only sessions, people's
names): no browser or proxy may keep a copy, so nothing is left on a shared
phone after she signs out or uses quick exit. A view that sets its own
Cache-Control keeps it."""

from __future__ import annotations


class ApiNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
