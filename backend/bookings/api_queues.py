"""API for how an activity's queue hands out places: its rules
(`queue-rules/{activity}/`) and lottery draws (`queue-draws/`). Everyone who
may see the activity sees its rules and its draws' dates and places; only its
coordinators change them, and see a draw's record (entrants, winners, audit)."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.common import csv_cells
from backend.common.errors import uuid_or_not_found
from backend.common.views import HarbourViewSet
from backend.timetable.models import Activity

from . import allocation, draws
from .models import ActivityQueueEntry, BookingEvent, QueueDraw, QueueRules


class DrawSerializer(serializers.ModelSerializer):
    """What anyone who may see the activity sees; the seed only once drawn
    (before, its SHA-256 fixes it without giving the result away)."""

    activity = serializers.SerializerMethodField()
    seed_sha256 = serializers.SerializerMethodField()
    seed = serializers.SerializerMethodField()
    entrants_count = serializers.SerializerMethodField()
    winners_count = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField(
        help_text="Coordinators only: entrants, winners in draw order, and the audit trail."
    )

    class Meta:
        model = QueueDraw
        fields = [
            "id", "activity", "draw_at", "places", "status", "drawn_at", "seed_sha256", "seed",
            "entrants_count", "winners_count", "cancel_reason", "record",
        ]  # fmt: skip

    def get_activity(self, draw) -> dict:
        return {"id": str(draw.activity_id), "title": draw.activity.title}

    def get_seed_sha256(self, draw) -> str:
        return draws.seed_hash(draw.seed)

    def get_seed(self, draw) -> str | None:
        return draw.seed if draw.status == QueueDraw.Status.DRAWN else None

    def get_entrants_count(self, draw) -> int:
        return len(draw.entrants)

    def get_winners_count(self, draw) -> int:
        return len(draw.winners)

    def get_record(self, draw) -> dict | None:
        user = self.context["request"].user
        if not policy.can_manage_activity(user, draw.activity):
            return None
        names = dict(
            ActivityQueueEntry.objects.filter(activity_id=draw.activity_id).values_list(
                "pk", "participant__known_as"
            )
        )
        events = BookingEvent.objects.filter(draw=draw).select_related("actor").order_by("at")
        return {
            "entrants": draw.entrants,
            "winners": [
                {"id": pk, "known_as": names.get(uuid_or_not_found(pk), "")} for pk in draw.winners
            ],
            "audit": [
                {
                    "at": e.at.isoformat(),
                    "action": e.action,
                    "note": e.note,
                    "by": str(e.actor) if e.actor else "Harbour",
                }
                for e in events
            ],
        }


class DrawAnnounceSerializer(serializers.Serializer):
    activity = serializers.UUIDField()
    draw_at = serializers.DateTimeField()
    places = serializers.IntegerField(min_value=1, max_value=draws.MAX_DRAW_PLACES)


class DrawCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class QueueRulesSerializer(serializers.Serializer):
    activity = serializers.UUIDField(source="activity_id", read_only=True)
    allocation = serializers.ChoiceField(choices=QueueRules.Allocation.choices)
    rotation_weeks = serializers.IntegerField(min_value=1, max_value=52, default=4)
    next_draw = serializers.SerializerMethodField()
    reason = serializers.CharField(max_length=500, write_only=True)

    def get_next_draw(self, rules) -> dict | None:
        draw = next_draw(rules.activity_id)
        return None if draw is None else {"id": str(draw.pk), "draw_at": draw.draw_at,
                                          "places": draw.places}  # fmt: skip


def next_draw(activity_id) -> QueueDraw | None:
    return (
        QueueDraw.objects.filter(activity_id=activity_id, status=QueueDraw.Status.ANNOUNCED)
        .order_by("draw_at")
        .first()
    )


class QueueRulesViewSet(HarbourViewSet):
    """`GET queue-rules/{activity}/`: how its list gives places (and the next
    draw); `PUT` (its coordinators, with a reason, recorded) changes it."""

    serializer_class = QueueRulesSerializer
    queryset = Activity.objects.none()  # for the schema: the id is an activity's

    @extend_schema(responses={200: QueueRulesSerializer})
    def retrieve(self, request, pk=None):
        activity = policy.access_activity(request.user, uuid_or_not_found(pk))
        return Response(QueueRulesSerializer(allocation.rules_of(activity)).data)

    @extend_schema(request=QueueRulesSerializer, responses={200: QueueRulesSerializer})
    def update(self, request, pk=None):
        activity = policy.access_activity(request.user, uuid_or_not_found(pk), for_="manage")
        data = QueueRulesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rules = draws.queue_rules_set(
            actor=request.user, activity=activity, allocation=values["allocation"],
            rotation_weeks=values["rotation_weeks"], reason=values["reason"],
        )  # fmt: skip
        return Response(QueueRulesSerializer(rules).data)


class QueueDrawViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HarbourViewSet):
    """Lottery draws of the lists she may see (`?activity=`), newest first."""

    serializer_class = DrawSerializer

    def get_queryset(self):
        qs = QueueDraw.objects.filter(
            activity__in=policy.visible_activities(self.request.user).values("pk")
        ).select_related("activity")
        activity = self.request.query_params.get("activity")
        if activity and self.action == "list":
            qs = qs.filter(activity=uuid_or_not_found(activity))
        return qs.order_by("-draw_at")

    @extend_schema(parameters=[OpenApiParameter("activity", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DrawAnnounceSerializer, responses={201: DrawSerializer})
    def create(self, request):
        data = DrawAnnounceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        activity = policy.access_activity(request.user, values["activity"], field="activity")
        draw = draws.draw_announce(
            actor=request.user, activity=activity, draw_at=values["draw_at"],
            places=values["places"],
        )  # fmt: skip
        return Response(self._out(draw), status=status.HTTP_201_CREATED)

    def _out(self, draw):
        return DrawSerializer(
            self.get_queryset().get(pk=draw.pk), context={"request": self.request}
        ).data

    @extend_schema(request=None, responses={200: DrawSerializer})
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        return Response(self._out(draws.draw_run(actor=request.user, draw=self.get_object())))

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"])
    def record(self, request, pk=None):
        """The drawn draw's record as CSV, for a trustee to check (coordinators)."""
        draw = self.get_object()
        draws.require_coordinator(request.user, draw.activity)
        out = io.StringIO()
        writer = csv_cells.writer(out)
        for row in draws.draw_record_rows(draw):
            writer.writerow(csv_cells.row(row))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        day = timezone.localtime(draw.draw_at).date().isoformat()
        response["Content-Disposition"] = f'attachment; filename="draw-{day}.csv"'
        return response

    @extend_schema(request=DrawCancelSerializer, responses={200: DrawSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        draw = self.get_object()
        draws.require_coordinator(request.user, draw.activity)
        data = DrawCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cancelled = draws.draw_cancel(
            actor=request.user, draw=draw, reason=data.validated_data["reason"]
        )
        return Response(self._out(cancelled))
