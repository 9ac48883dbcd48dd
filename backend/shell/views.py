"""The browser app's shell: the page at `/`, its language switch and its
translation catalogue.

The page (frontend/index.html) gets the language chosen for this request
(LocaleMiddleware: the `django_language` cookie, else Accept-Language) and
always sets the `csrftoken` cookie, which the app sends back as X-CSRFToken
on every write, sign-in included. Context:

- `language_code`: e.g. "ar"
- `language_bidi`: True for right-to-left languages
- `text_direction`: "rtl" or "ltr", for <html dir="…">
- `languages`: [{"code", "name", "name_local", "bidi"}], for the switcher
- `first_sessions`: this week's timetable, server-rendered into the shell
  (backend/shell/first_screen.py explains why)
- `quick_exit_url`: where quick exit on women-only pages goes
- `in_space`: she may see a women-only space (the shell shows quick exit at once)

The rendered page is cached (backend/common/answer_cache.py) per visibility
class, signed in or not, language and day, under the write version: it holds
nothing else about the viewer. Her CSRF token, the one per-request part, is
put into the stored bytes on the way out.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.views import i18n
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import etag, require_POST, require_safe

from backend.access import answer_scope
from backend.accounts.services import user_preferred_language_set
from backend.common import answer_cache
from backend.common.languages import DOMAIN
from backend.shell.first_screen import first_screen_context


def available_languages() -> list[dict]:
    out = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        out.append(
            {
                "code": code,
                "name": info["name"],
                "name_local": info["name_local"],
                "bidi": info["bidi"],
            }
        )
    return out


@require_safe
@ensure_csrf_cookie
# The page holds her own timetable (women-only sessions included, for her):
# no cache may keep it, and no-store also keeps it out of the back-forward
# cache, so Back after a quick exit cannot bring it up again.
@cache_control(private=True, no_store=True)
def app_shell(request):
    # Who may share the page: her visibility class (her women-only sessions,
    # quick exit), signed in or not, the language (words, dates, direction)
    # and the day ("this week"); the write version covers everything else.
    scope = answer_scope.visibility_class(request.user)
    signed_in = bool(request.user.is_authenticated)
    language = translation.get_language()
    found = answer_cache.lookup(
        "app-shell", _release(), scope, signed_in, language, timezone.localdate().isoformat()
    )
    body = found.body
    if body is None:
        bidi = translation.get_language_bidi()
        context = {
            "language_code": language,
            "language_bidi": bidi,
            "text_direction": "rtl" if bidi else "ltr",
            "languages": available_languages(),
            "quick_exit_url": settings.HARBOUR_QUICK_EXIT_URL,
            # Quick exit is on the page from the first byte for anyone who may
            # see a space (a coordinator's spaces are among those she may see).
            "in_space": scope != answer_scope.PUBLIC,
            # A slot for her own token, filled in below on every request.
            "csrf_token": _CSRF_SLOT,
            **first_screen_context(request),
        }
        body = render_to_string("index.html", context, request=request)
        answer_cache.store(found, body)
    return HttpResponse(body.replace(_CSRF_SLOT, get_token(request)))


@lru_cache(maxsize=1)
def _release() -> str:
    """This release's page: its templates and static files' names (hashed
    URLs), so a page stored by the release before a deploy is never served
    by the one after it."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    digest = hashlib.sha256()
    for name in ("index.html", "first_screen.html"):
        origin = getattr(get_template(name), "origin", None)  # Django's engine has one
        digest.update(Path(origin.name).read_bytes() if origin else name.encode())
    manifest = getattr(staticfiles_storage, "hashed_files", None)
    digest.update(repr(sorted((manifest or {}).items())).encode())
    return digest.hexdigest()[:16]


# Never in a page otherwise: the rendered shell is stored with it in place of
# the (per-request, masked) CSRF token.
_CSRF_SLOT = "csrf-slot-4c1e9b7d0a2f"


@require_POST
def set_language(request):
    """Django's set_language (POST `language`, optional `next`; remembered in
    the `django_language` cookie; 204 when the app asks for JSON), which also
    keeps her choice on her login and participant record, for messages sent
    to her later."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        # Django would accept any language it ships (e.g. "de"); we offer only ours.
        request.POST = request.POST.copy()
        request.POST.pop("language", None)
        return i18n.set_language(request)
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        user_preferred_language_set(user=request.user, language=language)
    return response


@lru_cache(maxsize=32)
def _catalogue_version(language: str) -> str:
    """Changes when a compiled catalogue changes (a release restarts the
    process, which empties this cache)."""
    digest = hashlib.sha256(language.encode())
    for directory in settings.LOCALE_PATHS:
        for mo in sorted(Path(directory).glob(f"*/LC_MESSAGES/{DOMAIN}.mo")):
            digest.update(mo.read_bytes())
    return digest.hexdigest()[:32]


def _catalogue_etag(request, *args, **kwargs) -> str:
    return _catalogue_version(translation.get_language() or settings.LANGUAGE_CODE)


_catalogue = i18n.JavaScriptCatalog.as_view(domain=DOMAIN)


@etag(_catalogue_etag)
def _catalogue_with_etag(request, *args, **kwargs):
    return _catalogue(request, *args, **kwargs)


@cache_control(private=True, no_cache=True)
def javascript_catalogue(request, *args, **kwargs):
    """/jsi18n/: the app's strings in the request's language (an external
    script, so the Content-Security-Policy needs no exception). The language
    comes from a cookie or Accept-Language, so caches must keep one copy per
    person; `no-cache` with an ETag makes each page load a cheap 304."""
    response = _catalogue_with_etag(request, *args, **kwargs)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


_json_catalogue = i18n.JSONCatalog.as_view(domain=DOMAIN)


@require_safe
@cache_control(public=True, max_age=3600)
def json_catalogue(request, language: str):
    """/jsi18n/<language>.json: the app's strings in one named language, for
    printing something in HER language (the sign-in slip) on a coordinator's
    screen in another. Public words only: the same for everyone."""
    if language not in dict(settings.LANGUAGES):
        from django.http import Http404

        raise Http404
    with translation.override(language):
        return _json_catalogue(request)
