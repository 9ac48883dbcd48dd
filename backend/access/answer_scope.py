"""Who may be served the same cached answer: the viewer's *visibility class*.

Two viewers are in the same class when the policy lets them see the same
protected spaces (`policy.granted_spaces`): anonymous visitors and signed-in
people without a grant share the class "public". A cached answer shared by a
class must depend on nothing else about the viewer (the caller keys anything
else, or keys by person with `person`). The class itself is cached per person
under the write version (backend/common/answer_cache.py), so a grant given or
revoked changes it on the very next request."""

from __future__ import annotations

from backend.common import answer_cache
from backend.common.types import Viewer

from . import policy

PUBLIC = "public"


def visibility_class(user: Viewer) -> str:
    if user is None or not user.is_authenticated:
        return PUBLIC
    found = answer_cache.lookup("visibility-class", str(user.pk))
    if found.body is not None:
        return str(found.body)
    ids = sorted(str(pk) for pk in policy.granted_spaces(user).values_list("pk", flat=True))
    scope = "spaces:" + ",".join(ids) if ids else PUBLIC
    answer_cache.store(found, scope)
    return scope


# This process's last-known class per person, with the write version it was
# known at. Used only as a guess: the answer looked up with it is served only
# if the version read alongside it is still that one (`visibility_class_guess`).
_known: dict[str, tuple[object, str]] = {}
_KNOWN_MAX = 5000


def visibility_class_guess(user: Viewer) -> tuple[str, object]:
    """(class, guard): the class, and the write version it must still be at
    for an answer looked up with it to be served (None: read just now)."""
    if user is None or not user.is_authenticated:
        return PUBLIC, None
    known = _known.get(str(user.pk))
    if known is not None:
        return known[1], known[0]
    found = answer_cache.lookup("visibility-class", str(user.pk))
    scope = visibility_class(user) if found.body is None else str(found.body)
    if found.version is not None:
        if len(_known) >= _KNOWN_MAX:
            _known.clear()
        _known[str(user.pk)] = (found.version, scope)
    return scope, None


def forget(user: Viewer) -> None:
    if user is not None and user.is_authenticated:
        _known.pop(str(user.pk), None)


def person(user: Viewer) -> str:
    """A scope of one: answers that are hers alone (a register, figures)."""
    if user is None or not user.is_authenticated:
        return PUBLIC
    return f"person:{user.pk}"
