"""django-filter backend whose refusals carry the stable code `invalid_filter`."""

from django_filters import ChoiceFilter, utils
from django_filters.rest_framework import DjangoFilterBackend

from .errors import ApplicationError


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            fields = {
                name: [str(message) for message in messages]
                for name, messages in utils.translate_validation(filterset.errors).detail.items()
            }
            raise ApplicationError(
                "invalid_filter", "A filter value is not valid; see fields.", fields=fields
            )
        return filterset.qs


class YesNoFilter(ChoiceFilter):
    """A boolean query parameter that refuses anything but true/false (django-
    filter's BooleanFilter silently ignores `?has_places=maybe`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        as_bool = value == "true"
        if self.method is not None:
            return self.get_method(qs)(qs, self.field_name, as_bool)
        return qs.filter(**{self.field_name: as_bool})
