"""The one domain error type and the one DRF exception handler.

Every 4xx body is `{"code": str, "detail": str, "fields": {name: [messages]}}`.
Codes are stable: clients (and translations) key on them, never on `detail`.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND_DETAIL = "Not found."


class ApplicationError(Exception):
    """A refusal the user can act on. Raised by services; rendered by the handler."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        fields: dict[str, list[str]] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(ApplicationError, Http404):
    """Anything missing or hidden by the access policy: one code, one body.
    Also an Http404, so a plain Django view (a calendar feed) answers its 404."""

    def __init__(self) -> None:
        super().__init__("not_found", NOT_FOUND_DETAIL, status_code=status.HTTP_404_NOT_FOUND)


def _field_messages(data) -> dict[str, list[str]]:
    if isinstance(data, dict):
        out: dict[str, list[str]] = {}
        for key, value in data.items():
            if isinstance(value, dict):
                for sub_key, messages in _field_messages(value).items():
                    out[f"{key}.{sub_key}"] = messages
            elif isinstance(value, list):
                flat: list[str] = []
                for item in value:
                    if isinstance(item, dict):
                        for sub_key, messages in _field_messages(item).items():
                            out[f"{key}.{sub_key}"] = messages
                    else:
                        flat.append(str(item))
                if flat:
                    out[key] = flat
            else:
                out[key] = [str(value)]
        return out
    if isinstance(data, list):
        return {"non_field_errors": [str(item) for item in data]}
    return {"non_field_errors": [str(data)]}


def _body(code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(_body(exc.code, exc.detail, exc.fields), status=exc.status_code)
    from .api_errors import TOO_LARGE, unavailable_json

    if (outage := unavailable_json(exc)) is not None:
        # A lock wait that timed out, or the database or cache out of reach.
        return outage
    if isinstance(exc, RequestDataTooBig):
        return Response(_body(*TOO_LARGE), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response(_body("not_found", NOT_FOUND_DETAIL), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_messages(exc.detail)
        first = next(iter(fields.values()), ["Invalid input."])[0]
        detail = first if list(fields) == ["non_field_errors"] else "Some fields are not valid."
        response.data = _body("invalid", detail, fields)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = _body(code, str(exc.detail))
    return response


def parse_uuid(value) -> uuid.UUID | None:
    """Public ids are UUIDs; anything else names nothing (the caller answers
    "not found", never a 400 or a 500)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def uuid_or_not_found(value) -> uuid.UUID:
    pk = parse_uuid(value)
    if pk is None:
        raise NotFoundError()
    return pk


def field_not_found(field: str) -> ApplicationError:
    """An id in the request body that is unknown, or hidden by the policy: the
    same answer either way."""
    return ApplicationError("invalid", "Some fields are not valid.", fields={field: ["Not found."]})


def required_reason(reason: str | None, detail: str) -> str:
    """Cancellations, move-ups and reopenings are recorded with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "reason_required", detail, fields={"reason": ["This field is required."]}
        )
    return reason
