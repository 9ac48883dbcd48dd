"""The OpenAPI description of Harbour's refusals: every operation documents the
error answers it can give, each with the one body shape
`{"code", "detail", "fields"}` that `backend.common.errors` renders.

Which statuses an operation documents follows from what the code can do:
403 everywhere (not signed in, not allowed, or a write without its CSRF
token: session authentication answers 403, never 401); 404 where the path
names an object (missing and hidden look the same) or a list is paged; 400 where the request
carries input (a body, query or header parameters) or the operation writes;
409 where it writes (a refusal because of the current state: room clash,
already booked, offer expired...); 429 where the view is throttled; 413 where
it takes a body (more than the request cap); 503 everywhere (a lock wait that
timed out, or the database or cache out of reach, with Retry-After)."""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers


class CsrfCodedSessionScheme(SessionScheme):
    """Our session authentication (it only renames the CSRF refusal's code) is
    documented as DRF's: the same cookie."""

    target_class = "backend.common.api_errors.CsrfCodedSessionAuthentication"


WRITES = {"POST", "PUT", "PATCH", "DELETE"}
DESCRIPTIONS = {
    "400": "Refused: the input is not valid, or the request cannot be done as asked.",
    "403": "Not signed in, or not allowed.",
    "404": "No such object, or one you may not see (the same answer).",
    "409": "Refused because of the current state (a clash, a duplicate, an expired offer).",
    "413": "The request body is larger than the server accepts.",
    "429": "Too many attempts: wait and try again.",
    "503": "Busy or briefly unavailable: try again after Retry-After seconds.",
}


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `room_clash`.")
    detail = serializers.CharField(help_text="A sentence for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by input field name (empty when no field is at fault).",
    )


class ErrorDocumentingSchema(AutoSchema):
    def error_statuses(self) -> list[str]:
        statuses = []
        parameters = {(p["in"], p["name"]) for p in self._get_parameters()}
        if self.method in WRITES or any(where in {"query", "header"} for where, _ in parameters):
            statuses.append("400")
        statuses.append("403")
        # A page past the last one is "not found" too (DRF's paginator).
        if "{" in self.path or ("query", "page") in parameters:
            statuses.append("404")
        if self.method in WRITES:
            statuses.append("409")
            statuses.append("413")
        # Throttled views (sign-in, by password or code) also answer 429.
        if getattr(self.view, "throttle_classes", None):
            statuses.append("429")
        statuses.append("503")
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self.error_statuses():
            if status not in responses:
                responses[status] = {
                    **self._get_response_for_code(ErrorSerializer, status, direction=direction),
                    "description": DESCRIPTIONS[status],
                }
        return responses


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
        "example": "18:00:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the activity's own time zone, without an offset
    ("18:00:00"). OpenAPI's `format: time` is RFC 3339's full-time, which
    requires an offset ("18:00:00Z"): describing these as such would be false."""
