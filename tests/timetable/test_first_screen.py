"""The shell page renders this week's timetable itself (one round trip on a
slow phone), through the same policy as the API."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=LONDON), tick=False):
        yield


def shell(user=None, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_shell_shows_this_weeks_sessions_without_javascript(world):
    page = shell()
    assert 'data-screen="timetable"' in page and 'aria-busy="false"' in page
    session = world.public_activity.sessions.order_by("start").first()
    assert f'href="#/session/{session.pk}"' in page
    assert "English: Entry 2" in page
    assert f"{session.capacity - session.booked_places} places left" in page
    assert "<style>" in page and "--brand" in page  # the stylesheet is inline: no second round trip
    assert "{#" not in page and "{%" not in page  # no template syntax leaks into the page


@pytest.mark.parametrize("role", ["man", "coordinator", "superuser", "tutor_elsewhere"])
def test_the_women_only_class_is_not_in_the_shell_without_the_grant(world, role):
    assert "Women's English" not in shell(getattr(world, role))
    assert "Quiet room" not in shell(getattr(world, role))


def test_a_grant_holder_sees_it_in_the_shell_with_quick_exit_from_the_first_byte(world):
    page = shell(world.learner_with_grant)
    assert "Women's English" in page
    assert 'class="quick-exit button" href="https://www.bbc.co.uk/weather"' in page
    assert "quick-exit button" not in shell(world.man)


def test_the_shell_speaks_her_language(world):
    from django.utils.translation import trans_real

    arabic = trans_real.DjangoTranslation("ar", domain="djangojs").gettext("This week")
    assert arabic != "This week"
    page = shell(language="ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert f">{arabic}</h1>" in page  # from the app's own catalogue, as the app will show it
