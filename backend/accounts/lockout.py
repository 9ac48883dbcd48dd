"""What a locked-out sign-in gets back (django-axes' AXES_LOCKOUT_CALLABLE).

API paths answer in the API's error shape, so the app can translate the
`code`; everything else (the admin's sign-in form) keeps axes' plain page.
"""

from axes.helpers import get_lockout_message
from django.conf import settings
from django.http import HttpResponse, JsonResponse

LOCKOUT_CODE = "signed_in_too_often"
LOCKOUT_DETAIL = "Too many failed attempts. Try again in an hour, or ask a coordinator."


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": LOCKOUT_CODE, "detail": LOCKOUT_DETAIL, "fields": {}}, status=status
        )
    return HttpResponse(get_lockout_message(), status=status)
