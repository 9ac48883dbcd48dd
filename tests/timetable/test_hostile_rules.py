"""Recurrence rules that would burn CPU are refused at once (issue 17, item 3):
a rule that never matches, a BYSETPOS that never hits, 200 repeated lines.
The bound is asserted on the search's work (months walked), with a generous
CPU bound only as a second check."""

from __future__ import annotations

import time
from datetime import date
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.timetable import schedule
from backend.timetable.models import Activity
from tests.conftest import client_for
from tests.timetable.test_api import ACTIVITIES, NOW, activity_payload, counts, sports_hall  # noqa: F401

LONDON = ZoneInfo("Europe/London")
NEVER = [
    "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "RRULE:FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31",
    "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
    "RRULE:FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2",
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _walks(text: str) -> list[schedule._BoundedRule]:
    rec = schedule.parse_rule(text, tz=LONDON)
    first = schedule.local_start(date(2027, 1, 6), clock(18), "Europe/London")
    rules = schedule._bounded_rules(rec, first)
    for rule in rules:
        assert list(schedule._walk(rule, months=schedule.SEARCH_YEARS * 12)) == []
    return rules


@pytest.mark.parametrize("text", NEVER)
def test_a_rule_that_never_matches_is_searched_for_a_bounded_number_of_months(text):
    (rule,) = _walks(text)
    # Stopped by the budget (a period is a month, or a year for yearly rules),
    # not walked to the year 9999.
    periods = schedule.SEARCH_YEARS * 12 / rule.months_per_period()
    assert 1 <= rule.walked <= periods + 3


def test_dateutil_still_rebuilds_once_a_month_so_the_budget_counts():
    """The counter relies on dateutil reading `_bynweekday` each month it
    walks; if a new dateutil stopped doing so, the bound would silently go."""
    rec = schedule.parse_rule("RRULE:FREQ=DAILY;COUNT=100", tz=LONDON)
    (rule,) = schedule._bounded_rules(rec, schedule.local_start(date(2027, 1, 1), clock(9), "UTC"))
    assert len(list(rule)) == 100
    assert 3 <= rule.walked <= 6  # 100 days: January to mid-April


@pytest.mark.parametrize("text", NEVER)
def test_a_rule_that_never_matches_is_a_quick_400(world, sports_hall, text):  # noqa: F811
    before = counts()
    started = time.process_time()
    response = client_for(world.coordinator).post(
        ACTIVITIES,
        activity_payload(world.org, sports_hall, schedule={"recurrence": text}),
        format="json",
    )
    spent = time.process_time() - started
    assert response.status_code == 400
    assert response.json()["code"] == "no_occurrences"
    assert counts() == before
    # The old search took 3-4 s of CPU; the bounded one a few milliseconds.
    # The bound is generous (a whole request, on a loaded machine).
    assert spent < 1.5, spent


def test_200_repeated_rule_lines_are_refused_before_any_walk(world, sports_hall):  # noqa: F811
    text = "\n".join(["RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"] * 200)
    started = time.process_time()
    response = client_for(world.coordinator).post(
        ACTIVITIES,
        activity_payload(world.org, sports_hall, schedule={"recurrence": text}),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_rules"
    assert time.process_time() - started < 1.5
    assert not Activity.objects.filter(title="Football").exists()


def test_a_few_lines_are_still_allowed(world, sports_hall):  # noqa: F811
    text = "RRULE:FREQ=WEEKLY;BYDAY=WE\nRRULE:FREQ=WEEKLY;BYDAY=FR"
    response = client_for(world.coordinator).post(
        ACTIVITIES,
        activity_payload(world.org, sports_hall, schedule={"recurrence": text}),
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_a_sparse_rule_within_the_search_is_accepted():
    """Leap days come every 4 years: well within the search."""
    leap = schedule.parse_rule("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", tz=LONDON)
    (found,) = schedule.first_occurrences(
        rec=leap, start_date=date(2027, 1, 6), start_time=clock(18), tz_name="Europe/London",
        limit=1,
    )  # fmt: skip
    assert found.date() == date(2028, 2, 29)
