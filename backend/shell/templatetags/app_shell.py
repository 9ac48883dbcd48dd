"""Tags for the app's HTML shell: the app's own words, and its stylesheet inline.

The shell page renders the first screen itself (see backend/shell/first_screen.py),
so its words must be the same ones the app shows once its JavaScript runs.
They come from the app's catalogue (domain djangojs, one file per language),
not from a second catalogue for templates: `{% app_text "This week" %}` and
`{% app_plural "%(n)s place left" "%(n)s places left" count %}`. Because the
JavaScript marks the same strings, `manage.py catalogues extract` finds them.

`{% inline_static "app/app.css" %}` puts a static file's text into the page:
a separate stylesheet would block the first paint for another round trip.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, trans_real

from backend.common.languages import DOMAIN

register = template.Library()


@cache
def _catalogue(language: str):
    return trans_real.DjangoTranslation(language, domain=DOMAIN)


@register.simple_tag
def app_text(message: str) -> str:
    return _catalogue(get_language() or "en").gettext(message)


@register.simple_tag
def app_plural(singular: str, plural: str, count: int) -> str:
    text = _catalogue(get_language() or "en").ngettext(singular, plural, count)
    return text.replace("%(n)s", str(count))


@register.filter
def tr(obj, field: str) -> str:
    """Charity-typed text in the page's language, else the original."""
    from backend.common.translations import translated

    return translated(obj, field)


@cache
def _static_text(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise template.TemplateSyntaxError(f"inline_static: no static file {path!r}")
    with open(found, encoding="utf-8") as handle:
        return handle.read()


@register.simple_tag
def inline_static(path: str) -> str:
    # Our own file from the source tree, never user input.
    return mark_safe(_static_text(path))  # noqa: S308
