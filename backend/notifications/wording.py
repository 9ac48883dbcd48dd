"""How the values inside a message are written in her language.

A message's template comes from the server catalogue (messages.py, domain
`django`); the values put into it are written here, inside
`translation.override(her language)`:

- dates and times (`datetime` values) in her words and digits, in the
  timetable's zone, with the catalogue's own pattern (msgctxt "message date",
  Django date-format letters: "D d M H:i" in English);
- numbers (`int` values, e.g. a place on the waiting list) in her digits;
- a pair of names (a `tuple`, e.g. venue and room) with her language's comma;
- charity-typed text (the activity, the place, a reason, a coordinator's
  words: `CHARITY_TYPED`) bidi-isolated (U+2068 ... U+2069) when her language
  is written right to left, so English inside Arabic keeps its punctuation
  where it belongs ("(we have spares)." does not become ".have spares)").

Digits and the comma come from the catalogue too (msgctxt "digits" and
"list separator"), so adding a language is a catalogue, not code.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import pgettext

from backend.common.translations import isolate

CHARITY_TYPED = frozenset({"activity", "where", "reason", "text"})


def digits(text: str) -> str:
    """Latin digits written in the active language's own digits."""
    own = pgettext("digits", "0123456789")
    if own == "0123456789" or len(own) != 10:
        return text
    return text.translate(str.maketrans("0123456789", own))


def when(moment: datetime) -> str:
    pattern = pgettext("message date", "D d M H:i")
    return digits(date_format(timezone.localtime(moment), pattern))


def written(key: str, value) -> str:
    """One value of a message's context, as she reads it (call inside
    `translation.override`)."""
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return digits(str(value))
    if isinstance(value, tuple):
        parts = [str(part) for part in value if part]
        if key in CHARITY_TYPED:
            parts = [isolate(part) for part in parts]
        return pgettext("list separator", ", ").join(parts)
    text = "" if value is None else str(value)
    return isolate(text) if key in CHARITY_TYPED else text


def wording(context: dict) -> dict[str, str]:
    return {key: written(key, value) for key, value in context.items()}
