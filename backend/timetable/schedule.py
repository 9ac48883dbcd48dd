"""Parsing and expanding an activity's schedule. Pure functions, no database.

Rules are stored without DTSTART and expanded with an explicit, aware local
start, so a weekly 18:00 class stays 18:00 across clock changes; excluded dates
become EXDATEs equal to the occurrence's exact local start (docs/architecture.md).
`between()` replays from the start date, so keep this off request paths except
when a coordinator edits a schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurrence
from recurrence import Recurrence
from recurrence.exceptions import DeserializationError

from backend.common.errors import ApplicationError

# Finer frequencies make no sense for classes and would explode the expansion.
ALLOWED_FREQUENCIES = {recurrence.YEARLY, recurrence.MONTHLY, recurrence.WEEKLY, recurrence.DAILY}


def _invalid(message: str) -> ApplicationError:
    return ApplicationError("invalid_recurrence", message, fields={"recurrence": [message]})


def parse_rule(text: str, *, tz: ZoneInfo) -> Recurrence:
    """Parse RFC 5545 RRULE lines (e.g. "RRULE:FREQ=WEEKLY;BYDAY=TH") into a
    Recurrence without DTSTART. UNTIL is taken as a local date and stored as the
    last second of that day in UTC, so it round-trips through the database."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise _invalid("Give at least one RRULE line, e.g. RRULE:FREQ=WEEKLY;BYDAY=TH.")
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
        if rule.until is not None:
            until_day = rule.until.astimezone(tz).date() if rule.until.tzinfo else rule.until.date()
            rule.until = datetime.combine(until_day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)
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
        return [first] if window_start <= first < window_end and not skipped else []
    series = Recurrence(
        rrules=list(rec.rrules),
        exdates=[local_start(day, start_time, tz_name) for day in excluded_dates],
        # start_date is when the series begins, not necessarily an occurrence:
        # "from Monday 1 September, every Thursday" starts on Thursday 4th.
        include_dtstart=False,
    )
    starts = series.between(window_start, window_end, dtstart=first, inc=True)
    return [s for s in starts if s < window_end]


def first_occurrences(
    *, rec: Recurrence | None, start_date: date, start_time: time, tz_name: str, limit: int
) -> list[datetime]:
    """The first `limit` occurrences, ignoring exclusions: used to refuse a
    schedule that produces nothing."""
    first = local_start(start_date, start_time, tz_name)
    if not rec or not rec.rrules:
        return [first]
    rule_set = Recurrence(rrules=list(rec.rrules), include_dtstart=False).to_dateutil_rruleset(
        dtstart=first
    )
    out = []
    for occurrence in rule_set:
        out.append(occurrence)
        if len(out) >= limit:
            break
    return out


def horizon_end(*, today: date, weeks: int, tz_name: str) -> datetime:
    return local_start(today + timedelta(weeks=weeks), time(0, 0), tz_name)
