"""Reading django-guardian's direct-FK permission tables as plain subqueries.

The same rows `get_objects_for_user(..., with_superuser=False,
accept_global_perms=False)` consults, without its per-call lookups, so a
request can build several policy querysets for free (nothing runs until the
queryset is evaluated). Global permissions and superuser status never count.

Building these querysets (three managers, joins resolved through guardian's
tables) costs the ORM more CPU than the database spends running them, and it
is the same SQL for the same user and permission every time. So the
*unevaluated* queryset is kept per (model, permission, user id) and each call
gets a fresh clone: no rows are ever cached and the SQL runs on every use, so a
grant or revocation counts on the very next query, in any process. Only
active, signed-in users get here; a deactivated user never reaches the cache."""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet


def objects_with_perm(
    model: type[Model],
    user,
    codename: str,
    *,
    user_perms: type[Model],
    group_perms: type[Model],
) -> QuerySet:
    if user is None or not user.is_authenticated or not user.is_active:
        return model.objects.none()
    key = (model._meta.label, codename, user.pk, user_perms, group_perms)
    built = _BUILT.get(key)
    if built is None:
        if len(_BUILT) >= _MAX_BUILT:
            _BUILT.clear()
        built = _BUILT[key] = _build(model, user.pk, codename, user_perms, group_perms)
    return built.all()  # a clone: never the shared object, so never a result cache


# SQL only, never rows: see the module docstring. Bounded; cleared when full.
_BUILT: dict[tuple, QuerySet] = {}
_MAX_BUILT = 2048


def _build(model, user_id, codename: str, user_perms, group_perms) -> QuerySet:
    permission = {
        "permission__codename": codename,
        "permission__content_type__app_label": model._meta.app_label,
    }
    direct = user_perms.objects.filter(user_id=user_id, **permission).values("content_object_id")
    via_group = group_perms.objects.filter(group__user__pk=user_id, **permission).values(
        "content_object_id"
    )
    return model.objects.filter(Q(pk__in=direct) | Q(pk__in=via_group))
