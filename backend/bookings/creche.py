"""Crèche places: age bands, staff ratios, and whether children fit a session.

An activity with `creche_staff > 0` has a crèche on each session (a session
may set its own number, `Session.creche_staff`; 0 there: no crèche that
day). Each child
needs a share of one adult by her age band on the session's date:

    under 2          one adult per 3 children
    2 (24-35 months) one adult per 4 children
    3 and 4          one adult per 8 children (the crèche takes under-5s)

Children fit while the shares add up to no more than the staff on the
session (exact arithmetic in 24ths of an adult: 8, 6 and 3). Two staff hold
6 babies, or 8 two-year-olds, or 3 babies and 4 two-year-olds. Only the birth
year and month are known (docs/courses.md), so a child counts as born on the
1st of her month: her band changes at the start of her birthday month.

Counting is done with the session's row locked (services.py), from the rows
of the bookings holding places there, so it is exact under any concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from backend.common.errors import ApplicationError
from backend.timetable.models import Activity, Session

from .models import HOLDING, Booking, CrecheChild

UNITS_PER_ADULT = 24
# (band, from months, to months (exclusive), children per adult)
BANDS = (("under_2", 0, 24, 3), ("age_2", 24, 36, 4), ("age_3_4", 36, 60, 8))
MAX_CHILDREN = 8  # in one request


@dataclass(frozen=True)
class Child:
    birth_year: int
    birth_month: int
    label: str = ""


def months_old(child, session: Session) -> int:
    day = timezone.localtime(session.start).date()
    return (day.year - child.birth_year) * 12 + (day.month - child.birth_month)


def band_of(child, session: Session) -> str | None:
    """Her band on the session's date; None when she is too old (or not born)."""
    months = months_old(child, session)
    return next((name for name, low, high, _ in BANDS if low <= months < high), None)


def units_of(child, session: Session) -> int:
    months = months_old(child, session)
    for _name, low, high, per_adult in BANDS:
        if low <= months < high:
            return UNITS_PER_ADULT // per_adult
    raise ValueError("child outside the crèche's ages")


def children_holding(session: Session) -> list[CrecheChild]:
    """The children in the crèche on `session`: those of bookings holding a
    place there, directly or through a course enrolment."""
    holding = Booking.objects.filter(session=session, status__in=HOLDING)
    return list(
        CrecheChild.objects.filter(
            Q(booking__in=holding.values("pk"))
            | Q(enrolment__in=holding.filter(enrolment__isnull=False).values("enrolment"))
        )
    )


def children_of(booking: Booking) -> list[CrecheChild]:
    """Her children's crèche places on this booking: its own, or those of the
    enrolment it belongs to."""
    own = list(booking.creche_children.all())
    if own or booking.enrolment is None:
        return own
    return list(booking.enrolment.creche_children.all())


def units_used(session: Session) -> int:
    return sum(units_of(c, session) for c in children_holding(session))


def staff_on(session: Session) -> int:
    """The crèche staff on `session`: its own number, else the activity's.

    The activity's number is read afresh, not from `session.activity`: a
    booking locks the session's row only, and on PostgreSQL the activity
    joined to that lock is the version from before it waited. A staff change
    on the activity locks each session that follows it (timetable/services.py)
    before it commits, so this read, made after the session's lock, sees it."""
    if session.creche_staff is not None:
        return session.creche_staff
    return (
        Activity.objects.filter(pk=session.activity_id)
        .values_list("creche_staff", flat=True)
        .first()
        or 0
    )


def units_capacity(session: Session, *, staff: int | None = None) -> int:
    return (staff_on(session) if staff is None else staff) * UNITS_PER_ADULT


def staff_needed(session: Session) -> int:
    """The fewest crèche staff who can look after the children holding places
    on `session` (call with its row locked)."""
    used = units_used(session)
    return -(-used // UNITS_PER_ADULT)


def fits(session: Session, children, *, used: int | None = None) -> bool:
    """Whether `children` fit beside those already in the crèche. Call with
    the session's row locked."""
    if not children:
        return True
    need = sum(units_of(c, session) for c in children)
    used = units_used(session) if used is None else used
    return used + need <= units_capacity(session)


def places_left(session: Session) -> dict[str, int]:
    """How many more children of each band alone would fit (for the screen)."""
    capacity = units_capacity(session)
    if not capacity:
        return {name: 0 for name, *_ in BANDS}
    free = max(capacity - units_used(session), 0)
    return {name: free // (UNITS_PER_ADULT // per_adult) for name, _l, _h, per_adult in BANDS}


def check_children(activity, sessions, children) -> None:
    """Refusals before any lock: a crèche exists, and each child is of crèche
    age on every session asked for."""
    if not children:
        return
    if activity.creche_staff <= 0 and not any(s.creche_staff for s in sessions):
        raise ApplicationError(
            "no_creche", "This activity has no crèche.", fields={"children": ["No crèche."]}
        )
    if len(children) > MAX_CHILDREN:
        raise ApplicationError(
            "invalid",
            f"At most {MAX_CHILDREN} children in one request.",
            fields={"children": [f"At most {MAX_CHILDREN}."]},
        )
    today = timezone.localdate()
    for index, child in enumerate(children):
        if (child.birth_year, child.birth_month) > (today.year, today.month):
            raise ApplicationError(
                "invalid",
                "A birth month cannot be in the future.",
                fields={f"children.{index}": ["A birth month cannot be in the future."]},
            )
        if any(band_of(child, session) is None for session in sessions):
            raise ApplicationError(
                "creche_child_too_old",
                "The crèche takes children under 5 on the day of each session.",
                fields={f"children.{index}": ["Under 5 on each session's day."]},
            )


def labelled(children) -> list[Child]:
    """Her children as she gave them; a blank label becomes "Child n"."""
    return [
        Child(c.birth_year, c.birth_month, (c.label or "").strip() or f"Child {i}")
        for i, c in enumerate(children, start=1)
    ]


def children_record(children, *, booking=None, enrolment=None) -> None:
    """Her children's crèche places, on one booking or on a course enrolment:
    "Child 1", "Child 2"... unless she gave a name (at most 40 characters)."""
    CrecheChild.objects.bulk_create(
        CrecheChild(
            booking=booking,
            enrolment=enrolment,
            birth_year=c.birth_year,
            birth_month=c.birth_month,
            label=(c.label or "").strip()[:40],
            number=number,
        )
        for number, c in enumerate(children, start=1)
    )
