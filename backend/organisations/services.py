"""Writes for organisations: staff role grants, venues and rooms."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from guardian.shortcuts import assign_perm, remove_perm

from backend.common.errors import ApplicationError, NotFoundError, field_not_found

from .models import COORDINATE, MAX_CAPACITY, TUTOR, Organisation, Room, Venue
from .roles import coordinated_organisations

ROLES = {"coordinator": COORDINATE, "tutor": TUTOR}
VENUE_FIELDS = {"name", "address", "postcode", "accessibility", "map_url"}
ROOM_FIELDS = {"name", "capacity", "accessibility"}


def _role_perm(role: str) -> str:
    try:
        return f"organisations.{ROLES[role]}"
    except KeyError:
        raise ApplicationError(
            "unknown_role", f"Unknown role {role!r}; expected one of {sorted(ROLES)}."
        ) from None


@transaction.atomic
def organisation_role_assign(*, organisation: Organisation, user, role: str) -> None:
    assign_perm(_role_perm(role), user, organisation)


@transaction.atomic
def organisation_role_remove(*, organisation: Organisation, user, role: str) -> None:
    remove_perm(_role_perm(role), user, organisation)


# --- venues and rooms ------------------------------------------------------------------


def _require_coordinator(actor, organisation: Organisation | None) -> None:
    if (
        organisation is None
        or not coordinated_organisations(actor).filter(pk=organisation.pk).exists()
    ):
        raise ApplicationError(
            "permission_denied",
            "Only the coordinators of the venue's organisation can change it.",
            status_code=403,
        )


def _clean_text(values: dict) -> dict:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _check_name(name: str | None) -> None:
    if name is not None and not name.strip():
        raise ApplicationError("invalid", "Give it a name.", fields={"name": ["Give it a name."]})


def _check_capacity(capacity: int | None) -> None:
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise ApplicationError(
            "invalid",
            f"A room holds between 1 and {MAX_CAPACITY} people.",
            fields={"capacity": [f"Between 1 and {MAX_CAPACITY}."]},
        )


@transaction.atomic
def venue_create(*, actor, organisation: Organisation, name: str, **details) -> Venue:
    _require_coordinator(actor, organisation)
    unknown = set(details) - VENUE_FIELDS
    if unknown:
        raise TypeError(f"venue_create got unexpected fields {sorted(unknown)}")
    _check_name(name)
    return Venue.objects.create(organisation=organisation, **_clean_text({"name": name, **details}))


def _visible_venue(actor, venue: Venue) -> Venue:
    from backend.access import policy

    if not policy.visible_venues(actor).filter(pk=venue.pk).exists():
        raise NotFoundError()
    return (
        Venue.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=venue.pk)
    )


@transaction.atomic
def venue_update(*, actor, venue: Venue, **changes) -> Venue:
    venue = _visible_venue(actor, venue)
    _require_coordinator(actor, venue.organisation)
    unknown = set(changes) - VENUE_FIELDS
    if unknown:
        raise TypeError(f"venue_update got unexpected fields {sorted(unknown)}")
    _check_name(changes.get("name"))
    for key, value in _clean_text(changes).items():
        setattr(venue, key, value)
    venue.save()
    return venue


def _space_fields(space) -> dict:
    """A room made for a space is hidden from the start to anyone without its
    grant (`Room.space`, see the policy's `visible_rooms`)."""
    return {} if space is None else {"space": space}


def _save_room(room: Room) -> Room:
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError:
        raise ApplicationError(
            "room_name_taken",
            "This venue already has a room with that name.",
            fields={"name": ["Already used in this venue."]},
            status_code=409,
        ) from None
    return room


@transaction.atomic
def room_create(
    *,
    actor,
    venue: Venue,
    name: str,
    capacity: int,
    accessibility: str = "",
    space=None,
) -> Room:
    """A room in a venue. Her organisation's coordinators add rooms to its
    venues; a space coordinator adds a room for her space (`space`) to a venue
    of the space's organisation, and that room is the space's alone."""
    from backend.access import policy

    venue = _visible_venue(actor, venue)
    if space is not None:
        if not policy.coordinated_spaces(actor).filter(pk=space.pk).exists():
            raise field_not_found("space")  # a space she does not run does not exist for her
        if venue.organisation_id != space.organisation_id:
            raise ApplicationError(
                "permission_denied",
                "Rooms for the space go in its organisation's venues.",
                status_code=403,
            )
    else:
        _require_coordinator(actor, venue.organisation)
    _check_name(name)
    _check_capacity(capacity)
    room = Room(
        venue=venue, name=name.strip(), capacity=capacity, accessibility=accessibility.strip(),
        **_space_fields(space),
    )  # fmt: skip
    return _save_room(room)


@transaction.atomic
def room_update(*, actor, room: Room, **changes) -> Room:
    """Name, capacity and access notes. A lower capacity bounds new activities
    and moves; activities already there keep their places (nobody booked is
    cancelled silently), and nothing here depends on activities she cannot see."""
    from backend.access import policy

    if not policy.visible_rooms(actor).filter(pk=room.pk).exists():
        raise NotFoundError()
    room = Room.objects.select_for_update(of=("self",)).select_related("venue").get(pk=room.pk)
    if not _may_edit_room(actor, room):
        raise ApplicationError(
            "permission_denied",
            "Only the coordinators of the venue's organisation can change its rooms.",
            status_code=403,
        )
    unknown = set(changes) - ROOM_FIELDS
    if unknown:
        raise TypeError(f"room_update got unexpected fields {sorted(unknown)}")
    _check_name(changes.get("name"))
    _check_capacity(changes.get("capacity"))
    for key, value in _clean_text(changes).items():
        setattr(room, key, value)
    return _save_room(room)


def _may_edit_room(actor, room: Room) -> bool:
    from backend.access import policy

    space_id = getattr(room, "space_id", None)
    if space_id is not None:
        return policy.coordinated_spaces(actor).filter(pk=space_id).exists()
    org = room.venue.organisation
    return org is not None and coordinated_organisations(actor).filter(pk=org.pk).exists()
