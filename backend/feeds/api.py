"""Her personal feed: settings, rotating the secret URL, following activities."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.access import policy
from backend.common.qr import qr_svg
from backend.common.views import HarbourViewSet

from . import selectors, services
from .models import Follow, PersonalFeed


class FeedSettingsSerializer(serializers.ModelSerializer):
    has_secret_url = serializers.SerializerMethodField()

    class Meta:
        model = PersonalFeed
        fields = ["discreet", "discreet_title", "include_followed", "has_secret_url"]

    def get_has_secret_url(self, feed) -> bool:
        return bool(feed.token_hash)


class FeedSettingsUpdateSerializer(serializers.Serializer):
    discreet = serializers.BooleanField(required=False)
    discreet_title = serializers.CharField(max_length=60, required=False)
    include_followed = serializers.BooleanField(required=False)


class FeedUrlsSerializer(serializers.Serializer):
    https_url = serializers.URLField()
    webcal_url = serializers.CharField()
    qr_svg = serializers.CharField(help_text="The webcal link as a QR code (SVG, no scripts).")


class FeedView(APIView):
    """GET / PATCH her feed's settings. The secret URL is shown only when made."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: FeedSettingsSerializer})
    def get(self, request):
        return Response(FeedSettingsSerializer(selectors.feed_of(user=request.user)).data)

    @extend_schema(request=FeedSettingsUpdateSerializer, responses={200: FeedSettingsSerializer})
    def patch(self, request):
        data = FeedSettingsUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feed = services.feed_settings_update(user=request.user, **data.validated_data)
        return Response(FeedSettingsSerializer(feed).data)


class FeedRotateView(APIView):
    """Make a new secret URL; the old one answers 404 from now on."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={201: FeedUrlsSerializer})
    def post(self, request):
        token = services.feed_token_rotate(user=request.user)
        https_url = request.build_absolute_uri(f"/feeds/personal/{token}.ics")
        webcal_url = "webcal://" + https_url.split("://", 1)[1]
        return Response(
            {
                "https_url": https_url,
                "webcal_url": webcal_url,
                "qr_svg": qr_svg(webcal_url, title="Calendar link"),
            },
            status=201,
        )


class FollowSerializer(serializers.ModelSerializer):
    activity = serializers.UUIDField(source="activity_id")
    title = serializers.CharField(source="activity.title", read_only=True)

    class Meta:
        model = Follow
        fields = ["id", "activity", "title"]


class FollowViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, HarbourViewSet):
    """Activities whose every session she wants in her feed."""

    serializer_class = FollowSerializer

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Follow.objects.none()
        visible = policy.visible_activities(self.request.user).values("pk")
        return (
            Follow.objects.filter(user=self.request.user, activity__in=visible)
            .select_related("activity")
            .order_by("activity__title")
        )

    @extend_schema(request=FollowSerializer, responses={201: FollowSerializer})
    def create(self, request):
        data = FollowSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = policy.access_activity(
            request.user, data.validated_data["activity_id"], field="activity"
        )
        follow = services.activity_follow(user=request.user, activity=activity)
        return Response(FollowSerializer(follow).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.activity_unfollow(user=self.request.user, activity=instance.activity)
