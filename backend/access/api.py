"""Protected spaces API: list spaces, ask to join, and (for a space's
coordinators) requests, direct grants, revocations, members and the audit log.

A space someone may not see answers 404 like an id that never existed."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.common.errors import ApplicationError, field_not_found
from backend.common.views import HarbourViewSet
from backend.organisations.api import OrganisationRefSerializer

from . import policy, selectors, services
from .models import AccessRequest, AuditEntry, Space


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "known_as"]


class SpaceSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer()
    my_access = serializers.SerializerMethodField()
    i_coordinate = serializers.SerializerMethodField()

    class Meta:
        model = Space
        fields = ["id", "name", "public_description", "organisation", "my_access", "i_coordinate"]

    def get_my_access(self, space: Space) -> str:
        return self.context.get("access", {}).get(space.pk, "none")

    def get_i_coordinate(self, space: Space) -> bool:
        return space.pk in self.context.get("coordinated", set())


class AccessRequestSerializer(serializers.ModelSerializer):
    space = serializers.SerializerMethodField()
    user = PersonSerializer()
    decided_by = PersonSerializer(allow_null=True)

    class Meta:
        model = AccessRequest
        fields = [
            "id", "space", "user", "message", "status", "created_at", "decided_by",
            "decided_at", "decision_note",
        ]  # fmt: skip

    def get_space(self, obj) -> dict:
        return {"id": str(obj.space_id), "name": obj.space.name}


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = PersonSerializer(allow_null=True)
    subject = PersonSerializer(allow_null=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "action", "subject", "note"]


class RequestAccessSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class GrantSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, required=False)
    participant = serializers.UUIDField(
        required=False,
        help_text="Instead of `username`: a person she may see (found by the participant "
        "search) who has a login.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if ("username" in attrs) == ("participant" in attrs):
            raise serializers.ValidationError({"username": ["Give a username or a participant."]})
        return attrs


def _space_context(user, spaces) -> dict:
    return {
        "access": selectors.my_access_status(user=user, spaces=spaces),
        "coordinated": set(policy.coordinated_spaces(user).values_list("pk", flat=True))
        if user.is_authenticated
        else set(),
    }


class SpaceViewSet(HarbourViewSet):
    """Protected spaces. Names of listed spaces are public so women can ask to
    join; their activities and sessions stay invisible without a grant."""

    serializer_class = SpaceSerializer
    filterset_fields: list[str] = []
    public_actions = frozenset({"list", "retrieve"})

    def get_queryset(self):
        return selectors.space_list(user=self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        data = SpaceSerializer(page, many=True, context=_space_context(request.user, page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request, pk=None):
        space = self.get_object()
        return Response(SpaceSerializer(space, context=_space_context(request.user, [space])).data)

    def _coordinated_space(self) -> Space:
        space = self.get_object()  # 404 unless listed or granted
        if not policy.coordinated_spaces(self.request.user).filter(pk=space.pk).exists():
            raise services.not_coordinator_error()
        return space

    @extend_schema(request=RequestAccessSerializer, responses={201: AccessRequestSerializer})
    @action(detail=True, methods=["post"], url_path="request-access")
    def request_access(self, request, pk=None):
        space = self.get_object()
        data = RequestAccessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access_request = services.access_request_create(
            user=request.user, space=space, message=data.validated_data["message"]
        )
        return Response(
            AccessRequestSerializer(access_request).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=GrantSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        space = self._coordinated_space()
        user, note = self._person(request)
        services.space_grant(actor=request.user, space=space, user=user, note=note)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=GrantSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        space = self._coordinated_space()
        user, note = self._person(request)
        services.space_revoke(actor=request.user, space=space, user=user, note=note)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: PersonSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def members(self, request, pk=None):
        space = self._coordinated_space()
        page = self.paginate_queryset(selectors.space_members(space=space))
        return self.get_paginated_response(PersonSerializer(page, many=True).data)

    @extend_schema(responses={200: AuditEntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def audit(self, request, pk=None):
        space = self._coordinated_space()
        page = self.paginate_queryset(selectors.audit_list(user=request.user, space=space))
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)

    def _person(self, request):
        data = GrantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "participant" in data.validated_data:
            # Only someone she may see; anyone else is "not found", like an unknown id.
            person = policy.visible_participants(request.user).filter(
                pk=data.validated_data["participant"]
            )
            if not person.exists():
                raise field_not_found("participant")
            user = get_user_model().objects.filter(participant__in=person).first()
            if user is None:
                no_login = "She has no login yet: give her a sign-in code first."
                raise ApplicationError(
                    "invalid", "Some fields are not valid.", fields={"participant": [no_login]}
                )
            return user, data.validated_data["note"]
        user = get_user_model().objects.filter(username=data.validated_data["username"]).first()
        if user is None:
            raise ApplicationError(
                "unknown_user", "Nobody has that username.", fields={"username": ["Not found."]}
            )
        return user, data.validated_data["note"]


class AccessRequestViewSet(mixins.ListModelMixin, HarbourViewSet):
    """Her own requests to join spaces; for coordinators, their spaces' requests."""

    serializer_class = AccessRequestSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.access_request_list(user=self.request.user)

    def _decide(self, request, approve: bool):
        access_request = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = services.access_request_decide(
            actor=request.user, request=access_request, approve=approve,
            note=data.validated_data["note"],
        )  # fmt: skip
        return Response(AccessRequestSerializer(decided).data)

    @extend_schema(request=DecisionSerializer, responses={200: AccessRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, approve=True)

    @extend_schema(request=DecisionSerializer, responses={200: AccessRequestSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, approve=False)

    @extend_schema(request=None, responses={200: AccessRequestSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        access_request = self.get_object()
        withdrawn = services.access_request_withdraw(user=request.user, request=access_request)
        return Response(AccessRequestSerializer(withdrawn).data)
