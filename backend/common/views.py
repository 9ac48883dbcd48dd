"""The base viewset and the JSON 404 for unknown API URLs. (Every view's schema
documents its error answers: DEFAULT_SCHEMA_CLASS, backend/common/schema.py.)"""

from django.http import JsonResponse
from django.views.defaults import page_not_found
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import NOT_FOUND_DETAIL, uuid_or_not_found


class HarbourViewSet(viewsets.GenericViewSet):
    """An id that is not a UUID is simply not found (never a 400 or 500), and
    query filters (with their defaults, such as the sessions' date window)
    narrow lists only: a detail or action finds its object wherever it is.

    Permissions are declared here, once: every action needs a signed-in user,
    except the actions a viewset names in `public_actions`, and
    `action_permissions` adds checks to an action (e.g. "coordinates this
    activity"). A method the viewset does not offer has no action, and answers
    405 to everyone, signed in or not."""

    public_actions: frozenset[str] = frozenset()
    action_permissions: dict[str, tuple[type[permissions.BasePermission], ...]] = {}

    def get_permissions(self):
        public = self.public_actions
        # OPTIONS ("metadata") describes the endpoint: public where any action is.
        if self.action is None or self.action in public or (self.action == "metadata" and public):
            return [permissions.AllowAny()]
        extra = self.action_permissions.get(self.action, ())
        return [permissions.IsAuthenticated(), *(permission() for permission in extra)]

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        uuid_or_not_found(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
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
