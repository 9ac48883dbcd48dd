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


def person(user: Viewer) -> str:
    """A scope of one: answers that are hers alone (a register, figures)."""
    if user is None or not user.is_authenticated:
        return PUBLIC
    return f"person:{user.pk}"
