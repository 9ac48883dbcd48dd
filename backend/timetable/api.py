"""Timetable API: activities and sessions. Views parse, call one selector or
service, and shape the output."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import answer_scope, policy
from backend.access.models import Space
from backend.common import answer_cache
from backend.common.errors import ApplicationError
from backend.common.schema import LocalTimeField
from backend.common.translations import TranslatedField, TranslationsField
from backend.common.views import HarbourViewSet
from backend.organisations.api import (
    OrganisationRefSerializer,
    RoomSerializer,
    VenueRefSerializer,
)
from backend.organisations.models import Organisation
from backend.organisations.roles import coordinated_organisations

from . import preview, schedule, schedule_builder, selectors, services
from .filters import ActivityFilter, SessionFilter
from .models import Activity, Language, Session, validate_timezone

# --- output -------------------------------------------------------------------------------


class LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Language
        fields = ["code", "name", "native_name"]


class SpaceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Space
        fields = ["id", "name"]


class BuilderSerializer(serializers.Serializer):
    repeat = serializers.ChoiceField(choices=schedule_builder.REPEATS)
    days = serializers.ListField(child=serializers.ChoiceField(choices=schedule_builder.DAYS))
    interval = serializers.IntegerField()
    monthly_week = serializers.IntegerField(allow_null=True)
    until = serializers.DateField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)
    skip = serializers.ListField(child=serializers.DateField())


class ScheduleSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    start_time = LocalTimeField()
    end_time = LocalTimeField()
    duration_minutes = serializers.IntegerField()
    timezone = serializers.CharField()
    recurrence = serializers.CharField(allow_null=True)
    excluded_dates = serializers.ListField(child=serializers.DateField())
    summary = serializers.CharField()
    builder = BuilderSerializer(
        allow_null=True,
        help_text="The schedule as the app's repeat form shows it; null when the rule is "
        "one the form cannot express (set through `recurrence`).",
    )


class ActivitySerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer()
    space = SpaceRefSerializer(allow_null=True)
    languages = LanguageSerializer(many=True)
    venue = VenueRefSerializer(source="room.venue")
    room = RoomSerializer()
    schedule = serializers.SerializerMethodField()
    # In the viewer's language where the coordinator gave one, else the original.
    title = TranslatedField()
    description = TranslatedField(allow_blank=True)
    what_to_bring = TranslatedField(allow_blank=True)
    translations = serializers.JSONField(
        read_only=True, help_text="{language: {field: text}}, as the coordinator typed them."
    )

    class Meta:
        model = Activity
        fields = [
            "id", "organisation", "space", "kind", "title", "description", "what_to_bring",
            "level", "languages", "venue", "room", "capacity", "booking_required",
            "booking_opens_days", "booking_closes_hours", "weekly_limit", "offer_hours", "schedule",
            "reminder_timing", "translations", "is_course", "course_starts", "course_ends",
            "creche_staff",
        ]  # fmt: skip

    @extend_schema_field(ScheduleSerializer)
    def get_schedule(self, activity: Activity) -> dict:
        end = datetime.combine(activity.start_date, activity.start_time) + activity.duration
        return ScheduleSerializer(
            {
                "start_date": activity.start_date,
                "start_time": activity.start_time,
                "end_time": end.time(),
                "duration_minutes": int(activity.duration.total_seconds() // 60),
                "timezone": activity.timezone,
                "recurrence": schedule.rule_text(activity.recurrence),
                "excluded_dates": activity.excluded_dates,
                "summary": schedule.rule_summary(activity.recurrence),
                "builder": schedule_builder.from_rule(
                    activity.recurrence,
                    tz_name=activity.timezone,
                    excluded=activity.excluded_dates,
                ),
            }
        ).data


class SessionActivitySerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer()
    languages = LanguageSerializer(many=True)
    # Only ever present for people who may see the space: the app shows its
    # quick-exit button on such sessions.
    space = SpaceRefSerializer(allow_null=True)
    title = TranslatedField()

    class Meta:
        model = Activity
        fields = [
            "id", "title", "kind", "level", "organisation", "languages", "booking_required",
            "space", "is_course", "creche_staff",
        ]  # fmt: skip


class SessionSerializer(serializers.ModelSerializer):
    activity = SessionActivitySerializer()
    venue = VenueRefSerializer(source="room.venue")
    room = RoomSerializer()
    places_left = serializers.SerializerMethodField()
    cancel_reason = TranslatedField(allow_blank=True)

    class Meta:
        model = Session
        fields = [
            "id", "activity", "start", "end", "original_start", "venue", "room", "capacity",
            "places_left", "status", "cancel_reason", "is_moved", "needs_review", "review_note",
            "creche_staff",
        ]  # fmt: skip

    def to_representation(self, session):
        data = super().to_representation(session)
        if session.activity_id not in self.context.get("managed", ()):
            data["needs_review"], data["review_note"] = False, ""
        return data

    def get_places_left(self, session: Session) -> int:
        if session.status == Session.Status.CANCELLED:
            return 0
        return getattr(session, "places_left_db", session.places_left)


# --- input ---------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "uuid"})
class VisibleRoomField(serializers.PrimaryKeyRelatedField):
    """A room the requester may see; a hidden room is "not found" like any bad id."""

    def get_queryset(self):
        return policy.visible_rooms(self.context["request"].user).select_related("venue")


class ScheduleInputSerializer(serializers.Serializer):
    start_date = serializers.DateField(help_text="First (or only) date, local.")
    start_time = LocalTimeField()
    end_time = LocalTimeField(help_text="Same day; sessions cannot cross midnight.")
    timezone = serializers.CharField(
        default=settings.TIME_ZONE, validators=[validate_timezone], help_text="IANA time zone."
    )
    recurrence = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="RFC 5545 RRULE line(s), e.g. RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20270731. "
        "Empty for a one-off on start_date.",
    )
    excluded_dates = serializers.ListField(
        child=serializers.DateField(), required=False, default=list, max_length=500
    )
    # The repeat form (instead of `recurrence`): the app sends these.
    repeat = serializers.ChoiceField(
        choices=schedule_builder.REPEATS,
        required=False,
        help_text="Instead of `recurrence`: once, weekly (on `days`), fortnightly, or monthly "
        "(`monthly_week` + one of `days`: 1 and SA is the first Saturday, -1 the last).",
    )
    days = serializers.ListField(
        child=serializers.ChoiceField(choices=schedule_builder.DAYS),
        required=False,
        max_length=7,
    )
    interval = serializers.IntegerField(
        required=False, min_value=1, max_value=schedule_builder.MAX_INTERVAL, default=1
    )
    monthly_week = serializers.ChoiceField(
        choices=schedule_builder.MONTHLY_WEEKS, required=False, allow_null=True
    )
    until = serializers.DateField(required=False, allow_null=True, help_text="Last date.")
    count = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=schedule_builder.MAX_COUNT,
        help_text="Or: how many times.",
    )  # fmt: skip
    skip = serializers.ListField(
        child=serializers.DateField(), required=False, max_length=500, help_text="Skipped dates."
    )


def schedule_input_from(data: dict) -> services.ScheduleInput:
    recurrence = data.get("recurrence") or None
    excluded = set(data.get("excluded_dates") or ())
    if data.get("repeat"):
        if recurrence:
            raise ApplicationError(
                "schedule_mixed",
                "Give either a repeat rule or the repeat form, not both.",
                fields={"recurrence": ["Leave this out when using `repeat`."]},
            )
        builder = schedule_builder.Builder(
            repeat=data["repeat"],
            days=tuple(data.get("days") or ()),
            interval=data.get("interval") or 1,
            monthly_week=data.get("monthly_week"),
            until=data.get("until"),
            count=data.get("count"),
        )
        recurrence = schedule_builder.to_rule(builder, start_date=data["start_date"])
        excluded |= set(data.get("skip") or ())
    return services.ScheduleInput(
        start_date=data["start_date"],
        start_time=data["start_time"],
        end_time=data["end_time"],
        timezone=data["timezone"],
        recurrence=recurrence,
        excluded_dates=tuple(sorted(excluded)),
    )


def _merged_schedule(activity: Activity, partial: dict) -> services.ScheduleInput:
    """PATCH may send part of a schedule; the rest is the activity's current one."""
    end = datetime.combine(activity.start_date, activity.start_time) + activity.duration
    current = {
        "start_date": activity.start_date,
        "start_time": activity.start_time,
        "end_time": end.time(),
        "timezone": activity.timezone,
        "recurrence": schedule.rule_text(activity.recurrence),
        "excluded_dates": [date.fromisoformat(d) for d in activity.excluded_dates],
    }
    if partial.get("repeat"):
        # The form states the whole repeat pattern and its skipped dates.
        current.pop("recurrence")
        current["excluded_dates"] = []
    return schedule_input_from({**current, **partial})


class ActivityWriteSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    space = serializers.UUIDField(required=False, allow_null=True)
    room = VisibleRoomField()
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    what_to_bring = serializers.CharField(required=False, allow_blank=True, max_length=300)
    level = serializers.ChoiceField(
        choices=Activity.Level.choices, required=False, allow_blank=True
    )
    languages = serializers.SlugRelatedField(
        slug_field="code", queryset=Language.objects.all(), many=True, required=False
    )
    capacity = serializers.IntegerField(min_value=1, max_value=10000)
    booking_required = serializers.BooleanField(required=False)
    booking_opens_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    booking_closes_hours = serializers.IntegerField(required=False, min_value=0, max_value=24 * 60)
    weekly_limit = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=50
    )
    schedule = ScheduleInputSerializer()
    reminder_timing = serializers.ChoiceField(
        choices=Activity.ReminderTiming.choices,
        required=False,
        help_text="When each booking is reminded: day_before (at 18:00 the evening before, "
        "the default) or two_hours (2 hours before). Never in quiet hours.",
    )
    translations = TranslationsField("activity")
    # A course and its crèche (docs/courses.md).
    is_course = serializers.BooleanField(required=False)
    course_starts = serializers.DateField(required=False, allow_null=True)
    course_ends = serializers.DateField(required=False, allow_null=True)
    creche_staff = serializers.IntegerField(required=False, min_value=0, max_value=20)

    PLAIN = ("kind", "title", "description", "what_to_bring", "level", "booking_required",
             "booking_opens_days", "booking_closes_hours", "weekly_limit", "reminder_timing",
             "translations", "is_course", "course_starts", "course_ends",
             "creche_staff")  # fmt: skip

    def resolved_space(self, user) -> Space | None:
        space_id = self.validated_data.get("space")
        if space_id is None:
            return None
        space = policy.granted_spaces(user).filter(pk=space_id).first()
        if space is None:
            raise serializers.ValidationError({"space": ["Not found."]})
        return space


class ActivityUpdateSerializer(ActivityWriteSerializer):
    """PATCH: every field optional; organisation and space cannot change."""

    organisation = None
    space = None

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    translations = TranslationsField("session")


class MessageSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300)
    translations = serializers.DictField(
        child=serializers.CharField(max_length=300, allow_blank=True),
        required=False,
        help_text="{language: text}: each person gets the text in her language, else `text`.",
    )
    include_waiting = serializers.BooleanField(default=False)


class MessageResultSerializer(serializers.Serializer):
    sessions = serializers.IntegerField(help_text="Sessions the message was about.")
    people = serializers.IntegerField(help_text="People sent one message each.")


def _send_message(request, **target) -> Response:
    from backend.bookings.services import session_message_send

    data = MessageSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return Response(session_message_send(actor=request.user, **target, **data.validated_data))


class MoveSerializer(serializers.Serializer):
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    room = VisibleRoomField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give a new start, end or room.")
        return attrs


class CrecheStaffSerializer(serializers.Serializer):
    creche_staff = serializers.IntegerField(
        min_value=0,
        max_value=20,
        allow_null=True,
        help_text="Crèche staff on this session; null: the activity's number again.",
    )


class SyncResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deleted = serializers.IntegerField()
    flagged = serializers.IntegerField()


class ActivityUpdateResultSerializer(serializers.Serializer):
    activity = ActivitySerializer()
    sessions = SyncResultSerializer()


class EndSerializer(serializers.Serializer):
    last_date = serializers.DateField(help_text="The last day the activity runs.")


class ClosureRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reason = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class PreviewDateSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    existing = serializers.BooleanField(help_text="A session already made for this date.")
    booked = serializers.IntegerField(help_text="Places booked on it (existing sessions).")
    clash = serializers.CharField(allow_null=True, help_text="Why the room is not free.")
    closure = ClosureRefSerializer(allow_null=True)


class PreviewFlagSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    booked = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=["skipped", "not_in_schedule"])


class PreviewSerializer(serializers.Serializer):
    dates = PreviewDateSerializer(many=True)
    skipped = serializers.ListField(child=serializers.DateTimeField())
    flagged = PreviewFlagSerializer(
        many=True, help_text="Booked sessions the change keeps, flagged for review."
    )
    removed = serializers.IntegerField(help_text="Sessions nobody is booked on that would go.")
    more = serializers.BooleanField(help_text="The series goes on after the last date shown.")
    sessions_until = serializers.DateField(
        allow_null=True, help_text="Sessions are made up to this date; later ones as it nears."
    )


# --- views ---------------------------------------------------------------------------------


class ManagesActivity(permissions.BasePermission):
    """Object-level: the user coordinates the activity (or the session's activity).
    Runs after the policy-scoped lookup, so hidden objects are already 404."""

    message = "Only this activity's coordinators can change it."

    def has_object_permission(self, request, view, obj):
        activity = obj.activity if isinstance(obj, Session) else obj
        return policy.can_manage_activity(request.user, activity)


class CoordinatesSomething(permissions.BasePermission):
    message = "Only coordinators can add activities."

    def has_permission(self, request, view):
        user = request.user
        return coordinated_organisations(user).exists() or policy.coordinated_spaces(user).exists()


class LanguageViewSet(mixins.ListModelMixin, HarbourViewSet):
    """Languages activities can be run in (for the language filter)."""

    serializer_class = LanguageSerializer
    queryset = Language.objects.order_by("name")
    pagination_class = None
    public_actions = frozenset({"list"})
    filterset_fields: list[str] = []


class ActivityViewSet(HarbourViewSet):
    """What runs, where, how often. Anyone may browse; coordinators write."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    public_actions = frozenset({"list", "retrieve"})
    action_permissions = {
        **dict.fromkeys(("create", "preview_new"), (CoordinatesSomething,)),
        **dict.fromkeys(("partial_update", "preview", "end", "message"), (ManagesActivity,)),
    }

    def get_queryset(self):
        return selectors.activity_list(user=self.request.user)

    def _create_arguments(self, request) -> dict:
        data = ActivityWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return {
            "actor": request.user,
            "organisation": values["organisation"],
            "space": data.resolved_space(request.user),
            "room": values["room"],
            "capacity": values["capacity"],
            "languages": values.get("languages"),
            "schedule_input": schedule_input_from(values["schedule"]),
            **{k: values[k] for k in ActivityWriteSerializer.PLAIN if k in values},
        }

    def _update_arguments(self, request, activity: Activity) -> dict:
        data = ActivityUpdateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        fields = (*ActivityWriteSerializer.PLAIN, "room", "capacity")
        return {
            "actor": request.user,
            "activity": activity,
            "schedule_input": _merged_schedule(activity, values["schedule"])
            if "schedule" in values
            else None,
            "languages": values.get("languages"),
            **{k: values[k] for k in fields if k in values},
        }

    @extend_schema(
        request=ActivityWriteSerializer,
        responses={200: PreviewSerializer},
        operation_id="v1_activities_preview_new",
    )
    @action(detail=False, methods=["post"], url_path="preview")
    def preview_new(self, request):
        """The dates a new activity would make, with room clashes and closures. Writes nothing."""
        arguments = self._create_arguments(request)
        arguments.pop("languages")
        result = preview.activity_create_preview(**arguments)
        return Response(PreviewSerializer(result).data)

    @extend_schema(request=ActivityUpdateSerializer, responses={200: PreviewSerializer})
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        """What this edit would do to the dates and booked sessions. Writes nothing."""
        arguments = self._update_arguments(request, self.get_object())
        arguments.pop("languages")
        return Response(PreviewSerializer(preview.activity_update_preview(**arguments)).data)

    @extend_schema(request=EndSerializer, responses={200: ActivityUpdateResultSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """The series runs for the last time on `last_date`."""
        activity = self.get_object()
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity, result = services.activity_end(
            actor=request.user, activity=activity, last_date=data.validated_data["last_date"]
        )
        activity = selectors.activity_get(user=request.user, activity_id=activity.pk)
        return Response({"activity": ActivitySerializer(activity).data, "sessions": vars(result)})

    @extend_schema(request=MessageSerializer, responses={200: MessageResultSerializer})
    @action(detail=True, methods=["post"])
    def message(self, request, pk=None):
        """Her short text to everyone booked (optionally waiting) on its upcoming sessions."""
        return _send_message(request, activity=self.get_object())

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(ActivitySerializer(self.get_object()).data)

    @extend_schema(request=ActivityWriteSerializer, responses={201: ActivitySerializer})
    def create(self, request):
        activity = services.activity_create(**self._create_arguments(request))
        activity = selectors.activity_get(user=request.user, activity_id=activity.pk)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ActivityUpdateSerializer, responses={200: ActivityUpdateResultSerializer}
    )
    def partial_update(self, request, pk=None):
        arguments = self._update_arguments(request, self.get_object())
        activity, result = services.activity_update(**arguments)
        activity = selectors.activity_get(user=request.user, activity_id=activity.pk)
        return Response({"activity": ActivitySerializer(activity).data, "sessions": vars(result)})


class SessionViewSet(HarbourViewSet):
    """Occurrences of activities. Lists cover one date range (default: today and
    the next six days, Europe/London) and say how many places are left."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    public_actions = frozenset({"list", "retrieve"})
    action_permissions = dict.fromkeys(
        ("cancel", "move", "reinstate", "message", "creche_staff"), (ManagesActivity,)
    )

    def get_queryset(self):
        return selectors.session_list(user=self.request.user)

    def _context(self, sessions) -> dict:
        """Which of these sessions' activities the user manages: only they show
        review flags. Asked only about flagged sessions (rarely any), since
        hiding an empty flag changes nothing, and asking costs a policy query."""
        flagged = {s.activity_id for s in sessions if s.needs_review or s.review_note}
        if not flagged:
            return {"managed": set()}
        managed = policy.manageable_activities(self.request.user).filter(pk__in=flagged)
        return {"managed": set(managed.values_list("pk", flat=True))}

    def _cached(self, request, build):
        """The answer is the same for everyone in her visibility class, unless a
        session on it carries review flags (shown to its coordinators only, so
        not cached) or a personal filter is used (cached for her alone)."""
        user = request.user
        personal = SessionFilter.PERSONAL & set(request.query_params)
        parts = ("sessions", self.action, answer_scope.person(user) if personal else "")
        guess = (
            lambda: answer_scope.visibility_class_guess(user),
            lambda: answer_scope.forget(user),
        )
        return answer_cache.json_answer(request, parts, build, guessed_scope=guess)

    @staticmethod
    def _flagged(sessions) -> bool:
        return any(s.needs_review or s.review_note for s in sessions)

    def list(self, request):
        def build():
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            data = SessionSerializer(page, many=True, context=self._context(page)).data
            response = self.get_paginated_response(data)
            response.answer_cache_skip = self._flagged(page)
            return response

        return self._cached(request, build)

    def retrieve(self, request, pk=None):
        def build():
            session = self.get_object()
            data = SessionSerializer(session, context=self._context([session])).data
            response = Response(data)
            response.answer_cache_skip = self._flagged([session])
            return response

        return self._cached(request, build)

    def _respond(self, session: Session) -> Response:
        fresh = selectors.session_get(user=self.request.user, session_id=session.pk)
        return Response(SessionSerializer(fresh, context=self._context([fresh])).data)

    @extend_schema(request=CancelSerializer, responses={200: SessionSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.session_cancel(
                actor=request.user,
                session=session,
                reason=data.validated_data["reason"],
                translations=data.validated_data.get("translations"),
            )
        )

    @extend_schema(request=None, responses={200: SessionSerializer})
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        session = self.get_object()
        return self._respond(services.session_reinstate(actor=request.user, session=session))

    @extend_schema(request=MessageSerializer, responses={200: MessageResultSerializer})
    @action(detail=True, methods=["post"])
    def message(self, request, pk=None):
        """Her short text to everyone booked (optionally waiting) on this session."""
        return _send_message(request, session=self.get_object())

    @extend_schema(request=MoveSerializer, responses={200: SessionSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        session = self.get_object()
        data = MoveSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return self._respond(
            services.session_move(actor=request.user, session=session, **data.validated_data)
        )

    @extend_schema(request=CrecheStaffSerializer, responses={200: SessionSerializer})
    @action(detail=True, methods=["post"], url_path="creche-staff")
    def creche_staff(self, request, pk=None):
        """This session's own crèche staff (its crèche places follow); lowering
        it below what the children booked need is refused."""
        session = self.get_object()
        data = CrecheStaffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.session_creche_staff_set(
                actor=request.user, session=session, staff=data.validated_data["creche_staff"]
            )
        )
