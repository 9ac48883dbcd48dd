"""Rooms in use: what makes a room busy (sessions and reservations), the clash
check every write runs with the room locked, the availability read, and the
reservation writes.

The rule (docs/women-only-rooms.md): a session in a room is shown by its title
only to someone who may see that session. Every other busy time, a
reservation (private hire, maintenance, a closed meeting) or a session the
viewer may not see (a women-only class), is the same neutral "reserved" block:
in the availability read, in a `room_clash` refusal and in the nightly
generator's review note. A shared room being occupied is a physical fact; who
occupies it is not told.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend.access import policy
from backend.common.errors import ApplicationError, NotFoundError, field_not_found
from backend.organisations.models import Organisation, Room, RoomReservation
from backend.organisations.roles import coordinated_organisations

from .models import Session

ROOM_RESERVED = "The room is reserved at that time."
# Dates outside this span are typing mistakes (the timetable uses the same bounds).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def lock_rooms(*rooms: Room) -> None:
    """Lock the rooms' rows (SELECT ... FOR UPDATE) before a clash check.

    Lock order: callers lock the rows they change first (the session or the
    activity), then the rooms, and the rooms always in primary-key order, so two
    writers locking the same rooms (a move from A to B and another from B to A,
    or a reservation and a session in one room) queue instead of deadlocking.
    Everything that puts something in a room (sessions, reservations) takes this
    lock, so two of them cannot both pass the clash check."""
    list(Room.objects.select_for_update().filter(pk__in={r.pk for r in rooms}).order_by("pk"))


def _sessions_in(room: Room, start: datetime, end: datetime) -> QuerySet[Session]:
    return Session.objects.filter(
        room=room, status=Session.Status.SCHEDULED, start__lt=end, end__gt=start
    )


def _reservations_in(room: Room, start: datetime, end: datetime) -> QuerySet[RoomReservation]:
    return RoomReservation.objects.filter(room=room, start__lt=end, end__gt=start)


def find_clash(
    viewer,
    *,
    room: Room,
    start: datetime,
    end: datetime,
    exclude_sessions: set | frozenset = frozenset(),
    exclude_reservation=None,
) -> Session | RoomReservation | None:
    """What stops something going into `room` between `start` and `end`.

    A session `viewer` may see comes first, whatever else is there, so the
    answer with hidden sessions present is the answer without them whenever a
    visible session clashes too. Otherwise the first other session or
    reservation; callers describe it only through `clash_message`."""
    sessions = _sessions_in(room, start, end).exclude(pk__in=exclude_sessions)
    visible = (
        sessions.filter(pk__in=policy.visible_sessions(viewer).values("pk"))
        .select_related("activity", "room__venue")
        .order_by("start", "pk")
        .first()
    )
    if visible is not None:
        return visible
    other = sessions.order_by("start", "pk").first()
    if other is not None:
        return other
    reservations = _reservations_in(room, start, end)
    if exclude_reservation is not None:
        reservations = reservations.exclude(pk=exclude_reservation)
    return reservations.order_by("start", "pk").first()


def clash_message(viewer, clash: Session | RoomReservation) -> str:
    if isinstance(clash, Session) and policy.visible_sessions(viewer).filter(pk=clash.pk).exists():
        local = timezone.localtime(clash.start)
        return (
            f"{clash.room} is already used by \u201c{clash.activity.title}\u201d on "
            f"{local:%a %d %b %Y %H:%M}\u2013{timezone.localtime(clash.end):%H:%M}."
        )
    # A reservation and a session the viewer may not see read the same.
    return ROOM_RESERVED


def clash_error(viewer, clash: Session | RoomReservation) -> ApplicationError:
    message = clash_message(viewer, clash)
    return ApplicationError("room_clash", message, fields={"room": [message]}, status_code=409)


# --- availability (read) -------------------------------------------------------------


def may_view_availability(user) -> bool:
    """Coordinators book rooms: of an organisation, or of a space."""
    if user is None or not user.is_authenticated:
        return False
    return coordinated_organisations(user).exists() or policy.coordinated_spaces(user).exists()


def room_availability(*, viewer, room: Room, start: datetime, end: datetime) -> list[dict]:
    """Busy blocks in `room` that overlap [start, end), in time order.

    A session the viewer may see: its title and id. Everything else, the
    reservations and the sessions he may not see, becomes neutral
    `{"start", "end", "kind": "reserved"}` blocks, merged where they overlap
    or touch, so neither their number nor their edges single anything out."""
    sessions = _sessions_in(room, start, end).select_related("activity")
    visible_ids = set(
        sessions.filter(pk__in=policy.visible_sessions(viewer).values("pk")).values_list(
            "pk", flat=True
        )
    )
    shown: list[dict] = []
    busy: list[tuple[datetime, datetime]] = []
    for session in sessions.order_by("start", "pk"):
        if session.pk in visible_ids:
            shown.append(
                {
                    "start": session.start,
                    "end": session.end,
                    "kind": "session",
                    "session": session.pk,
                    "activity": session.activity.title,
                }
            )
        else:
            busy.append((session.start, session.end))
    busy += list(_reservations_in(room, start, end).values_list("start", "end"))
    merged: list[list[datetime]] = []
    for begin, finish in sorted(busy):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], finish)
        else:
            merged.append([begin, finish])
    shown += [{"start": b, "end": f, "kind": "reserved"} for b, f in merged]
    return sorted(shown, key=lambda block: (block["start"], block["end"], block["kind"]))


# --- reservations (writes) ------------------------------------------------------------


def managed_reservations(user) -> QuerySet[RoomReservation]:
    """Reservations the user may see in full (kind, note) and delete: those of
    organisations she coordinates, in rooms she may see."""
    if user is None or not user.is_authenticated:
        return RoomReservation.objects.none()
    return RoomReservation.objects.filter(
        organisation__in=coordinated_organisations(user).values("pk"),
        room__in=policy.visible_rooms(user).values("pk"),
    ).select_related("room__venue", "organisation")


def _validate_period(start: datetime, end: datetime) -> None:
    for name, moment in (("start", start), ("end", end)):
        if not EARLIEST <= moment.date() <= LATEST:
            raise ApplicationError(
                "date_out_of_range",
                f"Choose a date between {EARLIEST.year} and {LATEST.year}.",
                fields={name: ["Out of range."]},
            )
    if end <= start:
        raise ApplicationError(
            "end_before_start",
            "The end must be after the start.",
            fields={"end": ["The end must be after the start."]},
        )


@transaction.atomic
def room_reservation_create(
    *,
    actor,
    room: Room,
    organisation: Organisation,
    start: datetime,
    end: datetime,
    kind: str,
    note: str = "",
) -> RoomReservation:
    """Reserve a room for something that is not a session. Refused with
    `room_clash`, worded by the same rule as for sessions, when the room is
    taken then."""
    if not policy.visible_rooms(actor).filter(pk=room.pk).exists():
        raise field_not_found("room")
    if not coordinated_organisations(actor).filter(pk=organisation.pk).exists():
        raise ApplicationError(
            "permission_denied",
            "Only coordinators of this organisation can reserve rooms for it.",
            status_code=403,
        )
    if kind not in RoomReservation.Kind.values:
        raise ApplicationError(
            "invalid",
            "Choose a kind of reservation.",
            fields={"kind": [f"One of {', '.join(RoomReservation.Kind.values)}."]},
        )
    note = note.strip()
    if len(note) > 300:
        raise ApplicationError(
            "invalid", "The note is too long.", fields={"note": ["At most 300 characters."]}
        )
    _validate_period(start, end)
    lock_rooms(room)
    clash = find_clash(actor, room=room, start=start, end=end)
    if clash is not None:
        raise clash_error(actor, clash)
    return RoomReservation.objects.create(
        room=room, organisation=organisation, start=start, end=end, kind=kind,
        note=note, created_by=actor,
    )  # fmt: skip


@transaction.atomic
def room_reservation_delete(*, actor, reservation: RoomReservation) -> None:
    if not managed_reservations(actor).filter(pk=reservation.pk).exists():
        raise NotFoundError()
    RoomReservation.objects.filter(pk=reservation.pk).delete()
