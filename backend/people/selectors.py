"""Reads about people: participant search (names in any script, typos, phone
digits), only ever over the people the policy lets the viewer see."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
from rapidfuzz import fuzz

from backend.access import policy
from backend.accounts.models import Participant

# A name typed with one or two letters wrong still matches (Fatma, Fatimah).
MIN_SCORE = 70
# Ranked in Python (a charity's people number in the thousands at most): the
# same answers on SQLite and PostgreSQL, with no database extension to install.
MAX_CANDIDATES = 5000


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def _latin(text: str) -> str:
    """Casefolded Latin letters and digits, words split by single spaces:
    "Fátima  Al-Sayed" -> "fatima al sayed", "فاطمة" -> "ftmh"."""
    return " ".join(re.findall(r"[a-z0-9]+", anyascii(text).casefold()))


def _other_script(text: str) -> bool:
    """Written (at least partly) in a script other than Latin: Arabic, Persian,
    Tigrinya... whose transliteration drops the short vowels."""
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _skeleton(word: str) -> str:
    """Consonants only, doubles once, a final h dropped (ta marbuta): the part
    of a name Arabic script writes. Fatima and فاطمة both give "ftm"."""
    word = re.sub(r"[aeiou]", "", word)
    word = re.sub(r"(.)\1+", r"\1", word)
    return word[:-1] if len(word) > 2 and word.endswith("h") else word


def _similarity(needle: str, name: str, *, across_scripts: bool) -> float:
    if across_scripts:
        needle = " ".join(_skeleton(w) for w in needle.split())
        name = " ".join(_skeleton(w) for w in name.split())
    if not needle or not name:
        return 0.0
    if needle in name:
        return 95.0
    return max(fuzz.ratio(needle, candidate) for candidate in [name, *name.split()])


def participant_search(*, user, query: str, limit: int = 20) -> list[Participant]:
    """People the viewer may see whose name or phone matches `query`, best
    first: "Fatma" finds Fatima, "Fatima" finds فاطمة (and back), "7700 900"
    finds 07700 900123."""
    query = (query or "").strip()[:60]  # a name or a phone number is short
    if not query:
        return []
    people = policy.visible_participants(user).filter(erased_at__isnull=True)
    digits = _digits(query)
    needle = _latin(query)
    query_other = _other_script(query)
    scored = []
    for person in people[:MAX_CANDIDATES]:
        if len(digits) >= 4 and digits in _digits(person.phone):
            score = 100.0
        else:
            name = _latin(person.known_as)
            across = query_other != _other_script(person.known_as)
            score = _similarity(needle, name, across_scripts=across)
            if across:
                score = max(score, _similarity(needle, name, across_scripts=False))
        if score >= MIN_SCORE:
            scored.append((score, person.known_as, person))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [person for _, _, person in scored[:limit]]
