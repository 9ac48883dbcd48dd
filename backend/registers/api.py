"""Registers API (tutors on a phone).

/api/v1/registers/ — her registers: today's, the recent unlocked ones, her next.
/api/v1/registers/{session_id}/ — the register: booked people, the waiting
line and walk-ins in one list, and the regulars not booked; POST …/marks/
(a null mark clears one: undo), …/mark-all/, …/walk-ins/, …/reopen/;
GET …/suggestions/?q= (walk-ins, told apart), …/csv/. People themselves
(search, merge, erase, export, learner logins, codes): `backend.people.api`.
"""

from __future__ import annotations

import io
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import answer_scope, policy
from backend.accounts.models import Participant
from backend.common import answer_cache, csv_cells
from backend.common.errors import field_not_found
from backend.common.views import HarbourViewSet
from backend.people import selectors as people_selectors
from backend.timetable.api import SessionSerializer
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


class RegularSerializer(serializers.Serializer):
    participant = ParticipantSerializer()
    last_visit = serializers.DateTimeField(help_text="Her last visit to this activity.")


class RegisterSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    venue = serializers.CharField()
    room = serializers.CharField()
    space = serializers.CharField(allow_null=True, help_text="The protected space's name, if any.")
    capacity = serializers.IntegerField()
    locked = serializers.BooleanField()
    opens_at = serializers.DateTimeField(help_text="No mark is taken before this.")
    open = serializers.BooleanField(help_text="Marks and walk-ins are taken now.")
    present = serializers.IntegerField()
    rows = RegisterRowSerializer(many=True)
    regulars = RegularSerializer(
        many=True, help_text="Came to this activity in the last 4 weeks; not on this register."
    )


class RegisterSummarySerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=["today", "recent", "upcoming"])
    opens_at = serializers.DateTimeField()
    locked = serializers.BooleanField()
    open = serializers.BooleanField()
    session = SessionSerializer()


class SuggestionSerializer(serializers.Serializer):
    participant = ParticipantSerializer()
    last_visit = serializers.DateTimeField(allow_null=True)
    phone_end = serializers.CharField(help_text="The phone's last digits, or empty.")
    languages = serializers.ListField(child=serializers.CharField())
    on_register = serializers.BooleanField()


class MarkSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    mark = serializers.ChoiceField(
        choices=Attendance.Mark.choices, allow_null=True, help_text="null clears her mark (undo)."
    )


class MarksSerializer(serializers.Serializer):
    marks = MarkSerializer(many=True, allow_empty=False, max_length=500)


class MarkAllSerializer(serializers.Serializer):
    mark = serializers.ChoiceField(choices=Attendance.Mark.choices, default="present")
    only_unmarked = serializers.BooleanField(default=True)


class WalkInSerializer(serializers.Serializer):
    walk_in_id = serializers.UUIDField(
        required=False,
        help_text="Made by the phone (crypto.randomUUID()): sent again, the walk-in is "
        "recorded once. It names the walk-in, never the person.",
    )
    participant = serializers.UUIDField(required=False, help_text="Someone already known.")
    known_as = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, max_length=10
    )


class WalkInAnswerSerializer(RegisterSerializer):
    added = serializers.UUIDField(help_text="The person this walk-in recorded.")


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


def register_data(session: Session, user) -> dict:
    rows = selectors.register_rows(session=session)
    now = timezone.now()
    space = session.activity.space
    return {
        "session": session.pk,
        "title": session.activity.title,
        "start": session.start,
        "end": session.end,
        "venue": session.room.venue.name,
        "room": session.room.name,
        "space": space.name if space else None,
        "capacity": session.capacity,
        "locked": services.register_locked(session, now=now),
        "opens_at": services.register_opens_at(session),
        "open": services.register_writable(session, now=now),
        "present": sum(1 for r in rows if r["mark"] in Attendance.ATTENDED),
        "rows": rows,
        "regulars": selectors.register_regulars(user=user, session=session),
    }


class RegisterViewSet(HarbourViewSet):
    """A session's register, for its tutors and coordinators."""

    serializer_class = RegisterSerializer
    lookup_url_kwarg = "pk"

    def get_queryset(self):
        return policy.visible_sessions(self.request.user).select_related(
            "activity__space", "room__venue"
        )

    def get_object(self):
        return policy.access_session(self.request.user, self.kwargs["pk"], for_="register")

    @extend_schema(responses={200: RegisterSummarySerializer(many=True)})
    def list(self, request):
        """Her registers: today's first, then the recent ones still open (newest
        first), then her next session whenever it is (read-only until it opens)."""
        now = timezone.now()
        items = [
            {
                "group": group,
                "opens_at": services.register_opens_at(session),
                "locked": services.register_locked(session, now=now),
                "open": services.register_writable(session, now=now),
                "session": session,
            }
            for group, session in selectors.my_registers(request.user, now=now)
        ]
        return Response(RegisterSummarySerializer(items, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Name or phone; typos forgiven.")],
        responses={200: SuggestionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def suggestions(self, request, pk=None):
        """People she may add as a walk-in, with what tells namesakes apart."""
        session = self.get_object()
        query = request.query_params.get("q", "")
        people = people_selectors.participant_search(user=request.user, query=query, limit=8)
        details = selectors.walk_in_suggestions(user=request.user, session=session, people=people)
        return Response(SuggestionSerializer(details, many=True).data)

    def retrieve(self, request, pk=None):
        """A session's register, for its tutors and coordinators."""
        # Cached for her alone (who takes a register is per person) until the
        # next write, or until it opens or locks with time alone.

        def build():
            session = self.get_object()
            response = Response(RegisterSerializer(register_data(session, request.user)).data)
            now = timezone.now()
            lock_at = session.end + timedelta(days=settings.HARBOUR_REGISTER_LOCK_DAYS)
            if lock_at <= now:
                response.answer_cache_skip = True  # a reopening's end would unlock it
            else:
                opens_at = services.register_opens_at(session)
                response.answer_valid_until = opens_at if opens_at > now else lock_at
            return response

        scope = ("register", answer_scope.person(request.user))
        return answer_cache.json_answer(request, scope, build)

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
        wanted = [m["participant"] for m in data.validated_data["marks"]]
        # One look-up for the batch (the phone's queue sends up to a whole register).
        people = policy.visible_participants(request.user).in_bulk(wanted)
        if len(people) != len(set(wanted)):
            raise field_not_found("participant")
        marks = [(people[m["participant"]], m["mark"]) for m in data.validated_data["marks"]]
        services.attendance_mark(actor=request.user, session=session, marks=marks)
        return Response(RegisterSerializer(register_data(session, request.user)).data)

    @extend_schema(request=MarkAllSerializer, responses={200: RegisterSerializer})
    @action(detail=True, methods=["post"], url_path="mark-all")
    def mark_all(self, request, pk=None):
        session = self.get_object()
        data = MarkAllSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.attendance_mark_all(actor=request.user, session=session, **data.validated_data)
        return Response(RegisterSerializer(register_data(session, request.user)).data)

    @extend_schema(request=WalkInSerializer, responses={201: WalkInAnswerSerializer})
    @action(detail=True, methods=["post"], url_path="walk-ins")
    def walk_ins(self, request, pk=None):
        session = self.get_object()
        data = WalkInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "participant" in values:
            values["participant"] = self._participant(session, values["participant"])
        key = values.pop("walk_in_id", None)
        if key is not None:
            person = services.walk_in_record(actor=request.user, session=session, key=key, **values)
        else:
            person = services.walk_in_add(actor=request.user, session=session, **values).participant
        answer = register_data(session, request.user) | {"added": person.pk}
        return Response(WalkInAnswerSerializer(answer).data, status=201)

    @extend_schema(request=ReopenSerializer, responses={200: RegisterSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        session = policy.access_session(request.user, pk, for_="manage")
        data = ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.register_reopen(
            actor=request.user, session=session, reason=data.validated_data["reason"]
        )
        return Response(RegisterSerializer(register_data(session, request.user)).data)

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
