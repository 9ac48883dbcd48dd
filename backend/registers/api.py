"""Registers API (tutors on a phone).

/api/v1/registers/{session_id}/ — the register: booked people, the waiting
line and walk-ins in one list; POST …/marks/, …/mark-all/, …/walk-ins/,
…/reopen/; GET …/csv/. People themselves: `backend.people.api`.
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.accounts.models import Participant
from backend.common import csv_cells
from backend.common.errors import field_not_found
from backend.common.views import HarbourViewSet
from backend.timetable.models import Session

from . import selectors, services
from .models import Attendance


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        # No first-seen date here: it could date a visit to a space the viewer
        # may not see. Exports give it as of what the viewer may see.
        fields = ["id", "known_as", "phone", "languages", "preferred_language"]


class RegisterRowSerializer(serializers.Serializer):
    participant = ParticipantSerializer()
    booking_status = serializers.CharField(allow_null=True)
    places = serializers.IntegerField()
    mark = serializers.CharField(allow_null=True)
    walk_in = serializers.BooleanField()
    over_capacity = serializers.BooleanField()
    first_visit = serializers.BooleanField()


class RegisterSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    title = serializers.CharField()
    start = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    locked = serializers.BooleanField()
    present = serializers.IntegerField()
    rows = RegisterRowSerializer(many=True)


class MarkSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    mark = serializers.ChoiceField(choices=Attendance.Mark.choices)


class MarksSerializer(serializers.Serializer):
    marks = MarkSerializer(many=True, allow_empty=False, max_length=500)


class MarkAllSerializer(serializers.Serializer):
    mark = serializers.ChoiceField(choices=Attendance.Mark.choices, default="present")
    only_unmarked = serializers.BooleanField(default=True)


class WalkInSerializer(serializers.Serializer):
    participant = serializers.UUIDField(required=False, help_text="Someone already known.")
    known_as = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, max_length=10
    )


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


def register_data(session: Session) -> dict:
    rows = selectors.register_rows(session=session)
    return {
        "session": session.pk,
        "title": session.activity.title,
        "start": session.start,
        "capacity": session.capacity,
        "locked": services.register_locked(session),
        "present": sum(1 for r in rows if r["mark"] in Attendance.ATTENDED),
        "rows": rows,
    }


class RegisterViewSet(HarbourViewSet):
    """A session's register, for its tutors and coordinators."""

    serializer_class = RegisterSerializer
    lookup_url_kwarg = "pk"

    def get_queryset(self):
        return policy.visible_sessions(self.request.user).select_related("activity__space")

    def get_object(self):
        return policy.access_session(self.request.user, self.kwargs["pk"], for_="register")

    def retrieve(self, request, pk=None):
        return Response(RegisterSerializer(register_data(self.get_object())).data)

    def _participant(self, session, participant_id) -> Participant:
        # Only people the register's viewer may see: anyone else is "not found".
        person = policy.visible_participants(self.request.user).filter(pk=participant_id).first()
        if person is None:
            raise field_not_found("participant")
        return person

    @extend_schema(request=MarksSerializer, responses={200: RegisterSerializer})
    @action(detail=True, methods=["post"])
    def marks(self, request, pk=None):
        session = self.get_object()
        data = MarksSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marks = [
            (self._participant(session, m["participant"]), m["mark"])
            for m in data.validated_data["marks"]
        ]
        services.attendance_mark(actor=request.user, session=session, marks=marks)
        return Response(RegisterSerializer(register_data(session)).data)

    @extend_schema(request=MarkAllSerializer, responses={200: RegisterSerializer})
    @action(detail=True, methods=["post"], url_path="mark-all")
    def mark_all(self, request, pk=None):
        session = self.get_object()
        data = MarkAllSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.attendance_mark_all(actor=request.user, session=session, **data.validated_data)
        return Response(RegisterSerializer(register_data(session)).data)

    @extend_schema(request=WalkInSerializer, responses={201: RegisterSerializer})
    @action(detail=True, methods=["post"], url_path="walk-ins")
    def walk_ins(self, request, pk=None):
        session = self.get_object()
        data = WalkInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "participant" in values:
            values["participant"] = self._participant(session, values["participant"])
        services.walk_in_add(actor=request.user, session=session, **values)
        return Response(RegisterSerializer(register_data(session)).data, status=201)

    @extend_schema(request=ReopenSerializer, responses={200: RegisterSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        session = policy.access_session(request.user, pk, for_="manage")
        data = ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.register_reopen(
            actor=request.user, session=session, reason=data.validated_data["reason"]
        )
        return Response(RegisterSerializer(register_data(session)).data)

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"])
    def csv(self, request, pk=None):
        session = self.get_object()
        out = io.StringIO()
        writer = csv_cells.writer(out)
        writer.writerow(["name", "phone", "booking", "mark", "walk_in", "first_visit"])
        for row in selectors.register_rows(session=session):
            person = row["participant"]
            writer.writerow(
                csv_cells.row([
                    person.known_as, person.phone, row["booking_status"] or "",
                    row["mark"] or "", row["walk_in"], row["first_visit"],
                ])
            )  # fmt: skip
        day = timezone.localtime(session.start).date().isoformat()
        return _csv_response(out.getvalue(), f"register-{day}.csv")


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
