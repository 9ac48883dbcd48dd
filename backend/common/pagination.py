"""Page-number pagination with a client-chosen page size (capped)."""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class CountlessFirstPagePaginator(Paginator):
    """Django's paginator, except that a first page shorter than a full page
    is its own count: most lists (a week's timetable, her bookings) fit on one
    page, and the COUNT(*) over the policy's nested subqueries costs as much
    to build and run as the page itself. Longer lists count as before."""

    def page(self, number):
        if str(number) != "1" or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])  # one more: is there a next page?
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # primes the cached_property
        self.validate_number(1)  # what the parent does (an empty first page is allowed)
        return self._get_page(rows[: self.per_page], 1, self)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CountlessFirstPagePaginator
