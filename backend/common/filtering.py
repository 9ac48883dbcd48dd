"""django-filter backend whose refusals carry the stable code `invalid_filter`."""

from django import forms
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
    filter's BooleanFilter silently ignores `?has_places=maybe`). Filter methods
    receive a real bool."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)
