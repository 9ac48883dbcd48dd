"""Reading django-guardian's direct-FK permission tables as plain subqueries.

The same rows `get_objects_for_user(..., with_superuser=False,
accept_global_perms=False)` consults, without its per-call lookups, so a
request can build several policy querysets for free (nothing runs until the
queryset is evaluated). Global permissions and superuser status never count."""

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
    permission = {
        "permission__codename": codename,
        "permission__content_type__app_label": model._meta.app_label,
    }
    direct = user_perms.objects.filter(user=user, **permission).values("content_object_id")
    via_group = group_perms.objects.filter(group__user=user, **permission).values(
        "content_object_id"
    )
    return model.objects.filter(Q(pk__in=direct) | Q(pk__in=via_group))
