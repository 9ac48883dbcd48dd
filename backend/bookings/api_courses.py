"""Courses API (docs/courses.md): enrol for the term with crèche places for
her children (idempotent with an Idempotency-Key header), her enrolments,
cancel; a coordinator enrols someone and reads the term's class list."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.common.errors import ApplicationError, NotFoundError, field_not_found
from backend.common.views import HarbourViewSet
from backend.timetable.models import MAX_GROUP

from . import courses, creche, selectors
from .api import (
    IDEMPOTENCY,
    ChildSerializer,
    ParticipantRefSerializer,
    _idempotency_key,
    children_in,
)
from .models import HOLDING, CourseEnrolment


class CrecheChildOutSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    # The field is named like Field.label (DRF's metaclass moves it out of the way).
    label = serializers.CharField(help_text='Blank unless she gave one: show "Child <number>".')  # type: ignore[assignment]
    birth_year = serializers.IntegerField()
    birth_month = serializers.IntegerField()


class EnrolmentSerializer(serializers.ModelSerializer):
    activity = serializers.SerializerMethodField()
    participant = ParticipantRefSerializer()
    position = serializers.SerializerMethodField(help_text="Place in the course's line.")
    children = CrecheChildOutSerializer(source="creche_children", many=True)
    sessions = serializers.SerializerMethodField(
        help_text="How many of the course's sessions she holds a place on."
    )

    class Meta:
        model = CourseEnrolment
        fields = [
            "id", "activity", "participant", "places", "status", "position", "children",
            "sessions", "created_at",
        ]  # fmt: skip

    def get_activity(self, enrolment) -> dict:
        return {"id": str(enrolment.activity_id), "title": enrolment.activity.title}

    def get_position(self, enrolment) -> int | None:
        if enrolment.status != CourseEnrolment.Status.WAITING:
            return None
        return getattr(enrolment, "position", None) or courses.course_position(enrolment)

    def get_sessions(self, enrolment) -> int:
        held = getattr(enrolment, "held_sessions", None)
        if held is not None:
            return held
        return enrolment.bookings.filter(status__in=HOLDING).count()


class EnrolmentCreateSerializer(serializers.Serializer):
    activity = serializers.UUIDField()
    places = serializers.IntegerField(min_value=1, max_value=MAX_GROUP, default=1)
    participant = serializers.UUIDField(
        required=False, help_text="Coordinators: enrol someone else (perhaps without a login)."
    )
    children = ChildSerializer(many=True, required=False, default=list)


class EnrolmentViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, HarbourViewSet):
    """Her course enrolments and places in courses' lines (coordinators: also
    those of the courses they run, `?activity=`)."""

    serializer_class = EnrolmentSerializer

    def get_queryset(self):
        qs = selectors.enrolments_visible_to(user=self.request.user)
        activity = self.request.query_params.get("activity")
        if activity and self.action == "list":
            qs = qs.filter(activity=policy.access_activity(self.request.user, activity))
        return qs

    @extend_schema(
        request=EnrolmentCreateSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: EnrolmentSerializer, 200: EnrolmentSerializer},
    )
    def create(self, request):
        data = EnrolmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        activity = policy.access_activity(request.user, values["activity"], field="activity")
        participant = None
        if "participant" in values:
            participant = (
                policy.visible_participants(request.user).filter(pk=values["participant"]).first()
            )
            if participant is None:
                raise field_not_found("participant")
        enrolment, created = courses.enrolment_create(
            actor=request.user, activity=activity, places=values["places"],
            participant=participant, children=children_in(values["children"]),
            idempotency_key=_idempotency_key(request),
        )  # fmt: skip
        fresh = self.get_queryset().filter(pk=enrolment.pk).first()
        if fresh is None:
            raise NotFoundError()
        return Response(
            EnrolmentSerializer(fresh).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={200: EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        enrolment = courses.enrolment_cancel(actor=request.user, enrolment=self.get_object())
        return Response(EnrolmentSerializer(self.get_queryset().get(pk=enrolment.pk)).data)


class ClassSessionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    places_left = serializers.IntegerField()
    creche_staff = serializers.IntegerField(help_text="Crèche staff on this session.")
    creche_staff_own = serializers.IntegerField(
        allow_null=True, help_text="The session's own number; null: it follows the course's."
    )
    creche_places_left = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How many more children of each band alone the crèche could take.",
    )


class ClassListSerializer(serializers.Serializer):
    activity = serializers.DictField()
    is_course = serializers.BooleanField()
    protected = serializers.BooleanField(help_text="In a protected space (the app's quick exit).")
    creche_staff = serializers.IntegerField()
    sessions = ClassSessionSerializer(many=True)
    enrolled = EnrolmentSerializer(many=True)
    waiting = EnrolmentSerializer(many=True)


class ClassListViewSet(HarbourViewSet):
    """The term's class list of a course, by the course's id (its coordinators)."""

    serializer_class = ClassListSerializer

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: ClassListSerializer},
    )
    def retrieve(self, request, pk=None):
        activity = policy.access_activity(request.user, pk)
        if not policy.can_manage_activity(request.user, activity):
            raise ApplicationError(
                "permission_denied",
                "Only this course's coordinators see its class list.",
                status_code=403,
            )
        rows = list(selectors.class_list(activity=activity))
        sessions = [
            {
                "id": s.pk,
                "start": s.start,
                "end": s.end,
                "capacity": s.capacity,
                "places_left": s.places_left,
                "creche_staff": creche.staff_on(s),
                "creche_staff_own": s.creche_staff,
                "creche_places_left": creche.places_left(s),
            }
            for s in courses.course_sessions(activity).select_related("activity")
        ]
        body = {
            "activity": {"id": str(activity.pk), "title": activity.title},
            "is_course": activity.is_course,
            "protected": activity.space_id is not None,
            "creche_staff": activity.creche_staff,
            "sessions": sessions,
            "enrolled": [e for e in rows if e.status == CourseEnrolment.Status.CONFIRMED],
            "waiting": [e for e in rows if e.status == CourseEnrolment.Status.WAITING],
        }
        return Response(ClassListSerializer(body).data)
