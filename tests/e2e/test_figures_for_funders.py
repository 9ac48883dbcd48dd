"""Figures a funder can read (issue 14 item 7): a coordinator picks "Last
quarter", sees the kinds by their names and no attendance rate for drop-ins,
downloads the spreadsheet with a person's headers, and can print one page."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from backend.registers import services as register_services
from tests.e2e.scenarios import ready


def _last_quarter(today: date) -> tuple[date, date]:
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


def test_last_quarters_figures_download_with_human_headers(world, app, axe_check, screenshot):
    date_from, date_to = _last_quarter(timezone.localdate())
    start = datetime.combine(
        date_from + timedelta(days=20), time(14), tzinfo=timezone.get_current_timezone()
    )
    activity = world.public_activity
    session = activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip
    with time_machine.travel(start, tick=False):
        for name in ("Omar", "Sami", "Lina"):
            register_services.walk_in_add(actor=world.coordinator, session=session, known_as=name)

    page = app("/#/figures", user=world.coordinator, viewport={"width": 360, "height": 740})
    ready(page, "figures")
    page.get_by_role("button", name="Last quarter").click()
    ready(page, "figures")
    expect(page.get_by_label("From", exact=True)).to_have_value(date_from.isoformat())
    expect(page.get_by_label("To", exact=True)).to_have_value(date_to.isoformat())
    expect(page.get_by_role("button", name="Last quarter")).to_have_attribute(
        "aria-pressed", "true"
    )
    tiles = page.locator(".tiles li")
    expect(tiles.first).to_contain_text("3")
    # Drop-ins only: no rate, rather than 0%.
    expect(tiles.last).to_contain_text("\u2014")
    expect(tiles.last).not_to_contain_text("0%")
    kind_words = {"english_class": "English classes", "social": "Social", "sport": "Sport"}
    expect(page.locator(".hbars").first).to_contain_text(kind_words.get(activity.kind, ""))
    expect(page.locator(".hbars").first).not_to_contain_text(activity.kind)
    chart = page.locator("svg.chart")
    expect(chart.locator("text.axis-title")).to_have_text(["Week of", "People"])
    expect(chart.locator("text.tick").last).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download for a spreadsheet").click()
    assert download.value.suggested_filename == f"figures-{date_from}-{date_to}-summary.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Section", "What", "Number", "People", "Attendances", "New people"]
    assert ["Totals", "People supported", "3"] in rows
    assert ["Totals", "Attendance rate", "\u2014"] in rows
    axe_check(page, "figures-last-quarter")
    screenshot(page, "figures-last-quarter-360")
    page.emulate_media(media="print")
    screenshot(page, "figures-last-quarter-print")
    expect(page.locator(".figures .presets")).to_be_hidden()
    expect(page.locator(".figures .tiles")).to_be_visible()


def test_the_presets_are_computed_from_the_london_date(world, app):
    page = app("/#/figures", user=world.coordinator)
    ready(page, "figures")
    periods = page.evaluate(
        """async () => {
          const { periods } = await import("/static/app/js/screens/figures.js");
          return ["2026-12-01", "2026-02-14", "2027-04-01", "2027-03-31"].map(periods);
        }"""
    )
    december, february, april, march = periods
    assert december["month"] == {"date_from": "2026-12-01", "date_to": "2026-12-01"}
    assert december["quarter"] == {"date_from": "2026-07-01", "date_to": "2026-09-30"}
    assert december["financial_year"] == {"date_from": "2026-04-01", "date_to": "2026-12-01"}
    assert december["last_year"] == {"date_from": "2025-01-01", "date_to": "2025-12-31"}
    assert february["quarter"] == {"date_from": "2025-10-01", "date_to": "2025-12-31"}
    assert february["financial_year"]["date_from"] == "2025-04-01"
    assert april["financial_year"] == {"date_from": "2027-04-01", "date_to": "2027-04-01"}
    assert april["quarter"] == {"date_from": "2027-01-01", "date_to": "2027-03-31"}
    assert march["financial_year"]["date_from"] == "2026-04-01"
