"""The base viewset and the JSON 404 for unknown API URLs. (Every view's schema
documents its error answers: DEFAULT_SCHEMA_CLASS, backend/common/schema.py.)"""

import uuid

from django.http import JsonResponse
from django.views.defaults import page_not_found
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import NOT_FOUND_DETAIL, NotFoundError


class HarbourViewSet(viewsets.GenericViewSet):
    """An id that is not a UUID is simply not found (never a 400 or 500), and
    query filters (with their defaults, such as the sessions' date window)
    narrow lists only: a detail or action finds its object wherever it is."""

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        try:
            uuid.UUID(str(self.kwargs[self.lookup_url_kwarg or self.lookup_field]))
        except ValueError:
            raise NotFoundError() from None
        return super().get_object()


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "detail": NOT_FOUND_DETAIL, "fields": {}}, status=404
        )
    return page_not_found(request, exception)


class PingSerializer(serializers.Serializer):
    status = serializers.CharField()


class PingView(APIView):
    """The cheapest DRF request: full middleware, DRF dispatch, content
    negotiation and JSON rendering, no database work (no cookie, no session
    read). It is the benchmarks' baseline (`make bench-stack`) and a liveness
    check that exercises the API stack, unlike the plain-Django /healthz."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: PingSerializer})
    def get(self, request):
        return Response({"status": "ok"})
