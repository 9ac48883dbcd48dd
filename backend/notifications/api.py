"""One-tap replies, for the link page (#/reply/<token>), without signing in.

GET  /api/v1/replies/<token>/ — what the link is about and whether it can still be used.
POST /api/v1/replies/<token>/ — use it (once).
/r/<token> — the short address in messages: opens the link page in her language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response

from backend.accounts.api import AttemptThrottle, SignInBase
from backend.common.errors import ApplicationError

from . import replies


class ReplySerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=["come", "cancel", "accept"])
    state = serializers.ChoiceField(
        choices=["ready", "done", "expired"],
        help_text="ready: can be used; done: already used; expired: its session or offer is over.",
    )
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    activity = serializers.CharField(
        allow_null=True, help_text="null for a session in a protected space."
    )
    venue = serializers.CharField(allow_null=True)


class ReplyView(SignInBase):
    """No session: the signed token is the authority (CSRF is still checked on POST)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [AttemptThrottle]
    throttle_scope = "reply"

    @extend_schema(responses={200: ReplySerializer})
    def get(self, request, token: str):
        return Response(ReplySerializer(replies.reply_describe(token=token)).data)

    @extend_schema(request=None, responses={200: ReplySerializer})
    def post(self, request, token: str):
        self.check_csrf(request)
        return Response(ReplySerializer(replies.reply_use(token=token)).data)


@require_safe
def short_link(request, token: str):
    """/r/<token>: to the app's link page, in her language unless this phone
    has chosen one. A bad token still gets the page, which says it does not work."""
    response = HttpResponseRedirect(f"/#/reply/{token}")
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        try:
            language = replies.reply_describe(token=token)["language"]
        except ApplicationError:
            language = None
        if language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
    return response
