"""Which languages Harbour speaks: discovered from the translation catalogues.

A language exists when `locale/<code>/LC_MESSAGES/djangojs.po` does (the
browser app's strings and the API error codes). English is the source
language: its strings are the msgids, so it needs no catalogue and is always
offered. Adding a language is therefore one file plus `make messages`. Names
and text direction come from Django's own table (`get_language_info`); a
directory whose code Django does not know stops start-up with a message that
says which one.

Imported by settings, so it must not touch the app registry.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SOURCE_LANGUAGE = "en"
DOMAIN = "djangojs"


def _info(code: str) -> dict:
    from django.utils.translation import get_language_info

    try:
        return get_language_info(code)
    except KeyError:
        raise ImproperlyConfigured(
            f"locale/{code}: Django does not know the language code {code!r}. Rename the "
            "directory to a code listed in django/conf/locale/__init__.py (e.g. 'ar', 'fa', "
            "'pt_BR'), or remove it."
        ) from None


def discover_languages(locale_dir: Path) -> list[tuple[str, str]]:
    """LANGUAGES for settings: English first, then every language with a
    catalogue, each with the name its speakers use."""
    from django.utils.translation import to_language

    codes = sorted(
        to_language(po.parent.parent.name)
        for po in Path(locale_dir).glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    )
    languages = [(SOURCE_LANGUAGE, _info(SOURCE_LANGUAGE)["name_local"])]
    for code in codes:
        if code != SOURCE_LANGUAGE:
            languages.append((code, _info(code)["name_local"]))
    return languages


def language_choices() -> list[tuple[str, str]]:
    """Choices for preferred-language fields. A callable, so adding a language
    changes no model and needs no migration."""
    from django.conf import settings

    return list(settings.LANGUAGES)
