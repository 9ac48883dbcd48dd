"""Figures a funder can read (issue 14 item 7): no attendance rate where
nothing was booked, and a CSV with a person's headers beside the machine one."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from backend.registers import services
from tests.conftest import client_for


def _held(activity, days_ago=1):
    start = timezone.now() - timedelta(days=days_ago)
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


def _drop_in(world):
    session = _held(world.public_activity)
    for name in ("Omar", "Sami"):
        services.walk_in_add(actor=world.coordinator, session=session, known_as=name)
    return {"organisation": str(world.org.pk)}


def test_a_drop_in_has_no_attendance_rate_not_zero(world):
    numbers = client_for(world.coordinator).get(reverse("figures"), _drop_in(world)).json()
    assert (numbers["attendances"], numbers["bookings"]) == (2, 0)
    assert numbers["attendance_rate"] is None


def test_the_human_csv_has_a_persons_headers_and_kind_names(world):
    client = client_for(world.coordinator)
    query = _drop_in(world)
    response = client.get(reverse("figures-csv"), {**query, "headers": "human"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "-summary.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "What", "Number", "People", "Attendances", "New people"]
    assert ["Totals", "People supported", "2"] in rows
    assert ["Totals", "Attendance rate", "\u2014"] in rows
    kinds = [row for row in rows if row[0] == "Kind of activity"]
    kind = world.public_activity.kind
    assert kinds and kinds[0][1] not in (kind, "english_class", "social")
    # The machine CSV is as it was.
    machine = client.get(reverse("figures-csv"), query).content.decode()
    assert machine.startswith('"section","key","label","people","attendances"')
    assert f'"by_kind","{kind}"' in machine


def test_the_human_csv_headers_are_in_the_viewers_language(world):
    client = client_for(world.coordinator)
    query = {**_drop_in(world), "headers": "human"}
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("figures-csv"), query, HTTP_ACCEPT_LANGUAGE="ar").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert rows[0][3] == "\u0627\u0644\u0623\u0634\u062e\u0627\u0635"  # People
    assert rows[0][0] != "Section"


def test_an_unknown_csv_headers_choice_is_refused(world):
    response = client_for(world.coordinator).get(
        reverse("figures-csv"), {"organisation": str(world.org.pk), "headers": "pretty"}
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
