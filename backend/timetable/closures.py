"""Terms and closures: writes (services) and reads (selectors).

A closure cancels, with one reason, every future session it covers among the
activities its author runs (the access policy's `manageable_activities`: a
women-only class she cannot see is not hers to cancel, and is never counted in
what she is shown). Each session goes through `session_cancel`, so everyone
booked or waiting is told exactly as for a single cancellation. Undoing it
reinstates the sessions it cancelled that are still cancelled for that reason.
Every count shown to a person is computed from the sessions she may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from backend import reactions
from backend.access import policy
from backend.common.errors import ApplicationError, NotFoundError, required_reason
from backend.organisations.models import Organisation, Venue
from backend.organisations.roles import coordinated_organisations

from . import services
from .models import Closure, Session, Term

MAX_CLOSURE_DAYS = 366


@dataclass(frozen=True)
class ClosureResult:
    closure: Closure
    cancelled: int = 0
    reinstated: int = 0
    not_reinstated: int = 0


def _require_coordinator(actor, organisation: Organisation) -> None:
    if not coordinated_organisations(actor).filter(pk=organisation.pk).exists():
        raise ApplicationError(
            "permission_denied",
            "Only coordinators of this organisation can change its terms and closures.",
            status_code=403,
        )


def _check_dates(start_date: date, end_date: date) -> None:
    for name, day in (("start_date", start_date), ("end_date", end_date)):
        if not services.EARLIEST <= day <= services.LATEST:
            raise ApplicationError(
                "date_out_of_range",
                f"Choose a date between {services.EARLIEST.year} and {services.LATEST.year}.",
                fields={name: ["Out of range."]},
            )
    if end_date < start_date:
        raise ApplicationError(
            "end_before_start",
            "The last day must be on or after the first day.",
            fields={"end_date": ["Before the first day."]},
        )


def _local_bounds(start_date: date, end_date: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start_date, time(0, 0), tzinfo=tz),
        datetime.combine(end_date + timedelta(days=1), time(0, 0), tzinfo=tz),
    )


# --- terms ---------------------------------------------------------------------------


@transaction.atomic
def term_create(
    *, actor, organisation: Organisation, name: str, start_date: date, end_date: date
) -> Term:
    _require_coordinator(actor, organisation)
    _check_dates(start_date, end_date)
    return Term.objects.create(
        organisation=organisation, name=name.strip(), start_date=start_date, end_date=end_date
    )


@transaction.atomic
def term_update(*, actor, term: Term, **changes) -> Term:
    term = Term.objects.select_for_update().get(pk=term.pk)
    _require_coordinator(actor, term.organisation)
    unknown = set(changes) - {"name", "start_date", "end_date"}
    if unknown:
        raise TypeError(f"term_update got unexpected fields {sorted(unknown)}")
    for key, value in changes.items():
        setattr(term, key, value.strip() if key == "name" else value)
    _check_dates(term.start_date, term.end_date)
    term.save()
    return term


@transaction.atomic
def term_delete(*, actor, term: Term) -> None:
    _require_coordinator(actor, term.organisation)
    term.delete()


def term_list(*, user) -> QuerySet[Term]:
    return Term.objects.filter(organisation__in=coordinated_organisations(user).values("pk"))


# --- closures ----------------------------------------------------------------------------


def covered_sessions(
    *, actor, organisation: Organisation, start_date: date, end_date: date, venue=None
) -> QuerySet[Session]:
    """Future scheduled sessions of the actor's activities in the organisation
    on those local days (and at that venue)."""
    start, end = _local_bounds(start_date, end_date)
    sessions = Session.objects.filter(
        activity__in=policy.manageable_activities(actor)
        .filter(organisation=organisation)
        .values("pk"),
        status=Session.Status.SCHEDULED,
        start__gte=max(start, timezone.now()),
        start__lt=end,
    )
    if venue is not None:
        sessions = sessions.filter(room__venue=venue)
    return sessions.order_by("start", "pk")


@transaction.atomic
def closure_create(
    *,
    actor,
    organisation: Organisation,
    reason: str,
    start_date: date,
    end_date: date,
    venue: Venue | None = None,
) -> ClosureResult:
    reason = required_reason(reason, "Say why you are closed; people booked are told.")
    _require_coordinator(actor, organisation)
    _check_dates(start_date, end_date)
    if (end_date - start_date).days + 1 > MAX_CLOSURE_DAYS:
        raise ApplicationError(
            "invalid_date_range",
            f"A closure covers at most {MAX_CLOSURE_DAYS} days.",
            fields={"end_date": [f"At most {MAX_CLOSURE_DAYS} days after the first day."]},
        )
    if end_date < timezone.localdate():
        raise ApplicationError(
            "closure_in_past",
            "Those days are over: nothing is left to cancel.",
            fields={"end_date": ["In the past."]},
        )
    if venue is not None and not policy.visible_venues(actor).filter(pk=venue.pk).exists():
        raise NotFoundError()
    closure = Closure.objects.create(
        organisation=organisation, venue=venue, reason=reason, start_date=start_date,
        end_date=end_date, created_by=actor,
    )  # fmt: skip
    cancelled = []
    for session in covered_sessions(
        actor=actor, organisation=organisation, start_date=start_date, end_date=end_date,
        venue=venue,
    ):  # fmt: skip
        services.session_cancel(actor=actor, session=session, reason=reason)
        cancelled.append(session)
    closure.sessions.add(*cancelled)
    return ClosureResult(closure=closure, cancelled=len(cancelled))


@transaction.atomic
def closure_undo(*, actor, closure: Closure) -> ClosureResult:
    """Reinstate the sessions the closure cancelled, where still cancelled for
    its reason, not started and the room still free. Those that cannot be
    reinstated (the room was taken meanwhile) stay cancelled and are counted."""
    closure = Closure.objects.select_for_update().get(pk=closure.pk)
    _require_coordinator(actor, closure.organisation)
    if closure.undone_at is not None:
        return ClosureResult(closure=closure)
    reinstated = failed = 0
    sessions = closure.sessions.filter(
        activity__in=policy.manageable_activities(actor).values("pk"),
        status=Session.Status.CANCELLED,
        cancel_reason=closure.reason,
        start__gt=timezone.now(),
    ).order_by("start", "pk")
    for session in sessions:
        try:
            session = services.session_reinstate(actor=actor, session=session)
        except ApplicationError as exc:
            if exc.code != "room_clash":
                raise
            failed += 1
            continue
        reactions.session_reinstated(session=session)
        reinstated += 1
    closure.undone_at = timezone.now()
    closure.save(update_fields=["undone_at", "updated_at"])
    return ClosureResult(closure=closure, reinstated=reinstated, not_reinstated=failed)


def closure_list(*, user) -> QuerySet[Closure]:
    """Closures of the organisations she coordinates, each with the number of
    its sessions she may see (never the hidden ones)."""
    visible = policy.visible_sessions(user).values("pk")
    return (
        Closure.objects.filter(organisation__in=coordinated_organisations(user).values("pk"))
        .select_related("organisation", "venue")
        .annotate(visible_sessions=Count("sessions", filter=Q(sessions__in=visible)))
        .order_by("-start_date", "reason")
    )


def closures_covering(*, organisation: Organisation, venue: Venue | None, first: date, last: date):
    """Active closures of the organisation that apply to a venue between two
    local dates, for the schedule preview."""
    return (
        Closure.objects.filter(
            organisation=organisation,
            undone_at__isnull=True,
            start_date__lte=last,
            end_date__gte=first,
        )
        .filter(Q(venue__isnull=True) | Q(venue=venue))
        .order_by("start_date")
    )
