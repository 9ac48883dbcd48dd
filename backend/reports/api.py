"""Figures for funders: JSON and CSV, for an organisation's coordinators and,
for her space alone, a space's coordinator."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import trans_real
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.access import answer_scope, policy
from backend.common import answer_cache, csv_cells
from backend.common.errors import ApplicationError, field_not_found
from backend.common.languages import DOMAIN
from backend.organisations.models import Organisation
from backend.organisations.roles import coordinated_organisations
from backend.timetable.services import EARLIEST, LATEST

from . import selectors

MAX_DAYS = 3 * 366


class FiguresQuerySerializer(serializers.Serializer):
    organisation = serializers.UUIDField(
        required=False, help_text="The organisation (or give `space`)."
    )
    space = serializers.UUIDField(
        required=False, help_text="Only this protected space's figures (for its coordinators)."
    )
    date_from = serializers.DateField(required=False, help_text="Default: a year ago.")
    date_to = serializers.DateField(required=False, help_text="Default: today.")


class BreakdownSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    people = serializers.IntegerField()
    attendances = serializers.IntegerField()


class WeekSerializer(serializers.Serializer):
    week = serializers.DateField()
    people = serializers.IntegerField()
    attendances = serializers.IntegerField()
    new_people = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    organisation = serializers.DictField()
    space = serializers.DictField(
        allow_null=True, help_text="Set when the figures are one protected space's."
    )
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    people_supported = serializers.IntegerField(help_text="Distinct people who attended.")
    new_people = serializers.IntegerField(help_text="First ever attendance in the period.")
    came_once = serializers.IntegerField(help_text="Came once in the period and never again.")
    sessions_held = serializers.IntegerField()
    attendances = serializers.IntegerField()
    bookings = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    attendance_rate = serializers.FloatField(allow_null=True)
    by_kind = BreakdownSerializer(many=True)
    by_activity = BreakdownSerializer(many=True)
    by_week = WeekSerializer(many=True)


def _figures(request) -> dict:
    query = FiguresQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    values = query.validated_data
    space = None
    if values.get("space"):
        # A space one may not have figures for is not found, whether or not it exists.
        space = selectors.figures_space(user=request.user, space_id=values["space"])
        if space is None:
            raise field_not_found("space")
        organisation = space.organisation
    elif values.get("organisation"):
        organisation = Organisation.objects.filter(pk=values["organisation"]).first()
        if organisation is None:
            raise field_not_found("organisation")
        # Organisations are public; a space's coordinator gets her spaces' figures.
        if not (
            coordinated_organisations(request.user).filter(pk=organisation.pk).exists()
            or policy.coordinated_spaces(request.user).filter(organisation=organisation).exists()
        ):
            raise ApplicationError(
                "permission_denied",
                "Only its coordinators see an organisation's figures.",
                status_code=403,
            )
    else:
        raise ApplicationError(
            "invalid", "Some fields are not valid.",
            fields={"organisation": ["Give an organisation or a space."]},
        )  # fmt: skip
    date_to = values.get("date_to") or timezone.localdate()
    date_from = values.get("date_from") or max(date_to, EARLIEST) - timedelta(days=365)
    if (
        date_to < date_from
        or (date_to - date_from).days > MAX_DAYS
        or not EARLIEST <= date_from <= date_to <= LATEST
    ):
        raise ApplicationError(
            "invalid_date_range", "Give a period of at most three years, ending after it starts.",
            fields={"date_to": ["Out of range."]},
        )  # fmt: skip
    return selectors.figures(
        user=request.user,
        organisation=organisation,
        space=space,
        date_from=date_from,
        date_to=date_to,
    )


PARAMS = [
    OpenApiParameter("organisation", str),
    OpenApiParameter("space", str),
    OpenApiParameter("date_from", date),
    OpenApiParameter("date_to", date),
]
CSV_PARAMS = [
    *PARAMS,
    OpenApiParameter(
        "headers",
        str,
        enum=["machine", "human"],
        description="machine (default): stable keys for scripts; human: a funder's "
        "spreadsheet, its headers and labels in the viewer's language.",
    ),
]

# The words are the browser app's (its catalogue is the only one), so the
# spreadsheet says what the figures screen says, in the same language.
TOTALS = (
    ("people_supported", "People supported"),
    ("new_people", "New people"),
    ("came_once", "Came once"),
    ("sessions_held", "Sessions held"),
    ("attendances", "Attendances"),
    ("bookings", "Bookings"),
    ("no_shows", "No-shows"),
)
KIND_WORDS = {
    "english_class": "English classes", "sport": "Sport", "day_trip": "Day trips",
    "allotment": "Allotment", "music": "Music", "bike_repair": "Bike repair",
    "advice": "Advice", "social": "Social", "training": "Training", "other": "Other",
}  # fmt: skip
NO_RATE = "\u2014"  # drop-ins have no bookings: no rate, not 0%


def _words():
    return trans_real.DjangoTranslation(
        (translation.get_language() or "en").split("-")[0], domain=DOMAIN
    ).gettext


def _human_csv(figures: dict, writer) -> None:
    _ = _words()
    writer.writerow(
        [_("Section"), _("What"), _("Number"), _("People"), _("Attendances"), _("New people")]
    )
    period = _("Period")
    writer.writerow(csv_cells.row([period, _("Organisation"), figures["organisation"]["name"]]))
    if figures["space"]:
        writer.writerow(csv_cells.row([period, _("Space"), figures["space"]["name"]]))
    writer.writerow([period, _("From"), figures["date_from"]])
    writer.writerow([period, _("To"), figures["date_to"]])
    for name, words in TOTALS:
        writer.writerow([_("Totals"), _(words), figures[name]])
    rate = figures["attendance_rate"]
    writer.writerow(
        [_("Totals"), _("Attendance rate"), NO_RATE if rate is None else f"{round(rate * 100)}%"]
    )
    for row in figures["by_kind"]:
        label = _(KIND_WORDS[row["key"]]) if row["key"] in KIND_WORDS else row["label"]
        writer.writerow(
            csv_cells.row([_("Kind of activity"), label, "", row["people"], row["attendances"]])
        )
    for row in figures["by_activity"]:
        writer.writerow(
            csv_cells.row([_("Activity"), row["label"], "", row["people"], row["attendances"]])
        )
    for row in figures["by_week"]:
        writer.writerow(
            [_("Week of"), row["week"], "", row["people"], row["attendances"], row["new_people"]]
        )


class FiguresView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=PARAMS, responses={200: FiguresSerializer})
    def get(self, request):
        # Hers alone (whose figures she may see is per person), until the next write.
        def build():
            figures = _figures(request)
            response = Response(FiguresSerializer(figures).data)
            response.answer_valid_until = figures["changes_at"]
            return response

        scope = ("figures", answer_scope.person(request.user))
        return answer_cache.json_answer(request, scope, build)


class FiguresCsvView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=CSV_PARAMS, responses={(200, "text/csv"): str})
    def get(self, request):
        headers = request.query_params.get("headers", "machine")
        if headers not in ("machine", "human"):
            raise ApplicationError(
                "invalid", "Some fields are not valid.",
                fields={"headers": ["Give machine or human."]},
            )  # fmt: skip
        figures = _figures(request)
        out = io.StringIO()
        writer = csv_cells.writer(out)
        if headers == "human":
            _human_csv(figures, writer)
            # A byte-order mark, so a spreadsheet opens Arabic and Farsi as text.
            return _csv_response(out, figures, suffix="-summary", bom=True)
        writer.writerow(["section", "key", "label", "people", "attendances"])
        for name in ("people_supported", "new_people", "came_once", "sessions_held",
                     "attendances", "bookings", "no_shows", "attendance_rate"):  # fmt: skip
            writer.writerow(["total", name, "", figures[name], ""])
        for section in ("by_kind", "by_activity"):
            for row in figures[section]:
                writer.writerow(
                    csv_cells.row(
                        [section, row["key"], row["label"], row["people"], row["attendances"]]
                    )
                )
        for row in figures["by_week"]:
            writer.writerow(["by_week", row["week"], "", row["people"], row["attendances"]])
        return _csv_response(out, figures)


def _csv_response(out, figures: dict, suffix: str = "", bom: bool = False) -> HttpResponse:
    response = HttpResponse(
        ("\ufeff" if bom else "") + out.getvalue(), content_type="text/csv; charset=utf-8"
    )
    name = f"figures-{figures['date_from']}-{figures['date_to']}{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
