"""Writes for protected spaces: grants, revocations, access requests, coordinators.

Only a coordinator of the space may grant or revoke, whatever else the actor is
(superuser, staff, organisation coordinator). The first coordinator of a space
is appointed from the server's command line (`manage.py space_coordinator`),
by whoever runs the deployment. Every change is written to the audit log.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from backend import reactions
from backend.common.errors import ApplicationError, NotFoundError

from . import policy
from .models import (
    ACCESS,
    COORDINATE,
    AccessRequest,
    AuditEntry,
    Space,
    SpaceGroupObjectPermission,
    SpaceUserObjectPermission,
)


def _audit(*, actor, action: str, space: Space, subject=None, note: str = "") -> None:
    AuditEntry.objects.create(actor=actor, action=action, space=space, subject=subject, note=note)


def not_coordinator_error() -> ApplicationError:
    return ApplicationError(
        "permission_denied", "Only this space's coordinators can do that.", status_code=403
    )


def _require_coordinator(actor, space: Space) -> None:
    """403 where the actor can see the space (listed or granted), else 404."""
    if actor is None or not policy.coordinated_spaces(actor).filter(pk=space.pk).exists():
        if actor is not None and (space.is_listed or policy.has_grant(actor, space)):
            raise not_coordinator_error()
        raise NotFoundError()


def _remove_tutoring(space: Space, user) -> None:
    for activity in space.activities.filter(tutors=user):
        activity.tutors.remove(user)


@transaction.atomic
def space_coordinator_appoint(*, space: Space, user, actor=None, note: str = "") -> None:
    """Make `user` a coordinator of `space` (with access). `actor=None` means the
    server operator on the command line; otherwise the actor must coordinate it."""
    if actor is not None:
        _require_coordinator(actor, space)
    assign_perm(f"access.{ACCESS}", user, space)
    assign_perm(f"access.{COORDINATE}", user, space)
    _audit(actor=actor, action="coordinator_appointed", space=space, subject=user, note=note)


@transaction.atomic
def space_coordinator_remove(*, space: Space, user, actor=None) -> None:
    if actor is not None:
        _require_coordinator(actor, space)
    remove_perm(f"access.{COORDINATE}", user, space)
    _audit(actor=actor, action="coordinator_removed", space=space, subject=user)


@transaction.atomic
def space_grant(*, actor, space: Space, user, note: str = "") -> None:
    _require_coordinator(actor, space)
    if policy.has_grant(user, space):
        return
    assign_perm(f"access.{ACCESS}", user, space)
    AccessRequest.objects.filter(
        space=space, user=user, status=AccessRequest.Status.PENDING
    ).update(status=AccessRequest.Status.APPROVED, decided_by=actor, decided_at=timezone.now())
    _audit(actor=actor, action="access_granted", space=space, subject=user, note=note)


@transaction.atomic
def space_revoke(*, actor, space: Space, user, note: str = "") -> None:
    """Takes effect on the next request: the grant tables are read afresh, and
    every cached answer and visibility class is keyed by the write version that
    this write bumps (backend/common/answer_cache.py).
    Also ends her tutoring of the space's activities, any coordination, and
    her bookings and queue places there (freed places go to the line)."""
    _require_coordinator(actor, space)
    if not policy.has_grant(user, space):
        return
    remove_perm(f"access.{ACCESS}", user, space)
    remove_perm(f"access.{COORDINATE}", user, space)
    _remove_tutoring(space, user)
    reactions.grant_revoked(space=space, user=user)
    _audit(actor=actor, action="access_revoked", space=space, subject=user, note=note)


@transaction.atomic
def access_request_create(*, user, space: Space, message: str = "") -> AccessRequest:
    """Her own word is the declaration: no proof is asked for, ever."""
    if not space.is_listed and not policy.has_grant(user, space):
        raise NotFoundError()
    if policy.has_grant(user, space):
        raise ApplicationError(
            "already_granted", "You already have access to this space.", status_code=409
        )
    existing = AccessRequest.objects.filter(
        space=space, user=user, status=AccessRequest.Status.PENDING
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            request = AccessRequest.objects.create(space=space, user=user, message=message.strip())
    except IntegrityError:  # the same request sent twice at once
        return AccessRequest.objects.get(
            space=space, user=user, status=AccessRequest.Status.PENDING
        )
    _audit(actor=user, action="access_requested", space=space, subject=user)
    return request


@transaction.atomic
def access_request_withdraw(*, user, request: AccessRequest) -> AccessRequest:
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.user_id != user.pk:
        raise NotFoundError()
    if request.status == AccessRequest.Status.PENDING:
        request.status = AccessRequest.Status.WITHDRAWN
        request.save(update_fields=["status", "updated_at"])
        _audit(actor=user, action="access_request_withdrawn", space=request.space, subject=user)
    return request


@transaction.atomic
def access_request_decide(
    *, actor, request: AccessRequest, approve: bool, note: str = ""
) -> AccessRequest:
    request = (
        AccessRequest.objects.select_for_update().select_related("space", "user").get(pk=request.pk)
    )
    _require_coordinator(actor, request.space)
    if request.status != AccessRequest.Status.PENDING:
        raise ApplicationError(
            "request_not_pending", f"This request is already {request.status}.", status_code=409
        )
    request.status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.DECLINED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save()
    if approve:
        assign_perm(f"access.{ACCESS}", request.user, request.space)
    _audit(
        actor=actor,
        action="access_request_approved" if approve else "access_request_declined",
        space=request.space,
        subject=request.user,
        note=note,
    )
    return request


@transaction.atomic
def space_access_suspend_for_reset(*, actor, user) -> list[Space]:
    """Someone who does not coordinate a space is resetting the sign-in of a
    login that may enter it (a sign-in code for a learner). Whoever holds that
    code must not get in, and the issuer must not learn that she could: so her
    grants and roles for every space the issuer does not coordinate are
    suspended (her own grants removed, her membership of groups holding one,
    and her approved requests, which she would see in her own list), each
    written to that space's log. Bookings stay; a coordinator of the space
    restores her with a grant. Called by the people services."""
    mine = policy.coordinated_spaces(actor).values("pk")
    suspended = list(_spaces_with_any_perm(user).exclude(pk__in=mine))
    for space in suspended:
        for codename in (ACCESS, COORDINATE):
            remove_perm(f"access.{codename}", user, space)
        holding = SpaceGroupObjectPermission.objects.filter(content_object=space)
        user.groups.remove(*Group.objects.filter(user=user, pk__in=holding.values("group_id")))
        # Her own list of requests would show "approved" to whoever holds the
        # code; the audit log keeps the history.
        AccessRequest.objects.filter(
            space=space, user=user, status=AccessRequest.Status.APPROVED
        ).delete()
        _audit(
            actor=actor, action="access_suspended", space=space, subject=user,
            note="sign-in reset by someone outside the space",
        )  # fmt: skip
    return suspended


def _spaces_with_any_perm(user):
    return Space.objects.filter(
        Q(pk__in=SpaceUserObjectPermission.objects.filter(user=user).values("content_object_id"))
        | Q(
            pk__in=SpaceGroupObjectPermission.objects.filter(group__user=user).values(
                "content_object_id"
            )
        )
    )
