"""Who am I, and signing in and out, for the browser app.

/api/v1/me/ — the signed-in person and her roles.
/api/v1/auth/sign-in/ — username and password (django-axes locks out guessing).
/api/v1/auth/sign-in-code/ — a one-time code a coordinator gave her, with the
    secret she chooses then (without it: `secret_required`, the code kept).
/api/v1/auth/sign-in-secret/ — her name or phone number and that secret
    (django-axes locks out guessing, as for passwords).
/api/v1/auth/sign-out/.

Signing in uses Django's session (the API's SessionAuthentication) and rotates
both the session key and the CSRF token: the app reads the new `csrftoken`
cookie before its next write. CSRF is checked on the sign-in endpoints too,
although nobody is signed in yet, so another site cannot sign her in to an
account of its choosing.
"""

from django.contrib.auth import authenticate, login, logout
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.access import policy
from backend.common.cache_fallback import DegradingCache
from backend.common.errors import ApplicationError
from backend.organisations.roles import coordinated_organisations, tutored_organisations

from . import services
from .lockout import LOCKOUT_CODE, LOCKOUT_DETAIL


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


def me_data(user) -> dict:
    return MeSerializer(
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


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        return Response(me_data(request.user))


class AttemptThrottle(ScopedRateThrottle):
    """Counts sign-in attempts (POSTs) per client address, in the shared cache
    (per process while that is down: sign-in must not fail with Redis)."""

    cache = DegradingCache("sign-in-throttle")

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


class SignInBase(APIView):
    # No authentication: whoever she was, CSRF is checked the same way (below).
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AttemptThrottle]

    def check_csrf(self, request) -> None:
        try:
            SessionAuthentication().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise ApplicationError(
                "csrf_failed",
                "The page is out of date. Reload it and try again.",
                status_code=status.HTTP_403_FORBIDDEN,
            ) from None

    def signed_in(
        self, request, user, backend="django.contrib.auth.backends.ModelBackend"
    ) -> Response:
        # login() gives her a new session key and a new CSRF token (no fixation).
        login(request, user, backend=backend)
        return Response(me_data(user))


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=True)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class SignInView(SignInBase):
    throttle_scope = "sign_in"

    @extend_schema(request=SignInSerializer, responses={200: MeSerializer})
    def post(self, request):
        self.check_csrf(request)
        data = SignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Through authenticate(), so django-axes counts failures and refuses
        # while the username is locked out from this address.
        user = authenticate(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            raise ApplicationError(
                LOCKOUT_CODE, LOCKOUT_DETAIL, status_code=status.HTTP_429_TOO_MANY_REQUESTS
            )
        if user is None:
            # The same words whether or not the username exists.
            raise ApplicationError("sign_in_failed", "That username and password do not match.")
        return self.signed_in(request, user)


class SignInCodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=40, help_text="XXXX-XXXX; case, spaces and hyphens do not matter."
    )
    secret = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The secret she chooses: at least 6 digits, or a phrase of at least 8 letters.",
    )


class SignInCodeView(SignInBase):
    throttle_scope = "sign_in_code"

    @extend_schema(request=SignInCodeSerializer, responses={200: MeSerializer})
    def post(self, request):
        self.check_csrf(request)
        data = SignInCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.sign_in_code_consume(
            code=data.validated_data["code"], secret=data.validated_data.get("secret")
        )
        return self.signed_in(request, user)


class SignInSecretSerializer(serializers.Serializer):
    name_or_phone = serializers.CharField(max_length=150)
    secret = serializers.CharField(max_length=200, trim_whitespace=False)


class SignInSecretView(SignInBase):
    throttle_scope = "sign_in"

    @extend_schema(request=SignInSecretSerializer, responses={200: MeSerializer})
    def post(self, request):
        self.check_csrf(request)
        data = SignInSecretSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        who = data.validated_data["name_or_phone"]
        # So that a success clears the failures counted under her name or number.
        request._request.harbour_sign_in_key = services.sign_in_identifier_key(who)
        user = authenticate(
            request=request, name_or_phone=who, secret=data.validated_data["secret"]
        )
        if getattr(request, "axes_locked_out", False):
            raise ApplicationError(
                LOCKOUT_CODE, LOCKOUT_DETAIL, status_code=status.HTTP_429_TOO_MANY_REQUESTS
            )
        if user is None:
            # The same words whether or not anyone has that name or number.
            raise ApplicationError(
                "sign_in_secret_failed", "That name or phone number and secret do not match."
            )
        return self.signed_in(
            request, user, backend="backend.accounts.backends.LearnerSecretBackend"
        )


class SignOutView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)
