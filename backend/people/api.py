"""People API.

/api/v1/participants/ — search (?q=: names in any script, typos, phone digits),
detail, export, erase, merge, and POST …/sign-in-code/ (a one-time code for a
learner without email).
/api/v1/learner-accounts/ — POST: a coordinator makes a login for a learner.

Views parse and shape; who may do what is decided by the services and the
access policy (`visible_participants`, `manageable_participants`).
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.access import policy
from backend.access.models import Space
from backend.common.errors import ApplicationError, field_not_found
from backend.common.qr import qr_svg
from backend.common.views import HarbourViewSet
from backend.organisations.models import Organisation
from backend.organisations.roles import coordinated_organisations
from backend.registers.api import ParticipantSerializer

from . import selectors, services


class MergeSerializer(serializers.Serializer):
    other = serializers.UUIDField(help_text="The duplicate record, folded into this one.")


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
    grant = serializers.BooleanField(
        required=False,
        default=False,
        help_text="With `space`: give her the space in the same step (its coordinators only).",
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


class LearnerAccountViewSet(HarbourViewSet):
    """A coordinator makes a login for a learner who has no email."""

    serializer_class = LearnerAccountSerializer

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
            grant=values["grant"],
        )
        return Response(
            LearnerAccountCreatedSerializer(participant).data, status=status.HTTP_201_CREATED
        )


class ParticipantViewSet(mixins.RetrieveModelMixin, HarbourViewSet):
    """People her organisation works with (never others; see README)."""

    serializer_class = ParticipantSerializer

    def get_queryset(self):
        return policy.visible_participants(self.request.user).order_by("known_as")

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
        # Refused before the body is read, as the service would refuse it.
        services.require_participant_manager(
            request.user, keep, self_allowed=False, detail="Only coordinators merge records."
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
