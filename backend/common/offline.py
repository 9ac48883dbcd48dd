"""/sw.js: the browser app's service worker (frontend/sw.js), served from the
site root so that its scope covers the shell at `/` as well as /static/ and
/api/ (a worker under /static/app/ could only control /static/app/).

The server prepends two constants: VERSION, a digest of every file the app
ships (so any release installs a new worker and a fresh, versioned cache),
and ASSETS, the static URLs to cache on install: each module under its plain
name (the modules import each other by plain name) and under the name the
shell links (hashed in production). docs/registers.md says what is cached,
for whom, and when it is forgotten."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.templatetags.static import static
from django.views.decorators.http import require_safe

ASSET_SUFFIXES = (".js", ".css", ".svg")


def _frontend():
    return settings.BASE_DIR / "frontend"


def worker_source() -> str:
    # While developing, every edit to the app is a new version.
    return _build() if settings.DEBUG else _built()


@lru_cache(maxsize=1)
def _built() -> str:
    return _build()


def _build() -> str:
    root = _frontend()
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in ASSET_SUFFIXES and p.name != "sw.js"
    )
    digest = hashlib.sha256()
    assets: list[str] = []
    for path in files:
        relative = path.relative_to(root).as_posix()
        digest.update(relative.encode() + b"\0" + path.read_bytes())
        plain = f"{settings.STATIC_URL}app/{relative}"
        assets.append(plain)
        try:
            linked = static(f"app/{relative}")
        except ValueError:  # not collected (a manifest without it): the plain name serves
            linked = plain
        if linked != plain:
            assets.append(linked)
    body = (root / "sw.js").read_text()
    digest.update(body.encode())
    head = (
        f"const VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
        f"const ASSETS = {json.dumps(assets)};\n"
    )
    return head + body


@require_safe
def service_worker(request):
    response = HttpResponse(worker_source(), content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on each visit; no cache may hold an old one.
    response["Cache-Control"] = "no-cache"
    return response
