"""Query filters for activities and sessions. An unknown value is a 400.

Filters that name an activity or space resolve against the policy's querysets,
so a protected id answers exactly like an id that never existed.
"""

import django_filters as filters

from backend.access import policy
from backend.common.filtering import YesNoFilter
from backend.organisations.models import Organisation, Venue

from .models import Activity, Language, Session
from .selectors import date_range_bounds


def _only_when_asked(param: str, model, visible):
    """The choices of a filter that names a hidden-able object, from the policy;
    built only when the request uses the filter. django-filter builds every
    field's choices on every request, and building the policy's room/venue
    queryset costs more CPU than the whole rest of a timetable page. Without
    the parameter the field is empty and its queryset never consulted."""

    def queryset(request):
        params = getattr(request, "query_params", None) or getattr(request, "GET", {})
        if not params.get(param):
            return model.objects.none()
        return visible(getattr(request, "user", None))

    return queryset


_visible_activities = _only_when_asked("activity", Activity, policy.visible_activities)
_visible_venues = _only_when_asked("venue", Venue, policy.visible_venues)


class ActivityFilter(filters.FilterSet):
    organisation = filters.ModelChoiceFilter(queryset=Organisation.objects.all())
    kind = filters.ChoiceFilter(choices=Activity.Kind.choices)
    level = filters.ChoiceFilter(choices=Activity.Level.choices)
    language = filters.ModelChoiceFilter(field_name="languages", queryset=Language.objects.all())
    venue = filters.ModelChoiceFilter(field_name="room__venue", queryset=_visible_venues)
    manageable = YesNoFilter(method="_manageable", label="Only activities I coordinate.")

    class Meta:
        model = Activity
        fields = ["organisation", "kind", "level", "language", "venue", "manageable"]

    def _manageable(self, queryset, name, value):
        mine = policy.manageable_activities(self.request.user).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


class SessionFilter(filters.FilterSet):
    # Session lists are cached per visibility class (timetable/api.py): a
    # filter whose answer depends on who asks beyond her grants is named here,
    # and a request using one is cached for her alone.
    PERSONAL = frozenset({"needs_review", "registers"})

    date_from = filters.DateFilter(method="_noop", label="First day (local); default today.")
    date_to = filters.DateFilter(method="_noop", label="Last day (local), default: 6 days later.")
    organisation = filters.ModelChoiceFilter(
        field_name="activity__organisation", queryset=Organisation.objects.all()
    )
    activity = filters.ModelChoiceFilter(field_name="activity", queryset=_visible_activities)
    kind = filters.ChoiceFilter(field_name="activity__kind", choices=Activity.Kind.choices)
    level = filters.ChoiceFilter(field_name="activity__level", choices=Activity.Level.choices)
    venue = filters.ModelChoiceFilter(field_name="room__venue", queryset=_visible_venues)
    language = filters.ModelChoiceFilter(
        field_name="activity__languages", queryset=Language.objects.all()
    )
    has_places = YesNoFilter(method="_has_places", label="Only sessions with places left.")
    status = filters.ChoiceFilter(choices=Session.Status.choices)
    needs_review = YesNoFilter(method="_needs_review", label="Flagged for coordinators.")
    registers = YesNoFilter(
        method="_registers", label="Only sessions whose register I take (tutor or coordinator)."
    )

    class Meta:
        model = Session
        fields = [
            "date_from", "date_to", "organisation", "activity", "kind", "level", "venue",
            "language", "has_places", "status", "needs_review", "registers",
        ]  # fmt: skip

    def _noop(self, queryset, name, value):
        return queryset

    def _needs_review(self, queryset, name, value):
        # Review flags are coordinators' business: for anyone else nothing is flagged.
        managed = {
            "needs_review": True,
            "activity__in": policy.manageable_activities(self.request.user).values("pk"),
        }
        return queryset.filter(**managed) if value else queryset.exclude(**managed)

    def _registers(self, queryset, name, value):
        staffed = policy.staffed_sessions(self.request.user).values("pk")
        return queryset.filter(pk__in=staffed) if value else queryset.exclude(pk__in=staffed)

    def _has_places(self, queryset, name, value):
        open_sessions = {"status": Session.Status.SCHEDULED, "places_left_db__gt": 0}
        return queryset.filter(**open_sessions) if value else queryset.exclude(**open_sessions)

    def filter_queryset(self, queryset):
        start, end = date_range_bounds(
            self.form.cleaned_data.get("date_from"), self.form.cleaned_data.get("date_to")
        )
        return super().filter_queryset(queryset.filter(start__gte=start, start__lt=end))
