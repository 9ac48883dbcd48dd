"""API for an organisation's terms and closures (coordinators only).

Lists start from the organisations the person coordinates; anything else is
404. A closure's session count is the number of its sessions she may see.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.common.views import HarbourViewSet
from backend.organisations.api import OrganisationRefSerializer, VenueRefSerializer
from backend.organisations.roles import coordinated_organisations

from . import closures
from .models import Closure, Term


class TermSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Term
        fields = ["id", "organisation", "name", "start_date", "end_date"]


@extend_schema_field({"type": "string", "format": "uuid"})
class CoordinatedOrganisationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return coordinated_organisations(self.context["request"].user)


class TermWriteSerializer(serializers.Serializer):
    organisation = CoordinatedOrganisationField()
    name = serializers.CharField(max_length=120)
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class TermUpdateSerializer(TermWriteSerializer):
    organisation = None

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class ClosureSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    venue = VenueRefSerializer(read_only=True, allow_null=True)
    sessions = serializers.SerializerMethodField(help_text="Its sessions you may see.")
    undone = serializers.SerializerMethodField()

    class Meta:
        model = Closure
        fields = [
            "id", "organisation", "venue", "reason", "start_date", "end_date", "undone",
            "undone_at", "sessions", "created_at",
        ]  # fmt: skip

    def get_sessions(self, closure) -> int:
        return getattr(closure, "visible_sessions", 0)

    def get_undone(self, closure) -> bool:
        return closure.undone_at is not None


@extend_schema_field({"type": "string", "format": "uuid"})
class VisibleVenueField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return policy.visible_venues(self.context["request"].user)


class ClosureWriteSerializer(serializers.Serializer):
    organisation = CoordinatedOrganisationField()
    venue = VisibleVenueField(required=False, allow_null=True)
    # Blank reaches the service, which refuses it with `reason_required`.
    reason = serializers.CharField(max_length=300, allow_blank=True, trim_whitespace=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class ClosureResultSerializer(serializers.Serializer):
    closure = ClosureSerializer()
    cancelled = serializers.IntegerField()
    reinstated = serializers.IntegerField()
    not_reinstated = serializers.IntegerField(help_text="Left cancelled: the room was taken.")


class IsCoordinator(permissions.BasePermission):
    message = "Only coordinators can manage terms and closures."

    def has_permission(self, request, view):
        if view.action is None:
            return True  # a method the route does not offer: 405, as everywhere else
        return request.user.is_authenticated and coordinated_organisations(request.user).exists()


_ACTIONS = ("list", "retrieve", "create", "partial_update", "update", "destroy", "undo")


class TermViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    HarbourViewSet,
):
    """An organisation's terms: the schedule builder offers their dates."""

    serializer_class = TermSerializer
    # Every action is for an organisation's coordinators (HarbourViewSet adds the sign-in).
    action_permissions = dict.fromkeys(_ACTIONS, (IsCoordinator,))
    filterset_fields: list[str] = []

    def get_queryset(self):
        return closures.term_list(user=self.request.user).select_related("organisation")

    @extend_schema(request=TermWriteSerializer, responses={201: TermSerializer})
    def create(self, request):
        data = TermWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        term = closures.term_create(actor=request.user, **data.validated_data)
        return Response(TermSerializer(term).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TermUpdateSerializer, responses={200: TermSerializer})
    def partial_update(self, request, pk=None):
        term = self.get_object()
        data = TermUpdateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        term = closures.term_update(actor=request.user, term=term, **data.validated_data)
        return Response(TermSerializer(term).data)

    def perform_destroy(self, instance):
        closures.term_delete(actor=self.request.user, term=instance)


class ClosureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HarbourViewSet):
    """Closures: creating one cancels the sessions it covers (everyone booked
    or waiting is told); undo reinstates them."""

    serializer_class = ClosureSerializer
    # Every action is for an organisation's coordinators (HarbourViewSet adds the sign-in).
    action_permissions = dict.fromkeys(_ACTIONS, (IsCoordinator,))
    filterset_fields: list[str] = []

    def get_queryset(self):
        return closures.closure_list(user=self.request.user)

    def _respond(self, result: closures.ClosureResult, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=result.closure.pk)
        return Response(
            {
                "closure": ClosureSerializer(fresh).data,
                "cancelled": result.cancelled,
                "reinstated": result.reinstated,
                "not_reinstated": result.not_reinstated,
            },
            status=code,
        )

    @extend_schema(request=ClosureWriteSerializer, responses={201: ClosureResultSerializer})
    def create(self, request):
        data = ClosureWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        result = closures.closure_create(actor=request.user, **data.validated_data)
        return self._respond(result, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ClosureResultSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        result = closures.closure_undo(actor=request.user, closure=self.get_object())
        return self._respond(result)
