"""Every answer on an API route is JSON `{"code", "detail", "fields"}`, also
when the failure happens outside a DRF view: an oversized body (413), a CSRF
refusal (`csrf_failed`), a database or cache outage (503 + Retry-After), and
anything unforeseen (a JSON 500, never Django's HTML page)."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from .db import unavailable_answer

logger = logging.getLogger("harbour.errors")

CSRF_CODE = "csrf_failed"
CSRF_DETAIL = "The page is out of date. Reload it and try again."
TOO_LARGE = ("request_too_large", "The request is too large.")


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_json(code: str, detail: str, status: int, *, retry_after: int | None = None):
    response = JsonResponse({"code": code, "detail": detail, "fields": {}}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def unavailable_json(exc: BaseException):
    """The 503 for a transient outage, or None when `exc` is something else."""
    answer = unavailable_answer(exc)
    if answer is None:
        return None
    code, detail, retry_after = answer
    logger.warning("answered 503 %s: %s: %s", code, exc.__class__.__name__, exc)
    return error_json(code, detail, 503, retry_after=retry_after)


class CsrfCodedSessionAuthentication(SessionAuthentication):
    """DRF's session authentication, whose CSRF refusal carries its own code
    (`csrf_failed`: the app reloads its token) instead of `permission_denied`."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(CSRF_DETAIL, code=CSRF_CODE) from None


class BodySizeLimitMiddleware:
    """An API request announcing a body larger than Django will read is
    refused at once with a JSON 413 (a body without a length that turns out
    too big is refused when read: see `server_error` and the DRF handler)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return error_json(*TOO_LARGE, 413)
        return self.get_response(request)


def csrf_failure(request, reason=""):
    if is_api(request):
        return error_json(CSRF_CODE, CSRF_DETAIL, 403)
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)


def bad_request(request, exception=None):
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return error_json(*TOO_LARGE, 413)
        return error_json("bad_request", "The request could not be read.", 400)
    return defaults.bad_request(request, exception)


def server_error(request):
    """handler500: called inside Django's `except`, so the exception is at hand."""
    if is_api(request):
        exc = sys.exc_info()[1]
        answer = unavailable_json(exc) if exc is not None else None
        return answer or error_json("error", "Something went wrong. Please try again.", 500)
    return defaults.server_error(request)
