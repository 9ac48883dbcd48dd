"""API for humane no-shows: her own record (`no-shows/`, or a person's as a
member of staff sees it: `?participant=`), and an activity's no-show rule
(`no-show-rules/{activity}/`: anyone who may see the activity reads it, so it
is never a hidden penalty; its coordinators set, remove and lift it)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.accounts.models import Participant
from backend.common.errors import NotFoundError, field_not_found, uuid_or_not_found
from backend.common.views import HarbourViewSet
from backend.timetable.models import Activity

from . import no_shows
from .models import Attendance, NoShowRule


class NoShowItemSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    activity = serializers.CharField()
    start = serializers.DateTimeField()
    fades_on = serializers.DateField(help_text="After this day it no longer counts.")


class HeldBackSerializer(serializers.Serializer):
    activity = serializers.UUIDField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    after = serializers.IntegerField()
    weeks = serializers.IntegerField()


class NoShowRecordSerializer(serializers.Serializer):
    window_weeks = serializers.IntegerField()
    count = serializers.IntegerField()
    no_shows = NoShowItemSerializer(many=True)
    held_back = HeldBackSerializer(
        many=True, help_text="Activities where her next place waits for a coordinator."
    )


class NoShowRecordViewSet(HarbourViewSet):
    """`GET no-shows/`: her own no-shows of the last weeks and when each fades.
    Staff add `?participant=<id>` for someone they may see: counted only from
    sessions they may see."""

    serializer_class = NoShowRecordSerializer
    queryset = Attendance.objects.none()  # for the schema only

    @extend_schema(
        parameters=[OpenApiParameter("participant", str, description="Staff: a person's id.")],
        responses={200: NoShowRecordSerializer},
    )
    def list(self, request):
        pid = request.query_params.get("participant")
        if pid:
            person = policy.visible_participants(request.user).filter(pk=uuid_or_not_found(pid))
            person = person.first()
            if person is None:
                raise NotFoundError()
        else:
            # A read writes nothing: someone with no record yet has no no-shows.
            person = Participant.objects.filter(user=request.user).first()
            if person is None:
                empty = {"window_weeks": no_shows.window_weeks(), "count": 0, "no_shows": [],
                         "held_back": []}  # fmt: skip
                return Response(NoShowRecordSerializer(empty).data)
        record = no_shows.record_of(viewer=request.user, participant=person)
        return Response(NoShowRecordSerializer(record).data)


class NoShowRuleSerializer(serializers.Serializer):
    activity = serializers.UUIDField(read_only=True)
    enabled = serializers.BooleanField(read_only=True)
    after = serializers.IntegerField(min_value=1, max_value=20)
    weeks = serializers.IntegerField(min_value=1, max_value=52)


class LiftSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    reason = serializers.CharField(max_length=300)


class LiftedSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()
    confirmed = serializers.IntegerField(help_text="Her held places now confirmed.")


def _rule_out(activity) -> dict:
    rule = NoShowRule.objects.filter(activity=activity).first()
    if rule is None:
        return {"activity": activity.pk, "enabled": False, "after": 3, "weeks": 8}
    return {"activity": activity.pk, "enabled": True, "after": rule.after, "weeks": rule.weeks}


class NoShowRuleViewSet(HarbourViewSet):
    serializer_class = NoShowRuleSerializer
    queryset = Activity.objects.none()  # for the schema: the id is an activity's

    @extend_schema(responses={200: NoShowRuleSerializer})
    def retrieve(self, request, pk=None):
        activity = policy.access_activity(request.user, uuid_or_not_found(pk))
        return Response(NoShowRuleSerializer(_rule_out(activity)).data)

    @extend_schema(request=NoShowRuleSerializer, responses={200: NoShowRuleSerializer})
    def update(self, request, pk=None):
        activity = policy.access_activity(request.user, uuid_or_not_found(pk), for_="manage")
        data = NoShowRuleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        no_shows.no_show_rule_set(actor=request.user, activity=activity, **data.validated_data)
        return Response(NoShowRuleSerializer(_rule_out(activity)).data)

    @extend_schema(responses={200: NoShowRuleSerializer})
    def destroy(self, request, pk=None):
        activity = policy.access_activity(request.user, uuid_or_not_found(pk), for_="manage")
        no_shows.no_show_rule_remove(actor=request.user, activity=activity)
        return Response(NoShowRuleSerializer(_rule_out(activity)).data)

    @extend_schema(request=LiftSerializer, responses={200: LiftedSerializer})
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        """Lift the rule for her, with a reason (recorded): her earlier no-shows
        stop counting towards it and her held places are confirmed."""
        activity = policy.access_activity(request.user, uuid_or_not_found(pk), for_="manage")
        data = LiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = (
            policy.visible_participants(request.user)
            .filter(pk=data.validated_data["participant"])
            .first()
        )
        if person is None:
            raise field_not_found("participant")
        lift, confirmed = no_shows.no_show_lift(
            actor=request.user, activity=activity, participant=person,
            reason=data.validated_data["reason"],
        )  # fmt: skip
        out = {"participant": person.pk, "reason": lift.reason, "at": lift.at,
               "confirmed": confirmed}  # fmt: skip
        return Response(LiftedSerializer(out).data)
