"""The coordinator's repeat form, in and out of RFC 5545.

A coordinator never sees an RRULE: she says "weekly on Wednesday, until 14
July, not on 17 February". The API takes that structured shape (`repeat`,
`days`, `interval`, `monthly_week`, `until` / `count`, `skip`) and this module
turns it into the rule line the rest of the timetable stores, and back again
when she edits. Rules an integrator wrote that the form cannot express come
back as None: the screen then says the schedule was set elsewhere.
Pure functions, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import recurrence
from recurrence import Recurrence

from backend.common.errors import ApplicationError

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
REPEATS = ("once", "weekly", "fortnightly", "monthly")
# "first Saturday" .. "fourth Saturday", and "last Saturday" (-1).
MONTHLY_WEEKS = (1, 2, 3, 4, -1)
MAX_INTERVAL = 4
MAX_COUNT = 500


@dataclass(frozen=True)
class Builder:
    repeat: str = "once"
    days: tuple[str, ...] = ()
    interval: int = 1
    monthly_week: int | None = None
    until: date | None = None
    count: int | None = None
    skip: tuple[date, ...] = field(default_factory=tuple)


def _error(code: str, message: str, field_name: str) -> ApplicationError:
    return ApplicationError(code, message, fields={field_name: [message]})


def to_rule(builder: Builder, *, start_date: date) -> str | None:
    """The RRULE line for the form's answers, or None for a one-off.

    Refuses, with a stable code, what the form should not have let through."""
    if builder.until is not None and builder.count is not None:
        raise _error(
            "schedule_end_conflict",
            "Give a last date or a number of times, not both.",
            "count",
        )
    if builder.until is not None and builder.until < start_date:
        raise _error(
            "schedule_until_before_start", "The last date is before the first date.", "until"
        )
    if builder.repeat == "once":
        return None
    if not 1 <= builder.interval <= MAX_INTERVAL:
        raise _error("invalid_recurrence", f"Repeat every 1 to {MAX_INTERVAL}.", "interval")
    parts: list[str]
    if builder.repeat in ("weekly", "fortnightly"):
        days = [d for d in DAYS if d in set(builder.days)]
        if not days:
            raise _error("schedule_days_required", "Choose at least one day of the week.", "days")
        interval = 2 if builder.repeat == "fortnightly" else builder.interval
        parts = ["FREQ=WEEKLY"]
        if interval > 1:
            parts.append(f"INTERVAL={interval}")
        parts.append("BYDAY=" + ",".join(days))
    else:  # monthly: "the first Saturday"
        if len(builder.days) != 1 or builder.monthly_week not in MONTHLY_WEEKS:
            raise _error(
                "schedule_days_required",
                "Choose which week of the month and one day, e.g. the first Saturday.",
                "days",
            )
        parts = ["FREQ=MONTHLY"]
        if builder.interval > 1:
            parts.append(f"INTERVAL={builder.interval}")
        parts.append(f"BYDAY={builder.monthly_week}{builder.days[0]}")
    if builder.until is not None:
        parts.append(f"UNTIL={builder.until:%Y%m%d}")
    if builder.count is not None:
        parts.append(f"COUNT={builder.count}")
    return "RRULE:" + ";".join(parts)


def from_rule(rec: Recurrence | None, *, tz_name: str, excluded: Iterable[str] = ()) -> dict | None:
    """The form's answers for a stored rule, or None when the form cannot show it."""
    skip = sorted(excluded)
    base = {"days": [], "interval": 1, "monthly_week": None, "until": None, "count": None}
    if not rec or not rec.rrules:
        return {**base, "repeat": "once", "skip": skip}
    if len(rec.rrules) != 1 or rec.exrules or rec.rdates:
        return None
    rule = rec.rrules[0]
    if any(
        getattr(rule, part, None)
        for part in (
            "bymonth",
            "bymonthday",
            "byyearday",
            "byweekno",
            "bysetpos",
            "byhour",
            "byminute",
        )
    ):
        return None
    out = dict(base, skip=skip, interval=rule.interval or 1, count=rule.count)
    if rule.until is not None:
        until = rule.until
        out["until"] = (until.astimezone(ZoneInfo(tz_name)) if until.tzinfo else until).date()
    byday = list(rule.byday or [])
    if rule.freq == recurrence.WEEKLY and byday and all(d.index is None for d in byday):
        out["days"] = [DAYS[d.number] for d in sorted(byday, key=lambda d: d.number)]
        if out["interval"] == 2:
            out["repeat"], out["interval"] = "fortnightly", 1
        else:
            out["repeat"] = "weekly"
        return out
    if rule.freq == recurrence.MONTHLY and len(byday) == 1 and byday[0].index in MONTHLY_WEEKS:
        out.update(repeat="monthly", days=[DAYS[byday[0].number]], monthly_week=byday[0].index)
        return out
    return None
