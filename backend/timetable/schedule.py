"""Parsing and expanding an activity's schedule. Pure functions, no database.

Rules are stored without DTSTART and expanded with an explicit, aware local
start, so a weekly 18:00 class stays 18:00 across clock changes; excluded dates
become EXDATEs equal to the occurrence's exact local start (docs/architecture.md).
`between()` replays from the start date, so keep this off request paths except
when a coordinator edits a schedule.

Hostile rules cannot burn CPU (issue 17): at most MAX_RULE_LINES lines, and
every walk through a rule is bounded. dateutil only checks UNTIL when a day
matches, so a rule that never matches (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30, a
BYSETPOS that never hits) is walked to the year 9999 (seconds of CPU). Here a
rule may walk only so many months (`_BoundedRule`): the first occurrence is
looked for within SEARCH_YEARS of the start, and an expansion stops once it has
walked past its window.

Local times that do not exist or happen twice (clock changes), as RFC 5545
says: a start in the spring gap (01:30 on the last Sunday of March in London)
is taken with the offset before the gap, so it falls at the first valid
instant the same distance on (02:30 BST); a start in the repeated autumn hour
is the first of the two (01:30 BST, not 01:30 GMT). A session lasts its
duration in elapsed time, whatever the clocks do meanwhile (`session_end`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurrence
from dateutil import rrule as du
from recurrence import Recurrence
from recurrence.base import normalize_offset_awareness
from recurrence.exceptions import DeserializationError

from backend.common.errors import ApplicationError

# Finer frequencies make no sense for classes and would explode the expansion.
ALLOWED_FREQUENCIES = {recurrence.YEARLY, recurrence.MONTHLY, recurrence.WEEKLY, recurrence.DAILY}
# A timetable needs a line or two ("Tuesdays and Thursdays"); each line costs a walk.
MAX_RULE_LINES = 10
# A schedule whose first session is further off than this is refused as
# producing none (leap-day rules need 4 years; room to spare).
SEARCH_YEARS = 8


class WalkBudgetExceeded(Exception):
    pass


class _BoundedRule(du.rrule):
    """dateutil's rrule, counting the periods it walks and stopping at `limit`.

    dateutil's iterator calls `_iterinfo.rebuild()` at least once per month it
    walks for daily and weekly rules, and once per period for monthly and
    yearly ones, and every rebuild reads `rule._bynweekday`: that read is the
    counter (a test holds dateutil to it)."""

    def __init__(self, *args, **kwargs):
        self.walked = 0
        self.limit = math.inf  # not counting while dateutil builds the rule
        super().__init__(*args, **kwargs)

    @property
    def _bynweekday(self):
        self.walked += 1
        if self.walked > self.limit:
            raise WalkBudgetExceeded()
        return self.__dict__["_bynweekday_value"]

    @_bynweekday.setter
    def _bynweekday(self, value):
        self.__dict__["_bynweekday_value"] = value

    def months_per_period(self) -> int:
        if self._freq == du.YEARLY:
            return 12 * self._interval
        if self._freq == du.MONTHLY:
            return self._interval
        return 1  # a daily or weekly walk rebuilds at least at each new month


def _bounded_rules(rec: Recurrence, first: datetime) -> list[_BoundedRule]:
    """The rule's lines as dateutil rules from `first` (as django-recurrence's
    Rule.to_dateutil_rrule builds them), each counting its walk."""
    rules = []
    for rule in rec.rrules:
        kwargs = {p: getattr(rule, p) or None for p in rule.byparams}
        kwargs["byweekday"] = kwargs.pop("byday")
        until = normalize_offset_awareness(rule.until, first) if rule.until else None
        rules.append(
            _BoundedRule(rule.freq, first, rule.interval, rule.wkst, rule.count, until, **kwargs)
        )
    return rules


def _months_between(a: datetime, b: datetime) -> int:
    return max(0, (b.year - a.year) * 12 + b.month - a.month)


def _walk(rule: _BoundedRule, *, months: int, stop_after: datetime | None = None):
    """Occurrences of `rule` within about `months` of its start (never fewer
    months than that: the limit is in periods, each a month or more)."""
    rule.limit = math.ceil(months / rule.months_per_period()) + 2
    try:
        for occurrence in rule:
            yield occurrence
            if stop_after is not None and occurrence >= stop_after:
                return
    except WalkBudgetExceeded:
        return


def instant(moment: datetime) -> datetime:
    """The real instant of a local wall time (a time in the spring gap moves
    on by the gap; a repeated time is its first occurrence), in its own zone."""
    return moment.astimezone(UTC).astimezone(moment.tzinfo)


def session_end(start: datetime, duration: timedelta) -> datetime:
    """The end `duration` of elapsed time after `start` (Python's aware
    arithmetic would add wall-clock time, wrong across a clock change)."""
    return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)


def _invalid(message: str) -> ApplicationError:
    return ApplicationError("invalid_recurrence", message, fields={"recurrence": [message]})


def _check_rule(rule) -> None:
    if rule.byhour or rule.byminute or rule.bysecond:
        raise _invalid(
            "BYHOUR, BYMINUTE and BYSECOND are not used: a session's time is its start time."
        )
    if rule.freq not in ALLOWED_FREQUENCIES:
        raise _invalid("Sessions can repeat daily, weekly, monthly or yearly, not more often.")
    if rule.interval is not None and rule.interval < 1:
        raise _invalid("INTERVAL must be 1 or more.")
    if rule.count is not None and rule.count < 1:
        raise _invalid("COUNT must be 1 or more.")


def _anchor_until(rule, tz: ZoneInfo) -> None:
    """UNTIL becomes the last second of its local day, in UTC."""
    if rule.until is not None:
        until_day = rule.until.astimezone(tz).date() if rule.until.tzinfo else rule.until.date()
        rule.until = datetime.combine(until_day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def parse_rule(text: str, *, tz: ZoneInfo) -> Recurrence:
    """Parse RFC 5545 RRULE lines (e.g. "RRULE:FREQ=WEEKLY;BYDAY=TH") into a
    Recurrence without DTSTART. UNTIL is taken as a local date and stored as the
    last second of that day in UTC, so it round-trips through the database."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise _invalid("Give at least one RRULE line, e.g. RRULE:FREQ=WEEKLY;BYDAY=TH.")
    if len(lines) > MAX_RULE_LINES:
        message = f"At most {MAX_RULE_LINES} RRULE lines."
        raise ApplicationError("too_many_rules", message, fields={"recurrence": [message]})
    for line in lines:
        if not line.upper().startswith("RRULE:"):
            raise _invalid(
                "Only RRULE lines are accepted; put the start in start_date/start_time "
                "and skipped dates in excluded_dates."
            )
    try:
        parsed = recurrence.deserialize("\n".join(lines), include_dtstart=False)
    except (DeserializationError, ValueError, TypeError) as exc:
        raise _invalid(f"The recurrence rule is not valid: {exc}") from None
    for rule in parsed.rrules:
        _check_rule(rule)
        _anchor_until(rule, tz)
    rec = Recurrence(rrules=list(parsed.rrules), include_dtstart=False)
    try:  # dateutil checks some parts (BYSETPOS range...) only when the rule is built
        rec.to_dateutil_rruleset(dtstart=datetime(2000, 1, 3, 12, tzinfo=tz))
    except (ValueError, TypeError) as exc:
        raise _invalid(f"The recurrence rule is not valid: {exc}") from None
    return Recurrence(rrules=list(parsed.rrules))


def rule_text(rec: Recurrence | None) -> str | None:
    if not rec or not rec.rrules:
        return None
    return recurrence.serialize(Recurrence(rrules=list(rec.rrules)))


def rule_summary(rec: Recurrence | None) -> str:
    if not rec or not rec.rrules:
        return "One-off"
    return "; ".join(rule.to_text() for rule in rec.rrules)


def local_start(day: date, start_time: time, tz_name: str) -> datetime:
    return datetime.combine(day, start_time, tzinfo=ZoneInfo(tz_name))


def expand(
    *,
    rec: Recurrence | None,
    start_date: date,
    start_time: time,
    tz_name: str,
    excluded_dates: Iterable[date] = (),
    window_start: datetime,
    window_end: datetime,
) -> list[datetime]:
    """Occurrence starts (aware, local) in [window_start, window_end)."""
    first = local_start(start_date, start_time, tz_name)
    if not rec or not rec.rrules:
        skipped = first.date() in set(excluded_dates)
        first = instant(first)
        return [first] if window_start <= first < window_end and not skipped else []
    # start_date is when the series begins, not necessarily an occurrence:
    # "from Monday 1 September, every Thursday" starts on Thursday 4th.
    # EXDATEs are the occurrence's local start exactly (DESIGN.md): with no
    # BYHOUR/BYMINUTE allowed, that is its date.
    skipped = set(excluded_dates)
    months = _months_between(first, window_end) + 1
    starts: set[datetime] = set()
    for rule in _bounded_rules(rec, first):
        for occurrence in _walk(rule, months=months, stop_after=window_end):
            moment = instant(occurrence)
            if window_start <= moment < window_end and occurrence.date() not in skipped:
                starts.add(moment)
    return sorted(starts)


def first_occurrences(
    *, rec: Recurrence | None, start_date: date, start_time: time, tz_name: str, limit: int
) -> list[datetime]:
    """The first `limit` occurrences within SEARCH_YEARS, ignoring
    exclusions: used to refuse a schedule that produces nothing."""
    first = local_start(start_date, start_time, tz_name)
    if not rec or not rec.rrules:
        return [instant(first)]
    found: set[datetime] = set()
    for rule in _bounded_rules(rec, first):
        for occurrence in _walk(rule, months=SEARCH_YEARS * 12):
            found.add(instant(occurrence))
            if len(found) >= limit:
                break
    return sorted(found)[:limit]


def horizon_end(*, today: date, weeks: int, tz_name: str) -> datetime:
    return local_start(today + timedelta(weeks=weeks), time(0, 0), tz_name)
