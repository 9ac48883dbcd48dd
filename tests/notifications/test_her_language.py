"""Messages in her language: the server catalogue (django.po) is complete for
every message, values are written in her words and digits, and charity-typed
text is bidi-isolated in Arabic and Persian (never in English)."""

from __future__ import annotations

import re
from datetime import date

import polib
import pytest
import time_machine
from django.utils import translation

from backend.bookings import services as booking_services
from backend.common import catalogues
from backend.notifications.messages import DISCREET, DISCREET_FALLBACK, MESSAGES
from backend.notifications.models import Notification
from backend.notifications.reminders import reminders_send
from backend.notifications.wording import wording
from backend.timetable import services as timetable_services
from tests.notifications.conftest import at

FSI, PDI = "\u2068", "\u2069"
PLACEHOLDER = re.compile(r"\{\w+\}")
TEMPLATES = [
    *(text for pair in MESSAGES.values() for text in pair),
    *(text for pair in DISCREET.values() for text in pair),
    *DISCREET_FALLBACK,
]


def _speaks(booking, language):
    person = booking.participant
    person.preferred_language = language
    person.save()


def _last(booking, kind):
    return Notification.objects.filter(participant=booking.participant, kind=kind).latest(
        "created_at"
    )


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_every_message_template_is_translated_with_its_placeholders(language):
    for template in TEMPLATES:
        with translation.override("en"):
            english = str(template)
        with translation.override(language):
            text = str(template)
            assert text != english, f"{language}: not translated: {english!r}"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(english))
            assert not re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", text).replace("Harbour", ""))


def test_the_server_catalogues_are_complete_and_hold_only_real_msgids():
    wanted = catalogues.collect_python()
    assert {"Reminder: {activity} {when}", "Bring: {things}"} <= {m for _, m in wanted}
    paths = catalogues.catalogue_paths(catalogues.PY_DOMAIN)
    languages = {p.parent.parent.name for p in catalogues.catalogue_paths()}
    assert {"ar", "fa"} <= languages == {p.parent.parent.name for p in paths}
    for path in paths:
        po = polib.pofile(str(path))
        live = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
        assert live == set(wanted), f"{path}: run `make messages`"
        assert po.percent_translated() == 100, path


def test_the_extractor_reads_python_calls_by_their_imported_names():
    source = (
        "from django.utils.translation import gettext_lazy as _, pgettext\n"
        "A = _('Hello ' 'there')\n"
        "B = pgettext('ctx', 'Word')\n"
        "C = pgettext('ctx', some_variable)\n"
        "def other(_):\n    return gettext('not imported')\n"
    )
    found = {(m.msgctxt, m.msgid) for m in catalogues.messages_in_python(source, "x.py")}
    assert found == {(None, "Hello there"), ("ctx", "Word")}


@pytest.mark.parametrize(
    ("language", "words", "digits"),
    [("ar", "ديسمبر", "7"), ("fa", "دسامبر", "\u06f7"), ("en", "Dec", "07")],
)
def test_her_confirmation_is_in_her_language_words_and_digits(
    world, booked, language, words, digits
):
    booking = booked(date(2027, 12, 7), title="Bike repair")
    _speaks(booking, language)
    booking_services.booking_cancel(actor=world.learner, booking=booking)
    note = _last(booking, "booking_cancelled")
    assert note.language == language
    assert words in note.body and digits in note.body
    if language == "en":
        assert note.body.startswith("Your booking for Bike repair on Tue 07 Dec 18:00")
        assert FSI not in note.body
    else:
        # Her language's words around the English title, which is isolated.
        assert f"{FSI}Bike repair{PDI}" in note.body
        assert "Your booking" not in note.body
    if language == "fa":
        # 18:00 in Persian digits, and no Latin digits in the time.
        assert "\u06f1\u06f8:\u06f0\u06f0" in note.body and "18:00" not in note.body


def test_the_activity_and_venue_are_in_her_language_where_given(world, booked):
    booking = booked(date(2027, 5, 4), title="Bike repair")
    activity = booking.session.activity
    activity.translations = {"fa": {"title": "تعمیر دوچرخه"}}
    activity.save()
    venue = booking.session.room.venue
    venue.translations = {"fa": {"name": "سالن محله"}}
    venue.save()
    _speaks(booking, "fa")
    with time_machine.travel(at(date(2027, 5, 3), 18, 30), tick=False):
        assert reminders_send() == 1
    note = _last(booking, "session_reminder")
    assert f"{FSI}تعمیر دوچرخه{PDI}" in note.subject
    assert f"{FSI}سالن محله{PDI}، {FSI}{booking.session.room.name}{PDI}" in note.body
    assert "Bike repair" not in note.body + note.subject
    assert "یادآوری" in note.subject and "می‌آیم" in note.body
    assert "/r/" in note.body


def test_a_cancellation_reason_falls_back_to_english_isolated(world, booked):
    booking = booked(date(2027, 5, 4))
    _speaks(booking, "ar")
    with time_machine.travel(at(date(2027, 4, 30), 12), tick=False):
        timetable_services.session_cancel(
            actor=world.coordinator, session=booking.session, reason="Storm (sorry)."
        )
    note = _last(booking, "session_cancelled")
    assert f"{FSI}Storm (sorry).{PDI}" in note.body
    assert "أُلغي" in note.body


def test_a_discreet_message_in_arabic_names_no_activity(world, booked):
    booking = booked(date(2027, 5, 4), title="Women's swim", space=world.space)
    _speaks(booking, "ar")
    with time_machine.travel(at(date(2027, 5, 3), 18, 30), tick=False):
        assert reminders_send() == 1
    note = _last(booking, "session_reminder_discreet")
    assert "swim" not in note.body + note.subject
    assert note.subject.startswith("تذكير") and FSI not in note.body
    assert "مايو" in note.body  # May, in her words


def test_numbers_are_in_her_digits_and_links_are_left_alone():
    with translation.override("fa"):
        assert wording({"position": 12})["position"] == "۱۲"
        assert wording({"text": "Bring (spares)."})["text"] == f"{FSI}Bring (spares).{PDI}"
        assert wording({"come_link": "https://x/r/1"})["come_link"] == "https://x/r/1"
    with translation.override("en"):
        assert wording({"position": 12, "text": "Hi"}) == {"position": "12", "text": "Hi"}
