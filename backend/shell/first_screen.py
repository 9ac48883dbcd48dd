"""The app's first screen, rendered into the HTML shell.

On a prepaid phone over a slow connection every round trip costs about two
seconds, so the shell page carries this week's timetable (as the viewer may
see it: the policy's sessions, nothing else) and the stylesheet, and the
learner can read it after one request. The JavaScript app then loads, draws
the same screen with filters and her bookings, and takes over.
"""

from __future__ import annotations

from django.utils import timezone

from backend.timetable.selectors import date_range_bounds, session_list


def first_screen_context(request) -> dict:
    start, end = date_range_bounds(None, None)
    sessions = list(session_list(user=request.user).filter(start__gte=start, start__lt=end))
    for session in sessions:
        session.day = timezone.localdate(session.start)
    return {"first_sessions": sessions}
