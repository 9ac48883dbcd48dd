"""Rooms in use, over HTTP: a room's availability (busy blocks) for the
coordinators who book it, and room reservations. The rule is in `rooms`."""

from __future__ import annotations

from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.access import policy
from backend.common.errors import (
    ApplicationError,
    NotFoundError,
    field_not_found,
    uuid_or_not_found,
)
from backend.common.views import HarbourViewSet
from backend.organisations.models import Organisation, RoomReservation

from . import rooms
from .selectors import date_range_bounds


class BusyBlockSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    kind = serializers.ChoiceField(
        choices=["session", "reserved"],
        help_text="`session`: one you may see (with its id and title). `reserved`: everything "
        "else (a reservation, or a session you may not see), always this neutral block.",
    )
    session = serializers.UUIDField(required=False)
    activity = serializers.CharField(required=False)


class AvailabilitySerializer(serializers.Serializer):
    room = serializers.UUIDField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    busy = BusyBlockSerializer(many=True)


def _parse_day(request, name: str):
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApplicationError(
            "invalid_date_range", "Dates look like 2026-09-14.", fields={name: ["Not a date."]}
        ) from None


class RoomAvailabilityView(APIView):
    """When a room is busy, for coordinators who may book it. Sessions you may
    see carry their title; reservations and sessions you may not see are the
    same neutral "reserved" blocks (merged where they touch)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="First day (YYYY-MM-DD), default today."),
            OpenApiParameter("to", str, description="Last day, inclusive; default six days on."),
        ],
        responses={200: AvailabilitySerializer},
    )
    def get(self, request, pk):
        room = policy.visible_rooms(request.user).filter(pk=uuid_or_not_found(pk)).first()
        if room is None:
            raise NotFoundError()
        if not rooms.may_view_availability(request.user):
            raise ApplicationError(
                "permission_denied",
                "Only coordinators can see when rooms are booked.",
                status_code=403,
            )
        start, end = date_range_bounds(_parse_day(request, "from"), _parse_day(request, "to"))
        busy = rooms.room_availability(viewer=request.user, room=room, start=start, end=end)
        return Response(
            AvailabilitySerializer({"room": room.pk, "start": start, "end": end, "busy": busy}).data
        )


class RoomReservationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoomReservation
        fields = ["id", "room", "organisation", "start", "end", "kind", "note", "created_at"]
        read_only_fields = fields


class RoomReservationCreateSerializer(serializers.Serializer):
    room = serializers.UUIDField()
    organisation = serializers.UUIDField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=RoomReservation.Kind.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RoomReservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HarbourViewSet):
    """Reservations of your organisations' rooms that are not sessions (private
    hire, maintenance, a closed meeting). Only your organisations' coordinators
    see their kind and note; everyone else who books the room sees "reserved"
    in its availability. Filter with `?room=<id>`."""

    serializer_class = RoomReservationSerializer
    filterset_fields: list[str] = []

    def get_queryset(self):
        qs = rooms.managed_reservations(self.request.user).order_by("start", "pk")
        room = self.request.query_params.get("room")
        if room and self.action == "list":
            qs = qs.filter(room=uuid_or_not_found(room))
        return qs

    @extend_schema(
        request=RoomReservationCreateSerializer, responses={201: RoomReservationSerializer}
    )
    def create(self, request):
        data = RoomReservationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        room = policy.visible_rooms(request.user).filter(pk=values["room"]).first()
        if room is None:
            raise field_not_found("room")
        organisation = Organisation.objects.filter(pk=values["organisation"]).first()
        if organisation is None:
            raise field_not_found("organisation")
        reservation = rooms.room_reservation_create(
            actor=request.user, room=room, organisation=organisation, start=values["start"],
            end=values["end"], kind=values["kind"], note=values["note"],
        )  # fmt: skip
        return Response(RoomReservationSerializer(reservation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        rooms.room_reservation_delete(actor=request.user, reservation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
