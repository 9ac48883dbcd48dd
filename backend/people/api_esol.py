"""API for ESOL progress and attendance certificates: `esol-levels/` (her
levels and their history, the classes that suit her; tutors record a dated
change; `name/` sets her name in her own script) and
`attendance-certificates/` (a term's class list with attendance, the
coordinator's threshold, and the printable A4 certificate)."""

from __future__ import annotations

import uuid

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.common.errors import (
    ApplicationError,
    NotFoundError,
    field_not_found,
    uuid_or_not_found,
)
from backend.common.views import HarbourViewSet
from backend.timetable.models import Activity, Term

from . import esol
from .models import EsolLevelChange


class LevelSerializer(serializers.Serializer):
    skill = serializers.CharField()
    level = serializers.CharField()
    on = serializers.DateField()
    note = serializers.CharField()
    by = serializers.SerializerMethodField()

    def get_by(self, change) -> str:
        return str(change.by) if change.by else ""


class SuggestedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    level = serializers.CharField()


class LevelsSerializer(serializers.Serializer):
    participant = serializers.UUIDField(allow_null=True)
    known_as = serializers.CharField()
    name_own_script = serializers.CharField()
    levels = serializers.DictField(child=LevelSerializer(allow_null=True))
    history = LevelSerializer(many=True)
    suggested_level = serializers.CharField(allow_null=True)
    suggested = SuggestedSerializer(many=True)


class LevelCreateSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    skill = serializers.ChoiceField(choices=EsolLevelChange.Skill.choices)
    level = serializers.ChoiceField(choices=Activity.Level.choices)
    on = serializers.DateField(required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NameSerializer(serializers.Serializer):
    participant = serializers.UUIDField(required=False, help_text="Staff: for someone else.")
    name_own_script = serializers.CharField(max_length=100, allow_blank=True)


def _person(request, pid) -> Participant:
    if not pid:
        # Her own record: made on first need (as booking does), so that her
        # tutor can find her and she can write her name.
        return participant_for_user(user=request.user)
    person = policy.visible_participants(request.user).filter(pk=pid).first()
    if person is None:
        raise NotFoundError()
    return person


def _levels_out(request, person) -> dict:
    level, classes = esol.suggested_classes(viewer=request.user, participant=person)
    return LevelsSerializer(
        {
            "participant": person.pk,
            "known_as": person.known_as,
            "name_own_script": person.name_own_script,
            "levels": esol.levels_of(person),
            "history": esol.history_of(person),
            "suggested_level": level,
            "suggested": [{"id": a.pk, "title": a.title, "level": a.level} for a in classes],
        }
    ).data


class EsolLevelViewSet(HarbourViewSet):
    """`GET esol-levels/`: her levels (staff: `?participant=`); `POST`: a tutor
    records a dated level in one skill."""

    serializer_class = LevelsSerializer
    queryset = EsolLevelChange.objects.none()  # for the schema only

    @extend_schema(
        parameters=[OpenApiParameter("participant", str, description="Staff: a person's id.")],
        responses={200: LevelsSerializer},
    )
    def list(self, request):
        pid = request.query_params.get("participant")
        if pid:
            return Response(_levels_out(request, _person(request, uuid_or_not_found(pid))))
        person = Participant.objects.filter(user=request.user).first()
        if person is None:  # a read writes nothing: no record yet, no levels
            blank = {"participant": None, "known_as": str(request.user), "name_own_script": "",
                     "levels": dict.fromkeys(EsolLevelChange.Skill.values), "history": [],
                     "suggested_level": None, "suggested": []}  # fmt: skip
            return Response(LevelsSerializer(blank).data)
        return Response(_levels_out(request, person))

    @extend_schema(request=LevelCreateSerializer, responses={201: LevelsSerializer})
    def create(self, request):
        data = LevelCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = policy.visible_participants(request.user).filter(pk=values["participant"]).first()
        if person is None:
            raise field_not_found("participant")
        esol.level_set(
            actor=request.user, participant=person, skill=values["skill"],
            level=values["level"], on=values.get("on"), note=values["note"],
        )  # fmt: skip
        return Response(_levels_out(request, person), status=status.HTTP_201_CREATED)

    @extend_schema(request=NameSerializer, responses={200: LevelsSerializer})
    @action(detail=False, methods=["post"], url_path="name", url_name="name")
    def set_name(self, request):
        """Her name as she writes it, for her certificate."""
        data = NameSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = _person(request, values.get("participant"))
        esol.name_own_script_set(
            actor=request.user, participant=person, name=values["name_own_script"]
        )
        return Response(_levels_out(request, person))


class AttendanceSerializer(serializers.Serializer):
    participant = serializers.SerializerMethodField()
    term = serializers.SerializerMethodField()
    sessions = serializers.IntegerField()
    attended = serializers.IntegerField()
    percent = serializers.IntegerField()
    threshold = serializers.IntegerField(allow_null=True)
    minimum_sessions = serializers.IntegerField(allow_null=True)
    eligible = serializers.BooleanField()

    def get_participant(self, row) -> dict:
        p = row["participant"]
        return {"id": str(p.pk), "known_as": p.known_as, "name_own_script": p.name_own_script}

    def get_term(self, row) -> dict:
        t = row["term"]
        return {"id": str(t.pk), "name": t.name, "start_date": t.start_date.isoformat(),
                "end_date": t.end_date.isoformat()}  # fmt: skip


class ThresholdSerializer(serializers.Serializer):
    term = serializers.UUIDField()
    percent = serializers.IntegerField(min_value=1, max_value=100)
    minimum_sessions = serializers.IntegerField(min_value=1, max_value=500, default=1)


TERM = OpenApiParameter("term", str, description="A term's id (its coordinators).")
PARTICIPANT = OpenApiParameter("participant", str, description="Whose certificate.")


def _term_id(value: str):
    """A `?term=` id: one that is not an id is as unknown as one that is."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise field_not_found("term") from None


class AttendanceCertificateViewSet(HarbourViewSet):
    """`GET attendance-certificates/`: her own certificates earned; with
    `?term=` (its coordinators) the term's class list with each learner's
    attendance. `threshold/` sets the term's threshold; `print/` is the A4 page."""

    serializer_class = AttendanceSerializer
    queryset = Term.objects.none()  # for the schema only
    pagination_class = None  # a term's class list or her certificates: short, whole

    @extend_schema(parameters=[TERM], responses={200: AttendanceSerializer(many=True)})
    def list(self, request):
        term_id = request.query_params.get("term")
        if term_id:
            term = esol.coordinated_term(request.user, _term_id(term_id), field="term")
            rows = esol.term_class_list(viewer=request.user, term=term)
        else:
            rows = esol.certificates_of(user=request.user)
        return Response(AttendanceSerializer(rows, many=True).data)

    @extend_schema(request=ThresholdSerializer, responses={200: ThresholdSerializer})
    @action(detail=False, methods=["post"])
    def threshold(self, request):
        data = ThresholdSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        term = esol.coordinated_term(request.user, values["term"], field="term")
        esol.threshold_set(
            actor=request.user, term=term, percent=values["percent"],
            minimum_sessions=values["minimum_sessions"],
        )  # fmt: skip
        return Response(ThresholdSerializer(values).data)

    @extend_schema(parameters=[TERM, PARTICIPANT], responses={(200, "text/html"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="print", url_name="print")
    def print_page(self, request):
        """The certificate as a printable A4 page, in her name and her own script."""
        term_id, pid = request.query_params.get("term"), request.query_params.get("participant")
        if not term_id:
            raise ApplicationError("invalid", "Say which term.", fields={"term": ["Required."]})
        own = Participant.objects.filter(user=request.user).first()
        if not pid or (own is not None and uuid_or_not_found(pid) == own.pk):
            if own is None:
                raise ApplicationError(
                    "certificate_not_earned", "You have no attendance yet.", status_code=409
                )
            person = own
            term = Term.objects.filter(pk=_term_id(term_id)).first()
            if term is None:
                raise field_not_found("term")
        else:
            term = esol.coordinated_term(request.user, _term_id(term_id), field="term")
            person = _person(request, uuid_or_not_found(pid))
        row = esol.attendance_in_term(viewer=request.user, participant=person, term=term)
        if not row["eligible"]:
            raise ApplicationError(
                "certificate_not_earned",
                "This term's attendance does not reach the certificate's threshold (yet).",
                status_code=409,
            )
        html = render_to_string(
            "people/certificate.html",
            {**row, "organisation": term.organisation, "today": timezone.localdate()},
        )
        return HttpResponse(html, content_type="text/html; charset=utf-8")
