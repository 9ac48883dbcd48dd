"""Public, read-only API for organisations and venues (rooms with capacities)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from backend.access import policy
from backend.common.translations import TranslatedField
from backend.common.views import HarbourViewSet

from .models import Organisation, Room, Venue


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

    class Meta:
        model = Venue
        fields = ["id", "name", "address", "postcode", "rooms"]

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


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HarbourViewSet):
    """Charities using Harbour."""

    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.order_by("name")
    filterset_fields: list[str] = []


class VenueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HarbourViewSet):
    """Buildings and their rooms, with each room's capacity."""

    serializer_class = VenueSerializer
    filterset_fields: list[str] = []

    def get_queryset(self):
        user = self.request.user
        rooms = policy.visible_rooms(user).order_by("name")
        return (
            policy.visible_venues(user)
            .prefetch_related(Prefetch("rooms", queryset=rooms, to_attr="visible_rooms"))
            .order_by("name")
        )
