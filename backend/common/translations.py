"""Charity-typed text in each of the app's languages.

Stored as one JSON column per model, `translations = {lang: {field: text}}`
(e.g. {"ar": {"title": "…"}, "fa": {"title": "…"}}), rather than a table of
translations: adding a language needs no migration, one row read gives every
language (no join on the timetable's hot path), and a coordinator edits them
with the rest of the activity. The original column is the fallback (English,
or whatever the coordinator typed), field by field.

`isolate` wraps charity-typed text in U+2068 ... U+2069 (first-strong
isolate) when the active language is written right to left, for text that
is not HTML (messages, calendar feeds); pages use <bdi> and dir=auto.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from rest_framework import serializers

TRANSLATABLE = {
    "activity": {"title": 200, "description": 4000, "what_to_bring": 300},
    "venue": {"name": 200, "address": 1000},
    "session": {"cancel_reason": 300},
}


def _base(language: str | None) -> str:
    return (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


FSI, PDI = "\u2068", "\u2069"


def right_to_left(language: str | None = None) -> bool:
    try:
        return bool(translation.get_language_info(_base(language))["bidi"])
    except KeyError:
        return False


def isolate(text: str, language: str | None = None) -> str:
    """Charity-typed text, bidi-isolated in a right-to-left language."""
    return f"{FSI}{text}{PDI}" if text and right_to_left(language) else text


def translated(obj, field: str, language: str | None = None) -> str:
    """`obj.field` in `language` (default: the request's), else the original."""
    text = ((getattr(obj, "translations", None) or {}).get(_base(language)) or {}).get(field)
    return text or getattr(obj, field)


class TranslatedField(serializers.CharField):
    """A read-only text field given in the request's language, with fallback."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return translated(instance, self.source)


class TranslationsField(serializers.JSONField):
    """{lang: {field: text}} for one kind of object; unknown languages or
    fields, non-text values and over-long texts are refused (400)."""

    def __init__(self, kind: str, **kwargs):
        self.allowed = TRANSLATABLE[kind]
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "{language: {field: text}}; fields: " + ", ".join(self.allowed) + ". "
            "Empty texts are dropped; a missing one falls back to the original.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        languages = {code for code, _ in settings.LANGUAGES}
        if not isinstance(data, dict):
            raise serializers.ValidationError("Give {language: {field: text}}.")
        clean: dict[str, dict[str, str]] = {}
        for lang, texts in data.items():
            if lang not in languages:
                raise serializers.ValidationError(f"Unknown language: {str(lang)[:20]}.")
            if not isinstance(texts, dict):
                raise serializers.ValidationError(f"{lang}: give {{field: text}}.")
            for field, text in texts.items():
                if field not in self.allowed:
                    raise serializers.ValidationError(
                        f"{lang}: {str(field)[:40]} is not translatable."
                    )
                if not isinstance(text, str):
                    raise serializers.ValidationError(f"{lang}.{field}: give text.")
                text = text.strip()
                if len(text) > self.allowed[field]:
                    raise serializers.ValidationError(f"{lang}.{field}: too long.")
                if text:
                    clean.setdefault(lang, {})[field] = text
        return clean
