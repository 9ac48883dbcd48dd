"""Benchmark (not a timed test): a year of figures for a busy charity
(60 activities, 3,000 sessions, 1,500 people, 40,000 attendances).
Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/harbour make bench`."""

import time as clock
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.reports.selectors import figures
from tests.factories import OrganisationFactory, coordinator_of
from tests.reports.test_figures import _bulk_year


@pytest.mark.bench
@pytest.mark.django_db
def test_a_year_of_figures_for_a_busy_charity():
    org = OrganisationFactory()
    actor = coordinator_of(org)
    started = clock.perf_counter()
    sessions, marks = _bulk_year(
        org, actor, activities=60, sessions_each=50, people=1500, marks_each=14
    )
    loaded = clock.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would after a real year
            cursor.execute("ANALYZE")
    period = {
        "date_from": timezone.localdate() - timedelta(days=365),
        "date_to": timezone.localdate(),
    }
    figures(user=actor, organisation=org, **period)  # warm
    runs = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            started = clock.perf_counter()
            numbers = figures(user=actor, organisation=org, **period)
            runs.append(clock.perf_counter() - started)
    print(
        f"\nFigures for a year ({connection.vendor}): {sessions} sessions, {marks} attendances, "
        f"1500 people (loaded in {loaded:.1f} s)"
    )
    print(f"people supported {numbers['people_supported']}, attendances {numbers['attendances']}")
    print(
        f"time per report: best {min(runs) * 1000:.0f} ms, median "
        f"{sorted(runs)[2] * 1000:.0f} ms; queries per report: {len(captured)}"
    )
