"""The admin site: every page, "Recent actions" and every object's history go
through the policy (issue 12 item 5).

An admin log entry is shown only when the viewer's own admin for that model
would show the object, and a line about an inline object (a venue's room) only
when the inline would show that object; an entry left with nothing to say is
not shown at all, so its time does not show either. Log entries of models
without an admin here (nothing to check them against) are never shown.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.paginator import Paginator
from django.template.response import TemplateResponse

RECENT = 50  # how many of her latest entries "Recent actions" (10 shown) chooses from


def _shown_objects(request, model_admin, obj) -> dict[str, set[str]]:
    """verbose_name of each inline -> the str() of the objects it shows for `obj`."""
    shown: dict[str, set[str]] = {}
    for inline in model_admin.get_inline_instances(request, obj):
        formset = inline.get_formset(request, obj)
        rows = inline.get_queryset(request).filter(**{formset.fk.name: obj})
        shown.setdefault(str(inline.model._meta.verbose_name), set()).update(map(str, rows))
    return shown


def _visible_message(entry, inline_shown) -> str | None:
    """The entry's change message less its lines about hidden inline objects;
    None when nothing is left of a message that had lines."""
    try:
        parts = json.loads(entry.change_message or "[]")
    except ValueError:
        return None  # free text written by hand: nothing to check it against
    if not isinstance(parts, list) or not parts:
        return entry.change_message
    kept = []
    for part in parts:
        detail = next(iter(part.values()), {}) if isinstance(part, dict) and part else {}
        if "object" not in detail:
            kept.append(part)  # about the object itself
        elif detail["object"] in inline_shown().get(str(detail.get("name")), set()):
            kept.append(part)
    return json.dumps(kept) if kept else None


def visible_log_entries(request, entries) -> list:
    """The entries the viewer may see, with only the lines he may see."""
    site = admin.site
    out = []
    cache: dict = {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        model_admin = site._registry.get(model)
        if model_admin is None:
            continue
        key = (model, entry.object_id)
        if key not in cache:
            obj = model_admin.get_queryset(request).filter(pk=entry.object_id).first()
            if obj is not None and not model_admin.has_view_or_change_permission(request, obj):
                obj = None
            cache[key] = obj
        obj = cache[key]
        if obj is None:
            continue
        shown = {}

        def inline_shown(model_admin=model_admin, obj=obj, shown=shown):
            if not shown:
                shown.update(_shown_objects(request, model_admin, obj) or {"": set()})
            return shown

        message = _visible_message(entry, inline_shown)
        if message is None:
            continue
        entry.change_message = message
        out.append(entry)
    return out


class PolicyLogAdmin:
    """Mixed into every ModelAdmin registered on the site: its history page
    lists only the entries (and lines) the viewer may see."""

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if not isinstance(response, TemplateResponse) or "action_list" not in (
            response.context_data or {}
        ):
            return response
        context = response.context_data
        everything = context["action_list"].paginator.object_list
        paginator = Paginator(visible_log_entries(request, everything), 100)
        page_obj = paginator.get_page(context["action_list"].number)
        context.update(
            action_list=page_obj,
            page_range=paginator.get_elided_page_range(page_obj.number),
            pagination_required=paginator.count > 100,
        )
        return response


class PolicyAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, PolicyLogAdmin):
            admin_class = type(
                admin_class.__name__,
                (PolicyLogAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)

    def get_log_entries(self, request):
        # Every admin page asks for this (for "Recent actions", which filters it
        # by user and keeps 10): work only when the index actually reads it.
        return _VisibleLog(request)


class _VisibleLog:
    def __init__(self, request):
        self.request = request

    def filter(self, **lookups):
        from django.contrib.admin.models import LogEntry

        if not self.request.user.is_authenticated:
            return LogEntry.objects.none()
        latest = (
            LogEntry.objects.filter(**lookups)
            .select_related("content_type", "user")
            .order_by("-action_time")[:RECENT]
        )
        ids = [entry.pk for entry in visible_log_entries(self.request, latest)]
        return LogEntry.objects.filter(pk__in=ids).select_related("content_type", "user")


class PolicyAdminConfig(AdminConfig):
    default_site = "backend.access.admin_site.PolicyAdminSite"
