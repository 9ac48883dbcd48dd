"""Languages: discovered from the catalogues, served to the app, remembered."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from backend.accounts.models import Participant
from backend.common import catalogues
from backend.common.error_codes import ERROR_CONTEXT, ERROR_MESSAGES
from backend.common.languages import discover_languages
from tests.factories import UserFactory

BACKEND = Path(settings.BASE_DIR) / "backend"


def _catalogue(root: Path, code: str) -> None:
    path = root / code / "LC_MESSAGES"
    path.mkdir(parents=True)
    (path / "djangojs.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")


def test_languages_are_the_catalogues_present_plus_english(tmp_path):
    for code in ("fa", "ar", "pt_BR"):
        _catalogue(tmp_path, code)
    assert discover_languages(tmp_path) == [
        ("en", "English"), ("ar", "العربيّة"), ("fa", "فارسی"), ("pt-br", "Português Brasileiro"),
    ]  # fmt: skip
    assert [code for code, _ in settings.LANGUAGES] == ["en", "ar", "fa"]


def test_an_unknown_language_code_stops_start_up(tmp_path):
    _catalogue(tmp_path, "xx")
    with pytest.raises(ImproperlyConfigured, match="locale/xx"):
        discover_languages(tmp_path)


def test_the_shell_sets_the_csrf_cookie_and_gives_the_language(db):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert response.context["language_code"] == "ar"
    assert response.context["language_bidi"] is True
    assert response.context["text_direction"] == "rtl"
    languages = {item["code"]: item for item in response.context["languages"]}
    assert languages["fa"]["name_local"] == "فارسی"
    assert languages["fa"]["bidi"] is True
    assert languages["en"]["bidi"] is False
    english = Client().get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.context["text_direction"] == "ltr"


def test_jsi18n_in_arabic_translates_error_codes(db):
    response = Client().get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    key = json.dumps(f"{ERROR_CONTEXT}\x04sign_in_code_invalid")
    expected = json.dumps("هذا الرمز لا يعمل. تحقّق منه، أو اطلب رمزًا جديدًا.")
    assert f"{key}: {expected}" in response.content.decode()
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
    assert "no-cache" in response["Cache-Control"]
    again = Client().get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="ar", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    farsi = Client().get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="fa")
    assert farsi["ETag"] != response["ETag"]


def test_set_language_is_remembered_and_kept_on_her_record(db):
    user = UserFactory(username="amal")
    Participant.objects.create(user=user, known_as="Amal")
    client = Client()
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "fa"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 204
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fa"
    assert client.get("/").context["language_code"] == "fa"
    user.refresh_from_db()
    assert user.preferred_language == "fa"
    assert Participant.objects.get(user=user).preferred_language == "fa"


def test_set_language_ignores_a_language_we_do_not_have(db):
    user = UserFactory(username="amal")
    client = Client()
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "de"}, HTTP_ACCEPT="application/json")
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


SAMPLE_JS = r"""
import { gettext, ngettext, pgettext } from "./i18n.js";
const a = gettext("Book a place");
const b = gettext('Cancel "this"');
const c = ngettext("%s place left", "%s places left", n);
const d = pgettext("verb", 'Book');
const e = gettext("It\'s here\nnow");
const f = notgettext("Ignored");
"""


def test_the_extractor_finds_strings_in_javascript():
    found = {(m.msgctxt, m.msgid): m for m in catalogues.messages_in_js(SAMPLE_JS, "x.js")}
    assert set(found) == {
        (None, "Book a place"), (None, 'Cancel "this"'), (None, "%s place left"),
        ("verb", "Book"), (None, "It's here\nnow"),
    }  # fmt: skip
    assert found[(None, "%s place left")].msgid_plural == "%s places left"
    assert found[(None, "Book a place")].occurrences == [("x.js", "3")]


def test_template_literals_are_refused():
    with pytest.raises(catalogues.CatalogueError, match=r"x\.js:1"):
        catalogues.messages_in_js("gettext(`Hello ${name}`)", "x.js")


def test_merge_keeps_translations_and_marks_removed_strings_obsolete(tmp_path):
    frontend = tmp_path / "frontend"
    (frontend / "vendor").mkdir(parents=True)
    (frontend / "app.js").write_text(SAMPLE_JS, encoding="utf-8")
    (frontend / "vendor" / "lib.js").write_text('gettext("Vendor string")', encoding="utf-8")
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=6;"}
    po.append(polib.POEntry(msgid="Book a place", msgstr="احجز مكانًا"))
    po.append(polib.POEntry(msgid="Gone from the app", msgstr="قديم"))
    po.append(polib.POEntry(msgctxt=ERROR_CONTEXT, msgid="room_clash", msgstr="القاعة مشغولة"))
    counts = catalogues.merge(po, catalogues.collect(frontend))
    entries = {(e.msgctxt, e.msgid): e for e in po}
    assert entries[(None, "Book a place")].msgstr == "احجز مكانًا"
    assert entries[(None, "Book a place")].occurrences == [("frontend/app.js", "3")]
    assert entries[(None, "Gone from the app")].obsolete
    assert entries[(None, "Gone from the app")].msgstr == "قديم"
    assert (None, "Vendor string") not in entries
    assert len(entries[(None, "%s place left")].msgstr_plural) == 6
    assert entries[(ERROR_CONTEXT, "room_clash")].msgstr == "القاعة مشغولة"
    assert entries[(ERROR_CONTEXT, "room_clash")].comment == ERROR_MESSAGES["room_clash"]
    assert counts["obsolete"] == 1
    # Run again: nothing changes, and an obsolete string that comes back is revived.
    po.append(polib.POEntry(msgid="x"))
    again = catalogues.merge(po, catalogues.collect(frontend))
    assert again["added"] == 0


def test_committed_mo_files_match_their_catalogues():
    assert catalogues.stale_catalogues() == [], "run `make messages` and commit the .mo files"


def _codes_raised_by_the_backend() -> set[str]:
    codes: set[str] = set()
    patterns = (
        re.compile(r'(?:ApplicationError|_refuse)\(\s*"([a-z_]+)"'),
        re.compile(r'\bcode = "([a-z_]+)"'),
        re.compile(r'LOCKOUT_CODE = "([a-z_]+)"'),
    )
    for path in BACKEND.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            codes.update(pattern.findall(text))
    return codes


def test_every_error_code_is_registered_and_translated():
    raised = _codes_raised_by_the_backend()
    assert {"room_clash", "already_waiting", "sign_in_code_invalid"} <= raised
    assert raised - set(ERROR_MESSAGES) == set()
    for path in catalogues.catalogue_paths():
        po = polib.pofile(str(path))
        translated = {
            e.msgid for e in po.translated_entries() if e.msgctxt == ERROR_CONTEXT and e.msgstr
        }
        assert set(ERROR_MESSAGES) - translated == set(), path


def test_a_changed_translation_makes_its_mo_stale(tmp_path, settings):
    source = Path(settings.BASE_DIR) / "locale" / "fa" / "LC_MESSAGES"
    target = tmp_path / "fa" / "LC_MESSAGES"
    target.mkdir(parents=True)
    for name in ("djangojs.po", "djangojs.mo"):
        (target / name).write_bytes((source / name).read_bytes())
    settings.LOCALE_PATHS = [tmp_path]
    assert catalogues.stale_catalogues() == []
    po = polib.pofile(str(target / "djangojs.po"))
    po.find("room_clash", msgctxt=ERROR_CONTEXT).msgstr = "اتاق پر است."
    po.save()
    assert catalogues.stale_catalogues() == [target / "djangojs.po"]
