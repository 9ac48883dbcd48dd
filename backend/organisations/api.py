"""Public, read-only API for organisations and venues (rooms with capacities)."""

from rest_framework import mixins, serializers

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
    rooms = RoomSerializer(many=True, read_only=True)

    class Meta:
        model = Venue
        fields = ["id", "name", "address", "postcode", "rooms"]


class VenueRefSerializer(serializers.ModelSerializer):
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
    queryset = Venue.objects.prefetch_related("rooms").order_by("name")
    filterset_fields: list[str] = []
