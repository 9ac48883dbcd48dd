"""Humane no-shows (docs/fair-shares.md): who was booked, was marked absent,
and when that fades; an activity's rule (after N no-shows in W weeks her next
place waits for a coordinator's confirmation) and a coordinator's lift of it.

A no-show is an explicit "absent" mark on a register for someone who held a
place; a register not taken never counts against anyone, and excused is not
absent. Every count is made from sessions the person asking may see (her own
record: hers; a coordinator: his), and the rule counts only sessions that
everyone who sees the activity sees too, so a no-show at a women-only session
never shows through a public activity's rule."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from backend.access import policy
from backend.accounts.models import Participant
from backend.bookings import services as booking_services
from backend.bookings.models import HOLDING, Booking
from backend.common.errors import ApplicationError, NotFoundError, field_not_found, required_reason
from backend.timetable.models import Activity, Session

from .models import Attendance, NoShowLift, NoShowRule


def window_weeks() -> int:
    return settings.HARBOUR_NO_SHOW_WEEKS


def no_shows_of(participant: Participant, *, among: QuerySet, since, now=None) -> QuerySet:
    """Her no-shows since `since` at the sessions in `among`, newest first."""
    now = now or timezone.now()
    held_place = Booking.objects.filter(
        session=OuterRef("session"), participant=OuterRef("participant"), status__in=HOLDING
    )
    return (
        Attendance.objects.filter(
            participant=participant,
            mark=Attendance.Mark.ABSENT,
            session__status=Session.Status.SCHEDULED,
            session__start__gte=since,
            session__start__lte=now,
            session__in=among.values("pk"),
        )
        .filter(Exists(held_place))
        .select_related("session__activity")
        .order_by("-session__start")
    )


def _counted_since(rule: NoShowRule, participant: Participant, *, now):
    since = now - timedelta(weeks=rule.weeks)
    lift = (
        NoShowLift.objects.filter(activity_id=rule.activity_id, participant=participant)
        .order_by("-at")
        .first()
    )
    return max(since, lift.at) if lift is not None else since


def rule_holds_back(*, session: Session, participant: Participant) -> bool:
    """Whether a place given to her on `session` waits for a coordinator."""
    rule = NoShowRule.objects.filter(activity_id=session.activity_id).first()
    if rule is None:
        return False
    now = timezone.now()
    count = no_shows_of(
        participant,
        among=policy.sessions_seen_alongside(session),
        since=_counted_since(rule, participant, now=now),
        now=now,
    ).count()
    return count >= rule.after


def record_of(*, viewer, participant: Participant) -> dict:
    """Her no-show record as `viewer` may see it: the no-shows of the last
    weeks (each with the day it fades) and the rules that hold her back now."""
    now = timezone.now()
    weeks = window_weeks()
    visible = policy.visible_sessions(viewer)
    items = [
        {
            "session": a.session_id,
            "activity": a.session.activity.title,
            "start": a.session.start,
            "fades_on": timezone.localdate(a.session.start + timedelta(weeks=weeks)),
        }
        for a in no_shows_of(participant, among=visible, since=now - timedelta(weeks=weeks))
    ]
    holds = []
    rules = NoShowRule.objects.filter(
        activity__in=policy.visible_activities(viewer).values("pk")
    ).select_related("activity")
    for rule in rules.order_by("activity__title"):
        # The rule's own count (see rule_holds_back): a stand-in session of its activity.
        among = policy.sessions_seen_alongside(Session(activity=rule.activity))
        count = no_shows_of(
            participant, among=among, since=_counted_since(rule, participant, now=now), now=now
        ).count()
        if count >= rule.after:
            holds.append(
                {"activity": rule.activity_id, "title": rule.activity.title, "count": count,
                 "after": rule.after, "weeks": rule.weeks}
            )  # fmt: skip
    return {"window_weeks": weeks, "count": len(items), "no_shows": items, "held_back": holds}


def _managed(actor, activity: Activity) -> None:
    if not policy.can_see_activity(actor, activity):
        raise NotFoundError()
    if not policy.can_manage_activity(actor, activity):
        raise ApplicationError(
            "permission_denied",
            "Only this activity's coordinators can change its no-show rule.",
            status_code=403,
        )


def _bounded(value, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ApplicationError(
            "invalid", f"Choose {low} to {high}.", fields={field: [f"Choose {low} to {high}."]}
        )
    return value


@transaction.atomic
def no_show_rule_set(*, actor, activity: Activity, after: int, weeks: int) -> NoShowRule:
    _managed(actor, activity)
    after = _bounded(after, "after", 1, 20)
    weeks = _bounded(weeks, "weeks", 1, 52)
    rule, _ = NoShowRule.objects.update_or_create(
        activity=activity, defaults={"after": after, "weeks": weeks, "set_by": actor}
    )
    return rule


@transaction.atomic
def no_show_rule_remove(*, actor, activity: Activity) -> None:
    _managed(actor, activity)
    NoShowRule.objects.filter(activity=activity).delete()


@transaction.atomic
def no_show_lift(
    *, actor, activity: Activity, participant: Participant, reason: str
) -> tuple[NoShowLift, int]:
    """The coordinator lifts the rule for her: earlier no-shows stop counting
    towards it, and her places waiting for confirmation are confirmed."""
    _managed(actor, activity)
    if not policy.visible_participants(actor).filter(pk=participant.pk).exists():
        raise field_not_found("participant")
    reason = required_reason(reason, "Say why the rule is lifted for her; it is recorded.")
    lift = NoShowLift.objects.create(
        activity=activity, participant=participant, by=actor, reason=reason
    )
    confirmed = booking_services.bookings_confirm_held(
        actor=actor, activity=activity, participant=participant, note=reason
    )
    return lift, confirmed
