"""Who am I: the signed-in person and her roles, for the browser app."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response

from backend.access import policy
from backend.common.views import HarbourAPIView
from backend.organisations.roles import coordinated_organisations, tutored_organisations


class RefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    known_as = serializers.CharField()
    preferred_language = serializers.CharField()
    coordinates = RefSerializer(many=True, help_text="Organisations she coordinates.")
    tutors_for = RefSerializer(many=True, help_text="Organisations she tutors for.")
    spaces = RefSerializer(many=True, help_text="Protected spaces she has been granted.")
    coordinates_spaces = RefSerializer(many=True)


class MeView(HarbourAPIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.username,
                    "known_as": user.known_as,
                    "preferred_language": user.preferred_language,
                    "coordinates": coordinated_organisations(user).order_by("name"),
                    "tutors_for": tutored_organisations(user).order_by("name"),
                    "spaces": policy.granted_spaces(user).order_by("name"),
                    "coordinates_spaces": policy.coordinated_spaces(user).order_by("name"),
                }
            ).data
        )
