"""django-filter backend whose refusals carry the stable code `invalid_filter`."""

from django_filters import utils
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
