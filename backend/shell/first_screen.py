"""The app's first screen, rendered into the HTML shell.

On a prepaid phone over a slow connection every round trip costs about two
seconds, so the shell page carries this week's timetable (as the viewer may
see it: the policy's sessions, nothing else) and the stylesheet, and the
learner can read it after one request. The JavaScript app then loads, draws
the same screen with filters and her bookings, and takes over.
"""

from __future__ import annotations

from django.utils import timezone

from backend.access import answer_scope
from backend.common import answer_cache
from backend.timetable.selectors import date_range_bounds, session_list


def first_screen_context(request) -> dict:
    # The same for everyone in her visibility class, until the next write
    # (backend/common/answer_cache.py); the page around it is rendered per request.
    found = answer_cache.lookup(
        "first-screen",
        answer_scope.visibility_class(request.user),
        timezone.localdate().isoformat(),
    )
    if found.body is not None:
        return {"first_sessions": found.body}
    start, end = date_range_bounds(None, None)
    sessions = list(session_list(user=request.user).filter(start__gte=start, start__lt=end))
    for session in sessions:
        session.day = timezone.localdate(session.start)
    answer_cache.store(found, sessions)
    return {"first_sessions": sessions}
