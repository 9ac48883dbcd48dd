"""Writes for how an activity's queue hands out places: its allocation rules
(first come, lottery, rotation), and lottery draws: announce (date and places,
with the seed recorded and only its SHA-256 shown), draw (a coordinator, or
`manage.py process_waiting_lists` once due), cancel with a reason, verify.
Every change is recorded in BookingEvent with who and why. The lottery itself
is `lottery.py`; the order of the queue is `allocation.py`."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.access import policy
from backend.common.errors import ApplicationError, NotFoundError, required_reason
from backend.notifications.services import is_discreet, notification_queue
from backend.timetable.models import Activity, Session

from . import lottery
from .models import ActivityQueueEntry, QueueDraw, QueueRules
from .services import _event, queue_fill

MAX_DRAW_PLACES = 500


def seed_hash(seed: str) -> str:
    """What is shown when a draw is announced: the seed is then fixed, but
    nobody (coordinators included) can work out the winners before the draw."""
    return hashlib.sha256(seed.encode()).hexdigest()


def require_coordinator(actor, activity: Activity) -> None:
    if not policy.can_see_activity(actor, activity):
        raise NotFoundError()
    if not policy.can_manage_activity(actor, activity):
        raise ApplicationError(
            "permission_denied", "Only this activity's coordinators can do that.", status_code=403
        )


def _lock_activity(activity: Activity) -> None:
    Activity.objects.select_for_update().filter(pk=activity.pk).first()


@transaction.atomic
def queue_rules_set(
    *, actor, activity: Activity, allocation: str, reason: str, rotation_weeks: int = 4
) -> QueueRules:
    require_coordinator(actor, activity)
    reason = required_reason(
        reason, "Say why the list changes how it gives places; it is recorded."
    )
    if allocation not in QueueRules.Allocation.values:
        raise ApplicationError(
            "invalid", "Unknown allocation.", fields={"allocation": ["Unknown allocation."]}
        )
    if not isinstance(rotation_weeks, int) or not 1 <= rotation_weeks <= 52:
        raise ApplicationError(
            "invalid", "Choose 1 to 52 weeks.", fields={"rotation_weeks": ["Choose 1 to 52."]}
        )
    _lock_activity(activity)
    announced = QueueDraw.objects.filter(activity=activity, status=QueueDraw.Status.ANNOUNCED)
    if allocation != QueueRules.Allocation.LOTTERY and announced.exists():
        raise ApplicationError(
            "draw_announced",
            "A draw is announced for this list: cancel it first, so nobody waits for it in vain.",
            status_code=409,
        )
    rules, _ = QueueRules.objects.get_or_create(activity=activity)
    before = f"{rules.allocation}/{rules.rotation_weeks}"
    rules.allocation = allocation
    rules.rotation_weeks = rotation_weeks
    rules.save()
    _event(
        action="queue_rules_changed", actor=actor, activity=activity,
        note=f"{before} -> {allocation}/{rotation_weeks}: {reason}",
    )  # fmt: skip
    transaction.on_commit(lambda: queue_fill(activity=activity))
    return rules


def draw_announce(
    *, actor, activity: Activity, draw_at, places: int, seed: str | None = None
) -> QueueDraw:
    """Announce a draw. The seed is recorded now: a fresh random value, or one
    published elsewhere beforehand (a public lottery's numbers, say)."""
    require_coordinator(actor, activity)
    if seed is not None and not 8 <= len(seed.strip()) <= 64:
        raise ApplicationError(
            "invalid", "A seed of 8 to 64 characters.", fields={"seed": ["8 to 64 characters."]}
        )
    if (
        QueueRules.objects.filter(
            activity=activity, allocation=QueueRules.Allocation.LOTTERY
        ).first()
        is None
    ):
        raise ApplicationError(
            "not_a_lottery", "This list does not give places by lottery.", status_code=409
        )
    if draw_at <= timezone.now():
        raise ApplicationError(
            "draw_in_past", "Choose a time for the draw that has not passed.",
            fields={"draw_at": ["Choose a time that has not passed."]},
        )  # fmt: skip
    if not isinstance(places, int) or not 1 <= places <= MAX_DRAW_PLACES:
        raise ApplicationError(
            "invalid", f"1 to {MAX_DRAW_PLACES} places.",
            fields={"places": [f"Choose 1 to {MAX_DRAW_PLACES}."]},
        )  # fmt: skip
    seed = seed.strip() if seed is not None else secrets.token_hex(16)
    try:
        with transaction.atomic():
            _lock_activity(activity)
            draw = QueueDraw.objects.create(
                activity=activity, draw_at=draw_at, places=places, seed=seed, announced_by=actor
            )
            _event(
                action="draw_announced", actor=actor, activity=activity, draw=draw,
                note=f"{places} places, drawn {draw_at.isoformat()}, seed sha256 {seed_hash(seed)}",
            )  # fmt: skip
    except IntegrityError:
        raise ApplicationError(
            "draw_already_announced",
            "A draw is already announced for this list: draw or cancel it first.",
            status_code=409,
        ) from None
    return draw


@transaction.atomic
def draw_cancel(*, actor, draw: QueueDraw, reason: str) -> QueueDraw:
    require_coordinator(actor, draw.activity)
    reason = required_reason(reason, "Say why the draw is cancelled; it is recorded.")
    draw = QueueDraw.objects.select_for_update().get(pk=draw.pk)
    if draw.status != QueueDraw.Status.ANNOUNCED:
        raise ApplicationError(
            "draw_not_open", "This draw has already been drawn or cancelled.", status_code=409
        )
    draw.status = QueueDraw.Status.CANCELLED
    draw.cancel_reason = reason
    draw.save(update_fields=["status", "cancel_reason", "updated_at"])
    _event(action="draw_cancelled", actor=actor, activity=draw.activity, draw=draw, note=reason)
    return draw


def _entrants(activity: Activity) -> list[ActivityQueueEntry]:
    """Everyone waiting who has not been drawn yet (and may still see the
    activity: nobody wins a place in what she cannot see)."""
    waiting = ActivityQueueEntry.objects.filter(
        activity=activity, status=ActivityQueueEntry.Status.WAITING, won_draw__isnull=True
    ).select_related("participant__user")
    return [
        e
        for e in waiting
        if e.participant.user is None or policy.can_see_activity(e.participant.user, activity)
    ]


def draw_run(*, actor, draw: QueueDraw) -> QueueDraw:
    """Draw the winners, record entrants and winners, tell everyone who
    entered, then give places to the winners in draw order."""
    activity = draw.activity
    if actor is not None:
        require_coordinator(actor, activity)
    with transaction.atomic():
        _lock_activity(activity)
        draw = QueueDraw.objects.select_for_update().get(pk=draw.pk)
        now = timezone.now()
        if draw.status != QueueDraw.Status.ANNOUNCED:
            raise ApplicationError(
                "draw_not_open", "This draw has already been drawn or cancelled.", status_code=409
            )
        if now < draw.draw_at:
            raise ApplicationError(
                "draw_not_due",
                "This draw is announced for later: it can be drawn from its announced time.",
                status_code=409,
            )
        entries = {str(e.pk): e for e in _entrants(activity)}
        draw.entrants = [{"id": pk, "places": entries[pk].places} for pk in sorted(entries)]
        draw.winners = lottery.draw_winners(draw.seed, draw.entrants, draw.places)
        draw.status = QueueDraw.Status.DRAWN
        draw.drawn_at = now
        draw.drawn_by = actor
        draw.save()
        for rank, pk in enumerate(draw.winners, start=1):
            entry = entries[pk]
            entry.won_draw = draw
            entry.draw_rank = rank
            entry.save(update_fields=["won_draw", "draw_rank", "updated_at"])
            _event(action="drawn", actor=actor, entry=entry, draw=draw, note=f"rank {rank}")
        _event(
            action="draw_drawn", actor=actor, activity=activity, draw=draw,
            note=f"seed {draw.seed}; {len(draw.entrants)} entrants; {len(draw.winners)} drawn",
        )  # fmt: skip
        won = set(draw.winners)
        for pk, entry in entries.items():
            _tell_draw(entry, activity, "draw_drawn" if pk in won else "draw_not_drawn")
    queue_fill(activity=activity)
    draw.refresh_from_db()
    return draw


def _tell_draw(entry: ActivityQueueEntry, activity: Activity, kind: str) -> None:
    person = entry.participant
    notification_queue(
        participant=person, kind=kind,
        discreet=is_discreet(participant=person, session=Session(activity=activity)),
        activity=activity.title, when="",
        app_link=settings.HARBOUR_SITE_URL.rstrip("/") + "/#/bookings",
    )  # fmt: skip


def draws_run_due() -> int:
    """The periodic job's part: every announced draw whose time has come is
    drawn. Idempotent (a drawn draw is not drawn again)."""
    done = 0
    due = QueueDraw.objects.filter(status=QueueDraw.Status.ANNOUNCED, draw_at__lte=timezone.now())
    for draw in due.select_related("activity"):
        try:
            draw_run(actor=None, draw=draw)
            done += 1
        except ApplicationError:
            continue  # drawn or cancelled meanwhile
    return done


def draw_verify(draw: QueueDraw) -> dict:
    """Re-run a drawn draw from its record alone."""
    again = lottery.draw_winners(draw.seed, draw.entrants, draw.places)
    return {
        "seed": draw.seed,
        "seed_sha256": seed_hash(draw.seed),
        "entrants": len(draw.entrants),
        "places": draw.places,
        "recorded": list(draw.winners),
        "recomputed": again,
        "matches": again == list(draw.winners),
    }


def draw_record_rows(draw: QueueDraw) -> list[list]:
    """The draw's record as rows a trustee can check with a spreadsheet and
    any SHA-256 tool (docs/fair-shares.md): the announcement, the seed and its
    fingerprint, then every entrant (entry id, places, ticket = sha256 of
    "<seed>:<entry id>", place in the draw order, rank if drawn), and whether
    re-running the draw gives the recorded winners. No names: the draw is
    checked, not who entered it. Drawn draws only."""
    if draw.status != QueueDraw.Status.DRAWN:
        raise ApplicationError(
            "draw_not_drawn",
            "This draw has not been drawn: its record is complete once it is.",
            status_code=409,
        )
    check = draw_verify(draw)
    places = {str(e["id"]): int(e.get("places", 1)) for e in draw.entrants}
    order = lottery.draw_order(draw.seed, places)
    rank = {pk: i for i, pk in enumerate(draw.winners, start=1)}
    head: list[list] = [
        ["draw", str(draw.pk)],
        ["list", draw.activity.title],
        ["announced", draw.created_at.isoformat()],
        ["draw_at", draw.draw_at.isoformat()],
        ["drawn_at", draw.drawn_at.isoformat() if draw.drawn_at else ""],
        ["places", draw.places],
        ["seed", draw.seed],
        ["seed_sha256", check["seed_sha256"]],
        ["method", 'rank each entrant by sha256("<seed>:<entry id>") as hex, smallest first; '
                   "take each in turn whose places still fit"],
        ["recomputed", "MATCH" if check["matches"] else "MISMATCH"],
        [],
        ["entry", "places", "ticket", "order", "drawn"],
    ]  # fmt: skip
    body: list[list] = [
        [pk, places[pk], lottery.ticket(draw.seed, pk), i, rank.get(pk, "")]
        for i, pk in enumerate(order, start=1)
    ]
    return head + body
