"""Statuses are written once in Python (the models' choices) and once in JS
(frontend/js/statuses.js); this keeps the two the same (issue 13 item 6)."""

from __future__ import annotations

import re
from pathlib import Path

from backend.bookings.models import (
    ACTIVE,
    HOLDING,
    ActivityQueueEntry,
    BookingStatus,
    CourseEnrolment,
    QueueDraw,
)
from backend.timetable.models import Session

JS = (Path(__file__).resolve().parents[2] / "frontend/js/statuses.js").read_text()


def _js_object(name: str) -> dict[str, str]:
    body = re.search(rf"export const {name} = Object\.freeze\(\{{(.*?)\}}\);", JS).group(1)
    return dict(re.findall(r'(\w+): "(\w+)"', body))


def _js_list(name: str) -> list[str]:
    body = re.search(rf"export const {name} = Object\.freeze\(\[(.*?)\]\);", JS).group(1)
    return list(re.findall(r"\w+\.(\w+)", body))


def _choices(choices) -> dict[str, str]:
    return {member.name: member.value for member in choices}


def test_the_app_knows_every_status_by_the_models_names_and_values():
    assert _js_object("BOOKING") == _choices(BookingStatus)
    assert _js_object("QUEUE") == _choices(ActivityQueueEntry.Status)
    assert _js_object("ENROLMENT") == _choices(CourseEnrolment.Status)
    assert _js_object("DRAW") == _choices(QueueDraw.Status)
    assert _js_object("SESSION") == _choices(Session.Status)


def test_the_app_groups_statuses_as_the_models_do():
    assert _js_list("ACTIVE") == [status.name for status in ACTIVE]
    assert _js_list("HOLDING") == [status.name for status in HOLDING]
    assert _js_list("ENROLMENT_LIVE") == [status.name for status in CourseEnrolment.LIVE]


def test_no_screen_spells_a_booking_status_itself():
    """Status comparisons in the app go through statuses.js (an iCal event's
    upper-case STATUS is the calendar's, not ours)."""
    spelled = re.compile(r'status\s*[!=]==\s*"[a-z]|case "(confirmed|offered|waiting)"')
    offenders = [
        f"{path.name}:{number}"
        for path in (Path(__file__).resolve().parents[2] / "frontend/js").rglob("*.js")
        if path.name != "statuses.js"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if spelled.search(line)
    ]
    assert not offenders, offenders
