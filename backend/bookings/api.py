"""Bookings API: book (idempotent with an Idempotency-Key header), my bookings,
cancel, accept an offer; coordinators see a session's line and move someone up.
The activity queue ("any upcoming session") lives under queue-entries/."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.accounts.models import Participant
from backend.common.errors import (
    ApplicationError,
    NotFoundError,
    field_not_found,
    uuid_or_not_found,
)
from backend.common.views import HarbourViewSet
from backend.timetable.models import MAX_GROUP

from . import allocation, creche, selectors, services
from .api_queues import next_draw
from .models import ActivityQueueEntry, Booking

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Any unique string per intended booking; a retry with the same key returns "
    "the first result and never books twice.",
)


class ParticipantRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["id", "known_as"]


class BookingSessionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField(source="activity.title")
    activity = serializers.UUIDField(source="activity_id")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    venue = serializers.CharField(source="room.venue.name")
    room = serializers.CharField(source="room.name")
    status = serializers.CharField()


class BookingSerializer(serializers.ModelSerializer):
    session = BookingSessionSerializer()
    participant = ParticipantRefSerializer()
    position = serializers.SerializerMethodField(help_text="Place in the waiting line (1 = next).")
    overlaps_another = serializers.BooleanField(
        read_only=True,
        default=False,
        help_text="The same person holds another place at the same time, in a session you may "
        "see. Her own view shows every overlap; cancel one of the two.",
    )

    class Meta:
        model = Booking
        fields = [
            "id", "session", "participant", "places", "status", "position",
            "overlaps_another", "offer_expires_at", "needs_confirmation", "created_at",
        ]  # fmt: skip
        extra_kwargs = {
            "needs_confirmation": {
                "help_text": "She holds the place, and a coordinator confirms it first (the "
                "activity's no-show rule applied). She was told; her no-show record says why."
            }
        }

    def get_position(self, booking) -> int | None:
        if booking.status != Booking.Status.WAITING:
            return None
        return getattr(booking, "position", None) or services.waiting_position(booking)


class ChildSerializer(serializers.Serializer):
    """A child for the crèche: her birth year and month (no day), and a label
    only if the mother wants one ("Child 1" otherwise, shown by the app)."""

    birth_year = serializers.IntegerField(min_value=2000, max_value=2200)
    birth_month = serializers.IntegerField(min_value=1, max_value=12)
    # The field is named like Field.label (DRF's metaclass moves it out of the way).
    label = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")  # type: ignore[assignment]


class BookingCreateSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    places = serializers.IntegerField(min_value=1, max_value=MAX_GROUP, default=1)
    participant = serializers.UUIDField(
        required=False, help_text="Staff only: book for someone else (perhaps without a login)."
    )
    children = ChildSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Crèche places for her children, booked with hers, all or none "
        "(docs/courses.md).",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class NextDrawSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    draw_at = serializers.DateTimeField()
    places = serializers.IntegerField()


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class QueueEntrySerializer(serializers.ModelSerializer):
    activity = serializers.SerializerMethodField()
    participant = ParticipantRefSerializer()
    position = serializers.SerializerMethodField(
        help_text="Place in line for the next free place (1 = next), under the list's rules. "
        "Under a lottery, only once drawn: until then see `next_draw`."
    )
    booking = serializers.UUIDField(source="booking_id", allow_null=True)
    allocation = serializers.SerializerMethodField()
    drawn = serializers.SerializerMethodField(help_text="Drawn in a lottery, waiting for a place.")
    next_draw = serializers.SerializerMethodField()

    class Meta:
        model = ActivityQueueEntry
        fields = [
            "id", "activity", "participant", "places", "status", "position", "booking",
            "allocation", "drawn", "next_draw",
        ]  # fmt: skip

    def _cached(self, key, activity, compute):
        cache = self.context.setdefault(key, {})
        if activity.pk not in cache:
            cache[activity.pk] = compute(activity)
        return cache[activity.pk]

    def get_activity(self, entry) -> dict:
        return {"id": str(entry.activity_id), "title": entry.activity.title}

    def get_position(self, entry) -> int | None:
        if entry.status != ActivityQueueEntry.Status.WAITING:
            return None
        return self._cached("positions", entry.activity, allocation.queue_positions).get(entry.pk)

    def get_allocation(self, entry) -> str:
        return self._cached("rules", entry.activity, allocation.rules_of).allocation

    def get_drawn(self, entry) -> bool:
        return entry.won_draw_id is not None

    @extend_schema_field(NextDrawSerializer(allow_null=True))
    def get_next_draw(self, entry):
        draw = self._cached("draws", entry.activity, lambda a: next_draw(a.pk))
        if (
            draw is None
            or entry.status != ActivityQueueEntry.Status.WAITING
            or entry.won_draw_id is not None
        ):
            return None
        return {"id": draw.pk, "draw_at": draw.draw_at, "places": draw.places}


class QueueJoinSerializer(serializers.Serializer):
    activity = serializers.UUIDField()
    places = serializers.IntegerField(min_value=1, max_value=MAX_GROUP, default=1)
    participant = serializers.UUIDField(
        required=False, help_text="Staff only: put someone else in the queue."
    )


def children_in(values) -> list[creche.Child]:
    return [
        creche.Child(c["birth_year"], c["birth_month"], c.get("label", "")) for c in values or ()
    ]


def _idempotency_key(request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100:
        raise ApplicationError(
            "invalid_idempotency_key", "Idempotency-Key must be at most 100 characters."
        )
    return key


class BookingViewSet(mixins.RetrieveModelMixin, HarbourViewSet):
    """Her bookings and waiting-list places. Staff add `?session=<id>` to see a
    session's whole line (confirmed, offered, waiting in order)."""

    serializer_class = BookingSerializer

    def get_queryset(self):
        return selectors.bookings_visible_to(user=self.request.user)

    @extend_schema(
        parameters=[OpenApiParameter("session", str, description="A session id (staff).")],
        responses={200: BookingSerializer(many=True)},
    )
    def list(self, request):
        user = request.user
        session_id = request.query_params.get("session")
        session = policy.access_session(user, session_id) if session_id else None
        services.offers_expire_before_listing(user=user, session=session)
        if session is not None:
            qs = selectors.session_line(user=user, session=session)
        else:
            qs = selectors.bookings_of(user=user)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(BookingSerializer(page, many=True).data)

    @extend_schema(
        request=BookingCreateSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: BookingSerializer, 200: BookingSerializer},
    )
    def create(self, request):
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        session = policy.access_session(request.user, values["session"], field="session")
        participant = _participant_for(request.user, values.get("participant"))
        booking, created = services.booking_create(
            actor=request.user, session=session, places=values["places"],
            participant=participant, idempotency_key=_idempotency_key(request),
            children=children_in(values["children"]),
        )  # fmt: skip
        if created:  # answered from what the service just wrote and checked
            fresh = selectors.booking_as_made(user=request.user, booking=booking)
        else:
            fresh = selectors.booking_get(user=request.user, booking_id=booking.pk)
        if fresh is None:
            raise NotFoundError()
        return Response(
            BookingSerializer(fresh).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def _respond(self, booking):
        fresh = selectors.booking_get(user=self.request.user, booking_id=booking.pk)
        return Response(BookingSerializer(fresh).data)

    @extend_schema(request=None, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._respond(services.booking_cancel(actor=request.user, booking=self.get_object()))

    @extend_schema(request=None, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._respond(services.offer_accept(actor=request.user, booking=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"], url_path="move-up")
    def move_up(self, request, pk=None):
        booking = self.get_object()
        _require_coordinator(request.user, booking.session.activity)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.waiting_move_up(
            actor=request.user, booking=booking, reason=data.validated_data["reason"]
        )
        return self._respond(moved)

    @extend_schema(request=None, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"], url_path="offer-now")
    def offer_now(self, request, pk=None):
        """A coordinator gives someone waiting a free place now, as an offer."""
        booking = self.get_object()
        _require_coordinator(request.user, booking.session.activity)
        return self._respond(services.waiting_offer_now(actor=request.user, booking=booking))

    @extend_schema(request=ReasonSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """A coordinator takes someone off the session, with a recorded reason."""
        booking = self.get_object()
        _require_coordinator(request.user, booking.session.activity)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        removed = services.booking_remove(
            actor=request.user, booking=booking, reason=data.validated_data["reason"]
        )
        return self._respond(removed)


def _participant_for(user, participant_id) -> Participant | None:
    if participant_id is None:
        return None
    participant = policy.visible_participants(user).filter(pk=participant_id).first()
    if participant is None:
        raise field_not_found("participant")
    return participant


def _require_coordinator(user, activity) -> None:
    if not policy.can_manage_activity(user, activity):
        raise ApplicationError(
            "permission_denied", "Only coordinators can reorder the line.", status_code=403
        )


class QueueEntryViewSet(mixins.ListModelMixin, HarbourViewSet):
    """Waiting for any upcoming session of an activity (e.g. the bike list)."""

    serializer_class = QueueEntrySerializer

    def get_queryset(self):
        qs = selectors.queue_entries_visible_to(user=self.request.user)
        activity = self.request.query_params.get("activity")
        if activity and self.action == "list":
            qs = qs.filter(activity=uuid_or_not_found(activity))
        return qs

    @extend_schema(
        request=QueueJoinSerializer, parameters=[IDEMPOTENCY], responses={201: QueueEntrySerializer}
    )
    def create(self, request):
        data = QueueJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = policy.access_activity(
            request.user, data.validated_data["activity"], field="activity"
        )
        participant = _participant_for(request.user, data.validated_data.get("participant"))
        entry, created = services.queue_join(
            actor=request.user, activity=activity, places=data.validated_data["places"],
            participant=participant, idempotency_key=_idempotency_key(request),
        )  # fmt: skip
        fresh = self.get_queryset().get(pk=entry.pk)
        return Response(
            QueueEntrySerializer(fresh).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=OptionalReasonSerializer, responses={200: QueueEntrySerializer})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """She leaves; a coordinator taking someone off the list gives a `reason`."""
        data = OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.queue_leave(
            actor=request.user, entry=self.get_object(), reason=data.validated_data["reason"]
        )
        return Response(QueueEntrySerializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(request=ReasonSerializer, responses={200: QueueEntrySerializer})
    @action(detail=True, methods=["post"], url_path="move-up")
    def move_up(self, request, pk=None):
        entry = self.get_object()
        _require_coordinator(request.user, entry.activity)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.queue_move_up(
            actor=request.user, entry=entry, reason=data.validated_data["reason"]
        )
        return Response(QueueEntrySerializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(request=ReasonSerializer, responses={200: QueueEntrySerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """A coordinator takes someone off the queue, with a recorded reason."""
        entry = self.get_object()
        _require_coordinator(request.user, entry.activity)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.queue_remove(actor=request.user, entry=entry, reason=data.validated_data["reason"])
        return Response(QueueEntrySerializer(self.get_queryset().get(pk=entry.pk)).data)
