"""The translation catalogues: finding the browser app's strings and compiling
them, in pure Python (polib), so no GNU gettext is needed anywhere.

One catalogue per language, `locale/<code>/LC_MESSAGES/djangojs.po`; English
is the source language and has none. `manage.py catalogues extract` collects
msgids from two places and merges them into every catalogue (translations kept,
strings no longer used marked obsolete, never deleted):

- frontend/**/*.js (not frontend/vendor): string literals in gettext("…"),
  ngettext("…", "…", n), pgettext("context", "…") and npgettext("context", "…",
  "…", n), single- or double-quoted. A template literal in these calls is an
  error: it cannot be looked up.
- the API's error codes (backend/common/error_codes.py): msgctxt "error-code",
  msgid = the code, with the English message as a translator's comment.

The server's own words (the messages Harbour sends: confirmations, offers,
reminders..., and the words of its calendar feeds) are in a second catalogue
per language, `locale/<code>/LC_MESSAGES/django.po` (Django's own domain, so
`gettext_lazy` in Python finds them): extract collects, from backend/**/*.py,
the string literals passed to names imported from django.utils.translation
(`gettext_lazy as _`, `pgettext`, ...), read with `ast`, so implicit string
concatenation is one msgid and nothing else is mistaken for one.

`manage.py catalogues compile` writes the .mo beside each .po. The .mo files
are committed (production needs no build step); `catalogues check`, and a
test, fail when one is out of date.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import polib
from django.conf import settings

from backend.common.error_codes import ERROR_CONTEXT, ERROR_MESSAGES
from backend.common.languages import DOMAIN

PY_DOMAIN = "django"
# The django.utils.translation functions whose literal arguments are msgids:
# name -> (index of msgctxt or None, index of msgid, index of plural or None).
_PY_CALLS = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}

_STRING = r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
_SEP = r"\s*,\s*"
_CALLS = {
    "gettext": re.compile(rf"\bgettext\(\s*{_STRING}\s*\)"),
    "ngettext": re.compile(rf"\bngettext\(\s*{_STRING}{_SEP}{_STRING}{_SEP}"),
    "pgettext": re.compile(rf"\bpgettext\(\s*{_STRING}{_SEP}{_STRING}\s*\)"),
    "npgettext": re.compile(rf"\bnpgettext\(\s*{_STRING}{_SEP}{_STRING}{_SEP}{_STRING}{_SEP}"),
}
_ANY_CALL = re.compile(r"\b(n?p?gettext)\(\s*(\S)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "`": "`"}


class CatalogueError(Exception):
    pass


@dataclass
class Message:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str = ""
    comment: str = ""
    occurrences: list[tuple[str, str]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _unquote(literal: str) -> str:
    body = literal[1:-1]

    def replace(match: re.Match) -> str:
        escaped = match.group(1)
        if escaped.startswith("u"):
            return chr(int(escaped[1:], 16))
        return _ESCAPES.get(escaped, escaped)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", replace, body)


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def frontend_dir() -> Path:
    return Path(settings.BASE_DIR) / "frontend"


def js_files(root: Path) -> list[Path]:
    vendor = root / "vendor"
    return sorted(p for p in root.rglob("*.js") if vendor not in p.parents)


def messages_in_js(text: str, path: str = "") -> list[Message]:
    found: list[Message] = []
    spans = set()
    for name, pattern in _CALLS.items():
        for match in pattern.finditer(text):
            spans.add(match.start())
            line = str(text.count("\n", 0, match.start()) + 1)
            parts = [_unquote(group) for group in match.groups()]
            if name == "gettext":
                message = Message(msgid=parts[0])
            elif name == "ngettext":
                message = Message(msgid=parts[0], msgid_plural=parts[1])
            elif name == "pgettext":
                message = Message(msgctxt=parts[0], msgid=parts[1])
            else:
                message = Message(msgctxt=parts[0], msgid=parts[1], msgid_plural=parts[2])
            message.occurrences.append((path, line))
            found.append(message)
    for match in _ANY_CALL.finditer(text):
        if match.group(2) == "`":
            line = text.count("\n", 0, match.start()) + 1
            raise CatalogueError(
                f"{path}:{line}: {match.group(1)}() with a template literal cannot be "
                "translated; pass a plain string and interpolate() the values."
            )
    return found


def messages_in_python(text: str, path: str = "") -> list[Message]:
    """The msgids of one Python module: literal arguments of calls to the
    gettext functions it imports from django.utils.translation (under any
    alias). A call with a non-literal argument is not a msgid (it looks up a
    string that is extracted elsewhere) and is skipped."""
    tree = ast.parse(text, filename=path)
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in _PY_CALLS:
                    names[alias.asname or alias.name] = alias.name
    found: list[Message] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        function = names.get(node.func.id)
        if function is None:
            continue
        ctx_at, id_at, plural_at = _PY_CALLS[function]
        wanted = [i for i in (ctx_at, id_at, plural_at) if i is not None]
        texts = [
            arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
            for arg in node.args
        ]
        if len(texts) <= max(wanted) or any(texts[i] is None for i in wanted):
            continue
        message = Message(
            msgid=texts[id_at] or "",
            msgctxt=texts[ctx_at] if ctx_at is not None else None,
            msgid_plural=(texts[plural_at] or "") if plural_at is not None else "",
        )
        message.occurrences.append((path, str(node.lineno)))
        found.append(message)
    return found


def backend_dir() -> Path:
    return Path(settings.BASE_DIR) / "backend"


def collect_python(root: Path | None = None) -> dict[tuple[str | None, str], Message]:
    """Every msgid of the server's own catalogue (domain `django`)."""
    root = root or backend_dir()
    messages: dict[tuple[str | None, str], Message] = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(root.parent).as_posix()
        for message in messages_in_python(path.read_text(encoding="utf-8"), relative):
            if message.key in messages:
                messages[message.key].occurrences.extend(message.occurrences)
            else:
                messages[message.key] = message
    return messages


def collect(root: Path | None = None) -> dict[tuple[str | None, str], Message]:
    """Every msgid: the app's strings, then the API's error codes."""
    root = root or frontend_dir()
    messages: dict[tuple[str | None, str], Message] = {}
    for path in js_files(root):
        relative = path.relative_to(root.parent).as_posix()
        for message in messages_in_js(path.read_text(encoding="utf-8"), relative):
            if message.key in messages:
                messages[message.key].occurrences.extend(message.occurrences)
            else:
                messages[message.key] = message
    for code, english in ERROR_MESSAGES.items():
        message = Message(msgctxt=ERROR_CONTEXT, msgid=code, comment=english)
        messages.setdefault(message.key, message)
    return messages


def _nplurals(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def merge(po: polib.POFile, messages: dict[tuple[str | None, str], Message]) -> dict[str, int]:
    """Bring one catalogue up to date; returns counts of added, kept and obsoleted."""
    existing = {(entry.msgctxt, entry.msgid): entry for entry in po}
    counts = {"added": 0, "kept": 0, "obsolete": 0}
    for key, message in messages.items():
        entry = existing.get(key)
        if entry is None:
            entry = polib.POEntry(msgctxt=message.msgctxt, msgid=message.msgid)
            if message.msgid_plural:
                entry.msgid_plural = message.msgid_plural
                entry.msgstr_plural = dict.fromkeys(range(_nplurals(po)), "")
            po.append(entry)
            counts["added"] += 1
        else:
            entry.obsolete = False
            if message.msgid_plural and entry.msgid_plural != message.msgid_plural:
                entry.msgid_plural = message.msgid_plural
                entry.flags = sorted({*entry.flags, "fuzzy"})
            counts["kept"] += 1
        entry.occurrences = list(message.occurrences)
        entry.comment = message.comment
    for key, entry in existing.items():
        if key not in messages and not entry.obsolete:
            entry.obsolete = True
            counts["obsolete"] += 1
    return counts


def catalogue_paths(domain: str = DOMAIN) -> list[Path]:
    return sorted(locale_dir().glob(f"*/LC_MESSAGES/{domain}.po"))


def server_catalogue_paths() -> list[Path]:
    """locale/<code>/LC_MESSAGES/django.po for every language the app has
    (a language is one djangojs.po: see languages.py); made, with the app
    catalogue's header, where missing."""
    paths = []
    for app_po in catalogue_paths(DOMAIN):
        path = app_po.with_name(f"{PY_DOMAIN}.po")
        if not path.exists():
            header = polib.pofile(str(app_po), wrapwidth=0)
            po = polib.POFile(wrapwidth=0)
            po.metadata = dict(header.metadata)
            po.header = "Harbour: the messages the server sends and its calendar feeds' words."
            po.save(str(path))
        paths.append(path)
    return paths


def compiled(po_path: Path) -> bytes:
    return polib.pofile(str(po_path)).to_binary()


def _translations(entries) -> dict:
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in entries
        if e.msgid
    }


def stale_catalogues() -> list[Path]:
    """.po files whose committed .mo is missing or holds other translations.
    Compared by content, not bytes, so another polib version is not "stale"."""
    stale = []
    for po_path in catalogue_paths(DOMAIN) + catalogue_paths(PY_DOMAIN):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            stale.append(po_path)
            continue
        po = polib.pofile(str(po_path))
        mo = polib.mofile(str(mo_path))
        if _translations(mo) != _translations(po.translated_entries()) or (
            mo.metadata.get("Plural-Forms") != po.metadata.get("Plural-Forms")
        ):
            stale.append(po_path)
    return stale
