"""API for organisations and venues (rooms with capacities): public reads;
her organisation's coordinators add and edit venues and rooms, and a space
coordinator adds rooms for her space."""

import uuid

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.common.errors import NotFoundError
from backend.common.translations import TranslatedField
from backend.common.views import HarbourViewSet

from . import services
from .models import MAX_CAPACITY, Organisation, Room, Venue
from .roles import coordinated_organisations


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "description", "contact_email", "contact_phone", "website"]


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "capacity", "accessibility"]


class VenueSerializer(serializers.ModelSerializer):
    rooms = serializers.SerializerMethodField()
    organisation = OrganisationRefSerializer(
        allow_null=True, help_text="The charity that keeps its details up to date."
    )

    class Meta:
        model = Venue
        fields = [
            "id", "name", "address", "postcode", "accessibility", "map_url", "organisation",
            "rooms",
        ]  # fmt: skip

    @extend_schema_field(RoomSerializer(many=True))
    def get_rooms(self, venue: Venue) -> list[dict]:
        # `visible_rooms` is prefetched by the view through the access policy.
        return RoomSerializer(venue.visible_rooms, many=True).data


class VenueRefSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    address = TranslatedField(allow_blank=True)

    class Meta:
        model = Venue
        fields = ["id", "name", "address", "postcode"]


@extend_schema_field({"type": "string", "format": "uuid"})
class CoordinatedOrganisationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return coordinated_organisations(self.context["request"].user)


class VenueWriteSerializer(serializers.Serializer):
    organisation = CoordinatedOrganisationField()
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=12)
    accessibility = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    map_url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class VenueUpdateSerializer(VenueWriteSerializer):
    organisation = None

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class RoomWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY)
    accessibility = serializers.CharField(required=False, allow_blank=True, max_length=300)
    space = serializers.UUIDField(
        required=False, allow_null=True, help_text="A protected space she coordinates."
    )


class RoomUpdateSerializer(RoomWriteSerializer):
    space = None

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HarbourViewSet):
    """Charities using Harbour."""

    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.order_by("name")
    filterset_fields: list[str] = []
    public_actions = frozenset({"list", "retrieve"})


class VenueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HarbourViewSet):
    """Buildings and their rooms, with each room's capacity."""

    serializer_class = VenueSerializer
    filterset_fields: list[str] = []
    public_actions = frozenset({"list", "retrieve"})

    def get_queryset(self):
        user = self.request.user
        rooms = policy.visible_rooms(user).order_by("name")
        return (
            policy.visible_venues(user)
            .select_related("organisation")
            .prefetch_related(Prefetch("rooms", queryset=rooms, to_attr="visible_rooms"))
            .order_by("name")
        )

    def _venue(self, venue_id) -> Response:
        return Response(VenueSerializer(self.get_queryset().get(pk=venue_id)).data)

    @extend_schema(request=VenueWriteSerializer, responses={201: VenueSerializer})
    def create(self, request):
        data = VenueWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        venue = services.venue_create(actor=request.user, **data.validated_data)
        response = self._venue(venue.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=VenueUpdateSerializer, responses={200: VenueSerializer})
    def partial_update(self, request, pk=None):
        venue = self.get_object()
        data = VenueUpdateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.venue_update(actor=request.user, venue=venue, **data.validated_data)
        return self._venue(venue.pk)

    @extend_schema(request=RoomWriteSerializer, responses={201: RoomSerializer})
    @action(detail=True, methods=["post"])
    def rooms(self, request, pk=None):
        """Add a room to this venue (for a protected space: give `space`)."""
        venue = self.get_object()
        data = RoomWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        space_id = values.pop("space", None)
        space = None
        if space_id is not None:
            space = policy.coordinated_spaces(request.user).filter(pk=space_id).first()
            if space is None:
                raise serializers.ValidationError({"space": ["Not found."]})
        room = services.room_create(actor=request.user, venue=venue, space=space, **values)
        return Response(RoomSerializer(room).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RoomUpdateSerializer,
        responses={200: RoomSerializer},
        parameters=[
            OpenApiParameter("room_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
        ],
    )
    @action(detail=True, methods=["patch"], url_path=r"rooms/(?P<room_id>[^/.]+)")
    def room(self, request, pk=None, room_id=None):
        """Change one of this venue's rooms."""
        venue = self.get_object()
        room = policy.visible_rooms(request.user).filter(venue=venue, pk=_uuid_or_none(room_id))
        room = room.first()
        if room is None:
            raise NotFoundError()
        data = RoomUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = services.room_update(actor=request.user, room=room, **data.validated_data)
        return Response(RoomSerializer(room).data)


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
