"""Registers API (tutors on a phone) and participant records.

/api/v1/registers/ — her registers: today's, the recent unlocked ones, her next.
/api/v1/registers/{session_id}/ — the register: booked people, the waiting
line and walk-ins in one list, and the regulars not booked; POST …/marks/
(a null mark clears one: undo), …/mark-all/, …/walk-ins/, …/reopen/;
GET …/suggestions/?q= (walk-ins, told apart), …/csv/.
/api/v1/participants/ — search (?q=, typo-tolerant), detail, export, erase, merge,
and POST …/sign-in-code/ (a one-time code for a learner without email).
/api/v1/learner-accounts/ — POST: a coordinator makes a login for a learner.
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.access.models import Space
from backend.accounts.models import Participant
from backend.common import csv_cells
from backend.common.errors import ApplicationError, field_not_found
from backend.common.qr import qr_svg
from backend.common.views import HarbourViewSet
from backend.organisations.models import Organisation
from backend.organisations.roles import coordinated_organisations
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
    participant = serializers.UUIDField(required=False, help_text="Someone already known.")
    known_as = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, max_length=10
    )


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class MergeSerializer(serializers.Serializer):
    other = serializers.UUIDField(help_text="The duplicate record, folded into this one.")


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

    def get_permissions(self):
        return [permissions.IsAuthenticated()] if self.action else [permissions.AllowAny()]

    def get_queryset(self):
        return policy.visible_sessions(self.request.user).select_related(
            "activity__space", "room__venue"
        )

    def get_object(self):
        session = super().get_object()
        services.require_register(self.request.user, session)
        return session

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
        people = selectors.participant_search(user=request.user, query=query, limit=8)
        details = selectors.walk_in_suggestions(user=request.user, session=session, people=people)
        return Response(SuggestionSerializer(details, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(RegisterSerializer(register_data(self.get_object(), request.user)).data)

    def _participant(self, session, participant_id) -> Participant:
        # Only people the register's viewer may see: anyone else is "not found".
        person = selectors.visible_participants(self.request.user).filter(pk=participant_id).first()
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
        return Response(RegisterSerializer(register_data(session, request.user)).data)

    @extend_schema(request=MarkAllSerializer, responses={200: RegisterSerializer})
    @action(detail=True, methods=["post"], url_path="mark-all")
    def mark_all(self, request, pk=None):
        session = self.get_object()
        data = MarkAllSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.attendance_mark_all(actor=request.user, session=session, **data.validated_data)
        return Response(RegisterSerializer(register_data(session, request.user)).data)

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
        return Response(RegisterSerializer(register_data(session, request.user)).data, status=201)

    @extend_schema(request=ReopenSerializer, responses={200: RegisterSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        session = super().get_object()
        if not policy.can_manage_session(request.user, session):
            raise ApplicationError(
                "permission_denied", "Only coordinators can reopen a register.", status_code=403
            )
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
        writer = csv.writer(out)
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


class LearnerAccountSerializer(serializers.Serializer):
    known_as = serializers.CharField(max_length=100, help_text="The name she wants to be called.")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    preferred_language = serializers.ChoiceField(choices=[], required=False, default="en")
    organisation = serializers.UUIDField(
        required=False, allow_null=True, help_text="The organisation registering her; or `space`."
    )
    space = serializers.UUIDField(
        required=False, allow_null=True, help_text="A protected space she is registered at."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read at request time: the languages come from the catalogues present.
        self.fields["preferred_language"].choices = settings.LANGUAGES


class LearnerAccountCreatedSerializer(ParticipantSerializer):
    username = serializers.CharField(source="user.username")

    class Meta(ParticipantSerializer.Meta):
        fields = [*ParticipantSerializer.Meta.fields, "username"]


class SignInCodeIssuedSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    username = serializers.CharField()
    sign_in_code = serializers.CharField(help_text="Shown once: XXXX-XXXX.")
    expires_at = serializers.DateTimeField()
    sign_in_url = serializers.CharField(help_text="Opens the app and signs her in.")
    qr_svg = serializers.CharField(help_text="The sign-in URL as a QR code (SVG, no scripts).")


class LearnerAccountViewSet(viewsets.ViewSet):
    """A coordinator makes a login for a learner who has no email."""

    serializer_class = LearnerAccountSerializer

    def get_permissions(self):
        # An unsupported method is 405 for everyone, signed in or not.
        return [permissions.IsAuthenticated()] if self.action else [permissions.AllowAny()]

    @extend_schema(
        request=LearnerAccountSerializer, responses={201: LearnerAccountCreatedSerializer}
    )
    def create(self, request):
        if not (
            coordinated_organisations(request.user).exists()
            or policy.coordinated_spaces(request.user).exists()
        ):
            raise ApplicationError(
                "permission_denied",
                "Only coordinators can make sign-ins for learners.",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        data = LearnerAccountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organisation = space = None
        if values.get("space"):
            space = Space.objects.filter(pk=values["space"]).first()
            if space is None:
                raise field_not_found("space")
        elif values.get("organisation"):
            organisation = Organisation.objects.filter(pk=values["organisation"]).first()
            if organisation is None:
                raise field_not_found("organisation")
        participant = services.learner_account_create(
            actor=request.user,
            known_as=values["known_as"].strip(),
            phone=values["phone"].strip(),
            preferred_language=values["preferred_language"],
            organisation=organisation,
            space=space,
        )
        return Response(
            LearnerAccountCreatedSerializer(participant).data, status=status.HTTP_201_CREATED
        )


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ParticipantViewSet(mixins.RetrieveModelMixin, HarbourViewSet):
    """People her organisation works with (never others; see README)."""

    serializer_class = ParticipantSerializer

    def get_permissions(self):
        return [permissions.IsAuthenticated()] if self.action else [permissions.AllowAny()]

    def get_queryset(self):
        return selectors.visible_participants(self.request.user).order_by("known_as")

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Name or phone; typos forgiven.")],
        responses={200: ParticipantSerializer(many=True)},
    )
    def list(self, request):
        query = request.query_params.get("q", "")
        if query:
            people = selectors.participant_search(user=request.user, query=query)
        else:
            people = self.paginate_queryset(self.get_queryset())
            return self.get_paginated_response(ParticipantSerializer(people, many=True).data)
        return Response({"count": len(people), "next": None, "previous": None,
                         "results": ParticipantSerializer(people, many=True).data})  # fmt: skip

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        return Response(
            services.participant_export(actor=request.user, participant=self.get_object())
        )

    @extend_schema(request=None, responses={200: ParticipantSerializer})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        erased = services.participant_erase(actor=request.user, participant=self.get_object())
        return Response(ParticipantSerializer(erased).data)

    @extend_schema(request=MergeSerializer, responses={200: ParticipantSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        keep = self.get_object()
        if not coordinated_organisations(request.user).exists():
            raise ApplicationError(
                "permission_denied", "Only coordinators merge records.", status_code=403
            )
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = self.get_queryset().filter(pk=data.validated_data["other"]).first()
        if other is None:
            raise field_not_found("other")
        merged = services.participant_merge(actor=request.user, keep=keep, other=other)
        return Response(ParticipantSerializer(merged).data)

    @extend_schema(request=None, responses={201: SignInCodeIssuedSerializer})
    @action(detail=True, methods=["post"], url_path="sign-in-code")
    def sign_in_code(self, request, pk=None):
        """A one-time code for her (revoking older ones), shown once."""
        participant, row, code = services.sign_in_code_issue(
            actor=request.user, participant=self.get_object()
        )
        url = request.build_absolute_uri("/") + f"#/code/{code}"
        body = {
            "participant": participant.pk,
            "username": participant.user.username,
            "sign_in_code": code,
            "expires_at": row.expires_at,
            "sign_in_url": url,
            "qr_svg": qr_svg(url, title="Sign-in code"),
        }
        response = Response(SignInCodeIssuedSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response
